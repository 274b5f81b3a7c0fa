"""Rows and files for the NATINF tests.

The rows are real NATINF codes as published (the six first rows verbatim from the official
extract kept by MTES-MCT/monitorenv, the others from the ANTAI table of palkor/GendTools; see
datasets/natinf/provenance.csv). Tests that need a *changed* code alter a copy of these rows
explicitly; such alterations exist only inside the test.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

Row = tuple[str, str, str, str, str]

HEADER = (
    "Numéro NATINF;Nature de l'infraction;Qualification de l'infraction;Définie par;Réprimée par"
)

OFFICIAL: list[Row] = [
    (
        "7",
        "Délit",
        "RETRAIT DE LA PROVISION D'UN CHEQUE AVEC L'INTENTION DE PORTER ATTEINTE AUX DROITS "
        "D'AUTRUI",
        "ART.L.163-2 AL.1 C.M.F.",
        "ART.L.163-2 AL.1, ART.L.163-6 AL.1, AL.2 C.M.F.",
    ),
    (
        "8",
        "Délit",
        "OPPOSITION AU PAIEMENT D'UN CHEQUE AVEC L'INTENTION DE PORTER ATTEINTE AUX DROITS "
        "D'AUTRUI",
        "ART.L.163-2 AL.1 C.M.F.",
        "ART.L.163-2 AL.1, ART.L.163-6 AL.1, AL.2 C.M.F. ART.131-30 AL.1 C.PENAL.",
    ),
    (
        "11",
        "Délit",
        "ABANDON DE FAMILLE : NON PAIEMENT D'UNE PENSION OU D'UNE PRESTATION ALIMENTAIRE",
        "ART.227-3 AL.1 C.PENAL.",
        "ART.227-3 AL.1, ART.227-29 C.PENAL.",
    ),
    (
        "13",
        "Délit",
        "INFRACTION A UNE INTERDICTION DE SEJOUR : FREQUENTATION D'UN LIEU INTERDIT",
        "ART.434-38 AL.1, ART.131-31 AL.1 C.PENAL.",
        "ART.434-38 AL.1, ART.434-44 AL.4 C.PENAL.",
    ),
    (
        "16",
        "Délit",
        "AIDE A L'ENTREE, A LA CIRCULATION OU AU SEJOUR IRREGULIERS D'UN ETRANGER EN FRANCE",
        "ART.L.823-1, ART.L.820-1 C.E.S.E.D.A.",
        "ART.L.823-1 AL.1, ART.L.823-4, ART.L.823-6 C.E.S.E.D.A.",
    ),
    (
        "19",
        "Contravention de 5ème classe",
        "NON PAIEMENT D'UNE PENSION ALIMENTAIRE DUE AU CREANCIER, PAR LE TIERS DEBITEUR TENU AU "
        "PAIEMENT DIRECT",
        "ART.R.213-5, ART.L.213-1 C.P.C.EX.",
        "ART.R.213-5 C.P.C.EX.",
    ),
]

ROAD: list[Row] = [
    (
        "180",
        "Délit",
        "USAGE ILLICITE DE STUPEFIANTS",
        "Art. L. 3421-1 al. 1, art. L. 5132-7 du C. de la santé publique. Art. 1 de l'arrêté "
        "minist. du 22-02-1990.",
        "Art. L. 3421-1 al. 1, al. 2, art. L. 3421-2, art. L. 3421-3, art. L. 3425-1 du C. de "
        "la santé publique. Art. 222-49 al. 1 du C. pénal.",
    ),
    (
        "200",
        "Contravention de 1ère classe",
        "ARRET OU STATIONNEMENT GENANT D'ANIMAL SUR LA VOIE PUBLIQUE",
        "Art. R. 412-49 al. 1 du C. de la route.",
        "Art. R. 412-49 al. 1 du C. de la route.",
    ),
    (
        "201",
        "Contravention de 4ème classe",
        "ARRET OU STATIONNEMENT DANGEREUX DE VEHICULE",
        "Art. R. 417-9 al. 1, al. 2 du C. de la route.",
        "Art. R. 417-9 al. 3, al. 5 du C. de la route.",
    ),
    (
        "202",
        "Contravention de 4ème classe",
        "REFUS DE PRIORITE PAR CONDUCTEUR DE VEHICULE A UN PIETON REGULIEREMENT ENGAGE DANS LA "
        "TRAVERSEE D'UNE CHAUSSEE",
        "Art. R. 415-11 al. 1, art. R. 412-37, art. R. 412-38, art. R. 412-39, art. R. 412-40 "
        "du C. de la route.",
        "Art. R. 415-11 al. 2, al. 3 du C. de la route.",
    ),
    (
        "207",
        "Contravention de 4ème classe",
        "REFUS DE PRIORITE A DROITE A UNE INTERSECTION DE ROUTES",
        "Art. R. 415-5 al. 1, art. R. 415-13, art. R. 415-14 du C. de la route.",
        "Art. R. 415-5 al. 2, al. 3 du C. de la route.",
    ),
    (
        "215",
        "Contravention de 2ème classe",
        "CIRCULATION D'ANIMAL ELOIGNE DU BORD DROIT DE LA CHAUSSEE EN MARCHE NORMALE",
        "Art. R. 412-45 du C. de la route.",
        "Art. R. 412-45 al. 2 du C. de la route.",
    ),
    (
        "225",
        "Contravention de 2ème classe",
        "DIVAGATION D'ANIMAL DANGEREUX",
        "Art. R. 622-2 al. 1 du C. Pénal.",
        "Art. R. 622-2 al. 1, al. 2 du C. Pénal.",
    ),
]

ALL_ROWS: list[Row] = OFFICIAL + ROAD


def by_code(code: str, rows: Iterable[Row] = ALL_ROWS) -> Row:
    return next(r for r in rows if r[0] == code)


def _field(value: str) -> str:
    if any(c in value for c in ';"'):
        return '"' + value.replace('"', '""') + '"'
    return value


def natinf_bytes(
    rows: Iterable[Row],
    *,
    encoding: str = "cp1252",
    newline: str = "\r\n",
    header: str = HEADER,
    bom: bool = False,
) -> bytes:
    lines = [header, *(";".join(_field(f) for f in row) for row in rows)]
    text = newline.join(lines) + newline
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


REFERENCE_SAMPLES = Path("/work/shared/reference-samples")
CURATED = Path(__file__).resolve().parents[2] / "datasets" / "natinf" / "natinf.csv"
CURATED_PENALTIES = CURATED.with_name("penalties.csv")
