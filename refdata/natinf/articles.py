"""Parse the ``Définie par`` / ``Réprimée par`` columns into structured article references.

The columns are kept verbatim; the parse is an aid for partners and for the sentence checks.
Two writing styles occur in real files:

- the official export: ``ART.L.163-2 AL.1, ART.L.163-6 AL.1, AL.2 C.M.F. ART.131-30 AL.1
  C.PENAL.`` (articles, then the mnemonic of the text they belong to);
- the ANTAI / gendarmerie tables: ``Art. R. 417-9 al. 1, al. 2 du C. de la route. Art. 1 de
  l'arrêté minist. du 22-02-1990.``

A column is a sequence of clauses (``... C.M.F.``, ``Art. ... du C. Pénal.``); each clause lists
articles with their alinéas (``AL.1``, ``al. 3``), paragraphs (``§IV``) and items (``1°``), then
names the text. Texts we recognise get a stable identifier and their official title; others
(decrees, orders, EU regulations) keep the designation as written. Nothing is invented: an
unparseable fragment yields no reference rather than a guess.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

# Folded designation (lowercase, no accents, no punctuation or spaces) -> (id, title).
_TEXTS: dict[str, tuple[str, str]] = {}


def _register(text_id: str, title: str, *spellings: str) -> None:
    for spelling in spellings:
        _TEXTS[spelling] = (text_id, title)


_register("code-penal", "Code pénal", "cpenal", "codepenal")
_register("code-de-la-route", "Code de la route", "croute", "cdelaroute", "codedelaroute")
_register(
    "code-de-la-sante-publique",
    "Code de la santé publique",
    "csp",
    "cdelasantepublique",
    "codedelasantepublique",
)
_register(
    "code-monetaire-et-financier",
    "Code monétaire et financier",
    "cmf",
    "cmonetaireetfinancier",
    "codemonetaireetfinancier",
)
_register(
    "code-de-l-entree-et-du-sejour-des-etrangers-et-du-droit-d-asile",
    "Code de l'entrée et du séjour des étrangers et du droit d'asile",
    "ceseda",
)
_register(
    "code-des-procedures-civiles-d-execution",
    "Code des procédures civiles d'exécution",
    "cpcex",
)
_register("code-rural-et-de-la-peche-maritime", "Code rural et de la pêche maritime", "crural")
_register(
    "code-de-l-environnement",
    "Code de l'environnement",
    "cdelenvironnement",
    "cenvironnement",
    "cenvir",
    "cenv",
)
_register("code-des-transports", "Code des transports", "cdestransports", "ctransports")
_register("code-forestier", "Code forestier", "cforestier")
_register(
    "code-des-postes-et-des-communications-electroniques",
    "Code des postes et des communications électroniques",
    "cpce",
)
_register("code-du-sport", "Code du sport", "cdusport", "csport")
_register("code-de-la-defense", "Code de la défense", "cdeladefense", "cdefense")
_register("code-de-l-aviation-civile", "Code de l'aviation civile", "cdelaviationcivile")
_register(
    "code-de-la-securite-interieure",
    "Code de la sécurité intérieure",
    "csi",
    "cdelasecuriteinterieure",
)
_register("code-des-assurances", "Code des assurances", "cdesassurances", "cassurances")
_register("code-du-travail", "Code du travail", "cdutravail", "ctravail")
_register("code-de-la-consommation", "Code de la consommation", "cdelaconsommation")
_register("code-du-tourisme", "Code du tourisme", "cdutourisme")
_register(
    "code-de-procedure-penale",
    "Code de procédure pénale",
    "cpp",
    "cdeprocedurepenale",
    "cprocedurepenale",
)

_SUFFIXES = "bis|ter|quater|quinquies|sexies|septies|octies|nonies|decies"

_ARTICLE = re.compile(
    r"art(?:icles?)?\s*\.?\s*"
    r"(?:(?P<prefix>LO|L|R|D|A)\s*\.?\s*(?=\d))?"
    rf"(?P<number>\d+(?:er)?(?:[-.]\d+)*(?:[- ](?:{_SUFFIXES})\b)?)",
    re.IGNORECASE,
)
_ALINEA = re.compile(r"al(?:in[ée]a)?\s*\.?\s*(?P<n>\d+)", re.IGNORECASE)
_PARAGRAPH = re.compile(r"§\s*(?P<n>[IVXLCDM]+\b|\d+)")
_ITEM = re.compile(r"(?P<n>\d+)\s*°")
_SEPARATORS = re.compile(r"(?:[\s,]|\bet\b)+", re.IGNORECASE)
# A new clause starts after a full stop, at a capitalised "Art" / "ART".
_CLAUSE_BREAK = re.compile(r"(?<=\.)\s+(?=(?:ART|Art)\b)")
_LEADING_ARTICLE_WORD = re.compile(
    r"^(?:de l['’]\s*|d['’]\s*|(?:du|des|de la|de)\s+)", re.IGNORECASE
)


def _fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]", "", stripped.lower())


def _normalise_number(prefix: str | None, number: str) -> str:
    number = number.strip()
    suffix = ""
    match = re.search(rf"[- ]({_SUFFIXES})$", number, re.IGNORECASE)
    if match:
        suffix = " " + match.group(1).lower()
        number = number[: match.start()]
    return f"{(prefix or '').upper()}{number}{suffix}"


def identify_text(designation: str) -> tuple[str | None, str]:
    """(identifier, title) of a text designation; (None, designation) when not recognised."""
    cleaned = designation.strip().rstrip(".").strip()
    known = _TEXTS.get(_fold(cleaned))
    if known:
        return known
    return None, cleaned


def _parse_clause(clause: str) -> list[dict[str, Any]]:
    refs: list[dict[str, Any]] = []
    pos = 0
    length = len(clause)
    while pos < length:
        sep = _SEPARATORS.match(clause, pos)
        if sep and sep.end() > pos:
            pos = sep.end()
            continue
        art = _ARTICLE.match(clause, pos)
        if art:
            refs.append(
                {
                    "article": _normalise_number(art.group("prefix"), art.group("number")),
                    "alineas": [],
                    "paragraphs": [],
                    "items": [],
                }
            )
            pos = art.end()
            continue
        if refs:
            qualifier = None
            for key, pattern in (
                ("alineas", _ALINEA),
                ("paragraphs", _PARAGRAPH),
                ("items", _ITEM),
            ):
                qualifier = pattern.match(clause, pos)
                if qualifier:
                    refs[-1][key].append(qualifier.group("n"))
                    pos = qualifier.end()
                    break
            if qualifier:
                continue
        break
    designation = _LEADING_ARTICLE_WORD.sub("", clause[pos:].strip())
    if refs and designation:
        text_id, title = identify_text(designation)
        raw = designation.strip()
        for ref in refs:
            ref["text"] = text_id
            ref["text_title"] = title
            ref["text_raw"] = raw
    else:
        for ref in refs:
            ref["text"] = None
            ref["text_title"] = None
            ref["text_raw"] = None
    return refs


@lru_cache(maxsize=65536)
def _parse_cached(column: str) -> tuple[dict[str, Any], ...]:
    refs: list[dict[str, Any]] = []
    for clause in _CLAUSE_BREAK.split(column.strip()):
        refs.extend(_parse_clause(clause))
    return tuple(refs)


def parse_references(column: str) -> list[dict[str, Any]]:
    """Structured references of one article column (``[]`` for an empty column).

    Each reference: ``article`` (``L163-2``, ``R417-9``, ``227-3``, ``3 bis``), ``alineas``,
    ``paragraphs`` (§), ``items`` (°), ``text`` (stable identifier of a recognised code, or
    None), ``text_title`` (official title, or the designation as written) and ``text_raw``.
    """
    if not column or not column.strip():
        return []
    return [
        {**ref, "alineas": list(ref["alineas"]), "paragraphs": list(ref["paragraphs"])}
        | {"items": list(ref["items"])}
        for ref in _parse_cached(column)
    ]


def known_texts() -> dict[str, str]:
    """Identifier -> title of every text the parser recognises."""
    return {text_id: title for text_id, title in _TEXTS.values()}
