"""Every dataset the reference data publishes releases of, by name.

Each dataset declares its releases in its own subpackage (``refdata.<dataset>.release``); this
list is what the releases API and ``srj refdata export`` hand to the release machinery
(:mod:`refdata.releases.diffs`, :mod:`refdata.releases.downloads`). A new dataset adds one line.
"""

from __future__ import annotations

from refdata.communes.release import COMMUNES
from refdata.courts.release import COURTS
from refdata.law.release import LAW
from refdata.natinf.release import NATINF, PENALTIES
from refdata.releases.definition import ReleaseDefinition
from refdata.tariffs.release import TARIFFS

RELEASED_DATASETS: dict[str, ReleaseDefinition] = {
    d.name: d
    for d in (
        NATINF,
        PENALTIES,
        COURTS.definition,
        TARIFFS.definition,
        COMMUNES.definition,
        LAW.definition,
    )
}
