"""A one-line notice on stderr before the innovation layer is compiled (the first run after an install
or an edit of the compiled code), so that 30-60 s of silence do not look like a hang."""

from __future__ import annotations

import sys

NOTICE = "opisim: compiling the innovation layer (once for this code, about a minute) ..."
_checked = False


def notify_if_compiling() -> bool:
    """Print :data:`NOTICE` to stderr if the compiled steps are not cached for the current sources.

    Checks once per process (a process compiles at most once). Returns whether it printed.
    """
    global _checked
    if _checked:
        return False
    _checked = True
    from sim.model.innovation import jit

    cache_is_warm = getattr(jit, "cache_is_warm", None)  # None: cannot tell, say nothing
    if cache_is_warm is None or cache_is_warm():
        return False
    print(NOTICE, file=sys.stderr, flush=True)
    return True
