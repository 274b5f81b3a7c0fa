"""What the review pages show in French: labels of decisions, events and statuses, and the
number, date and age formats (Jinja filters)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi.templating import Jinja2Templates

DECISION_LABELS = {
    "same": "même personne",
    "different": "personnes différentes",
    "unsure": "incertain (escaladée)",
}
EVENT_LABELS = {
    "created": "Création",
    "record_linked": "Fiche rattachée",
    "record_unlinked": "Fiche détachée",
    "merged_into": "Fusionnée dans",
    "merged_from": "A absorbé",
    "split_from": "Séparée de",
    "redirected": "Redirigée vers",
    "relinked": "Reliaison automatique",
    "record_deleted": "Fiche supprimée (durée de conservation)",
    "emptied": "Plus aucune fiche",
}
STATUS_LABELS = {
    "pending": "À traiter",
    "escalated": "Escaladées",
    "second_opinion": "Second avis",
    "closed": "Traitées",
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
    )
    templates.env.globals.update(
        DECISION_LABELS=DECISION_LABELS,
        EVENT_LABELS=EVENT_LABELS,
        STATUS_LABELS=STATUS_LABELS,
        AGREEMENT_LABELS=AGREEMENT_LABELS,
    )
