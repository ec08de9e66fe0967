"""Administracja: users, roles, grants, approvals, announcements, the change log.

Placeholder registration written by the main-window work; the administration screens
replace ``MODULE`` with their own (same key, title, order and visibility).
"""

from eszok_desktop.ui.module_placeholder import placeholder_module

MODULE = placeholder_module("admin", "Administracja", 40, lambda user: user.can("admin.users"))
