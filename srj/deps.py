"""Typed FastAPI dependencies shared by every router (``SessionDep``, ``WriteSessionDep``...),
and the unit of work of routes that run their whole work in the thread pool.

The session is committed when the endpoint returns without error and rolled back otherwise;
``scope="function"`` makes that happen before the response leaves, so a client that got a 2xx
can read its own write. :func:`run_unit_of_work` gives the same guarantee in one hop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from srj.db import session_scope
from srj.settings import Settings, get_settings

T = TypeVar("T")


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


async def run_unit_of_work(
    request: Request, work: Callable[[Session], T], *, write: bool = True
) -> T:
    """Run ``work`` with a session of the app, in one hop to the thread pool: committed before
    it returns (as ``WriteSessionDep``), rolled back if it raises.

    For an async route whose work is all synchronous database work: the session dependency
    would add two hops (its start and its commit), and under concurrent requests each hop
    waits for the GIL.
    """
    name = "write_session_factory" if write else "session_factory"
    factory: sessionmaker[Session] = getattr(request.app.state, name)
    return await run_in_threadpool(_in_unit_of_work, factory, work)


def _in_unit_of_work(factory: sessionmaker[Session], work: Callable[[Session], T]) -> T:
    with session_scope(factory) as session:
        return work(session)
