"""Tables of this domain (filled as the domain lands)."""
