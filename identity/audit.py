"""The access log: who read which person's data, when, why, through which endpoint.

It holds identifiers and the declared purpose, never the data that was read. The entry is
written in the same transaction as the read: if the request fails, nothing was disclosed and
nothing is logged; if it succeeds, the entry is committed before the response leaves.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from identity.repository import RegistryRepository
from srj.auth import Principal

MAX_PURPOSE = 200


@dataclass(frozen=True)
class AccessContext:
    principal: Principal
    endpoint: str  # "GET /v1/persons/{person_id}": the route template, never the raw URL
    purpose: str | None
    request_id: str | None


def record_access(
    repo: RegistryRepository,
    ctx: AccessContext,
    *,
    person_id: str | None,
    record_id: uuid.UUID | None = None,
) -> None:
    repo.compliance.add_access(
        {
            "at": datetime.now(UTC),
            "subject": ctx.principal.subject[:128],
            "roles": ",".join(sorted(r.value for r in ctx.principal.roles))[:128],
            "person_id": person_id,
            "record_id": record_id,
            "endpoint": ctx.endpoint[:128],
            "purpose": ctx.purpose[:MAX_PURPOSE] if ctx.purpose else None,
            "request_id": ctx.request_id,
        }
    )
