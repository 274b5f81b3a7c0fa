"""Pseudonymised references and sealed traits: bound to their row, rotatable."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from registry_helpers import key_spec

from identity.crypto import DecryptionError, KeyConfigError, Keyring, RegistryCrypto


def crypto(n_keys: int = 1) -> RegistryCrypto:
    return RegistryCrypto.from_specs(key_spec(n_keys), key_spec(n_keys))


@given(st.dictionaries(st.text(max_size=10), st.text(max_size=30), max_size=8))
def test_seal_roundtrip(traits: dict[str, str]) -> None:
    c = crypto()
    rid = uuid.uuid4()
    key_id, sealed = c.sealer.seal(rid, traits)
    assert c.sealer.open(rid, key_id, sealed) == traits


def test_ciphertext_is_bound_to_its_record() -> None:
    c = crypto()
    rid, other = uuid.uuid4(), uuid.uuid4()
    key_id, sealed = c.sealer.seal(rid, {"nom_naissance": "DUPONT"})
    assert b"DUPONT" not in sealed
    with pytest.raises(DecryptionError):
        c.sealer.open(other, key_id, sealed)  # copied onto another row: refused
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(DecryptionError):
        c.sealer.open(rid, key_id, tampered)


def test_rotation_reads_old_rows_and_writes_new_ones() -> None:
    old, new = crypto(1), crypto(2)  # new ring: t2 first, then t1
    rid = uuid.uuid4()
    key_id, sealed = old.sealer.seal(rid, {"prenoms": "ANNE"})
    assert key_id == "t1"
    assert new.sealer.open(rid, key_id, sealed) == {"prenoms": "ANNE"}
    assert new.sealer.seal(rid, {})[0] == "t2"
    # Lookups try every key: the old HMAC is still found.
    old_hmac = old.pseudonymiser.ref_hmac("GENESIS", "E-123")
    assert old_hmac in [h for _, h in new.pseudonymiser.ref_hmacs("GENESIS", "E-123")]
    assert new.pseudonymiser.ref_hmac("GENESIS", "E-123") != old_hmac


def test_hmac_separates_source_from_reference() -> None:
    p = crypto().pseudonymiser
    assert p.ref_hmac("AB", "C1") != p.ref_hmac("A", "BC1")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "no key"),
        ("k1", "id:base64key"),
        ("k1:!!!", "base64"),
        ("k1:AAAA", "32 bytes"),
        (key_spec(1) + "," + key_spec(1), "twice"),
        ("bad id:" + key_spec(1).split(":")[1], "invalid key id"),
    ],
)
def test_key_configuration_errors_are_specific(spec: str, message: str) -> None:
    with pytest.raises(KeyConfigError, match=message):
        Keyring.parse(spec, name="SRJ_ENCRYPTION_KEYS")
