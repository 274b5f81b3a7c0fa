"""Reference data (SRJ / NATINF): offences, penalties, courts, tariffs.

Versioned, public, and free of personal data.
"""
