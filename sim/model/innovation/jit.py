"""Compiling the innovation layer: one decorator, a cache keyed on every compiled module, a pure-Python path.

Every monthly step of the innovation layer is compiled with numba through :func:`jit` and cached on disk.
numba's own cache is keyed on the file that defines a function, so a step that calls a step of another
module would keep the old callee after that module is edited. Here the cache of every function of the
package is keyed on one fingerprint: a hash of the source of every module whose code or constants
compiled code can see (:data:`FINGERPRINT_FILES`). Editing any of them invalidates every cached step at
once, and the next process compiles afresh (30-60 s, once).

Setting ``NUMBA_DISABLE_JIT=1`` before importing ``sim`` runs the very same functions as plain Python
(slow: for small runs, a debugger, coverage), with identical results; :data:`PURE_PYTHON` says which path
is active.
"""

from __future__ import annotations

import hashlib
import os
import pathlib
from collections.abc import Callable
from functools import cache
from typing import Any

import numba
from numba.core import caching, config

PACKAGE_DIR = pathlib.Path(__file__).resolve().parent
SIM_DIR = PACKAGE_DIR.parents[1]
# Every module whose functions are compiled, or whose constants or types compiled code reads.
FINGERPRINT_FILES = (
    *sorted(PACKAGE_DIR.glob("*.py")),
    SIM_DIR / "levers.py",
    SIM_DIR / "model" / "demography.py",
)
PURE_PYTHON = bool(config.DISABLE_JIT)
ENTRY_POINTS: list[Any] = []  # dispatchers that Python calls directly (``jit(entry=True)``)


@cache
def fingerprint() -> bytes:
    """SHA-256 over the sources of :data:`FINGERPRINT_FILES` (and numba's version)."""
    digest = hashlib.sha256(numba.__version__.encode())
    for path in FINGERPRINT_FILES:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.digest()


class PackageCacheLocator(caching.InTreeCacheLocator):
    """numba cache locator for the functions of this package: in ``__pycache__`` next to the code (or in
    ``NUMBA_CACHE_DIR`` if set), stamped with the package :func:`fingerprint` instead of the defining
    file's own modification time and size."""

    def __init__(self, py_func, py_file) -> None:
        super().__init__(py_func, py_file)
        if config.CACHE_DIR:
            self._cache_path = os.path.join(
                config.CACHE_DIR, self.get_suitable_cache_subpath(py_file)
            )

    def get_source_stamp(self) -> bytes:
        return fingerprint()

    @classmethod
    def from_function(cls, py_func, py_file):
        if pathlib.Path(py_file).resolve().parent != PACKAGE_DIR:
            return None
        return super().from_function(py_func, py_file)


if PackageCacheLocator not in caching.CacheImpl._locator_classes:
    caching.CacheImpl._locator_classes.insert(0, PackageCacheLocator)


def jit(func: Callable | None = None, *, entry: bool = False, inline: bool = False) -> Callable:
    """Compile ``func`` with numba (``nopython``, ``nogil``, cached under the package fingerprint); with
    ``NUMBA_DISABLE_JIT=1`` it stays the Python function. ``entry=True`` marks a function that Python
    calls directly (its cache entry holds its callees), which :func:`cache_is_warm` checks. ``inline=True``
    inlines a small helper into each caller at numba's IR level: a helper that the roll-out calls for
    every engagement then costs no call and no reference counting of the arrays it reads."""
    if func is None:
        return lambda f: jit(f, entry=entry, inline=inline)
    dispatcher = numba.njit(cache=True, nogil=True, inline="always" if inline else "never")(func)
    if entry and not PURE_PYTHON:
        ENTRY_POINTS.append(dispatcher)
    return dispatcher


def cache_is_warm() -> bool:
    """Whether every entry point (``jit(entry=True)``) has a cache entry for the current sources: if not,
    the next run compiles first (30-60 s). Always true on the pure-Python path."""
    import sim.model.innovation.pipeline  # noqa: F401  (defines every compiled step)

    for dispatcher in ENTRY_POINTS:
        cache_file = dispatcher._cache._cache_file
        if not cache_file._load_index():  # an index stamped with other sources counts as empty
            return False
    return True
