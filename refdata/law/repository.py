"""Queries of the law tables (all of them live here)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from refdata.law.models import ArticleVersion, LawCorpus, LawPenalty, LawUnresolved


def corpus(session: Session) -> LawCorpus | None:
    return session.scalar(select(LawCorpus))


def codes(session: Session) -> list[str]:
    return list(
        session.scalars(select(ArticleVersion.code).distinct().order_by(ArticleVersion.code))
    )


def article_versions(session: Session, code: str, key: str) -> list[ArticleVersion]:
    """Every version of one article (``key``: :func:`refdata.law.text.article_key`)."""
    query = (
        select(ArticleVersion)
        .where(ArticleVersion.code == code, ArticleVersion.article_key == key)
        .order_by(ArticleVersion.version)
    )
    return list(session.scalars(query))


def penalties_of(session: Session, code: str, article: str) -> list[LawPenalty]:
    query = (
        select(LawPenalty)
        .where(LawPenalty.code == code, LawPenalty.article == article)
        .order_by(LawPenalty.version, LawPenalty.statement, LawPenalty.valid_from, LawPenalty.id)
    )
    return list(session.scalars(query))


def unresolved_of(session: Session, code: str, article: str) -> list[LawUnresolved]:
    query = (
        select(LawUnresolved)
        .where(LawUnresolved.code == code, LawUnresolved.article == article)
        .order_by(LawUnresolved.version, LawUnresolved.alinea, LawUnresolved.id)
    )
    return list(session.scalars(query))


def penalties_for_articles(session: Session, keys: Sequence[tuple[str, str]]) -> list[LawPenalty]:
    """The penalty rows of several articles ((code, article key) pairs), every version."""
    if not keys:
        return []
    pairs = set(keys)
    versions = select(
        ArticleVersion.code, ArticleVersion.article, ArticleVersion.article_key
    ).where(
        ArticleVersion.code.in_({c for c, _ in pairs}),
        ArticleVersion.article_key.in_({k for _, k in pairs}),
    )
    wanted = {(c, a) for c, a, k in session.execute(versions) if (c, k) in pairs}
    if not wanted:
        return []
    query = select(LawPenalty).where(
        LawPenalty.code.in_({c for c, _ in wanted}),
        LawPenalty.article.in_({a for _, a in wanted}),
    )
    return [p for p in session.scalars(query) if (p.code, p.article) in wanted]
