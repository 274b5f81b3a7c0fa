"""The pending queue's order kept between requests: new suggestions join at once, stale orders
are recomputed, reused ids (rolled-back rows) are never trusted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient

from identity.review.queue_order import Key, QueueOrderCache

T1, T2 = datetime(2026, 1, 1), datetime(2026, 1, 2)


class Scorer:
    def __init__(self, keys: list[Key]) -> None:
        self.keys = keys
        self.calls: list[int | None] = []

    def __call__(self, after: int | None) -> list[Key]:
        self.calls.append(after)
        return [k for k in self.keys if after is None or k[2] > after]


def test_new_suggestions_are_merged_in_without_recomputing_the_rest() -> None:
    cache, scorer = QueueOrderCache(), Scorer([(-2, 0, 1), (-1, -4, 2)])
    assert cache.keys("q", (2, T1), 60, scorer) == [(-2, 0, 1), (-1, -4, 2)]
    scorer.keys.append((-3, 0, 3))
    assert cache.keys("q", (3, T2), 60, scorer) == [(-3, 0, 3), (-2, 0, 1), (-1, -4, 2)]
    assert scorer.calls == [None, 2]
    assert cache.keys("q", (3, T2), 60, scorer)[0] == (-3, 0, 3)
    assert scorer.calls == [None, 2]  # unchanged: no query at all


def test_an_old_order_is_recomputed_and_reused_ids_are_not_trusted() -> None:
    cache, scorer = QueueOrderCache(), Scorer([(-1, 0, 1)])
    cache.keys("q", (1, T1), 60, scorer)
    scorer.keys = [(-5, 0, 1)]
    # Same newest id, created at another time: the rows were rolled back and the id reused.
    assert cache.keys("q", (1, T2), 60, scorer) == [(-5, 0, 1)]
    scorer.keys = [(-2, 0, 1)]
    assert cache.keys("q", (1, T2), 0, scorer) == [(-2, 0, 1)]  # expired
    assert scorer.calls == [None, None, None]


def test_the_page_never_shows_a_decided_suggestion_and_shows_new_ones_at_once(
    client: TestClient, reviewer: dict[str, str], make_pair: Callable[..., Any]
) -> None:
    first = make_pair("O1", nom="ALPHA")
    assert [i["id"] for i in client.get("/v1/reviews", headers=reviewer).json()["items"]] == [
        first["id"]
    ]
    second = make_pair("O2", nom="BETA")
    ids = [i["id"] for i in client.get("/v1/reviews", headers=reviewer).json()["items"]]
    assert ids == [first["id"], second["id"]]
    version = client.get(f"/v1/reviews/{first['id']}", headers=reviewer).json()["version"]
    client.post(
        f"/v1/reviews/{first['id']}/decision",
        json={"decision": "same", "version": version},
        headers=reviewer,
    )
    ids = [i["id"] for i in client.get("/v1/reviews", headers=reviewer).json()["items"]]
    assert ids == [second["id"]]
