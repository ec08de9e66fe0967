"""SQLAlchemy mapped classes only: no Qt, no sessions, no queries."""

from eszok_desktop.models.audit import ChangeLog
from eszok_desktop.models.auth import User
from eszok_desktop.models.base import Base
from eszok_desktop.models.calendar import (
    Calendar,
    CalendarGrant,
    Event,
    EventKind,
    ShareRequest,
)
from eszok_desktop.models.notes import Note
from eszok_desktop.models.panel import Announcement
from eszok_desktop.models.roles import Role, RoleCapability
from eszok_desktop.models.service import Card, WorkKind

__all__ = [
    "Announcement",
    "Base",
    "Calendar",
    "CalendarGrant",
    "Card",
    "ChangeLog",
    "Event",
    "EventKind",
    "Note",
    "Role",
    "RoleCapability",
    "ShareRequest",
    "User",
    "WorkKind",
]
