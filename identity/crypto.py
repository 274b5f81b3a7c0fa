"""Pseudonymisation and encryption at rest for the person registry.

- A source reference (a case number, a numéro d'écrou) is stored only as a keyed HMAC-SHA256,
  so the table alone does not tell which case a row belongs to; the key id is stored with it.
- Identity traits, as received, are sealed with AES-256-GCM. The associated data binds each
  ciphertext to its record id and key id: a ciphertext copied onto another row does not open.
- Keys come from settings as ``id:base64key,...``, newest first: the first key writes, every
  key reads. Rotating is adding a new key in front and running ``srj registry rotate-keys``,
  which rewrites every row under the new keys; the old key can then be removed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import uuid
from dataclasses import dataclass

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class KeyConfigError(ValueError):
    """The key list in settings is malformed (the message says which entry and why)."""


class DecryptionError(RuntimeError):
    """A sealed payload does not open: wrong key, unknown key id, or tampered data."""


@dataclass(frozen=True)
class Keyring:
    """Versioned keys, newest first."""

    keys: tuple[tuple[str, bytes], ...]

    @classmethod
    def parse(cls, spec: str, *, name: str) -> Keyring:
        entries: list[tuple[str, bytes]] = []
        for position, raw in enumerate(spec.split(","), start=1):
            raw = raw.strip()
            if not raw:
                continue
            key_id, sep, encoded = raw.partition(":")
            if not sep or not key_id or not encoded:
                raise KeyConfigError(f"{name}: entry {position} is not of the form id:base64key")
            if len(key_id) > 16 or not key_id.replace("-", "").replace("_", "").isalnum():
                raise KeyConfigError(
                    f"{name}: entry {position} has an invalid key id "
                    "(letters, digits, '-' or '_', at most 16)"
                )
            try:
                # Strict decoding (standard or URL-safe alphabet): a typo must not pass as a key.
                padded = encoded.replace("-", "+").replace("_", "/") + "=" * (-len(encoded) % 4)
                material = base64.b64decode(padded, validate=True)
            except (binascii.Error, ValueError):
                raise KeyConfigError(f"{name}: key {key_id!r} is not valid base64") from None
            if len(material) != 32:
                raise KeyConfigError(
                    f"{name}: key {key_id!r} must be 32 bytes, it has {len(material)}"
                )
            if any(existing == key_id for existing, _ in entries):
                raise KeyConfigError(f"{name}: key id {key_id!r} appears twice")
            entries.append((key_id, material))
        if not entries:
            raise KeyConfigError(f"{name}: no key configured")
        return cls(tuple(entries))

    @property
    def current(self) -> tuple[str, bytes]:
        return self.keys[0]

    def get(self, key_id: str) -> bytes:
        for candidate, material in self.keys:
            if candidate == key_id:
                return material
        raise DecryptionError(f"key id {key_id!r} is not configured any more")


class Pseudonymiser:
    """Keyed HMACs of source references (and of traits, to detect unchanged re-posts)."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    @staticmethod
    def _message(source: str, source_ref: str) -> bytes:
        # Length-prefixing the source makes ("AB", "C...") and ("A", "BC...") distinct.
        source_bytes = source.encode()
        return len(source_bytes).to_bytes(2, "big") + source_bytes + source_ref.encode()

    def ref_hmac(self, source: str, source_ref: str, key_id: str | None = None) -> bytes:
        material = self.keyring.get(key_id) if key_id else self.keyring.current[1]
        return hmac.new(material, self._message(source, source_ref), hashlib.sha256).digest()

    def ref_hmacs(self, source: str, source_ref: str) -> list[tuple[str, bytes]]:
        """The reference's HMAC under every configured key, newest first (lookups)."""
        return [
            (key_id, hmac.new(material, self._message(source, source_ref), hashlib.sha256).digest())
            for key_id, material in self.keyring.keys
        ]

    def digest(self, payload: bytes) -> bytes:
        """A keyed digest of a payload under the current key (equality tests only)."""
        return hmac.new(self.keyring.current[1], b"digest\x00" + payload, hashlib.sha256).digest()


class Sealer:
    """AES-256-GCM sealing of a record's identity traits, bound to the record id."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring
        self._ciphers = {key_id: AESGCM(material) for key_id, material in keyring.keys}

    @staticmethod
    def _associated_data(record_id: uuid.UUID, key_id: str) -> bytes:
        return b"srj/identity/source_record/v1\x00" + record_id.bytes + key_id.encode()

    def seal(self, record_id: uuid.UUID, traits: dict[str, object]) -> tuple[str, bytes]:
        key_id = self.keyring.current[0]
        nonce = os.urandom(NONCE_BYTES)
        plaintext = orjson.dumps(traits, option=orjson.OPT_SORT_KEYS)
        ciphertext = self._ciphers[key_id].encrypt(
            nonce, plaintext, self._associated_data(record_id, key_id)
        )
        return key_id, nonce + ciphertext

    def open(self, record_id: uuid.UUID, key_id: str, sealed: bytes) -> dict[str, object]:
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise DecryptionError(f"key id {key_id!r} is not configured any more")
        try:
            plaintext = cipher.decrypt(
                sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], self._associated_data(record_id, key_id)
            )
        except InvalidTag:
            raise DecryptionError("a sealed record does not open (tampered or misplaced)") from None
        result: dict[str, object] = orjson.loads(plaintext)
        return result


@dataclass(frozen=True)
class RegistryCrypto:
    pseudonymiser: Pseudonymiser
    sealer: Sealer

    @classmethod
    def from_specs(cls, pseudonym_keys: str, encryption_keys: str) -> RegistryCrypto:
        return cls(
            Pseudonymiser(Keyring.parse(pseudonym_keys, name="SRJ_PSEUDONYM_KEYS")),
            Sealer(Keyring.parse(encryption_keys, name="SRJ_ENCRYPTION_KEYS")),
        )


def generate_key_spec(key_id: str) -> str:
    """A fresh ``id:base64key`` entry, for operators preparing a rotation."""
    return f"{key_id}:{base64.urlsafe_b64encode(os.urandom(32)).decode()}"
