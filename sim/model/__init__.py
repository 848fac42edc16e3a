"""The agent-based model: organisations as Mesa agents, staff as numpy arrays, the monthly processes.

This package imports Mesa first, before any of its modules does, and leaves the caller's
multiprocessing start method as it was: Mesa 3.3's batch runner (imported by ``import mesa``) sets the
start method to "spawn" for the whole program (``multiprocessing.set_start_method("spawn",
force=True)`` in ``mesa/batchrunner.py``; Mesa >= 3.4 does that only when ``mesa.batch_run`` is
called). A script that drives the model from a multiprocessing pool without an ``if __name__ ==
"__main__"`` guard would otherwise hang.
"""

import multiprocessing

_start_method = multiprocessing.get_start_method(allow_none=True)
import mesa  # noqa: E402, F401  (first import of Mesa in the process: see the docstring)

multiprocessing.set_start_method(_start_method, force=True)
del _start_method
