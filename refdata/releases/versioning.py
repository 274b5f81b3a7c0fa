"""Diffs between two states of a keyed dataset, and applying a diff to a state.

A *state* maps each item key (a NATINF code, a penalty key...) to its fields. The diff of two
states lists the added items (with their fields), the changed ones field by field, and the
retired ones (with their last fields). ``apply_diff(a, diff_states(a, b)) == b`` for any two
states: the property the tests check with hypothesis, and what lets a partner replay the
changelog of a release onto their copy of the previous one.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

K = TypeVar("K", bound=Hashable)
Fields = Mapping[str, Any]


@dataclass(frozen=True)
class FieldChange:
    old: Any
    new: Any


@dataclass
class StateDiff(Generic[K]):
    added: dict[K, dict[str, Any]] = field(default_factory=dict)
    changed: dict[K, dict[str, FieldChange]] = field(default_factory=dict)
    retired: dict[K, dict[str, Any]] = field(default_factory=dict)
    unchanged: int = 0

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.changed or self.retired)


def diff_states(old: Mapping[K, Fields], new: Mapping[K, Fields]) -> StateDiff[K]:
    diff: StateDiff[K] = StateDiff()
    for key, fields in new.items():
        before = old.get(key)
        if before is None:
            diff.added[key] = dict(fields)
            continue
        changes = {
            name: FieldChange(before.get(name), value)
            for name, value in fields.items()
            if before.get(name) != value
        }
        changes.update(
            {name: FieldChange(value, None) for name, value in before.items() if name not in fields}
        )
        if changes:
            diff.changed[key] = changes
        else:
            diff.unchanged += 1
    for key, fields in old.items():
        if key not in new:
            diff.retired[key] = dict(fields)
    return diff


def apply_diff(state: Mapping[K, Fields], diff: StateDiff[K]) -> dict[K, dict[str, Any]]:
    """The state ``diff`` leads to from ``state``; refuses a diff made from another state."""
    result = {key: dict(fields) for key, fields in state.items()}
    for key in diff.retired:
        if key not in result:
            raise ValueError(f"cannot retire {key!r}: not in the state")
        del result[key]
    for key, changes in diff.changed.items():
        if key not in result:
            raise ValueError(f"cannot change {key!r}: not in the state")
        for name, change in changes.items():
            if result[key].get(name) != change.old:
                raise ValueError(f"{key!r}.{name} is not {change.old!r} in the state")
            result[key][name] = change.new
    for key, fields in diff.added.items():
        if key in result:
            raise ValueError(f"cannot add {key!r}: already in the state")
        result[key] = dict(fields)
    return result
