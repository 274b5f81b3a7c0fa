"""What the reviewer reads: field comparison, the model's reasons, known namesakes."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st
from registry_helpers import decide_different
from sqlalchemy.orm import Session

from identity.ids import new_person_id
from identity.repository import key_hash
from identity.review.comparison import compare_fields, parse_contributions, prior_weight
from identity.review.config import ReviewSettings
from identity.review.namesakes import find_namesakes
from identity.review.repository import ReviewRepository

json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)


@given(json_values)
def test_parse_contributions_never_fails_and_keeps_only_finite_weights(raw: object) -> None:
    for c in parse_contributions(raw):
        assert c.weight == c.weight  # not NaN
        assert abs(c.weight) != float("inf")


def test_parse_contributions_reads_every_shape_the_scorer_may_give() -> None:
    shapes = [
        {"nom": 4.5, "dn": -2},
        {"nom": ["exact", 4.5], "dn": ["différente", -2]},
        {
            "nom": {"label": "exact", "weight": 4.5},
            "dn": {"level": "différente", "match_weight": -2},
        },
        [{"comparison": "nom", "label": "exact", "weight": 4.5}, {"name": "dn", "weight": -2}],
    ]
    for raw in shapes:
        parsed = {c.comparison: c.weight for c in parse_contributions(raw)}
        assert parsed == {"nom": 4.5, "dn": -2.0}
    levels = {c.comparison: c.level for c in parse_contributions(shapes[1])}
    assert levels == {"nom": "exact", "dn": "différente"}
    assert prior_weight(10.0, parse_contributions(shapes[0])) == 7.5


traits = st.fixed_dictionaries(
    {},
    optional={
        "nom_naissance": st.sampled_from(["Dupont", "DUPONT", "Martin", "Dupond"]),
        "nom_usage": st.sampled_from(["Martin", "Durand"]),
        "prenoms": st.sampled_from(["Jean", "Jean Pierre", "Paul"]),
        "date_naissance": st.sampled_from(["1980-01-02", "1980-02-01"]),
        "code_commune_naissance": st.sampled_from(["75056", "69123"]),
    },
)


@given(traits, traits)
def test_agreement_does_not_depend_on_which_side_is_left(left: dict, right: dict) -> None:
    forward = [r.agreement for r in compare_fields(left, right, {}, {})]
    backward = [r.agreement for r in compare_fields(right, left, {}, {})]
    assert forward == backward


def test_standardised_keys_decide_and_crossed_names_are_recognised() -> None:
    rows = {
        r.field: r
        for r in compare_fields(
            {"nom_naissance": "Martin", "prenoms": "Jean-Pierre", "date_naissance": "1980-01-02"},
            {"nom_naissance": "Durand", "nom_usage": "Martin", "prenoms": "Jean Pierre"},
            {"nom_std": "MARTIN", "prenoms_std": "JEAN PIERRE", "dn": "1980-01-02"},
            {"nom_std": "DURAND", "nom_usage_std": "MARTIN", "prenoms_std": "JEAN PIERRE"},
        )
    }
    assert rows["prenoms"].agreement == "agree"
    assert rows["nom_naissance"].agreement == "cross"
    assert rows["date_naissance"].agreement == "missing"
    assert rows["nom_naissance"].left_standardised == "MARTIN"


def test_nom_and_prenoms_swapped_by_a_clerk_read_as_crossed() -> None:
    rows = {
        r.field: r.agreement
        for r in compare_fields(
            {"nom_naissance": "Anthony-Steven"},
            {"nom_naissance": "Kalyoncu", "prenoms": "Anthony Steven"},
            {},
            {},
        )
    }
    assert rows["nom_naissance"] == "cross"
    assert rows["prenoms"] == "cross"


def _add_person(session: Session, stds: list[dict], keys: list[str]) -> tuple[str, list[uuid.UUID]]:
    registry = ReviewRepository(session).registry
    now = datetime.now(UTC)
    pid = new_person_id()
    registry.persons.insert_persons(
        [
            {
                "id": pid,
                "status": "active",
                "merged_into_id": None,
                "created_at": now,
                "updated_at": now,
            }
        ]
    )
    ids = []
    for std in stds:
        rid = uuid.uuid4()
        ids.append(rid)
        registry.records.insert_records(
            [
                {
                    "id": rid,
                    "source": "APPI",
                    "ref_hmac": rid.bytes * 2,
                    "ref_key_id": "k",
                    "sealed": b"-",
                    "seal_key_id": "k",
                    "traits_digest": rid.bytes * 2,
                    "std": json.dumps(std),
                    "std_version": "t",
                    "record_date": None,
                    "retain_until": date(2060, 1, 1),
                    "created_at": now,
                    "updated_at": now,
                }
            ]
        )
        registry.persons.insert_links(
            [
                {
                    "record_id": rid,
                    "person_id": pid,
                    "origin": "auto",
                    "match_probability": None,
                    "match_weight": None,
                    "model_version": "t",
                    "decision_id": None,
                    "linked_at": now,
                }
            ]
        )
        registry.records.replace_blocking_keys(
            [], [{"key_hash": key_hash(k), "record_id": rid} for k in keys]
        )
    return pid, ids


def test_namesakes_share_the_name_and_include_persons_declared_different(
    db_session: Session,
) -> None:
    dupont = {"np_sig": "DIPAN|JAN", "dn": "1980-01-02", "lieu_nom": "LYON", "sexe_std": "M"}
    left_pid, (left,) = _add_person(db_session, [dupont], ["k:dupont"])
    right_pid, (right,) = _add_person(db_session, [{**dupont, "lieu_nom": None}], ["k:dupont"])
    twin_pid, _ = _add_person(db_session, [{**dupont, "lieu_nom": "ORAN"}], ["k:dupont"])
    _other_pid, _ = _add_person(db_session, [{**dupont, "np_sig": "DIPAN|PAL"}], ["k:dupont"])
    apart_pid, (apart,) = _add_person(db_session, [{"np_sig": "ZZ|YY"}], ["k:elsewhere"])
    decide_different(db_session, left, apart)
    repo = ReviewRepository(db_session)
    found = find_namesakes(
        repo,
        [(left, dupont), (right, {**dupont, "lieu_nom": None})],
        exclude_persons={left_pid, right_pid},
        settings=ReviewSettings(),
    )
    by_person = {n.person_id: n for n in found}
    assert set(by_person) == {twin_pid, apart_pid}
    assert by_person[twin_pid].resembles == "both"
    assert by_person[twin_pid].lieu_naissance == "ORAN"
    assert by_person[twin_pid].declared_different is False
    assert by_person[apart_pid].declared_different is True
    assert by_person[apart_pid].resembles == "left"
    assert found[0].person_id == apart_pid  # declared-different persons first
    assert (
        find_namesakes(
            repo,
            [(left, dupont), (right, dupont)],
            exclude_persons={left_pid, right_pid},
            settings=ReviewSettings(max_namesakes=0),
        )
        == []
    )


def test_same_country_name_with_different_codes_says_the_code_differs() -> None:
    """``RUSSIE (99123)`` against ``RUSSIE (99122)`` read "diffère": it now says that the name
    agrees, the code does not, and (on the page) how the model weighed it."""
    left = {"pays_naissance": "RUSSIE", "code_pays_naissance": "99123"}
    right = {"pays_naissance": "Russie", "code_pays_naissance": "99122"}
    row = next(r for r in compare_fields(left, right, {}, {}) if r.field == "pays_naissance")
    assert row.agreement == "code_differs"
    assert row.note is not None
    assert "même libellé « RUSSIE »" in row.note
    assert "99123 et 99122" in row.note
    other = {"pays_naissance": "POLOGNE", "code_pays_naissance": "99122"}
    plain = next(r for r in compare_fields(left, other, {}, {}) if r.field == "pays_naissance")
    assert (plain.agreement, plain.note) == ("differ", None)
