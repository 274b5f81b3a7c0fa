"""Requests refused before any route sees them.

A NUL character in the path or the query string is never meaningful here, and PostgreSQL
refuses it in text values: without this guard a ``?q=%00`` surfaced as a 500 from the driver
on PostgreSQL while SQLite answered normally.
"""

from __future__ import annotations

import json
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Receive, Scope, Send

from srj.problems import PROBLEM_BASE, PROBLEM_JSON


class RejectNulMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        where = _nul_location(scope) if scope["type"] == "http" else None
        if where is not None:
            # 422 like any other invalid parameter, so clients handle it the same way.
            body = json.dumps(
                {
                    "type": PROBLEM_BASE + "validation-error",
                    "title": "Invalid request",
                    "status": 422,
                    "detail": f"The {where} contains a NUL character (%00), "
                    "which no parameter accepts.",
                    "errors": [
                        {
                            "location": [where],
                            "type": "invalid_character",
                            "message": "NUL character",
                        }
                    ],
                }
            ).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 422,
                    "headers": [
                        (b"content-type", PROBLEM_JSON.encode()),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


def _nul_location(scope: Scope) -> str | None:
    raw_path = scope.get("raw_path") or scope.get("path", "").encode()
    if b"\x00" in unquote_to_bytes(raw_path):
        return "path"
    if b"\x00" in unquote_to_bytes(scope.get("query_string", b"")):
        return "query"
    return None
