"""Pausing Python's cyclic garbage collector around bulk work on the GUI thread.

Turning a crowded period's rows into view items creates thousands of small objects
that all survive. Each time 700 have piled up the collector walks the young ones, and
every few rounds all objects made since start-up's ``gc.freeze()``; measured on an
overlaid month (``benchmarks/calendar_views.py``), that was half the time the conversion
and layout took. Reference counting frees everything as usual while paused; only the
search for reference cycles waits until the block ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block without cyclic garbage collection (nests; restores the state)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
