import re

from . import _lazy

valid_url_query_ending_chars = _lazy.compile(r'[a-z0-9\-_&=#/]', re.IGNORECASE)
