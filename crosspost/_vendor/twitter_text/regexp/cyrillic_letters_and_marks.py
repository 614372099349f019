import re

from . import _lazy

cyrillic_letters_and_marks = _lazy.compile(r'\u0400-\u04FF')
