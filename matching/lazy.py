"""Package attributes imported on first use (PEP 562), so that importing a package is cheap.

``matching`` and ``matching.model`` export names whose modules import Splink (about a second):
the registry, the service and the ``srj`` command line import the packages without paying it
until a name that needs Splink is read.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_attributes(package: str, exports: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: each name of ``exports`` (name -> defining
    module) is imported from its module when first read, then kept in the package."""

    def attribute(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(importlib.import_module(package), name, value)  # later reads skip this
        return value

    return attribute
