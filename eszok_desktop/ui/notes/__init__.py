"""Notatki (F-NOTES). Not a main-window module of its own: Terminarz shows the panel as a
dock (``NotesDockHost`` / ``make_notes_dock``) and Panel Główny as a section
(``NotesPanel``)."""

from eszok_desktop.ui.notes.notes_panel import (
    NotesDock,
    NotesDockHost,
    NotesPanel,
    make_notes_dock,
)

__all__ = ["NotesDock", "NotesDockHost", "NotesPanel", "make_notes_dock"]
