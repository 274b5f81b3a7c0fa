"""The NATINF domain: offences as published in the official file, curated penalties, search,
sentence checks.

``official_file`` reads the official file; ``service`` imports it as ``natinf`` releases and
``penalties`` the curated penalties as ``penalties`` releases; ``offences`` and ``search``
answer reads as of a date; ``sentence_checks`` says whether a sentence is legal;
``release`` declares what the two datasets' releases publish (``refdata.releases`` does the
publishing).
"""
