"""HTTP routes of the reference data.

``router`` is what ``entrypoint.app`` includes. Each part of the domain has its own router with full
paths under ``/v1``; add a part with one ``router.include_router(...)`` line at the bottom.
Reads are public; imports need the ``admin`` role.
"""

from __future__ import annotations

from fastapi import APIRouter

from refdata.communes.api import router as communes_router
from refdata.courts.api import router as courts_router
from refdata.law.api import router as law_router
from refdata.natinf.imports_api import router as imports_router
from refdata.natinf.offences_api import router as offences_router
from refdata.natinf.sentence_checks_api import router as sentence_checks_router
from refdata.releases.api import router as releases_router
from refdata.tariffs.api import router as tariffs_router

router = APIRouter()
router.include_router(offences_router)
router.include_router(releases_router)
router.include_router(sentence_checks_router)
router.include_router(imports_router)
router.include_router(courts_router)
router.include_router(communes_router)
router.include_router(tariffs_router)
router.include_router(law_router)
