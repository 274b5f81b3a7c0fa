"""The entry point: the FastAPI app, the ``srj`` command line, the demo, the ASGI module.

The composition root: the one package that imports every domain (``refdata``, ``identity``,
``matching``) and assembles them. The plumbing the domains share (database, settings, auth,
problem details, request dependencies) is ``srj``, which imports no domain.
"""
