"""Announcements as administrators and managers publish them (F-PANEL).

The ``announcements_publish`` policy of 0001 lets holders of ``announcements.publish``
read and change every announcement; everybody else reads only the current ones (Panel
Główny uses ``services.panel.current_announcements``). Edits use optimistic locking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from eszok_desktop.services.admin.errors import NotFound, conflict, translated
from eszok_desktop.services.errors import PermissionDenied, ValidationError

MAX_TITLE = 200
MAX_BODY = 10000


@dataclass(frozen=True)
class AnnouncementRow:
    id: int
    title: str
    body: str
    visible_from: datetime
    visible_to: datetime | None
    author_name: str
    created_at: datetime
    version: int

    def state(self, now: datetime) -> str:
        """'scheduled', 'current' or 'expired' at ``now``."""
        if self.visible_from > now:
            return "scheduled"
        if self.visible_to is not None and self.visible_to <= now:
            return "expired"
        return "current"


def validate(
    title: str, body: str, visible_from: datetime | None, visible_to: datetime | None
) -> tuple[str, str]:
    """Check an announcement's fields; returns the trimmed title and body."""
    title = title.strip()
    body = body.strip()
    if not title:
        raise ValidationError("title", "required")
    if len(title) > MAX_TITLE:
        raise ValidationError("title", "too_long", MAX_TITLE)
    if len(body) > MAX_BODY:
        raise ValidationError("body", "too_long", MAX_BODY)
    if visible_to is not None and visible_from is not None and visible_to <= visible_from:
        raise ValidationError("visible_to", "before_start")
    return title, body


def list_announcements(session: Session) -> list[AnnouncementRow]:
    """Every announcement the caller may see (all for publishers), newest first."""
    rows = session.execute(
        text(
            "SELECT a.id, a.title, a.body, a.visible_from, a.visible_to, u.full_name, "
            "a.created_at, a.version FROM eszok.announcements a "
            "JOIN auth.users u ON u.id = a.author_id "
            "ORDER BY a.visible_from DESC, a.id DESC"
        )
    )
    return [AnnouncementRow(*row) for row in rows]


def publish(
    session: Session,
    *,
    title: str,
    body: str,
    visible_from: datetime | None = None,
    visible_to: datetime | None = None,
) -> int:
    """Publish an announcement (visible from now when ``visible_from`` is None)."""
    title, body = validate(title, body, visible_from, visible_to)
    with translated(unique_field="visible_to"):
        return int(
            session.execute(
                text(
                    "INSERT INTO eszok.announcements (title, body, visible_from, visible_to) "
                    "VALUES (:t, :b, coalesce(:f, now()), :u) RETURNING id"
                ),
                {"t": title, "b": body, "f": visible_from, "u": visible_to},
            ).scalar_one()
        )


def edit(
    session: Session,
    announcement_id: int,
    version: int,
    *,
    title: str,
    body: str,
    visible_from: datetime,
    visible_to: datetime | None,
) -> None:
    """Save changes to an announcement read at ``version``.

    Raises ConflictError when someone saved it meanwhile.
    """
    title, body = validate(title, body, visible_from, visible_to)
    with translated(unique_field="visible_to"):
        updated = session.execute(
            text(
                "UPDATE eszok.announcements SET title = :t, body = :b, visible_from = :f, "
                "visible_to = :u, version = version + 1 WHERE id = :i AND version = :v "
                "RETURNING id"
            ),
            {
                "t": title,
                "b": body,
                "f": visible_from,
                "u": visible_to,
                "i": announcement_id,
                "v": version,
            },
        ).first()
    if updated is None:
        raise _why_not_saved(session, announcement_id)


def expire(session: Session, announcement_id: int) -> None:
    """End an announcement's visibility now (a scheduled one never shows)."""
    with translated(unique_field="visible_to"):
        # now() is the transaction's time, so the row is expired for every later reader;
        # visible_from moves back only for a scheduled one, to keep visible_to > from.
        updated = session.execute(
            text(
                "UPDATE eszok.announcements SET visible_to = now(), "
                "visible_from = least(visible_from, now() - interval '1 second') "
                "WHERE id = :i RETURNING id"
            ),
            {"i": announcement_id},
        ).first()
    if updated is None:
        raise _why_not_saved(session, announcement_id)


def delete(session: Session, announcement_id: int) -> None:
    """Delete an announcement (its history stays in the change log)."""
    with translated():
        deleted = session.execute(
            text("DELETE FROM eszok.announcements WHERE id = :i RETURNING id"),
            {"i": announcement_id},
        ).first()
    if deleted is None:
        raise _why_not_saved(session, announcement_id)


def _why_not_saved(session: Session, announcement_id: int) -> Exception:
    row = session.execute(
        text("SELECT 1 FROM eszok.announcements WHERE id = :i"), {"i": announcement_id}
    ).first()
    if row is None:
        return NotFound(f"announcement {announcement_id}")
    if not session.execute(text("SELECT auth.has_capability('announcements.publish')")).scalar():
        return PermissionDenied("announcements.publish needed")
    return conflict(session, "announcements", announcement_id)
