"""``matching``'s public face: what the registry imports, loaded on first use."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import matching

INIT = Path(matching.__file__)


def test_every_public_name_is_the_object_its_module_defines() -> None:
    assert set(matching.__all__) == set(matching._EXPORTS)
    for name, module in matching._EXPORTS.items():
        assert getattr(matching, name) is getattr(importlib.import_module(module), name), name


def test_the_type_checker_sees_the_same_names() -> None:
    # mypy reads the TYPE_CHECKING imports; the interpreter reads _EXPORTS: they must agree.
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    block = next(n for n in tree.body if isinstance(n, ast.If))
    typed = {
        alias.name: node.module
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert typed == matching._EXPORTS


def test_an_unknown_name_is_an_attribute_error() -> None:
    name = "no_such_name"
    with pytest.raises(AttributeError, match=name):
        getattr(matching, name)


def test_importing_matching_does_not_import_splink() -> None:
    code = "import sys, matching; matching.CANONICAL_COLUMNS; print('splink' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "False"
