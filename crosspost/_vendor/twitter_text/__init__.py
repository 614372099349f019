from .parse_tweet import parse_tweet, ParsedResult
from .extract_urls import extract_urls, extract_urls_with_indices
from .extract_emojis import extract_emojis_with_indices

__all__ = [
    'ParsedResult',
    'parse_tweet',
    'extract_urls',
    'extract_urls_with_indices',
    'extract_emojis_with_indices',
]
