"""Composition root: settings, database plumbing, the FastAPI app and the ``srj`` command line.

The domain packages (``refdata``, ``identity``, ``matching``) know nothing of this package except
``srj.db`` (the declarative base and session plumbing) and ``srj.settings``.
"""

__version__ = "0.1.0"
