"""Qt user interface. Talks to services only through the task runner."""

import sys


def _pin_singletons() -> None:
    """Work around a refcount bug of PySide6 6.12 on Python 3.11.

    Measured here: every call of a Python override of a void virtual (paintEvent,
    mousePressEvent…) and every signal delivered to a C++ slot drops one reference to
    None, and emitting a bool argument drops one to True, so a painted widget aborts the
    process ("Fatal Python error: none_dealloc") after some thousands of repaints. On
    Python ≥ 3.12 these objects are immortal and the bug is harmless; here we give them a
    reference count they can never use up (ob_refcnt is the first field of PyObject).
    """
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    import ctypes

    for obj in (None, True, False):
        ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 48


_pin_singletons()
