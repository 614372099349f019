import re

from . import _lazy

valid_url_query_chars = _lazy.compile(r"[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]", re.IGNORECASE)
