"""Server-side state of the review pages' sessions: what makes a logout final.

The session cookie is signed (``identity.web.session``), but a signature alone cannot be
taken back: a cookie captured before a logout stayed valid until it expired (up to 8 hours).
Each session opened at login is recorded here, keyed by the SHA-256 of the random session id
the cookie carries (the table never holds a usable id); a page is served only while its row
exists, has not ended and has not expired. Logging out ends the row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from srj.db import Base


class ReviewWebSession(Base):
    __tablename__ = "identity_review_web_sessions"

    # SHA-256 (hex) of the cookie's session id.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_identity_review_web_sessions_subject", "subject"),
        Index("ix_identity_review_web_sessions_expires_at", "expires_at"),
    )
