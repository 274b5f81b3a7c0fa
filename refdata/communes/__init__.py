"""Communes of the Code officiel géographique, with their history.

Merged, delegated and associated communes and arrondissements municipaux keep resolving.
"""
