import re

from . import _lazy

valid_port_number = _lazy.compile(r'[0-9]+')
