"""The release machinery every dataset of the reference data publishes through.

Numbering and ordering (``service``), the rows releases open and close (``repository``),
diffs between two states (``versioning``) and between two releases (``diffs``), bulk files in
a content-addressed store (``storage``, ``downloads``), the releases of curated datasets made
of table rows (``curated``), the per-process read caches keyed by the release state
(``read_cache``). It knows no dataset by name: each dataset declares a
:class:`~refdata.releases.definition.ReleaseDefinition` in its own ``release.py`` and
``refdata.datasets`` lists them.
"""
