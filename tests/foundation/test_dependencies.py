"""The direction of dependencies between packages, read from the code's own imports.

Every ``import`` counts, at the top of a module or inside a function (a lazy import is still a
dependency, and hiding a cycle in a function does not remove it). The rules are those of
docs/architecture.md: ``matching`` knows no other package of the project; ``refdata`` and
``identity`` know only the plumbing, ``srj`` (``identity`` may also use ``matching``'s public
face and read ``refdata``); the plumbing knows no domain; only the entry point
(``entrypoint``) assembles them; inside ``refdata`` the release machinery names no dataset. A
failure names the importing module and what it imports.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("srj", "entrypoint", "refdata", "identity", "matching")
DOMAINS = ("refdata", "identity", "matching")
# refdata's datasets; the release machinery (refdata.releases) serves them without naming them.
REFDATA_DATASETS = (
    "refdata.natinf",
    "refdata.courts",
    "refdata.tariffs",
    "refdata.communes",
    "refdata.law",
)


@cache
def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _module_of(name: str) -> str:
    """The project module an imported name lives in (``a.b.func`` -> ``a.b``)."""
    known = modules()
    while name not in known and "." in name:
        name = name.rpartition(".")[0]
    return name


@cache
def imports() -> dict[str, frozenset[str]]:
    """Module -> the project modules it imports, wherever the import statement stands."""
    graph = {}
    for name, path in modules().items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(_module_of(a.name) for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # ``from pkg import module`` imports the module; ``from module import name``
                # the module that defines the name.
                found.update(_module_of(f"{node.module}.{a.name}") for a in node.names)
        graph[name] = frozenset(m for m in found if m.split(".")[0] in PACKAGES and m != name)
    return graph


def _within(module: str, prefixes: Iterable[str]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _violations(importers: Iterable[str], forbidden: Iterable[str]) -> list[str]:
    forbidden = tuple(forbidden)
    return sorted(
        f"{importer} imports {imported}"
        for importer in importers
        for imported in imports()[importer]
        if _within(imported, forbidden)
    )


def _package(prefix: str) -> list[str]:
    return [m for m in modules() if _within(m, (prefix,))]


def test_the_import_reader_sees_real_dependencies() -> None:
    # Guards the reader itself: a rule over an empty graph would pass whatever the code does.
    assert "srj.db" in imports()["refdata.releases.models"]
    assert "refdata.releases.curated" in imports()["refdata.courts.release"]
    assert "refdata.api" in imports()["entrypoint.app"]  # a lazy import, inside a function


def test_matching_knows_no_other_package_of_the_project() -> None:
    assert _violations(_package("matching"), ("srj", "entrypoint", "refdata", "identity")) == []


def test_refdata_knows_only_the_plumbing() -> None:
    assert _violations(_package("refdata"), ("entrypoint", "identity", "matching")) == []


def test_identity_knows_only_the_plumbing_matching_and_refdata() -> None:
    assert _violations(_package("identity"), ("entrypoint",)) == []


def test_identity_uses_only_the_public_face_of_matching() -> None:
    # ``from matching import X``: the names matching/__init__.py exports, nothing deeper.
    inner = [m for m in _package("matching") if m != "matching"]
    assert _violations(_package("identity"), inner) == []


def test_the_plumbing_knows_no_domain() -> None:
    assert _violations(_package("srj"), ("entrypoint", *DOMAINS)) == []


def test_the_release_machinery_names_no_dataset() -> None:
    # The releases API is the one exception: it hands the list of datasets
    # (refdata.datasets) to the machinery.
    machinery = [m for m in _package("refdata.releases") if m != "refdata.releases.api"]
    assert _violations(machinery, (*REFDATA_DATASETS, "refdata.datasets")) == []


def test_the_engines_know_nothing_else_of_matching() -> None:
    # Jobs, the model and the report use the engines; an engine importing them back is how
    # matching/jobs.py and matching/report.py once imported each other.
    engines = _package("matching.engines")
    others = [m for m in _package("matching") if m not in engines and m != "matching"]
    assert _violations(engines, others) == []


def test_no_import_cycle() -> None:
    assert _cycles({m: set(deps) for m, deps in imports().items()}) == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_cycles() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
