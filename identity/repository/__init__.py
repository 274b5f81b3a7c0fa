"""Every query of the person registry, one repository per aggregate (see ``registry.py``)."""

from identity.repository.compliance import ComplianceRepository
from identity.repository.locks import REGISTRY_LOCK, key_hash
from identity.repository.persons import PersonRepository
from identity.repository.records import (
    CandidateRow,
    ExistingRecord,
    OnlineLookup,
    RecordRepository,
)
from identity.repository.registry import RegistryRepository
from identity.repository.suggestions import SuggestionRepository

__all__ = [
    "REGISTRY_LOCK",
    "CandidateRow",
    "ComplianceRepository",
    "ExistingRecord",
    "OnlineLookup",
    "PersonRepository",
    "RecordRepository",
    "RegistryRepository",
    "SuggestionRepository",
    "key_hash",
]
