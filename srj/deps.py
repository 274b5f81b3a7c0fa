"""Typed FastAPI dependencies shared by every router (``SessionDep``, ``WriteSessionDep``...).

The session is committed when the endpoint returns without error and rolled back otherwise;
``scope="function"`` makes that happen before the response leaves, so a client that got a 2xx
can read its own write.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from srj.settings import Settings, get_settings


def _session(request: Request, factory_name: str) -> Iterator[Session]:
    factory = getattr(request.app.state, factory_name)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def get_session(request: Request) -> Iterator[Session]:
    yield from _session(request, "session_factory")


def get_write_session(request: Request) -> Iterator[Session]:
    yield from _session(request, "write_session_factory")


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
WriteSessionDep = Annotated[Session, Depends(get_write_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]
