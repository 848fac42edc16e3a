"""A local worker process: reads tasks from stdin, runs them, writes outcomes to the real stdout.

Started by :class:`sim.experiments.executors.LocalProcessExecutor` as ``python -m
sim.experiments.worker``. Messages are length-prefixed pickles: ``("context", bytes)`` once, then
``("task", Task)`` answered by ``("outcome", dict)``; ``("stop", None)`` or end of input ends the worker.
Anything the model prints goes to stderr, so it cannot corrupt the message stream.
"""

from __future__ import annotations

import os
import sys


def main() -> int:
    """Serve tasks until stopped; returns the exit code."""
    from sim.experiments.executors import _recv, _send, run_task

    protocol_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray prints from the model go to stderr
    protocol_in = sys.stdin.buffer
    context_blob: bytes | None = None
    while True:
        try:
            kind, payload = _recv(protocol_in)
        except EOFError:
            return 0
        if kind == "context":
            context_blob = payload
        elif kind == "task":
            if context_blob is None:
                raise RuntimeError("task received before context")
            try:
                _send(protocol_out, ("outcome", run_task(context_blob, payload)))
            except BrokenPipeError:  # the parent has gone
                return 0
        elif kind == "stop":
            return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
