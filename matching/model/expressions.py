"""Comparison conditions written once, rendered as SQL for any Splink dialect and as Python.

A comparison level's condition (e.g. "the surnames are one edit apart") must mean exactly
the same thing in Splink's SQL (DuckDB or Spark) and in the online scorer. Writing it twice
by hand invites drift, so conditions are small expression trees:

- ``sql(dialect)`` renders them for Splink, leaf by leaf, with each leaf wrapped in
  ``coalesce(..., false)``: SQL's three-valued logic (``NOT NULL`` is NULL) then behaves
  like Python's two-valued logic, and ``Not``/``Or`` agree on missing values;
- ``compile()`` returns a Python predicate over two records (dicts of standardised values);
- ``to_json``/``from_json`` store them in the model artefact, so a saved model carries its
  own conditions and stays valid when this code evolves.

Only integer-valued string metrics are used (Levenshtein): they are exact in every engine,
where Jaro-Winkler similarities differ in their last bits between implementations.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from rapidfuzz.distance import Levenshtein
from splink.internals.dialects import SplinkDialect

Record = Mapping[str, Any]
Predicate = Callable[[Record, Record], bool]


def _col(name: str, side: str) -> str:
    # Unquoted: our column names are plain identifiers, and quoting differs per dialect.
    return f"{name}_{side}"


class Expr(ABC):
    """A boolean condition on a pair of records (left ``l``, right ``r``)."""

    kind: ClassVar[str]

    @abstractmethod
    def _raw_sql(self, dialect: SplinkDialect) -> str: ...

    @abstractmethod
    def compile(self) -> Predicate: ...

    @abstractmethod
    def _args(self) -> dict[str, Any]: ...

    def sql(self, dialect: SplinkDialect) -> str:
        return f"coalesce({self._raw_sql(dialect)}, false)"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, **self._args()}

    def __and__(self, other: Expr) -> Expr:
        return And((self, other))

    def __or__(self, other: Expr) -> Expr:
        return Or((self, other))

    def __invert__(self) -> Expr:
        return Not(self)


@dataclass(frozen=True)
class Eq(Expr):
    """``left[a] = right[b]`` (``b`` defaults to ``a``); false when either is missing."""

    a: str
    b: str | None = None
    kind: ClassVar[str] = "eq"

    def _raw_sql(self, dialect: SplinkDialect) -> str:
        return f"{_col(self.a, 'l')} = {_col(self.b or self.a, 'r')}"

    def compile(self) -> Predicate:
        a, b = self.a, self.b or self.a

        def predicate(left: Record, right: Record) -> bool:
            x, y = left.get(a), right.get(b)
            return x is not None and y is not None and x == y

        return predicate

    def _args(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b}


@dataclass(frozen=True)
class Lev(Expr):
    """Levenshtein distance between ``left[a]`` and ``right[b]`` is at most ``k``."""

    a: str
    k: int
    b: str | None = None
    kind: ClassVar[str] = "lev"

    def _raw_sql(self, dialect: SplinkDialect) -> str:
        fn = dialect.levenshtein_function_name
        left, right = _col(self.a, "l"), _col(self.b or self.a, "r")
        return f"{fn}({left}, {right}) <= {self.k}"

    def sql(self, dialect: SplinkDialect) -> str:
        # The length test comes first: it is cheap, and two names whose lengths differ by
        # more than k are more than k edits apart, so most non-matching pairs skip the
        # quadratic distance. Each side of the AND is coalesced on its own: DuckDB
        # short-circuits an AND it selects on (a CASE condition), but computes every
        # operand of one inside a function such as coalesce (twice the time on random
        # pairs). Both operands are two-valued, so the AND is too.
        left, right = _col(self.a, "l"), _col(self.b or self.a, "r")
        guard = f"coalesce(abs(length({left}) - length({right})) <= {self.k}, false)"
        return f"({guard} and {super().sql(dialect)})"

    def compile(self) -> Predicate:
        a, b, k = self.a, self.b or self.a, self.k
        distance = Levenshtein.distance

        def predicate(left: Record, right: Record) -> bool:
            x, y = left.get(a), right.get(b)
            if x is None or y is None:
                return False
            return distance(x, y, score_cutoff=k) <= k

        return predicate

    def _args(self) -> dict[str, Any]:
        return {"a": self.a, "k": self.k, "b": self.b}


@dataclass(frozen=True)
class Prefix(Expr):
    """One of ``left[a]`` / ``right[b]`` starts with the other, which has ``n``+ characters."""

    a: str
    n: int
    b: str | None = None
    kind: ClassVar[str] = "prefix"

    def _raw_sql(self, dialect: SplinkDialect) -> str:
        left, right = _col(self.a, "l"), _col(self.b or self.a, "r")
        return (
            f"(length({left}) >= {self.n} and substr({right}, 1, length({left})) = {left})"
            f" or (length({right}) >= {self.n} and substr({left}, 1, length({right})) = {right})"
        )

    def compile(self) -> Predicate:
        a, n, b = self.a, self.n, self.b or self.a

        def predicate(left: Record, right: Record) -> bool:
            x, y = left.get(a), right.get(b)
            if x is None or y is None:
                return False
            return (len(x) >= n and y.startswith(x)) or (len(y) >= n and x.startswith(y))

        return predicate

    def _args(self) -> dict[str, Any]:
        return {"a": self.a, "n": self.n, "b": self.b}


@dataclass(frozen=True)
class MinLength(Expr):
    """Both ``left[a]`` and ``right[a]`` have at least ``n`` characters."""

    a: str
    n: int
    kind: ClassVar[str] = "min_length"

    def _raw_sql(self, dialect: SplinkDialect) -> str:
        return (
            f"length({_col(self.a, 'l')}) >= {self.n} and length({_col(self.a, 'r')}) >= {self.n}"
        )

    def compile(self) -> Predicate:
        a, n = self.a, self.n

        def predicate(left: Record, right: Record) -> bool:
            x, y = left.get(a), right.get(a)
            return x is not None and y is not None and len(x) >= n and len(y) >= n

        return predicate

    def _args(self) -> dict[str, Any]:
        return {"a": self.a, "n": self.n}


@dataclass(frozen=True)
class Overlap(Expr):
    """The lists ``left[a]`` and ``right[b]`` share at least one element."""

    a: str
    b: str | None = None
    kind: ClassVar[str] = "overlap"

    def _raw_sql(self, dialect: SplinkDialect) -> str:
        left, right = _col(self.a, "l"), _col(self.b or self.a, "r")
        if dialect.sql_dialect_str == "spark":
            return f"size(array_intersect({left}, {right})) >= 1"
        # list_has_any stops at the first common element; list_intersect built the list.
        return f"list_has_any({left}, {right})"

    def compile(self) -> Predicate:
        a, b = self.a, self.b or self.a

        def predicate(left: Record, right: Record) -> bool:
            x, y = left.get(a), right.get(b)
            if not x or not y:
                return False
            return not set(x).isdisjoint(y)

        return predicate

    def _args(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b}


@dataclass(frozen=True)
class Missing(Expr):
    """``a`` is missing on the left, the right, or ``either`` / ``both`` sides."""

    a: str
    side: str = "either"
    kind: ClassVar[str] = "missing"

    def _raw_sql(self, dialect: SplinkDialect) -> str:
        left, right = f"{_col(self.a, 'l')} is null", f"{_col(self.a, 'r')} is null"
        return {
            "l": left,
            "r": right,
            "either": f"{left} or {right}",
            "both": f"{left} and {right}",
        }[self.side]

    def compile(self) -> Predicate:
        a, side = self.a, self.side

        def predicate(left: Record, right: Record) -> bool:
            x, y = left.get(a) is None, right.get(a) is None
            if side == "l":
                return x
            if side == "r":
                return y
            return (x or y) if side == "either" else (x and y)

        return predicate

    def _args(self) -> dict[str, Any]:
        return {"a": self.a, "side": self.side}


@dataclass(frozen=True)
class IsTrue(Expr):
    """The boolean ``a`` is true on the left, the right, or ``either`` / ``both`` sides."""

    a: str
    side: str = "either"
    kind: ClassVar[str] = "is_true"

    def _raw_sql(self, dialect: SplinkDialect) -> str:
        left, right = f"{_col(self.a, 'l')}", f"{_col(self.a, 'r')}"
        return {
            "l": left,
            "r": right,
            "either": f"{left} or {right}",
            "both": f"{left} and {right}",
        }[self.side]

    def sql(self, dialect: SplinkDialect) -> str:
        # Each side is coalesced on its own: "NULL or true" must be true, as in Python.
        left, right = (
            f"coalesce({_col(self.a, 'l')}, false)",
            f"coalesce({_col(self.a, 'r')}, false)",
        )
        return {
            "l": left,
            "r": right,
            "either": f"({left} or {right})",
            "both": f"({left} and {right})",
        }[self.side]

    def compile(self) -> Predicate:
        a, side = self.a, self.side

        def predicate(left: Record, right: Record) -> bool:
            x, y = left.get(a) is True, right.get(a) is True
            if side == "l":
                return x
            if side == "r":
                return y
            return (x or y) if side == "either" else (x and y)

        return predicate

    def _args(self) -> dict[str, Any]:
        return {"a": self.a, "side": self.side}


@dataclass(frozen=True)
class And(Expr):
    items: tuple[Expr, ...]
    kind: ClassVar[str] = "and"

    def _raw_sql(self, dialect: SplinkDialect) -> str:
        return " and ".join(item.sql(dialect) for item in self.items)

    def sql(self, dialect: SplinkDialect) -> str:
        return f"({self._raw_sql(dialect)})"

    def compile(self) -> Predicate:
        predicates = [item.compile() for item in self.items]
        return lambda left, right: all(p(left, right) for p in predicates)

    def _args(self) -> dict[str, Any]:
        return {"items": [item.to_json() for item in self.items]}


@dataclass(frozen=True)
class Or(Expr):
    items: tuple[Expr, ...]
    kind: ClassVar[str] = "or"

    def _raw_sql(self, dialect: SplinkDialect) -> str:
        return " or ".join(item.sql(dialect) for item in self.items)

    def sql(self, dialect: SplinkDialect) -> str:
        return f"({self._raw_sql(dialect)})"

    def compile(self) -> Predicate:
        predicates = [item.compile() for item in self.items]
        return lambda left, right: any(p(left, right) for p in predicates)

    def _args(self) -> dict[str, Any]:
        return {"items": [item.to_json() for item in self.items]}


@dataclass(frozen=True)
class Not(Expr):
    item: Expr
    kind: ClassVar[str] = "not"

    def _raw_sql(self, dialect: SplinkDialect) -> str:
        return f"not {self.item.sql(dialect)}"

    def sql(self, dialect: SplinkDialect) -> str:
        # The operand is already two-valued (coalesced), so NOT is too.
        return f"(not {self.item.sql(dialect)})"

    def compile(self) -> Predicate:
        predicate = self.item.compile()
        return lambda left, right: not predicate(left, right)

    def _args(self) -> dict[str, Any]:
        return {"item": self.item.to_json()}


@dataclass(frozen=True)
class Else(Expr):
    """The catch-all last level of a comparison."""

    kind: ClassVar[str] = "else"

    def _raw_sql(self, dialect: SplinkDialect) -> str:
        return "ELSE"

    def sql(self, dialect: SplinkDialect) -> str:
        return "ELSE"

    def compile(self) -> Predicate:
        return lambda left, right: True

    def _args(self) -> dict[str, Any]:
        return {}


_KINDS: dict[str, type[Expr]] = {
    cls.kind: cls
    for cls in (Eq, Lev, Prefix, MinLength, Overlap, Missing, IsTrue, And, Or, Not, Else)
}


def from_json(data: Mapping[str, Any]) -> Expr:
    """Rebuild an expression stored by `Expr.to_json`."""
    kind = data.get("kind")
    cls = _KINDS.get(str(kind))
    if cls is None:
        raise ValueError(f"unknown condition kind {kind!r} in the model artefact")
    args = {k: v for k, v in data.items() if k != "kind"}
    if cls is And:
        return And(tuple(from_json(item) for item in args["items"]))
    if cls is Or:
        return Or(tuple(from_json(item) for item in args["items"]))
    if cls is Not:
        return Not(from_json(args["item"]))
    return cls(**args)


def columns_of(expr: Expr) -> set[str]:
    """The standardised columns a condition reads."""
    if isinstance(expr, And | Or):
        return set().union(*(columns_of(item) for item in expr.items))
    if isinstance(expr, Not):
        return columns_of(expr.item)
    found = {getattr(expr, "a", None), getattr(expr, "b", None)}
    return {name for name in found if isinstance(name, str)}


def either(*items: Expr) -> Expr:
    return Or(tuple(items))


def both(*items: Expr) -> Expr:
    return And(tuple(items))
