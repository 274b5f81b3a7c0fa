"""Build ``courts.csv`` and ``ressorts.csv`` from the facts transcribed below.

    python datasets/courts/build_courts.py            # rewrites the two CSV files
    python datasets/courts/build_courts.py --check    # fails if the CSV files are stale

This script is the curation record: every fact below names where it was read. Seat commune
codes come from the Cour de cassation's Judilibre taxonomy where it lists the court, otherwise
from the COG (``datasets/cog/communes.csv``) by name within the département; the script fails
rather than guess when a name does not match exactly one commune.

Sources (read through the project's public-source search tools, November 2026):

- T4: Code de l'organisation judiciaire, annexe tableau IV (siège et ressort des cours
  d'appel, des tribunaux de grande instance et de première instance), version applicable
  from 2011-01-01 (its footnotes (5)/(6) date the 2008-2011 carte judiciaire reform) —
  etalab/codes-juridiques-francais@2439259
  codes-en-vigueur/code-de-l-organisation-judiciaire/partie-reglementaire/annexes/
  article-annexe-tableau-iv.md. Its ressorts are lists of (pre-2015) cantons grouped by
  département; we keep the département grouping only (see README).
- D2013: décret n° 2013-1258 du 27 décembre 2013 (in force 2014-09-01): TGI of
  Saint-Gaudens, Saumur and Tulle re-created; chambres détachées at Dole, Guingamp and
  Marmande (lexbase.fr L6884IYM).
- L2019: loi n° 2019-222 du 23 mars 2019, art. 95, and décret n° 2019-912 du 30 août 2019:
  the tribunaux de grande instance become tribunaux judiciaires on 2020-01-01.
- JL: Cour-de-cassation/judilibre-search src/taxons/tj/location.js (@01ddbf0) and
  src/taxons/ca/location.js (@ba791e7), the courts Judilibre lists in 2026 (keys carry the
  seat's INSEE code, leading zeros dropped).
- CAY: justice.gouv.fr "Création de la cour d'appel de Cayenne": the cour d'appel de
  Cayenne replaced the chambre détachée of Fort-de-France on 2012-01-01.
- MAY: Code de l'organisation judiciaire, livre V, chapitre IV (legifrance.gouv.fr, version
  of 2017-04-28): a chambre d'appel of the cour d'appel de Saint-Denis de La Réunion sits at
  Mamoudzou for the first-instance courts of Mayotte, among them the TGI of Mamoudzou.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
COG = HERE.parent / "cog" / "communes.csv"

T4_SOURCE = (
    "COJ annexe tableau IV, version applicable from 2011-01-01 "
    "(etalab/codes-juridiques-francais@2439259 article-annexe-tableau-iv.md)"
)
D2013_SOURCE = "Décret n° 2013-1258 du 27 décembre 2013, art. 1-3 (in force 2014-09-01)"
L2019_SOURCE = (
    "Loi n° 2019-222 du 23 mars 2019, art. 95, and décret n° 2019-912 du 30 août 2019: "
    "TGI become tribunaux judiciaires on 2020-01-01"
)
JL_SOURCE = "Cour de cassation, Judilibre taxonomy of courts (judilibre-search, 2026)"
CAY_SOURCE = "justice.gouv.fr, création de la cour d'appel de Cayenne (opened 2012-01-01)"
MAY_SOURCE = (
    "COJ livre V chapitre IV (Mayotte): chambre d'appel of the cour d'appel de Saint-Denis "
    "at Mamoudzou (legifrance.gouv.fr, version of 2017-04-28)"
)

TGI_TO_TJ = "2020-01-01"
T4_DATE = "2011-01-01"
D2013_DATE = "2014-09-01"
JL_DATE = "2026-01-01"

# Cour d'appel -> département -> seats of the TGI listed under that département heading in
# T4 (current in the 2011 version: the rows footnoted (5) "applicable jusqu'au 31 décembre
# 2010" are left out). Colmar's TGI appears under "Bas-Rhin et Haut-Rhin" (the Sélestat
# cantons are in the Bas-Rhin) and under "Haut-Rhin".
T4: dict[str, dict[str, list[str]]] = {
    "Agen": {"32": ["Auch"], "46": ["Cahors"], "47": ["Agen"]},
    "Aix-en-Provence": {
        "04": ["Digne-les-Bains"],
        "06": ["Grasse", "Nice"],
        "13": ["Aix-en-Provence", "Marseille", "Tarascon"],
        "83": ["Draguignan", "Toulon"],
    },
    "Amiens": {
        "02": ["Laon", "Saint-Quentin", "Soissons"],
        "60": ["Beauvais", "Compiègne", "Senlis"],
        "80": ["Amiens"],
    },
    "Angers": {"49": ["Angers"], "53": ["Laval"], "72": ["Le Mans"]},
    # The TI of Saint-Martin, under the TGI of Basse-Terre, covers the cantons of
    # Saint-Barthélemy and Saint-Martin (since 2007 the collectivités 977 and 978).
    "Basse-Terre": {
        "971": ["Basse-Terre", "Pointe-à-Pitre"],
        "977": ["Basse-Terre"],
        "978": ["Basse-Terre"],
    },
    "Bastia": {"2A": ["Ajaccio"], "2B": ["Bastia"]},
    "Besançon": {
        "25": ["Besançon", "Montbéliard"],
        "39": ["Lons-le-Saunier"],
        "70": ["Vesoul"],
        "90": ["Belfort"],
    },
    "Bordeaux": {
        "16": ["Angoulême"],
        "24": ["Bergerac", "Périgueux"],
        "33": ["Bordeaux", "Libourne"],
    },
    "Bourges": {"18": ["Bourges"], "36": ["Châteauroux"], "58": ["Nevers"]},
    "Caen": {
        "14": ["Caen", "Lisieux"],
        "50": ["Cherbourg-Octeville", "Coutances"],
        "61": ["Alençon", "Argentan"],
    },
    "Chambéry": {
        "73": ["Albertville", "Chambéry"],
        "74": ["Annecy", "Bonneville", "Thonon-les-Bains"],
    },
    "Colmar": {"67": ["Colmar", "Saverne", "Strasbourg"], "68": ["Colmar", "Mulhouse"]},
    "Dijon": {"21": ["Dijon"], "52": ["Chaumont"], "71": ["Chalon-sur-Saône", "Mâcon"]},
    "Douai": {
        "59": ["Avesnes-sur-Helpe", "Cambrai", "Douai", "Dunkerque", "Lille", "Valenciennes"],
        "62": ["Arras", "Béthune", "Boulogne-sur-Mer", "Saint-Omer"],
    },
    "Fort-de-France": {"972": ["Fort-de-France"], "973": ["Cayenne"]},
    "Grenoble": {"05": ["Gap"], "26": ["Valence"], "38": ["Grenoble", "Vienne"]},
    "Limoges": {"19": ["Brive-la-Gaillarde"], "23": ["Guéret"], "87": ["Limoges"]},
    "Lyon": {
        "01": ["Bourg-en-Bresse"],
        "42": ["Roanne", "Saint-Étienne"],
        "69": ["Lyon", "Villefranche-sur-Saône"],
    },
    "Metz": {"57": ["Metz", "Sarreguemines", "Thionville"]},
    "Montpellier": {
        "11": ["Carcassonne", "Narbonne"],
        "12": ["Rodez"],
        "34": ["Béziers", "Montpellier"],
        "66": ["Perpignan"],
    },
    "Nancy": {"54": ["Briey", "Nancy"], "55": ["Bar-le-Duc", "Verdun"], "88": ["Épinal"]},
    "Nîmes": {
        "07": ["Privas"],
        "30": ["Alès", "Nîmes"],
        "48": ["Mende"],
        "84": ["Avignon", "Carpentras"],
    },
    "Orléans": {"37": ["Tours"], "41": ["Blois"], "45": ["Montargis", "Orléans"]},
    "Paris": {
        "75": ["Paris"],
        "77": ["Fontainebleau", "Meaux", "Melun"],
        "89": ["Auxerre", "Sens"],
        "91": ["Évry"],
        "93": ["Bobigny"],
        "94": ["Créteil"],
    },
    "Pau": {"40": ["Dax", "Mont-de-Marsan"], "64": ["Bayonne", "Pau"], "65": ["Tarbes"]},
    "Poitiers": {
        "17": ["La Rochelle", "Saintes"],
        "79": ["Niort"],
        "85": ["La Roche-sur-Yon", "Les Sables-d'Olonne"],
        "86": ["Poitiers"],
    },
    "Reims": {
        "08": ["Charleville-Mézières"],
        "10": ["Troyes"],
        "51": ["Châlons-en-Champagne", "Reims"],
    },
    "Rennes": {
        "22": ["Saint-Brieuc"],
        "29": ["Brest", "Quimper"],
        "35": ["Rennes", "Saint-Malo"],
        "44": ["Nantes", "Saint-Nazaire"],
        "56": ["Lorient", "Vannes"],
    },
    "Riom": {
        "03": ["Cusset", "Montluçon"],
        "15": ["Aurillac"],
        "43": ["Le Puy-en-Velay"],
        "63": ["Clermont-Ferrand"],
    },
    "Rouen": {"27": ["Évreux"], "76": ["Dieppe", "Le Havre", "Rouen"]},
    # The TGI of Saint-Denis also covers the Îles Éparses and the TAAF (984).
    "Saint-Denis": {"974": ["Saint-Denis", "Saint-Pierre"], "984": ["Saint-Denis"]},
    "Toulouse": {
        "09": ["Foix"],
        "31": ["Toulouse"],
        "81": ["Albi", "Castres"],
        "82": ["Montauban"],
    },
    "Versailles": {
        "28": ["Chartres"],
        "78": ["Versailles"],
        "92": ["Nanterre"],
        "95": ["Pontoise"],
    },
}

# Airport grounds (emprises) that T4 assigns to a TGI of another département: the TGI is
# competent there and only there.
ENCLAVES: list[tuple[str, str, str]] = [
    (
        "Créteil",
        "91",
        "only the emprise of Paris-Orly airport (T4: Evry's TI of Longjumeau excludes it, "
        "Créteil's TI of Ivry-sur-Seine includes it)",
    ),
    (
        "Bobigny",
        "77",
        "only the emprise of Roissy-Charles-de-Gaulle airport (T4: excluded from Meaux, "
        "included in Bobigny's TI of Aulnay-sous-Bois)",
    ),
    (
        "Bobigny",
        "95",
        "only the emprises of Roissy-Charles-de-Gaulle and Paris-Le Bourget airports "
        "(T4: excluded from Pontoise's TI of Gonesse)",
    ),
    (
        "Mont-de-Marsan",
        "32",
        "only the emprise of Aire-sur-l'Adour aerodrome "
        "(T4: excluded from Auch, included in Mont-de-Marsan)",
    ),
]

# TGI re-created on 2014-09-01 by D2013 (cour d'appel, département, seat).
RECREATED_2014 = [
    ("Toulouse", "31", "Saint-Gaudens"),
    ("Angers", "49", "Saumur"),
    ("Limoges", "19", "Tulle"),
]
# Tribunaux judiciaires Judilibre lists in 2026 whose TGI T4 marks as abolished on 2010-12-31;
# when they were reinstated was not retrieved, so we only attest them from 2026.
JL_ONLY_TJ = [("Riom", "03", "Moulins"), ("Grenoble", "38", "Bourgoin-Jallieu")]
# Chambres détachées: (parent TGI/TJ seat, département, seat, creation date or None, source).
CHAMBRES = [
    ("Lons-le-Saunier", "39", "Dole", D2013_DATE, D2013_SOURCE),
    ("Saint-Brieuc", "22", "Guingamp", D2013_DATE, D2013_SOURCE),
    ("Agen", "47", "Marmande", D2013_DATE, D2013_SOURCE),
    ("Rodez", "12", "Millau", None, JL_SOURCE),
    ("Cayenne", "973", "Saint-Laurent-du-Maroni", None, JL_SOURCE),
    ("Basse-Terre", "978", "Saint-Martin", None, JL_SOURCE),
]

CA_NAMES = {  # JL ca/location.js
    "Agen": "Cour d'appel d'Agen",
    "Aix-en-Provence": "Cour d'appel d'Aix-en-Provence",
    "Amiens": "Cour d'appel d'Amiens",
    "Angers": "Cour d'appel d'Angers",
    "Basse-Terre": "Cour d'appel de Basse-Terre",
    "Bastia": "Cour d'appel de Bastia",
    "Besançon": "Cour d'appel de Besançon",
    "Bordeaux": "Cour d'appel de Bordeaux",
    "Bourges": "Cour d'appel de Bourges",
    "Caen": "Cour d'appel de Caen",
    "Cayenne": "Cour d'appel de Cayenne",
    "Chambéry": "Cour d'appel de Chambéry",
    "Colmar": "Cour d'appel de Colmar",
    "Dijon": "Cour d'appel de Dijon",
    "Douai": "Cour d'appel de Douai",
    "Fort-de-France": "Cour d'appel de Fort-de-France",
    "Grenoble": "Cour d'appel de Grenoble",
    "Limoges": "Cour d'appel de Limoges",
    "Lyon": "Cour d'appel de Lyon",
    "Metz": "Cour d'appel de Metz",
    "Montpellier": "Cour d'appel de Montpellier",
    "Nancy": "Cour d'appel de Nancy",
    "Nîmes": "Cour d'appel de Nîmes",
    "Nouméa": "Cour d'appel de Nouméa",
    "Orléans": "Cour d'appel d'Orléans",
    "Papeete": "Cour d'appel de Papeete",
    "Paris": "Cour d'appel de Paris",
    "Pau": "Cour d'appel de Pau",
    "Poitiers": "Cour d'appel de Poitiers",
    "Reims": "Cour d'appel de Reims",
    "Rennes": "Cour d'appel de Rennes",
    "Riom": "Cour d'appel de Riom",
    "Rouen": "Cour d'appel de Rouen",
    "Saint-Denis": "Cour d'appel de Saint-Denis de la Réunion",
    "Toulouse": "Cour d'appel de Toulouse",
    "Versailles": "Cour d'appel de Versailles",
}
CA_SEAT_DEPT = {
    "Agen": "47",
    "Aix-en-Provence": "13",
    "Amiens": "80",
    "Angers": "49",
    "Basse-Terre": "971",
    "Bastia": "2B",
    "Besançon": "25",
    "Bordeaux": "33",
    "Bourges": "18",
    "Caen": "14",
    "Cayenne": "973",
    "Chambéry": "73",
    "Colmar": "68",
    "Dijon": "21",
    "Douai": "59",
    "Fort-de-France": "972",
    "Grenoble": "38",
    "Limoges": "87",
    "Lyon": "69",
    "Metz": "57",
    "Montpellier": "34",
    "Nancy": "54",
    "Nîmes": "30",
    "Nouméa": "988",
    "Orléans": "45",
    "Papeete": "987",
    "Paris": "75",
    "Pau": "64",
    "Poitiers": "86",
    "Reims": "51",
    "Rennes": "35",
    "Riom": "63",
    "Rouen": "76",
    "Saint-Denis": "974",
    "Toulouse": "31",
    "Versailles": "78",
}

# JL tj/location.js: seat INSEE codes of the tribunaux judiciaires it lists (leading zeros
# restored; Paris, Lyon and Marseille are keyed there by an arrondissement, mapped here to the
# commune: 75101 -> 75056, 69383 -> 69123, 13206 -> 13055).
JL_SEATS = {
    "Agen": "47001",
    "Aix-en-Provence": "13001",
    "Ajaccio": "2A004",
    "Albertville": "73011",
    "Albi": "81004",
    "Alençon": "61001",
    "Alès": "30007",
    "Amiens": "80021",
    "Angers": "49007",
    "Angoulême": "16015",
    "Annecy": "74010",
    "Argentan": "61006",
    "Arras": "62041",
    "Auch": "32013",
    "Aurillac": "15014",
    "Auxerre": "89024",
    "Avesnes-sur-Helpe": "59036",
    "Avignon": "84007",
    "Bar-le-Duc": "55029",
    "Basse-Terre": "97105",
    "Bastia": "2B033",
    "Bayonne": "64102",
    "Beauvais": "60057",
    "Belfort": "90010",
    "Bergerac": "24037",
    "Besançon": "25056",
    "Béthune": "62119",
    "Béziers": "34032",
    "Blois": "41018",
    "Bobigny": "93008",
    "Bonneville": "74042",
    "Bordeaux": "33063",
    "Boulogne-sur-Mer": "62160",
    "Bourg-en-Bresse": "01053",
    "Bourges": "18033",
    "Bourgoin-Jallieu": "38053",
    "Brest": "29019",
    "Briey": "54099",
    "Brive-la-Gaillarde": "19031",
    "Caen": "14118",
    "Cahors": "46042",
    "Cambrai": "59122",
    "Carcassonne": "11069",
    "Carpentras": "84031",
    "Castres": "81065",
    "Cayenne": "97302",
    "Chalon-sur-Saône": "71076",
    "Châlons-en-Champagne": "51108",
    "Chambéry": "73065",
    "Charleville-Mézières": "08105",
    "Chartres": "28085",
    "Châteauroux": "36044",
    "Chaumont": "52121",
    "Cherbourg-Octeville": "50129",
    "Clermont-Ferrand": "63113",
    "Colmar": "68066",
    "Compiègne": "60159",
    "Coutances": "50147",
    "Créteil": "94028",
    "Cusset": "03095",
    "Dax": "40088",
    "Dieppe": "76217",
    "Digne-les-Bains": "04070",
    "Dijon": "21231",
    "Dole": "39198",
    "Douai": "59178",
    "Draguignan": "83050",
    "Dunkerque": "59183",
    "Épinal": "88160",
    "Évreux": "27229",
    "Évry": "91228",
    "Foix": "09122",
    "Fontainebleau": "77186",
    "Fort-de-France": "97209",
    "Gap": "05061",
    "Grasse": "06069",
    "Grenoble": "38185",
    "Guéret": "23096",
    "Guingamp": "22070",
    "La Roche-sur-Yon": "85191",
    "La Rochelle": "17300",
    "Laon": "02408",
    "Laval": "53130",
    "Le Havre": "76351",
    "Le Mans": "72181",
    "Le Puy-en-Velay": "43157",
    "Les Sables-d'Olonne": "85194",
    "Libourne": "33243",
    "Lille": "59350",
    "Limoges": "87085",
    "Lisieux": "14366",
    "Lons-le-Saunier": "39300",
    "Lorient": "56121",
    "Lyon": "69123",
    "Mâcon": "71270",
    "Mamoudzou": "97611",
    "Marmande": "47157",
    "Marseille": "13055",
    "Meaux": "77284",
    "Melun": "77288",
    "Mende": "48095",
    "Metz": "57463",
    "Millau": "12145",
    "Mont-de-Marsan": "40192",
    "Montargis": "45208",
    "Montauban": "82121",
    "Montbéliard": "25388",
    "Montluçon": "03185",
    "Montpellier": "34172",
    "Moulins": "03190",
    "Mulhouse": "68224",
    "Nancy": "54395",
    "Nanterre": "92050",
    "Nantes": "44109",
    "Narbonne": "11262",
    "Nevers": "58194",
    "Nice": "06088",
    "Nîmes": "30189",
    "Niort": "79191",
    "Orléans": "45234",
    "Paris": "75056",
    "Pau": "64445",
    "Périgueux": "24322",
    "Perpignan": "66136",
    "Pointe-à-Pitre": "97120",
    "Poitiers": "86194",
    "Pontoise": "95500",
    "Privas": "07186",
    "Quimper": "29232",
    "Reims": "51454",
    "Rennes": "35238",
    "Roanne": "42187",
    "Rodez": "12202",
    "Rouen": "76540",
    "Saint-Brieuc": "22278",
    "Saint-Denis": "97411",
    "Saint-Étienne": "42218",
    "Saint-Gaudens": "31483",
    "Saint-Malo": "35288",
    "Saint-Nazaire": "44184",
    "Saint-Omer": "62765",
    "Saint-Pierre": "97416",
    "Saint-Quentin": "02691",
    "Saint-Laurent-du-Maroni": "97311",
    "Saint-Martin": "97801",
    "Saumur": "49328",
    "Saverne": "67437",
    "Senlis": "60612",
    "Sens": "89387",
    "Soissons": "02722",
    "Strasbourg": "67482",
    "Tarascon": "13108",
    "Tarbes": "65440",
    "Thionville": "57672",
    "Thonon-les-Bains": "74281",
    "Toulon": "83137",
    "Toulouse": "31555",
    "Tours": "37261",
    "Troyes": "10387",
    "Valence": "26362",
    "Valenciennes": "59606",
    "Vannes": "56260",
    "Verdun": "55545",
    "Versailles": "78646",
    "Vesoul": "70550",
    "Vienne": "38544",
    "Villefranche-sur-Saône": "69264",
}
# Display names where the seat name alone is ambiguous or was renamed.
TJ_LABELS = {
    "Saint-Denis": "Saint-Denis (La Réunion)",
    "Saint-Pierre": "Saint-Pierre (La Réunion)",
    "Cherbourg-Octeville": "Cherbourg",
}

COURT_COLUMNS = [
    "id",
    "type",
    "name",
    "seat_code_insee",
    "seat_commune",
    "parent_id",
    "valid_from",
    "valid_to",
    "valid_from_basis",
    "source",
    "note",
]
RESSORT_COLUMNS = [
    "court_id",
    "granularity",
    "code",
    "scope",
    "valid_from",
    "valid_to",
    "valid_from_basis",
    "source",
    "note",
]


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def of(place: str) -> str:
    """French 'de' with elision and contraction: d'Agen, du Mans, des Sables, de La Rochelle."""
    if place.startswith("Le "):
        return "du " + place[3:]
    if place.startswith("Les "):
        return "des " + place[4:]
    if (
        unicodedata.normalize("NFKD", place[0]).encode("ascii", "ignore").decode().lower()
        in "aeiouy"
    ):
        return "d'" + place
    return "de " + place


