import re

from . import _lazy

invalid_url_without_protocol_preceding_chars = _lazy.compile(r'[-_./]$')
