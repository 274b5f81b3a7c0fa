"""The review pages for parquet staff (``/revue/``): server-rendered, French, no network."""

from identity.web.pages import router

__all__ = ["router"]
