import re

from . import _lazy

valid_punycode = _lazy.compile(r'(?:xn--[\-0-9a-z]+)')
