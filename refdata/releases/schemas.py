"""Response bodies of the releases API: releases, their files, diffs between two releases."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ReleaseFileOut(BaseModel):
    name: str = Field(examples=["offences.csv"])
    media_type: str
    sha256: str
    size_bytes: int
    url: str = Field(examples=["/v1/downloads/natinf-2026-10-01/offences.csv"])


class WithdrawalOut(BaseModel):
    withdrawn_at: datetime
    reason: str = Field(examples=["published_on typed 2062-10-01 for 2026-10-01"])
    restored_id: str | None = Field(
        description="The release that is the dataset's latest again (null: none left)",
        examples=["natinf-2026-07-01"],
    )


class WithdrawalRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"reason": "published_on typed 2062-10-01 for 2026-10-01"}]
        },
    )

    reason: str = Field(
        min_length=10,
        max_length=2000,
        description="Why the release is withdrawn: published in the release feeds",
    )


class ReleaseOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "natinf-2026-10-01",
                    "dataset": "natinf",
                    "sequence": 2,
                    "published_on": "2026-10-01",
                    "created_at": "2026-10-02T08:00:00Z",
                    "previous_id": "natinf-2026-07-01",
                    "source_name": "natinf.csv",
                    "source_sha256": "9f" * 32,
                    "source_details": {"encoding": "latin-1", "rows": 17012},
                    "item_count": 17012,
                    "added": 12,
                    "changed": 3,
                    "retired": 2,
                    "unchanged": 16997,
                    "changelog": "12 added, 3 changed, 2 retired, 16997 unchanged",
                    "files": [],
                }
            ]
        }
    )

    id: str
    dataset: str
    sequence: int
    published_on: date
    created_at: datetime
    previous_id: str | None
    source_name: str | None
    source_sha256: str | None
    source_details: dict[str, Any]
    item_count: int
    added: int
    changed: int
    retired: int
    unchanged: int
    changelog: str
    files: list[ReleaseFileOut]
    withdrawal: WithdrawalOut | None = Field(
        default=None,
        description="Set when an admin withdrew the release: its content is no longer served "
        "(downloads and diffs answer 410), the previous release is the latest again",
    )


class ReleaseList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "id": "natinf-2026-01-26",
                            "dataset": "natinf",
                            "sequence": 1,
                            "published_on": "2026-01-26",
                            "created_at": "2026-11-28T14:10:37Z",
                            "previous_id": None,
                            "source_name": "natinf.csv",
                            "source_sha256": "9f" * 32,
                            "source_details": {"encoding": "latin-1", "rows": 198},
                            "item_count": 198,
                            "added": 198,
                            "changed": 0,
                            "retired": 0,
                            "unchanged": 0,
                            "changelog": "198 added, 0 changed, 0 retired, 0 unchanged",
                            "files": [
                                {
                                    "name": "offences.csv",
                                    "media_type": "text/csv; charset=utf-8",
                                    "sha256": "7a" * 32,
                                    "size_bytes": 52110,
                                    "url": "/v1/downloads/natinf-2026-01-26/offences.csv",
                                }
                            ],
                        }
                    ]
                }
            ]
        }
    )

    items: list[ReleaseOut]


class FieldChangeOut(BaseModel):
    from_: Any = Field(alias="from")
    to: Any


class ChangedItem(BaseModel):
    model_config = ConfigDict(extra="allow")

    changes: dict[str, FieldChangeOut]


class DiffCounts(BaseModel):
    added: int
    changed: int
    retired: int
    unchanged: int


class ReleaseDiff(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
        json_schema_extra={
            "examples": [
                {
                    "dataset": "natinf",
                    "from": "natinf-2026-07-01",
                    "to": "natinf-2026-10-01",
                    "counts": {"added": 1, "changed": 1, "retired": 1, "unchanged": 16999},
                    "added": [],
                    "changed": [
                        {
                            "natinf": 7,
                            "changes": {
                                "repressed_by": {
                                    "from": "ART.L.163-2 AL.1 C.M.F.",
                                    "to": "ART.L.163-2 AL.1, ART.L.163-6 AL.1 C.M.F.",
                                }
                            },
                        }
                    ],
                    "retired": [],
                },
                {
                    # Courts, tariffs and communes: items keyed by table and natural key.
                    "dataset": "courts",
                    "from": "courts-2026-11-28",
                    "to": "courts-2027-01-04",
                    "counts": {"added": 0, "changed": 1, "retired": 0, "unchanged": 667},
                    "added": [],
                    "changed": [
                        {
                            "kind": "court",
                            "key": "tj-agen|2020-01-01",
                            "changes": {
                                "seat_commune": {"from": "Agen", "to": "Agen (Lot-et-Garonne)"}
                            },
                        }
                    ],
                    "retired": [],
                },
            ]
        },
    )

    dataset: str
    from_: str = Field(alias="from")
    to: str
    counts: DiffCounts
    added: list[dict[str, Any]] = Field(description="Items of `to` absent from `from`")
    changed: list[ChangedItem] = Field(description="Key fields, then `changes` field by field")
    retired: list[dict[str, Any]] = Field(
        description="Items of `from` absent from `to`, with their last fields (and successors)"
    )
