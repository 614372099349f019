"""The Indonesian catalogue read once, not in every process: parsing the 1,000-message .mo takes
4-12 ms of every start in Indonesian (CPython's ``GNUTranslations._parse`` decodes each message
in Python), which is how a Humas office runs crosspost (``LANG=id_ID``, ``--lang id``).

``CachedTranslations`` keeps what ``_parse`` builds (the metadata, the charset, the catalogue)
beside the package's .pyc files (crosspost/compile_cache.py), keyed by the .mo file's length
and CRC-32: a rebuilt catalogue is parsed afresh. The plural rule is rebuilt from the metadata
exactly as ``_parse`` does (``c2py``). Anything unexpected falls back to ``_parse`` itself.
"""

import gettext
import io
import zlib
from pathlib import Path
from typing import Any

from .compile_cache import cache_file, load, save


class CachedTranslations(gettext.GNUTranslations):
    """GNUTranslations whose parsed catalogue comes from the cache when the .mo is unchanged."""

    def _parse(self, fp: Any) -> None:
        buf = fp.read()
        name = str(getattr(fp, "name", ""))
        path = cache_file("gettext", f"-{Path(name).parent.parent.name}-{Path(name).stem}")
        stamp = [len(buf), zlib.crc32(buf)]
        data = load(path, 8)
        try:
            if data.get("stamp") == stamp and data.get("name") == name:
                self._restore(data)
                return
        except (AttributeError, TypeError, ValueError, KeyError, IndexError, SyntaxError):
            pass
        again = io.BytesIO(buf)
        again.name = name  # _parse names the file in its errors
        super()._parse(again)
        save(path, {"name": name, "stamp": stamp, "info": self._info, "charset": self._charset,
                    "catalog": self._catalog}, 8, set())

    def _restore(self, data: dict[str, Any]) -> None:
        info, charset, catalog = data["info"], data["charset"], data["catalog"]
        if not (isinstance(info, dict) and isinstance(catalog, dict) and isinstance(charset, str | None)):
            raise TypeError("not a parsed catalogue")
        self._info = dict(info)
        self._charset = charset
        self._catalog = catalog
        self.plural = lambda n: int(n != 1)  # as _parse: germanic plural unless the header says otherwise
        forms = info.get("plural-forms")
        if forms is not None:
            self.plural = gettext.c2py(forms.split(";")[1].split("plural=")[1])

