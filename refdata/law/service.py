"""Reads of the law: an article as it stood on a date, with its alinéas and their penalties.

An article version is in force on ``as_of`` when ``valid_from <= as_of < valid_to``. The corpus
knows the law up to ``known_until``: a read for a later date returns the last version known,
marked as not covered (a later text may have changed it), never presented as certain.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from refdata.errors import NotFoundError
from refdata.law import repository as repo
from refdata.law.models import ArticleVersion, LawCorpus, LawPenalty, LawUnresolved
from refdata.law.text import alineas as number_alineas
from refdata.law.text import article_key

# The codes the dataset holds, by the slugs the project uses for texts.
CODE_TITLES = {
    "code-penal": "Code pénal",
    "code-de-la-route": "Code de la route",
    "code-de-l-environnement": "Code de l'environnement",
    "code-des-assurances": "Code des assurances",
    "code-monetaire-et-financier": "Code monétaire et financier",
    "code-de-procedure-penale": "Code de procédure pénale",
    "code-de-la-securite-interieure": "Code de la sécurité intérieure",
    "code-rural-et-de-la-peche-maritime": "Code rural et de la pêche maritime",
    "code-des-procedures-civiles-d-execution": "Code des procédures civiles d'exécution",
    "code-du-travail": "Code du travail",
}


def in_force(valid_from: date, valid_to: date | None, on: date) -> bool:
    return valid_from <= on and (valid_to is None or on < valid_to)


def coverage(corpus: LawCorpus, on: date) -> dict[str, Any]:
    covered = on <= corpus.known_until
    return {
        "repository": corpus.repository,
        "commit": corpus.commit,
        "known_until": corpus.known_until.isoformat(),
        "as_of_covered": covered,
        "warning": None
        if covered
        else (
            f"the corpus knows the law up to {corpus.known_until.isoformat()}: texts published "
            f"after that date may have changed this article by {on.isoformat()}"
        ),
    }


def source_url(repository: str, commit: str, path: str) -> str:
    return f"https://github.com/{repository}/blob/{commit}/{path}"


def _penalty_item(row: LawPenalty) -> dict[str, Any]:
    return {
        "kind": row.kind,
        "max_months": row.max_months,
        "life": row.life,
        "amount": float(row.amount) if row.amount is not None else None,
        "currency": row.currency,
        "contravention_class": row.contravention_class,
    }


def statements(rows: list[LawPenalty]) -> list[dict[str, Any]]:
    """Penalty rows grouped by statement and dates, in the article's order."""
    grouped: dict[tuple[int, date], list[LawPenalty]] = defaultdict(list)
    for row in rows:
        grouped[(row.statement, row.valid_from)].append(row)
    result = []
    for (_, _), items in sorted(grouped.items()):
        first = items[0]
        direct = first.form in ("direct", "aggravation")
        result.append(
            {
                "statement": first.statement,
                "alinea": first.alinea,
                "form": first.form,
                "valid_from": first.valid_from.isoformat(),
                "valid_to": first.valid_to.isoformat() if first.valid_to else None,
                "penalties": [_penalty_item(r) for r in items],
                "alternative": first.alternative,
                "fine_may_exceed": any(r.fine_may_exceed for r in items),
                "legal_persons": first.legal_persons,
                "quoted": first.quoted,
                "sentence": first.sentence,
                "source": None
                if direct and not first.via
                else {
                    "code": first.source_code,
                    "article": first.source_article,
                    "version": first.source_version,
                    "alinea": first.source_alinea,
                    "sentence": first.source_sentence,
                    "url": source_url(first.repository, first.source_commit, first.source_path),
                },
                "via": first.via.split(" > ") if first.via else [],
            }
        )
    return result


def _version_payload(
    version: ArticleVersion,
    penalties: list[LawPenalty],
    unresolved: list[LawUnresolved],
    on: date | None,
) -> dict[str, Any]:
    """One version with its alinéas; with ``on``, only the penalties applying that day."""
    mine = [
        p
        for p in penalties
        if p.version == version.version and (on is None or in_force(p.valid_from, p.valid_to, on))
    ]
    unread = [
        u
        for u in unresolved
        if u.version == version.version and (on is None or in_force(u.valid_from, u.valid_to, on))
    ]
    alineas = []
    for alinea in number_alineas(version.alineas):
        alineas.append(
            {
                "number": alinea.number,
                "division": alinea.division,
                "text": alinea.text,
                "penalties": statements([p for p in mine if p.alinea == alinea.number]),
                "unresolved": [
                    {
                        "reason": u.reason,
                        "sentence": u.sentence,
                        "valid_from": u.valid_from.isoformat(),
                        "valid_to": u.valid_to.isoformat() if u.valid_to else None,
                    }
                    for u in unread
                    if u.alinea == alinea.number
                ],
            }
        )
    return {
        **_version_summary(version),
        "recorded_from": version.recorded_from.isoformat(),
        "in_force_from_basis": version.in_force_from_basis or None,
        "repository": version.repository,
        "path": version.path,
        "alineas": alineas,
    }


def _version_summary(version: ArticleVersion) -> dict[str, Any]:
    return {
        "version": version.version,
        "valid_from": version.valid_from.isoformat(),
        "valid_to": version.valid_to.isoformat() if version.valid_to else None,
        "amended_by": version.amended_by,
        "ended_by": version.ended_by,
        "commit": version.commit,
        "url": source_url(version.repository, version.commit, version.path),
    }


def get_article(
    session: Session, code: str, article: str, *, as_of: date, history: bool
) -> dict[str, Any]:
    corpus = repo.corpus(session)
    if corpus is None:
        raise NotFoundError("no law dataset is loaded (srj refdata import-law)")
    versions = repo.article_versions(session, code, article_key(article))
    if not versions:
        known = repo.codes(session)
        if code not in known:
            raise NotFoundError(
                f"'{code}' is not a code this service holds; codes: {', '.join(known)}"
            )
        raise NotFoundError(f"{CODE_TITLES.get(code, code)}: no article {article} is held")
    current = next((v for v in versions if in_force(v.valid_from, v.valid_to, as_of)), None)
    if current is None and not history:
        spans = "; ".join(
            f"v{v.version} {v.valid_from.isoformat()} to "
            f"{v.valid_to.isoformat() if v.valid_to else 'the end of the corpus'}"
            for v in versions
        )
        raise NotFoundError(
            f"{CODE_TITLES.get(code, code)} art. {versions[0].article} was not in force on "
            f"{as_of.isoformat()} (versions: {spans}); add history=true to read them"
        )
    penalties = repo.penalties_of(session, code, versions[0].article)
    unresolved = repo.unresolved_of(session, code, versions[0].article)
    return {
        "code": code,
        "code_title": CODE_TITLES.get(code),
        "article": versions[0].article,
        "as_of": as_of.isoformat(),
        "in_force": current is not None,
        "corpus": coverage(corpus, as_of),
        "version": _version_payload(current, penalties, unresolved, as_of) if current else None,
        "versions": [_version_summary(v) for v in versions],
        "history": [_version_payload(v, penalties, unresolved, None) for v in versions]
        if history
        else None,
    }
