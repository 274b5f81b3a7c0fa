"""Tariffs: fixed fines, maximum fines, the child-support scale and its minimum vital."""
