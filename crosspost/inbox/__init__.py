"""The public's replies (inbox) and each post's reach (metrics): rules, fetching, settings.

Kept apart from the publishing path: nothing here creates a post; every platform call is a read.
"""
