"""Serwis: task cards and the hours summary.

Placeholder registration written by the main-window work; the Serwis screens replace
``MODULE`` with their own (same key, title, order and visibility).
"""

from eszok_desktop.ui.module_placeholder import placeholder_module

MODULE = placeholder_module(
    "service",
    "Serwis",
    30,
    lambda user: user.can("cards.own") or user.can("hours.own") or user.can("hours.all"),
)
