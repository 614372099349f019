"""crosspost: one press release to every channel, checked, delivered once, logged."""

__version__ = "0.1.0"
