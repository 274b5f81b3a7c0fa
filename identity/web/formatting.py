"""What the review pages show in French: labels of decisions, events and statuses, and the
number, date and age formats (Jinja filters)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from identity.ids import spoken_groups

DECISION_LABELS = {
    "same": "même personne",
    "different": "personnes différentes",
    "unsure": "incertain (escaladée)",
}
EVENT_LABELS = {
    "created": "Création",
    "record_linked": "Fiche rattachée",
    "record_unlinked": "Fiche détachée",
    "record_updated": "Fiche mise à jour par son application",
    "merged_into": "Fusionnée dans",
    "merged_from": "A absorbé",
    "split_from": "Séparée de",
    "redirected": "Redirigée vers",
    "relinked": "Reliaison automatique",
    "record_deleted": "Fiche supprimée (durée de conservation)",
    "emptied": "Plus aucune fiche",
}
# Tabs name a list (plural); a badge names one suggestion's state (singular).
STATUS_LABELS = {
    "pending": "À traiter",
    "escalated": "Escaladées",
    "second_opinion": "Second avis",
    "closed": "Traitées",
}
STATUS_BADGES = {
    "pending": ("À traiter", "new"),
    "escalated": ("Escaladée", "warning"),
    "second_opinion": ("Second avis demandé", "info"),
    "closed": ("Traitée", "success"),
}
# Each tab's own order (identity.review.repository.ReviewRepository.queue_page).
STATUS_ORDERS = {
    "pending": "les plus lourdes de conséquences d'abord : personnes présentes dans le plus "
    "d'applications, puis score le plus incertain, puis les plus anciennes",
    "escalated": "les plus lourdes de conséquences d'abord : personnes présentes dans le plus "
    "d'applications, puis score le plus incertain, puis les plus anciennes",
    "second_opinion": "les plus lourdes de conséquences d'abord : personnes présentes dans le "
    "plus d'applications, puis score le plus incertain, puis les plus anciennes",
    "closed": "les plus récentes d'abord (numéro de suggestion décroissant)",
}
ROLE_LABELS = {
    "reviewer": "relecteur",
    "statistician": "statisticien",
    "admin": "administrateur",
    "application": "application",
}
# Names of the model's comparisons (matching.model) as a reviewer reads them.
COMPARISON_LABELS = {
    "nom": "Nom",
    "noms": "Noms",
    "prenoms": "Prénoms",
    "prenom": "Prénom",
    "date_naissance": "Date de naissance",
    "lieu_naissance": "Lieu de naissance",
    "sexe": "Sexe",
    "nationalite": "Nationalité",
}
AGREEMENT_LABELS = {
    "agree": ("concorde", "✓"),
    "cross": ("concorde croisée", "≈"),
    "differ": ("diffère", "✗"),
    "missing": ("non comparable (absent)", "–"),
    "code_differs": ("code différent", "≠"),
}
# DSFR badge variant of each agreement (the word and icon carry the meaning, not the colour).
AGREEMENT_BADGES = {
    "agree": "success",
    "cross": "info",
    "differ": "error",
    "missing": "no-icon",
    "code_differs": "warning",
}


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def fr_number(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value:.{digits}f}".replace(".", ",")


def fr_bound(value: float | None) -> str:
    """A band's bound as written in French, to the needed digits only (0,999 not 1,00)."""
    if value is None:
        return "—"
    return f"{value:.4f}".rstrip("0").rstrip(".").replace(".", ",")


def fr_percent(value: float | None, digits: int = 1) -> str:
    """A share in French; a probability is never rounded to a certainty it is not.

    0.9999996 written "100,00 %" told reviewers the model was certain; it reads "> 99,99 %".
    """
    if value is None:
        return "—"
    step = 10.0**-digits
    shown = round(value * 100, digits)
    if value < 1 and shown >= 100:
        return "> " + fr_number(100 - step, digits) + " %"
    if value > 0 and shown <= 0:
        return "< " + fr_number(step, digits) + " %"
    return fr_number(value * 100, digits) + " %"


def fr_datetime(value: datetime | None) -> str:
    if value is None:
        return "—"
    return _utc(value).strftime("%d/%m/%Y %H:%M UTC")


def fr_date(value: date | str | None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        parts = value.split("-")
        return "/".join(reversed(parts))
    return value.strftime("%d/%m/%Y")


def fr_age(days: float | None) -> str:
    if days is None:
        return "—"
    if days < 1 / 24:
        return "moins d'une heure"
    if days < 1:
        return f"{int(days * 24)} h"
    return f"{int(days)} j"


def plural(count: int | None, singular: str, plural_form: str | None = None) -> str:
    """``1 paire``, ``2 paires``, ``0 paire`` (French: 0 and 1 take the singular)."""
    n = count or 0
    word = singular if n < 2 else (plural_form or singular + "s")
    return f"{n} {word}" if n < 1000 else f"{n:,} {word}".replace(",", "\u202f")


def person_id_html(person_id: str | None) -> Markup:
    """An identifier shown in groups of four for reading aloud (CSS spacing, no character
    between them): a double-click or a copy still takes it whole."""
    if not person_id:
        return Markup("—")
    group = Markup('<span class="pid-group">{}</span>')
    groups = Markup("").join(group.format(g) for g in spoken_groups(person_id))
    return Markup('<span class="pid" translate="no">{}</span>').format(groups)


def roles_fr(roles: Iterable[object]) -> str:
    """A principal's roles by their French names (``relecteur``, not ``reviewer``)."""
    names = sorted(str(getattr(r, "value", r)) for r in roles)
    return ", ".join(ROLE_LABELS.get(n, n) for n in names)


def join_fr(items: Sequence[str]) -> str:
    """``a, b et c``."""
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


def comparison_label(name: str) -> str:
    return COMPARISON_LABELS.get(name, name.replace("_", " ").capitalize())


def install(templates: Jinja2Templates) -> None:
    """Makes the filters and labels available to every template."""
    templates.env.filters.update(
        number=fr_number,
        percent=fr_percent,
        bound=fr_bound,
        dt=fr_datetime,
        d=fr_date,
        age=fr_age,
        comparison=comparison_label,
        plural=plural,
        roles=roles_fr,
        join_fr=join_fr,
        pid=person_id_html,
    )
    templates.env.globals.update(
        DECISION_LABELS=DECISION_LABELS,
        EVENT_LABELS=EVENT_LABELS,
        STATUS_LABELS=STATUS_LABELS,
        AGREEMENT_LABELS=AGREEMENT_LABELS,
        AGREEMENT_BADGES=AGREEMENT_BADGES,
        STATUS_BADGES=STATUS_BADGES,
        STATUS_ORDERS=STATUS_ORDERS,
        ROLE_LABELS=ROLE_LABELS,
    )