def load_cog() -> dict[str, dict[str, str]]:
    with COG.open(encoding="utf-8") as fh:
        return {r["code_insee"]: r for r in csv.DictReader(fh) if r["type"] == "commune-actuelle"}


def seat_code(seat: str, dept: str, cog: dict[str, dict[str, str]]) -> str:
    code = JL_SEATS.get(seat)
    if code is not None and code in cog and cog[code]["departement"] != dept:
        code = None  # a namesake in another département (Saint-Pierre, Saint-Denis)
    if code is None:
        matches = [
            c for c, r in cog.items() if r["departement"] == dept and slug(r["nom"]) == slug(seat)
        ]
        if len(matches) != 1:
            raise SystemExit(f"seat {seat} ({dept}): {len(matches)} communes match in the COG")
        code = matches[0]
    if code not in cog or cog[code]["departement"] != dept:
        raise SystemExit(f"seat {seat}: code {code} is not a current commune of {dept}")
    return code


def build() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    cog = load_cog()
    courts: list[dict[str, str]] = []
    ressorts: list[dict[str, str]] = []

    def court(**row: str) -> None:
        courts.append({c: row.get(c, "") for c in COURT_COLUMNS})

    def ressort(**row: str) -> None:
        ressorts.append({c: row.get(c, "") for c in RESSORT_COLUMNS})

    # Cours d'appel.
    for ca, name in CA_NAMES.items():
        ca_id = "ca-" + slug(ca)
        if ca == "Cayenne":
            court(
                id=ca_id,
                type="cour_appel",
                name=name,
                seat_code_insee=seat_code(ca, "973", cog),
                valid_from="2012-01-01",
                valid_from_basis="in_force",
                source=f"{CAY_SOURCE}; {JL_SOURCE}",
            )
            continue
        if ca in ("Nouméa", "Papeete"):
            source = f"{T4_SOURCE} (tribunaux de première instance); {JL_SOURCE}"
        else:
            source = f"{T4_SOURCE}; {JL_SOURCE}"
        court(
            id=ca_id,
            type="cour_appel",
            name=name,
            seat_code_insee=seat_code(ca, CA_SEAT_DEPT[ca], cog),
            valid_from=T4_DATE,
            valid_from_basis="attested",
            source=source,
        )
    court(
        id="tsa-saint-pierre",
        type="tribunal_superieur_appel",
        name="Tribunal supérieur d'appel de Saint-Pierre",
        seat_code_insee=seat_code("Saint-Pierre", "975", cog),
        valid_from=T4_DATE,
        valid_from_basis="attested",
        source=T4_SOURCE,
    )

    # Tribunaux de grande instance (until 2019) and tribunaux judiciaires (from 2020).
    seats: dict[str, tuple[str, set[str]]] = {}  # seat -> (ca, départements)
    for ca, departements in T4.items():
        for dept, names in departements.items():
            for seat in names:
                seats.setdefault(seat, (ca, set()))[1].add(dept)

    def seat_in(seat: str, depts: set[str]) -> str:
        """The seat's INSEE code: Judilibre's when it lists the court, else the COG's by name."""
        if seat in JL_SEATS:
            code = JL_SEATS[seat]
            if code not in cog or cog[code]["departement"] not in depts:
                raise SystemExit(f"seat {seat}: {code} is not a current commune of {sorted(depts)}")
            return code
        candidates = [
            seat_code(seat, dept, cog)
            for dept in sorted(depts)
            if any(r["departement"] == dept and slug(r["nom"]) == slug(seat) for r in cog.values())
        ]
        if len(candidates) != 1:
            raise SystemExit(f"seat {seat}: {len(candidates)} communes match in {sorted(depts)}")
        return candidates[0]

    def tgi_and_tj(
        seat: str, ca: str, depts: set[str], since: str, basis: str, source: str, *, with_tgi: bool
    ) -> None:
        code = seat_in(seat, depts)
        label = TJ_LABELS.get(seat, seat)
        tj_id = "tj-" + slug(label)
        ca_id = "ca-" + slug(ca)
        tgi_name = f"Tribunal de grande instance {of(label)}"
        if seat == "Cayenne":
            # Guyane left the cour d'appel de Fort-de-France when the one of Cayenne opened.
            court(
                id=tj_id,
                type="tribunal_grande_instance",
                name=tgi_name,
                seat_code_insee=code,
                parent_id="ca-fort-de-france",
                valid_from=since,
                valid_to="2012-01-01",
                valid_from_basis=basis,
                source=source,
            )
            court(
                id=tj_id,
                type="tribunal_grande_instance",
                name=tgi_name,
                seat_code_insee=code,
                parent_id="ca-cayenne",
                valid_from="2012-01-01",
                valid_to=TGI_TO_TJ,
                valid_from_basis="in_force",
                source=CAY_SOURCE,
            )
            ca_id = "ca-cayenne"
        elif with_tgi:
            court(
                id=tj_id,
                type="tribunal_grande_instance",
                name=tgi_name,
                seat_code_insee=code,
                parent_id=ca_id,
                valid_from=since,
                valid_to=TGI_TO_TJ,
                valid_from_basis=basis,
                source=source,
            )
        if with_tgi:
            tj_since, tj_basis, tj_source = TGI_TO_TJ, "in_force", f"{L2019_SOURCE}; {JL_SOURCE}"
        else:
            tj_since, tj_basis, tj_source = since, basis, source
        court(
            id=tj_id,
            type="tribunal_judiciaire",
            name=f"Tribunal judiciaire {of(label)}",
            seat_code_insee=code,
            parent_id=ca_id,
            valid_from=tj_since,
            valid_from_basis=tj_basis,
            source=tj_source,
        )
        for dept in sorted(depts):
            ressort(
                court_id=tj_id,
                granularity="departement",
                code=dept,
                scope="territory",
                valid_from=since,
                valid_from_basis=basis,
                source=source,
                note="département-level fact: T4 lists this court's cantons under this département"
                if source == T4_SOURCE
                else "département of the seat",
            )

    for seat, (ca, depts) in sorted(seats.items()):
        tgi_and_tj(seat, ca, depts, T4_DATE, "attested", T4_SOURCE, with_tgi=True)
    for ca, dept, seat in RECREATED_2014:
        tgi_and_tj(seat, ca, {dept}, D2013_DATE, "in_force", D2013_SOURCE, with_tgi=True)
    for ca, dept, seat in JL_ONLY_TJ:
        tgi_and_tj(
            seat,
            ca,
            {dept},
            JL_DATE,
            "attested",
            f"{JL_SOURCE}; T4 marks its former TGI as abolished on 2010-12-31, "
            "the reinstatement date was not retrieved",
            with_tgi=False,
        )
    # Mamoudzou: TGI attested by MAY in 2017, within the cour d'appel de Saint-Denis.
    code = seat_code("Mamoudzou", "976", cog)
    court(
        id="tj-mamoudzou",
        type="tribunal_grande_instance",
        name="Tribunal de grande instance de Mamoudzou",
        seat_code_insee=code,
        parent_id="ca-saint-denis",
        valid_from="2017-04-28",
        valid_to=TGI_TO_TJ,
        valid_from_basis="attested",
        source=MAY_SOURCE,
    )
    court(
        id="tj-mamoudzou",
        type="tribunal_judiciaire",
        name="Tribunal judiciaire de Mamoudzou",
        seat_code_insee=code,
        parent_id="ca-saint-denis",
        valid_from=TGI_TO_TJ,
        valid_from_basis="in_force",
        source=f"{L2019_SOURCE}; {MAY_SOURCE}; {JL_SOURCE}",
        note="Appeals are heard by the chambre d'appel of the cour d'appel de Saint-Denis "
        "sitting at Mamoudzou.",
    )
    ressort(
        court_id="tj-mamoudzou",
        granularity="departement",
        code="976",
        scope="territory",
        valid_from="2017-04-28",
        valid_from_basis="attested",
        source=MAY_SOURCE,
    )

    # Tribunaux de première instance and their sections détachées (T4, second and third tables).
    for seat, dept, ca_id in [
        ("Nouméa", "988", "ca-noumea"),
        ("Mata-Utu", "986", "ca-noumea"),
        ("Papeete", "987", "ca-papeete"),
        ("Saint-Pierre", "975", "tsa-saint-pierre"),
    ]:
        jl_code = {
            "Nouméa": "98818",
            "Mata-Utu": "98613",
            "Papeete": "98735",
            "Saint-Pierre": "97502",
        }[seat]
        if jl_code not in cog or cog[jl_code]["departement"] != dept:
            raise SystemExit(f"TPI {seat}: {jl_code} not a commune of {dept}")
        tpi_id = "tpi-" + slug(seat)
        court(
            id=tpi_id,
            type="tribunal_premiere_instance",
            name=f"Tribunal de première instance {of(seat)}",
            seat_code_insee=jl_code,
            parent_id=ca_id,
            valid_from=T4_DATE,
            valid_from_basis="attested",
            source=T4_SOURCE,
        )
        ressort(
            court_id=tpi_id,
            granularity="departement",
            code=dept,
            scope="territory",
            valid_from=T4_DATE,
            valid_from_basis="attested",
            source=T4_SOURCE,
            note="T4: the whole collectivité",
        )
    for seat, dept, parent_seat, area in [
        ("Koné", "988", "Nouméa", "Province Nord"),
        ("Lifou", "988", "Nouméa", "Province des Îles Loyauté"),
        ("Uturoa", "987", "Papeete", "Îles Sous-le-Vent"),
        ("Nuku-Hiva", "987", "Papeete", "Îles Marquises"),
    ]:
        parent = "tpi-" + slug(parent_seat)
        matches = [
            c for c, r in cog.items() if r["departement"] == dept and slug(r["nom"]) == slug(seat)
        ]
        court(
            id="sd-" + slug(seat),
            type="section_detachee",
            name=f"Section détachée {of(seat)} du tribunal de première instance {of(parent_seat)}",
            seat_code_insee=matches[0] if len(matches) == 1 else "",
            parent_id=parent,
            valid_from=T4_DATE,
            valid_from_basis="attested",
            source=T4_SOURCE,
            note=f"T4 ressort: {area} (not mapped to communes here; the tribunal de première "
            "instance covers the whole collectivité)"
            + ("" if len(matches) == 1 else "; seat name not found as a commune of the COG"),
        )

    # Chambres détachées.
    for parent_seat, dept, seat, since, source in CHAMBRES:
        parent_id = "tj-" + slug(TJ_LABELS.get(parent_seat, parent_seat))
        code = seat_code(seat, dept, cog)
        cd_id = "cd-" + slug(seat)
        if since is not None:
            court(
                id=cd_id,
                type="chambre_detachee",
                name=f"Chambre détachée du tribunal de grande instance {of(parent_seat)} à {seat}",
                seat_code_insee=code,
                parent_id=parent_id,
                valid_from=since,
                valid_to=TGI_TO_TJ,
                valid_from_basis="in_force",
                source=source,
            )
            court(
                id=cd_id,
                type="chambre_detachee",
                name=f"Chambre détachée du tribunal judiciaire {of(parent_seat)} à {seat}",
                seat_code_insee=code,
                parent_id=parent_id,
                valid_from=TGI_TO_TJ,
                valid_from_basis="in_force",
                source=f"{L2019_SOURCE}; {JL_SOURCE}",
            )
        else:
            court(
                id=cd_id,
                type="chambre_detachee",
                name=f"Chambre détachée du tribunal judiciaire {of(parent_seat)} à {seat}",
                seat_code_insee=code,
                parent_id=parent_id,
                valid_from=JL_DATE,
                valid_from_basis="attested",
                source=source,
                note="Listed by Judilibre in 2026; creation date not retrieved.",
            )

    # Enclaves and the seat rule.
    for seat, dept, note in ENCLAVES:
        ressort(
            court_id="tj-" + slug(seat),
            granularity="departement",
            code=dept,
            scope="enclave",
            valid_from=T4_DATE,
            valid_from_basis="attested",
            source=T4_SOURCE,
            note=note,
        )
    first_instance = [
        c for c in courts if c["type"] in ("tribunal_judiciaire", "tribunal_premiere_instance")
    ]
    territory_depts: dict[str, set[str]] = {}
    for r in ressorts:
        if r["scope"] == "territory":
            territory_depts.setdefault(r["code"], set()).add(r["court_id"])
    for c in first_instance:
        seat_dept = cog[c["seat_code_insee"]]["departement"]
        if len(territory_depts.get(seat_dept, ())) > 1:
            since = min(
                r["valid_from"]
                for r in ressorts
                if r["court_id"] == c["id"] and r["code"] == seat_dept
            )
            basis = next(
                r["valid_from_basis"]
                for r in ressorts
                if r["court_id"] == c["id"] and r["code"] == seat_dept and r["valid_from"] == since
            )
            ressort(
                court_id=c["id"],
                granularity="commune",
                code=c["seat_code_insee"],
                scope="territory",
                valid_from=since,
                valid_from_basis=basis,
                source=f"{T4_SOURCE}: the seat's cantons are in the seat court's ressort",
                note="seat rule: a court's seat commune lies within its own ressort",
            )
    for c in courts:
        c["seat_commune"] = cog[c["seat_code_insee"]]["nom"] if c["seat_code_insee"] else ""
    courts.sort(key=lambda c: (c["type"], c["id"], c["valid_from"]))
    ressorts.sort(key=lambda r: (r["court_id"], r["granularity"], r["code"], r["valid_from"]))
    return courts, ressorts


def render(rows: list[dict[str, str]], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def main(argv: list[str]) -> int:
    courts, ressorts = build()
    outputs = {
        HERE / "courts.csv": render(courts, COURT_COLUMNS),
        HERE / "ressorts.csv": render(ressorts, RESSORT_COLUMNS),
    }
    if "--check" in argv:
        stale = [
            p.name
            for p, text in outputs.items()
            if not p.exists() or p.read_text(encoding="utf-8") != text
        ]
        if stale:
            print(f"stale: {', '.join(stale)} (run build_courts.py)", file=sys.stderr)
            return 1
        return 0
    for path, text in outputs.items():
        path.write_text(text, encoding="utf-8")
    tj = sum(1 for c in courts if c["type"] == "tribunal_judiciaire")
    ca = sum(1 for c in courts if c["type"] == "cour_appel")
    print(
        f"{len(courts)} court versions ({ca} cours d'appel, {tj} tribunaux judiciaires), "
        f"{len(ressorts)} ressort rows"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
