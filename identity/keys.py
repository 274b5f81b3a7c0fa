"""``srj registry rotate-keys``: rewrite every record under the newest keys.

Put the new key first in ``SRJ_PSEUDONYM_KEYS`` / ``SRJ_ENCRYPTION_KEYS`` (keeping the old
ones after it), run this command, then remove the old keys. Until a row is rewritten it stays
readable and findable under its old key (lookups try every configured key). The command works
in batches, one transaction each, and is idempotent: rows already on the newest keys are left
alone, so an interrupted run simply continues.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from identity.crypto import RegistryCrypto
from identity.repository import RegistryRepository
from identity.resolve import traits_digest
from srj.db import session_scope


@dataclass
class RotationSummary:
    pseudonym_key: str
    encryption_key: str
    rewritten: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "pseudonym_key": self.pseudonym_key,
            "encryption_key": self.encryption_key,
            "rewritten": self.rewritten,
        }


def rotate_keys(
    write_factory: sessionmaker[Session], crypto: RegistryCrypto, *, batch: int = 1000
) -> RotationSummary:
    ref_key = crypto.pseudonymiser.keyring.current[0]
    seal_key = crypto.sealer.keyring.current[0]
    summary = RotationSummary(pseudonym_key=ref_key, encryption_key=seal_key)
    after: uuid.UUID | None = None
    while True:
        with session_scope(write_factory) as session:
            repo = RegistryRepository(session)
            repo.lock_keys((), exclusive_registry=True)
            page = repo.compliance.records_for_rotation(ref_key, seal_key, after, batch)
            if not page:
                break
            updates = []
            for rid, source, record_date, sealed, key_id in page:
                payload = crypto.sealer.open(rid, key_id, sealed)
                traits = payload.get("traits")
                client_id = payload.get("record_id")
                new_key, resealed = crypto.sealer.seal(rid, payload)
                updates.append(
                    {
                        "id": rid,
                        "ref_hmac": crypto.pseudonymiser.ref_hmac(
                            source, str(payload["source_ref"])
                        ),
                        "ref_key_id": ref_key,
                        "sealed": resealed,
                        "seal_key_id": new_key,
                        "traits_digest": traits_digest(
                            crypto.pseudonymiser,
                            dict(traits) if isinstance(traits, dict) else {},
                            record_date,
                            str(client_id) if client_id is not None else None,
                        ),
                    }
                )
            repo.records.update_records(updates)
            summary.rewritten += len(updates)
            after = page[-1][0]
    return summary
