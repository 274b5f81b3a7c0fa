"""Is a proposed sentence legal for an offence on the date of the facts? And if not, why?

Rules, each with the text it comes from (wording checked against the Code pénal as published
by etalab/codes-juridiques-francais):

- ``not_in_force`` — the NATINF code has no version in force on the date (art. 112-1 CP: "Sont
  seuls punissables les faits constitutifs d'une infraction à la date à laquelle ils ont été
  commis. Peuvent seules être prononcées les peines légalement applicables à la même date.").
  A date before the first NATINF release held is not "not in force" but unknown: it is noted
  (``before_history``) and the earliest version is checked.
- ``imprisonment_for_contravention`` — a prison term for a contravention (art. 131-12 CP lists
  the contraventional penalties: the fine and the penalties of art. 131-14; no imprisonment).
- ``fine_above_class_maximum`` — a fine above the maximum of the contravention's class (art.
  131-13 CP, read from the tariffs; 3 000 EUR for a 5th-class repeat offence where the
  regulation provides it, art. 132-11 CP).
- ``imprisonment_above_delit_scale`` — more than ten years for a délit (art. 131-4 CP: "1° Dix
  ans au plus"), whatever the offence.
- ``imprisonment_above_maximum`` / ``fine_above_maximum`` — above the maximum the repressing
  article provides: the curated penalties (each citing its article verbatim) or, when a code
  has none on the date, the penalties the law dataset reads in the alinéas its "Réprimée par"
  cites (``refdata.law``; the highest of each kind when those alinéas state several cases;
  francs converted at the fixed rate; not applied after the date up to which the corpus knows
  the law, nor to a fine the article lets exceed its amount); doubled for a délit in legal
  recidivism (art. 132-10 CP).
- ``imprisonment_not_provided`` — a prison term for an offence whose cited principal penalties
  include none (for penalties read from the law: only when the cited alinéas were read in full
  and state no aggravation).

A component of the sentence that cannot be checked (no curated maximum, no class maximum on
that date, recidivism of a crime) is reported in ``notes`` and makes ``complete`` false:
``legal: true`` then means "no rule we hold is broken", never more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.orm import Session

from refdata.errors import NotFoundError
from refdata.law.cited import CitedPenalties, LawIndex, PenaltyRow
from refdata.law.service import CODE_TITLES
from refdata.natinf import repository as repo
from refdata.natinf.models import OffenceVersion, PenaltyVersion
from refdata.natinf.natures import nature_of_label
from refdata.natinf.offences import LAW_LABELS, in_force
from refdata.natinf.penalties import CUSTODIAL
from refdata.releases import repository as releases_repo

ART_112_1 = "Code pénal, art. 112-1"
ART_131_4 = "Code pénal, art. 131-4, 1°"
ART_131_12 = "Code pénal, art. 131-12"
ART_132_10 = "Code pénal, art. 132-10"
ART_132_11 = "Code pénal, art. 132-11"
DELIT_SCALE_MONTHS = 120


@dataclass(frozen=True)
class ProposedSentence:
    imprisonment_months: Decimal | None = None
    life_imprisonment: bool = False
    fine_eur: Decimal | None = None
    recidivism: bool = False

    @property
    def custodial(self) -> bool:
        return self.life_imprisonment or bool(self.imprisonment_months)


@dataclass
class Verdict:
    reasons: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)

    def fail(self, rule: str, message: str, source: str) -> None:
        self.reasons.append({"rule": rule, "message": message, "source": source})

    def note(self, rule: str, message: str, source: str | None = None) -> None:
        self.notes.append({"rule": rule, "message": message, "source": source})


def _months(value: Decimal) -> str:
    value = value.normalize()
    text = f"{value:f}"
    return f"{text} month{'s' if value != 1 else ''}"


def _eur(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):f}".removesuffix(".00") + " EUR"


def _penalty_source(penalty: PenaltyVersion) -> str:
    return f"{penalty.article}: « {penalty.citation} »"


def check_sentence(
    session: Session, natinf: int, on: date, sentence: ProposedSentence
) -> dict[str, Any]:
    versions = repo.offence_versions(session, natinf)
    if not versions:
        raise NotFoundError(f"NATINF {natinf} is in no release")
    verdict = Verdict()
    version = next((v for v in versions if in_force(v, on)), None)
    if version is None:
        first = releases_repo.first_release(session, versions[0].introduced_in)
        if first is not None and on < first.published_on:
            # Before the first NATINF release we hold, we know nothing: say so rather than
            # call every sentence illegal. The earliest version is checked instead.
            version = versions[0]
            verdict.note(
                "before_history",
                f"{on.isoformat()} is before the first NATINF release held "
                f"({first.id}, published {first.published_on.isoformat()}): whether NATINF "
                f"{natinf} was in force then is not known here; its earliest version was "
                "checked",
                ART_112_1,
            )
        else:
            spans = "; ".join(
                f"{v.valid_from.isoformat()} to {v.valid_to.isoformat() if v.valid_to else 'today'}"
                for v in versions
            )
            verdict.fail(
                "not_in_force",
                f"NATINF {natinf} was not in force on {on.isoformat()} according to the NATINF "
                f"releases (in force: {spans}); no penalty can be pronounced for it",
                f"{ART_112_1}; NATINF releases "
                + ", ".join(sorted({v.introduced_in for v in versions})),
            )
            return _result(natinf, on, None, verdict)

    nature = nature_of_label(version.nature)
    if nature is not None and nature.category == "contravention":
        _check_contravention(session, version, on, sentence, verdict)
    else:
        _check_delit_or_crime(session, version, on, sentence, verdict)
    return _result(natinf, on, version, verdict)


def _check_contravention(
    session: Session,
    version: OffenceVersion,
    on: date,
    sentence: ProposedSentence,
    verdict: Verdict,
) -> None:
    from refdata.tariffs.service import max_fine_for_class

    nature = nature_of_label(version.nature)
    assert nature is not None
    assert nature.contravention_class is not None
    classe = nature.contravention_class
    if sentence.custodial:
        verdict.fail(
            "imprisonment_for_contravention",
            f"NATINF {version.natinf} is a {nature.label.lower()}: contraventions carry no "
            "prison term (the fine, the penalties of art. 131-14 and complementary penalties "
            "only)",
            ART_131_12,
        )
    if sentence.fine_eur is None:
        return
    rule = max_fine_for_class(session, classe, on)
    if rule is None:
        verdict.note(
            "fine_not_checked",
            f"no maximum fine of class {classe} is recorded for {on.isoformat()}: "
            "the fine was not checked",
            "Code pénal, art. 131-13",
        )
        return
    maximum = Decimal(rule.amount_eur)
    source = rule.source
    if sentence.recidivism:
        if rule.recidivism_amount_eur is not None:
            maximum = Decimal(rule.recidivism_amount_eur)
            source = f"{rule.source}; {ART_132_11}"
        else:
            verdict.note(
                "recidivism_not_applicable",
                f"recidivism raises the maximum fine only for 5th-class contraventions where "
                f"the regulation provides it; class {classe} keeps its maximum",
                ART_132_11,
            )
        if classe == 5 and rule.recidivism_amount_eur is not None:
            verdict.note(
                "recidivism_assumed_provided",
                "the 3 000 EUR maximum applies only where the regulation repressing this "
                "contravention provides for recidivism; check the repressing article",
                ART_132_11,
            )
    if sentence.fine_eur > maximum:
        verdict.fail(
            "fine_above_class_maximum",
            f"a fine of {_eur(sentence.fine_eur)} exceeds the maximum of {_eur(maximum)} for "
            f"contraventions of class {classe} on {on.isoformat()}",
            source,
        )


FRANCS_PER_EURO = Decimal("6.55957")  # Council Regulation (EC) No 2866/98, 31 December 1998
EURO_CONVERSION = "règlement (CE) n° 2866/98 du Conseil (1 EUR = 6,55957 F)"


@dataclass(frozen=True)
class Ceiling:
    """A maximum a sentence is checked against: a curated penalty, or one read from the law."""

    kind: str
    label: str
    max_months: int | None
    life: bool
    max_amount_eur: Decimal | None
    source: str
    fine_may_exceed: bool = False


def _curated_ceiling(p: PenaltyVersion) -> Ceiling:
    return Ceiling(
        p.kind,
        p.label,
        p.max_months,
        p.life,
        Decimal(p.max_amount_eur) if p.max_amount_eur is not None else None,
        _penalty_source(p),
    )


def _law_ceiling(row: PenaltyRow) -> Ceiling:
    amount = None
    if row.amount is not None:
        amount = row.amount
        if row.currency == "FRF":
            amount = (row.amount / FRANCS_PER_EURO).quantize(Decimal("0.01"), ROUND_HALF_UP)
    title = CODE_TITLES.get(row.code, row.code)
    return Ceiling(
        row.kind,
        LAW_LABELS[row.kind],
        row.max_months,
        row.life,
        amount,
        f"{title}, art. {row.article}, al. {row.alinea} (version in force from "
        f"{row.valid_from.isoformat()}; read from the law): « {row.sentence} »",
        row.fine_may_exceed,
    )


def _law_ceilings(
    version: OffenceVersion, on: date, cited: CitedPenalties, verdict: Verdict
) -> list[Ceiling]:
    """The maxima the cited alinéas state on ``on`` (natural persons), with the notes that
    say how far they can be trusted."""
    rows = [r for r in cited.penalties if r.kind in (*CUSTODIAL, "amende") and not r.legal_persons]
    if not rows:
        return []
    if not cited.covered:
        assert cited.known_until is not None
        verdict.note(
            "law_after_corpus",
            f"the penalties read from the law ({_summary(rows)}) are known up to "
            f"{cited.known_until.isoformat()}; {on.isoformat()} is later, and a later text may "
            "have changed them: they were not applied",
            rows[0].repository,
        )
        return []
    statements = {(r.code, r.article, r.statement) for r in rows}
    signatures = {
        key: tuple(
            sorted(
                (r.kind, r.max_months, r.life, r.amount)
                for r in rows
                if (r.code, r.article, r.statement) == key
            )
        )
        for key in statements
    }
    if len(set(signatures.values())) > 1:
        verdict.note(
            "several_statements",
            f'the alinéas NATINF {version.natinf}\'s "Réprimée par" cites state several '
            f"penalties ({_summary(rows)}), e.g. a base case and aggravated cases; which one "
            "applies depends on the facts: the highest of each was checked",
        )
    if cited.unresolved:
        verdict.note(
            "law_unresolved",
            "the cited alinéas hold penalty sentences that could not be read with confidence "
            f"({'; '.join(sorted({u.reason for u in cited.unresolved}))}): the maxima checked "
            "may be incomplete",
        )
    if any(r.currency == "FRF" for r in rows):
        verdict.note(
            "converted_from_francs",
            "the fine the law stated on that date is in francs: converted to euros at the "
            "fixed rate for the comparison",
            EURO_CONVERSION,
        )
    return [_law_ceiling(r) for r in rows]


def _summary(rows: list[PenaltyRow]) -> str:
    parts = []
    for r in rows:
        if r.life:
            value = "à perpétuité"
        elif r.max_months:
            value = f"{r.max_months} months"
        else:
            value = f"{r.amount.normalize():f} {r.currency}" if r.amount is not None else ""
        parts.append(f"{LAW_LABELS[r.kind].lower()} {value} (art. {r.article} al. {r.alinea})")
    return ", ".join(dict.fromkeys(parts))


def _check_delit_or_crime(
    session: Session,
    version: OffenceVersion,
    on: date,
    sentence: ProposedSentence,
    verdict: Verdict,
) -> None:
    nature = nature_of_label(version.nature)
    category = nature.category if nature else None
    if nature is None:
        verdict.note(
            "nature_not_stated",
            f"the NATINF file does not state the nature of NATINF {version.natinf}: only the "
            "maxima of its repressing articles were checked",
        )
    curated = [
        p
        for p in repo.penalties_in_force(session, version.natinf, on)
        if p.category == "principale"
    ]
    # Curated penalties (verified wording, dated to today) first; otherwise the penalties the
    # law dataset reads in the alinéas "Réprimée par" cites.
    cited: CitedPenalties | None = None
    if curated:
        principal = [_curated_ceiling(p) for p in curated]
    else:
        refs = version.repressed_by_refs
        cited = LawIndex.for_references(session, refs).cited(refs, on)
        principal = _law_ceilings(version, on, cited, verdict)
    custodial = [p for p in principal if p.kind in CUSTODIAL]
    fines = [p for p in principal if p.kind == "amende" and p.max_amount_eur is not None]
    doubled = sentence.recidivism and category == "delit"
    if sentence.recidivism and category == "crime":
        verdict.note(
            "recidivism_not_checked",
            "legal recidivism of a crime (art. 132-8 and 132-9) raises maxima according to the "
            "first conviction, which this check does not know: maxima checked without it",
            "Code pénal, art. 132-8 and 132-9",
        )
    if sentence.recidivism and category is None:
        verdict.note(
            "recidivism_not_checked",
            "recidivism cannot be applied to an offence whose nature is not stated",
        )

    if sentence.custodial:
        if (
            category == "delit"
            and not sentence.recidivism
            and (
                sentence.life_imprisonment
                or (sentence.imprisonment_months or 0) > DELIT_SCALE_MONTHS
            )
        ):
            verdict.fail(
                "imprisonment_above_delit_scale",
                f"NATINF {version.natinf} is a délit: imprisonment for a délit is ten years "
                "at most",
                ART_131_4,
            )
        if custodial:
            _check_custodial(custodial, sentence, doubled, verdict)
        elif principal and _surely_no_prison(cited):
            verdict.fail(
                "imprisonment_not_provided",
                f"the principal penalties of NATINF {version.natinf} on {on.isoformat()} "
                f"include no prison term ({', '.join(p.label for p in principal)})",
                "; ".join(p.source for p in principal),
            )
        else:
            verdict.note(
                "imprisonment_not_checked",
                f"no maximum prison term is held for NATINF {version.natinf} on "
                f"{on.isoformat()}: the prison term was not checked against its repressing "
                f"articles ({version.repressed_by or 'not stated'})",
            )

    if sentence.fine_eur is not None:
        if fines:
            penalty = max(fines, key=lambda p: p.max_amount_eur or Decimal(0))
            assert penalty.max_amount_eur is not None
            maximum = penalty.max_amount_eur * (2 if doubled else 1)
            if sentence.fine_eur > maximum:
                source = penalty.source + (f"; {ART_132_10}" if doubled else "")
                if penalty.fine_may_exceed:
                    verdict.note(
                        "fine_ceiling_not_fixed",
                        f"a fine of {_eur(sentence.fine_eur)} is above the amount of "
                        f"{_eur(maximum)}, but the article lets the fine exceed it (e.g. up to "
                        "the double of the proceeds): not checked",
                        source,
                    )
                else:
                    verdict.fail(
                        "fine_above_maximum",
                        f"a fine of {_eur(sentence.fine_eur)} exceeds the maximum of "
                        f"{_eur(maximum)}{' (doubled for recidivism)' if doubled else ''}",
                        source,
                    )
        else:
            verdict.note(
                "fine_not_checked",
                f"no maximum fine is held for NATINF {version.natinf} on {on.isoformat()}: "
                "the fine was not checked",
            )


def _surely_no_prison(cited: CitedPenalties | None) -> bool:
    """Whether "no prison term among the penalties" can be trusted: always for curated
    penalties; for penalties read from the law, only when the cited alinéas were read in full
    and state no aggravation (an aggravation of the fine alone says nothing of the prison
    term of the base case)."""
    if cited is None:
        return True
    return not cited.unresolved and all(p.form != "aggravation" for p in cited.penalties)


def _check_custodial(
    custodial: list[Ceiling],
    sentence: ProposedSentence,
    doubled: bool,
    verdict: Verdict,
) -> None:
    if any(p.life for p in custodial):
        return  # perpetuity: no term is above it
    penalty = max(custodial, key=lambda p: p.max_months or 0)
    assert penalty.max_months is not None
    maximum = Decimal(penalty.max_months) * (2 if doubled else 1)
    source = penalty.source + (f"; {ART_132_10}" if doubled else "")
    if sentence.life_imprisonment:
        verdict.fail(
            "imprisonment_above_maximum",
            f"life imprisonment exceeds the maximum of {_months(maximum)}",
            source,
        )
    elif sentence.imprisonment_months is not None and sentence.imprisonment_months > maximum:
        verdict.fail(
            "imprisonment_above_maximum",
            f"{_months(sentence.imprisonment_months)} exceed the maximum of "
            f"{_months(maximum)}{' (doubled for recidivism)' if doubled else ''}",
            source,
        )


def _result(
    natinf: int, on: date, version: OffenceVersion | None, verdict: Verdict
) -> dict[str, Any]:
    incomplete = {
        "fine_not_checked",
        "imprisonment_not_checked",
        "recidivism_not_checked",
        "nature_not_stated",
        "recidivism_assumed_provided",
        "before_history",
        "law_after_corpus",
        "several_statements",
        "law_unresolved",
        "fine_ceiling_not_fixed",
    }
    return {
        "legal": not verdict.reasons,
        "complete": not any(n["rule"] in incomplete for n in verdict.notes),
        "natinf": natinf,
        "date": on.isoformat(),
        "offence": (
            {
                "natinf": version.natinf,
                "version": version.version,
                "nature": version.nature,
                "qualification": version.qualification,
                "repressed_by": version.repressed_by,
                "valid_from": version.valid_from.isoformat(),
                "valid_to": version.valid_to.isoformat() if version.valid_to else None,
            }
            if version
            else None
        ),
        "reasons": verdict.reasons,
        "notes": verdict.notes,
    }
