"""What every screen of a signed-in window gets: the database, the runner, the user."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from eszok_desktop.db.engine import Database
from eszok_desktop.services.auth import CurrentUser
from eszok_desktop.ui.task_runner import TaskRunner


@dataclass
class AppContext:
    db: Database
    runner: TaskRunner
    user: CurrentUser


@dataclass(frozen=True)
class ModuleSpec:
    """A module of the main window (Panel Główny, Terminarz, Serwis, Administracja…).

    Each module's ``ui/<module>/__init__.py`` exposes one ``MODULE``; the main window lists
    them. ``title`` is translated when the menu is built.
    """

    key: str
    title: str
    order: int
    visible_for: Callable[[CurrentUser], bool]
    factory: Callable[[AppContext], QWidget]
