"""A name bound now, imported on first use: rich costs 25-40 ms of a start that ``--json`` never
uses (crosspost/cli/render.py binds its rich classes through this)."""

from __future__ import annotations

import importlib
from typing import Any


class Lazy:
    """Stands for ``module.name``: calling it or reading an attribute imports the module."""

    __slots__ = ("_module", "_name", "_target")

    def __init__(self, module: str, name: str) -> None:
        self._module, self._name = module, name
        self._target: Any = None

    def _get(self) -> Any:
        if self._target is None:
            self._target = getattr(importlib.import_module(self._module), self._name)
        return self._target

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._get()(*args, **kwargs)

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._get(), attr)

    def __repr__(self) -> str:
        return f"<lazy {self._module}.{self._name}>"
