"""Reads of the NATINF offences: one code as of a date (with its history and penalties), search.

Every read takes ``as_of`` (default: today in Europe/Paris). An offence version is in force on
``as_of`` when ``valid_from <= as_of < valid_to`` (``valid_to`` NULL: still in force).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable
from datetime import date
from typing import Any

import orjson
from sqlalchemy.orm import Session

from refdata.errors import InvalidParameterError, NotFoundError
from refdata.law.cited import CitedPenalties, PenaltyRow
from refdata.law.service import CODE_TITLES, source_url
from refdata.natinf import repository as repo
from refdata.natinf.models import OffenceVersion
from refdata.natinf.natures import Nature, nature_of_label
from refdata.natinf.offence_source import (
    DbOffenceSource,
    OffenceSnapshot,
    OffenceSource,
    VersionRecord,
)
from refdata.natinf.penalties import penalty_dict
from refdata.natinf.search import Hit, IndexedVersion, OffenceIndex
from refdata.releases.read_cache import ReadCache

MAX_LIMIT = 100


def version_payload(version: OffenceVersion | VersionRecord) -> dict[str, Any]:
    nature = nature_of_label(version.nature)
    return {
        "natinf": version.natinf,
        "version": version.version,
        "nature": version.nature,
        "nature_code": nature.code if nature else None,
        "contravention_class": nature.contravention_class if nature else None,
        "qualification": version.qualification,
        "defined_by": version.defined_by,
        "repressed_by": version.repressed_by,
        "defined_by_refs": version.defined_by_refs,
        "repressed_by_refs": version.repressed_by_refs,
        "valid_from": version.valid_from.isoformat(),
        "valid_to": version.valid_to.isoformat() if version.valid_to else None,
        "introduced_in": version.introduced_in,
        "retired_in": version.retired_in,
    }


def in_force(version: OffenceVersion | VersionRecord, on: date) -> bool:
    return version.valid_from <= on and (version.valid_to is None or on < version.valid_to)


def contravention_penalty(source: OffenceSource, nature: Nature, on: date) -> dict[str, Any]:
    """The principal penalty of a contravention: the fine of its class (art. 131-13 CP)."""
    classe = nature.contravention_class
    assert classe is not None
    rule = source.class_rule(classe, on)
    ordinal = "1re" if classe == 1 else f"{classe}e"
    return {
        "natinf": None,
        "category": "principale",
        "kind": "amende_contraventionnelle",
        "label": f"Amende prévue pour les contraventions de la {ordinal} classe",
        "max_months": None,
        "life": False,
        "max_amount_eur": float(rule.amount_eur) if rule else None,
        "recidivism_max_amount_eur": (
            float(rule.recidivism_amount_eur)
            if rule and rule.recidivism_amount_eur is not None
            else None
        ),
        "contravention_class": classe,
        "article": rule.source if rule else "Code pénal, art. 131-13",
        "citation": None,
        "valid_from": rule.valid_from.isoformat() if rule else None,
        "valid_to": rule.valid_to.isoformat() if rule and rule.valid_to else None,
        "source": "tariffs: maximum fines by contravention class (GET /v1/tariffs)",
        "derived": True,
    }


LAW_LABELS = {
    "emprisonnement": "Emprisonnement",
    "reclusion_criminelle": "Réclusion criminelle",
    "detention_criminelle": "Détention criminelle",
    "amende": "Amende",
}


def law_penalty(row: PenaltyRow, cited: CitedPenalties) -> dict[str, Any]:
    """A penalty read from the law (``refdata.law``), in the shape of the curated ones."""
    title = CODE_TITLES.get(row.code, row.code)
    return {
        "natinf": None,
        "category": "principale",
        "kind": row.kind,
        "label": LAW_LABELS[row.kind],
        "max_months": row.max_months,
        "life": row.life,
        "max_amount_eur": float(row.amount)
        if row.amount is not None and row.currency == "EUR"
        else None,
        "recidivism_max_amount_eur": None,
        "contravention_class": None,
        "article": f"{title}, art. {row.article}, al. {row.alinea}",
        "citation": row.sentence,
        "valid_from": row.valid_from.isoformat(),
        "valid_to": row.valid_to.isoformat() if row.valid_to else None,
        "source": f"{row.repository} @ {row.commit}: {row.path}",
        "derived": True,
        "law": {
            "code": row.code,
            "article": row.article,
            "version": row.version,
            "statement": row.statement,
            "alinea": row.alinea,
            "form": row.form,
            "amount": float(row.amount) if row.amount is not None else None,
            "currency": row.currency,
            "alternative": row.alternative,
            "fine_may_exceed": row.fine_may_exceed,
            "legal_persons": row.legal_persons,
            "source_sentence": row.source_sentence,
            "url": source_url(row.repository, row.commit, row.path),
            "known_until": cited.known_until.isoformat() if cited.known_until else None,
            "as_of_covered": cited.covered,
        },
    }


def law_payload(cited: CitedPenalties) -> dict[str, Any] | None:
    """What the law dataset says about the articles cited, beyond their penalties."""
    if cited.known_until is None or not cited.articles:
        return None
    return {
        "known_until": cited.known_until.isoformat(),
        "as_of_covered": cited.covered,
        "articles": [
            {
                "code": a.code,
                "article": a.article,
                "version": a.version.version if a.version else None,
                "cited_alineas": list(a.cited_alineas) if a.cited_alineas is not None else None,
                "penalties": len(a.penalties),
                "note": a.note,
            }
            for a in cited.articles
        ],
        "unresolved": [
            {
                "code": u.code,
                "article": u.article,
                "alinea": u.alinea,
                "reason": u.reason,
                "sentence": u.sentence,
            }
            for u in cited.unresolved
        ],
    }


def penalties_payload(
    source: OffenceSource,
    version: OffenceVersion | VersionRecord,
    on: date,
    cited: CitedPenalties | None = None,
) -> list[dict[str, Any]]:
    penalties = []
    nature = nature_of_label(version.nature)
    if nature is not None and nature.contravention_class is not None:
        penalties.append(contravention_penalty(source, nature, on))
    penalties.extend(penalty_dict(p) for p in source.penalties(version.natinf, on))
    if cited is not None:
        # A contravention's fine is its class maximum (above): the class the law states is
        # not repeated here.
        penalties.extend(
            law_penalty(row, cited) for row in cited.penalties if row.kind in LAW_LABELS
        )
    for item in penalties:
        del item["natinf"]
    return penalties


def get_offence(
    source: OffenceSource | Session, natinf: int, *, as_of: date, history: bool
) -> dict[str, Any]:
    """One code as of a date; ``source`` is a session (database) or an offence source."""
    if isinstance(source, Session):
        source = DbOffenceSource(source)
    versions = source.versions(natinf)
    if not versions:
        raise NotFoundError(f"NATINF {natinf} is in no release")
    current = next((v for v in versions if in_force(v, as_of)), None)
    start = source.history_start(versions[0].introduced_in)
    # Before the first NATINF release held, whether the code was in force is not known here
    # (the sentence check reads it the same way): its earliest version is shown, with the
    # penalties of that date — what the law said on the date of the facts.
    before_history = current is None and start is not None and as_of < start
    if current is None and not history and not before_history:
        spans = "; ".join(
            f"{v.valid_from.isoformat()} to {v.valid_to.isoformat() if v.valid_to else 'today'}"
            for v in versions
        )
        raise NotFoundError(
            f"NATINF {natinf} was not in force on {as_of.isoformat()} "
            f"(in force: {spans}); add history=true to read its versions"
        )
    main = current or (versions[0] if before_history else versions[-1])
    payload = version_payload(main)
    payload["in_force"] = current is not None
    payload["before_history"] = before_history
    payload["as_of"] = as_of.isoformat()
    cited = source.law(main.repressed_by_refs, as_of)
    payload["penalties"] = penalties_payload(source, main, as_of, cited)
    payload["law"] = law_payload(cited)
    payload["successors"] = source.successors(natinf)
    payload["history"] = [version_payload(v) for v in versions] if history else None
    return payload


def offence_snapshot(session: Session, cache: ReadCache) -> OffenceSnapshot:
    snapshot: OffenceSnapshot = cache.built("offence_snapshot", lambda: OffenceSnapshot(session))
    return snapshot


# --- search -------------------------------------------------------------------------------


def _build_index(
    versions: Iterable[OffenceVersion | VersionRecord],
) -> tuple[OffenceIndex, dict[int, dict[str, Any]]]:
    summaries: dict[int, dict[str, Any]] = {}
    rows = []
    for v in versions:
        nature = nature_of_label(v.nature)
        rows.append(
            (
                IndexedVersion(
                    version_id=v.id,
                    natinf=v.natinf,
                    nature_code=nature.code if nature else None,
                    valid_from=v.valid_from,
                    valid_to=v.valid_to,
                ),
                v.qualification,
            )
        )
        summaries[v.id] = {
            "natinf": v.natinf,
            "version": v.version,
            "nature": v.nature,
            "nature_code": nature.code if nature else None,
            "contravention_class": nature.contravention_class if nature else None,
            "qualification": v.qualification,
            "defined_by": v.defined_by,
            "repressed_by": v.repressed_by,
            "valid_from": v.valid_from.isoformat(),
            "valid_to": v.valid_to.isoformat() if v.valid_to else None,
        }
    return OffenceIndex(rows), summaries


def offence_index(session: Session, cache: ReadCache | None) -> tuple[OffenceIndex, dict[int, Any]]:
    """The search index; with a cache, built once per release state from the snapshot."""
    if cache is None:
        return _build_index(repo.all_offence_versions(session))
    snapshot = offence_snapshot(session, cache)
    result: tuple[OffenceIndex, dict[int, Any]] = cache.built(
        "offence_index", lambda: _build_index(snapshot.all_versions())
    )
    return result


def _query_digest(q: str | None, nature: str | None, code: str | None, as_of: date) -> str:
    raw = orjson.dumps([q or "", nature or "", code or "", as_of.isoformat()])
    return hashlib.sha256(raw).hexdigest()[:16]


def encode_cursor(key: tuple[int, ...], digest: str) -> str:
    raw = orjson.dumps({"v": 1, "k": list(key), "q": digest})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, digest: str) -> tuple[int, ...]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = orjson.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        key = data["k"]
        if (
            data.get("v") != 1
            or not isinstance(key, list)
            or len(key) != 5
            or not all(isinstance(k, int) and not isinstance(k, bool) for k in key)
        ):
            raise ValueError("bad cursor")
        if data.get("q") != digest:
            raise InvalidParameterError(
                "cursor",
                "this cursor belongs to another query: repeat q, nature, code and as_of "
                "exactly as in the request that returned it",
            )
        return tuple(key)
    except InvalidParameterError:
        raise
    except (ValueError, KeyError, TypeError, UnicodeEncodeError, binascii.Error):
        raise InvalidParameterError(
            "cursor", "invalid cursor: pass the next_cursor of a previous page unchanged"
        ) from None


def search_offences(
    session: Session,
    cache: ReadCache | None,
    *,
    q: str | None,
    nature: str | None,
    code: str | None,
    as_of: date,
    limit: int,
    cursor: str | None,
) -> dict[str, Any]:
    digest = _query_digest(q, nature, code, as_of)
    after = decode_cursor(cursor, digest) if cursor else None
    index, summaries = offence_index(session, cache)
    hits, mode = index.search(q, as_of=as_of, nature=nature, code_prefix=code)
    total = len(hits)
    if after is not None:
        hits = [h for h in hits if h.key > after]
    page: list[Hit] = hits[:limit]
    items = []
    for hit in page:
        item = dict(summaries[hit.entry.version_id])
        item["matched_words"] = hit.matched
        items.append(item)
    next_cursor = encode_cursor(page[-1].key, digest) if len(hits) > limit else None
    return {
        "as_of": as_of.isoformat(),
        "match": mode,
        "total": total,
        "items": items,
        "next_cursor": next_cursor,
    }
