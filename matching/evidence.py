"""Minimum evidence for an automatic link: which records a score alone may put together.

A match weight adds what two records' traits say; a trait one of them lacks adds nothing (its
null level weighs 0 bits). So a record holding only a given name, a date and a sex scores as
high against the first "Thibault born on 17 May 1979" the registry holds as a complete record
would, while a national population holds dozens of persons sharing those traits: the model
cannot see how many it has not met. Once linked, such a record chains: the next record
resembling it joins its person, whatever it says of that person's other records (issue 8: a
GARNIER and a ROUSSEAU shared one identifier through a record without a surname).

The rule, the same for online resolve (``identity.resolve``) and batch clustering
(:mod:`matching.clustering`): a record may be linked without a reviewer only if it names a
**surname**, a **given name** and a **year of birth**, and then either the **day of birth**
(a full date that is not 1 January or 31 December) or the **commune** (in France) or **city**
(abroad) of birth. Each trait rules out the look-alikes met most often:

- the surname (nom de naissance or nom d'usage): given name + date + sex is shared by some
  ten to thirty boys or girls born the same day in France (about 1,100 of each a day, the
  common given names holding 1 to 3 % of a year's births);
- the given name: twins (one birth in sixty) share surname, date and place of birth, and only
  the given name tells them apart;
- the year: father and son often share surname, given name and birthplace;
- the day or the place: namesakes of the same year. A 1 January or 31 December date is the
  date presumed for many persons born abroad whose day is unknown, shared by thousands of
  records, so it counts as a year only; a country of birth alone holds millions, so it is no
  place. What is left (a very common name born in a large city the same year, with no day) is
  for the model's term-frequency weights.

Everything else (no surname, no given name, no date, a date without a year, or a year, month
or presumed date without the commune or city) is never linked automatically: such a record
gets a person of its own and, when it scores in the review band with a person, a suggestion
to reviewers. A pair at or above ``auto_link`` joins two records only if both have the
evidence; the sex is not part of the rule (it halves a population at best, and it is
miskeyed now and then).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

# The standardised columns the rule reads (see ``matching.standardise``).
EVIDENCE_COLUMNS: Final = (
    "nom_std",
    "nom_usage_std",
    "prenom1_std",
    "dn",
    "dn_annee",
    "dn_presumee",
    "lieu_code",
    "lieu_nom",
)


def _present(value: Any) -> bool:
    return value is not None and value != ""


def has_auto_link_evidence(record: Mapping[str, Any]) -> bool:
    """Whether one standardised record may be linked without a reviewer (module docstring)."""
    if not (_present(record.get("nom_std")) or _present(record.get("nom_usage_std"))):
        return False
    if not _present(record.get("prenom1_std")) or record.get("dn_annee") is None:
        return False
    if _present(record.get("dn")) and not record.get("dn_presumee"):
        return True
    return _present(record.get("lieu_code")) or _present(record.get("lieu_nom"))


def _column_present(records: pa.Table, name: str) -> pa.ChunkedArray:
    """Non-empty values (a column of nulls only may come typed ``null``)."""
    column = records.column(name).cast(pa.string())
    return pc.fill_null(pc.greater(pc.utf8_length(column), 0), False)


def auto_link_evidence(records: pa.Table) -> npt.NDArray[np.bool_] | None:
    """:func:`has_auto_link_evidence` of every row of a standardised table, vectorised; None
    when the table does not hold the standardised columns (record ids only)."""
    if not all(name in records.column_names for name in EVIDENCE_COLUMNS):
        return None
    surname = pc.or_(_column_present(records, "nom_std"), _column_present(records, "nom_usage_std"))
    given = _column_present(records, "prenom1_std")
    year = pc.is_valid(records.column("dn_annee"))
    presumed = pc.fill_null(records.column("dn_presumee").cast(pa.bool_()), False)
    day = pc.and_(_column_present(records, "dn"), pc.invert(presumed))
    place = pc.or_(_column_present(records, "lieu_code"), _column_present(records, "lieu_nom"))
    mask = pc.and_(pc.and_(surname, given), pc.and_(year, pc.or_(day, place)))
    return np.asarray(mask.to_numpy(zero_copy_only=False), dtype=np.bool_)
