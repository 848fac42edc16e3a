"""Executors: run an experiment's tasks in this process, in local worker processes, or on Dask.

Every executor evaluates the same module-level function, :func:`run_task`, on the same inputs (a
:class:`Task` and the experiment's pickled :class:`RunContext`), so results do not depend on the
executor, the number of workers or the order in which runs finish. Executors yield outcomes as runs
finish; a run that raises becomes an outcome with ``status = "failed"`` and its error, never an exception.

Local workers are fresh interpreters started as ``python -m sim.experiments.worker`` that talk to this
process over pipes. They never import the caller's script or notebook, so no
``if __name__ == "__main__"`` guard is needed and nothing is forked from a process with threads; the
model adapter travels by value (cloudpickle), so adapters defined in a notebook work too. If a worker
process dies, its run is recorded as failed and a new worker takes its place.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cloudpickle
import pyarrow as pa

_HEADER = struct.Struct("<Q")


@dataclass(frozen=True)
class Task:
    """One run: a design point, a replication and its seed."""

    run_id: str
    point: int
    replication: int
    seed: int
    label: str
    params: dict[str, Any]


@dataclass
class RunContext:
    """What every run of an experiment shares: the model adapter and the base scenario."""

    adapter: Any  # ModelAdapter
    base: dict[str, Any] | None
    base_source: str
    keep_timeseries: bool


def pack_context(context: RunContext) -> bytes:
    """The context as bytes (cloudpickle), sent once to each worker."""
    return cloudpickle.dumps(context, protocol=5)


_CONTEXT_CACHE: dict[str, tuple[Any, Any]] = {}


def _unpack_context(blob: bytes) -> tuple[Any, Any]:
    """(adapter, base scenario) from a packed context, cached per process."""
    key = hashlib.sha256(blob).hexdigest()
    if key not in _CONTEXT_CACHE:
        context: RunContext = pickle.loads(blob)
        base = None
        if context.base is not None:
            from sim.scenario import Scenario

            base = Scenario(context.base, source=context.base_source)
        _CONTEXT_CACHE.clear()
        _CONTEXT_CACHE[key] = (context, base)
    return _CONTEXT_CACHE[key]


def failed_outcome(task: Task, error: str, run_time_s: float = 0.0) -> dict[str, Any]:
    """The outcome of a run that did not produce results."""
    return {
        "run_id": task.run_id,
        "point": task.point,
        "replication": task.replication,
        "seed": task.seed,
        "label": task.label,
        "summary": {},
        "timeseries": None,
        "run_time_s": run_time_s,
        "status": "failed",
        "error": error,
    }


def _describe_exception(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"


def run_task(context_blob: bytes, task: Task) -> dict[str, Any]:
    """Evaluate one run; never raises for a model error (the outcome says ``failed``)."""
    start = time.perf_counter()
    try:
        context, base = _unpack_context(context_blob)
        summary, timeseries = context.adapter.evaluate(
            base, dict(task.params), task.seed, context.keep_timeseries
        )
        summary = {str(k): float(v) for k, v in summary.items()}
        if context.keep_timeseries and timeseries is not None:
            # converted here, in the worker, so the process that stores results does little work
            timeseries = pa.Table.from_pandas(timeseries, preserve_index=False)
        else:
            timeseries = None
    except Exception as exc:  # a failed run is data, not a crash
        return failed_outcome(task, _describe_exception(exc), time.perf_counter() - start)
    return {
        "run_id": task.run_id,
        "point": task.point,
        "replication": task.replication,
        "seed": task.seed,
        "label": task.label,
        "summary": summary,
        "timeseries": timeseries,
        "run_time_s": time.perf_counter() - start,
        "status": "ok",
        "error": "",
    }


class InlineExecutor:
    """Runs every task in this process, one after the other (``workers = 1``)."""

    description = "inline (1 process)"

    def run(self, tasks: Iterable[Task], context_blob: bytes) -> Iterator[dict[str, Any]]:
        """Yield outcomes in task order."""
        for task in tasks:
            yield run_task(context_blob, task)

    def close(self) -> None:
        """Nothing to release."""


# ---------------------------------------------------------------------------------------------------
# local worker processes


def _send(stream: Any, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=5)
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def _recv(stream: Any) -> Any:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError("worker closed its pipe")
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("worker closed its pipe mid-message")
    return pickle.loads(data)


def _worker_env() -> dict[str, str]:
    """Environment for workers: the caller's import path, so the package and plug-ins import the same."""
    paths = [str(Path(__file__).resolve().parents[2])]  # the directory holding the sim package
    prefixes = {sys.base_prefix, sys.prefix, sys.exec_prefix}
    for entry in sys.path:
        entry = entry or os.getcwd()
        if "site-packages" in entry or "dist-packages" in entry:
            continue
        if any(entry.startswith(p + os.sep) for p in prefixes if p):
            continue
        paths.append(entry)
    env = dict(os.environ)
    old = env.get("PYTHONPATH")
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths + ([old] if old else [])))
    env.setdefault("OMP_NUM_THREADS", "1")
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env.setdefault("MKL_NUM_THREADS", "1")
    return env


class _WorkerProcess:
    """One worker interpreter and its pipes."""

    def __init__(self, env: dict[str, str], context_blob: bytes) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sim.experiments.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            start_new_session=True,  # Ctrl-C goes to the parent, which stops the workers
        )
        self.runs = 0
        self.context: bytes | None = None
        self.set_context(context_blob)

    def set_context(self, context_blob: bytes) -> None:
        """Send the experiment's context, unless this worker already has it."""
        if self.context is not context_blob and self.context != context_blob:
            _send(self.proc.stdin, ("context", context_blob))
            self.context = context_blob

    def call(self, task: Task) -> dict[str, Any]:
        _send(self.proc.stdin, ("task", task))
        kind, payload = _recv(self.proc.stdout)
        if kind != "outcome":
            raise EOFError(f"unexpected message {kind!r} from worker")
        return payload

    def stop(self, kill: bool = False) -> None:
        proc = self.proc
        if proc.poll() is None:
            if kill:
                proc.kill()
            else:
                try:
                    _send(proc.stdin, ("stop", None))
                except (BrokenPipeError, OSError, ValueError):
                    proc.kill()
        for stream in (proc.stdin, proc.stdout):
            with contextlib.suppress(BrokenPipeError, OSError):
                stream.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class LocalProcessExecutor:
    """Runs tasks in ``workers`` local worker processes (default: all cores).

    Each worker is replaced by a fresh one after ``max_runs_per_worker`` runs (0: never), so memory
    that a model does not give back cannot pile up over a long experiment. Workers are stopped at the
    end of every :meth:`run`, unless ``keep_workers`` is set: then the workers of a finished run wait
    for the next one (a caller that runs many small batches, such as the calibration's sampler, pays
    their start-up once) and :meth:`close` stops them.
    """

    def __init__(
        self, workers: int | None = None, max_runs_per_worker: int = 200, keep_workers: bool = False
    ) -> None:
        self.workers = max(1, int(workers or os.cpu_count() or 1))
        self.max_runs_per_worker = max_runs_per_worker
        self.keep_workers = keep_workers
        self.description = f"local processes ({self.workers} workers)"
        self._stop = threading.Event()
        self._procs: list[_WorkerProcess] = []
        self._idle: list[_WorkerProcess] = []
        self._lock = threading.Lock()

    def _serve(
        self, env: dict[str, str], blob: bytes, tasks: queue.Queue, results: queue.Queue
    ) -> None:
        worker: _WorkerProcess | None = None
        try:
            while not self._stop.is_set():
                try:
                    task = tasks.get_nowait()
                except queue.Empty:
                    if worker is not None and self.keep_workers:
                        with self._lock:
                            self._idle.append(worker)
                        worker = None
                    return
                if worker is None:
                    with self._lock:
                        worker = self._idle.pop() if self._idle else None
                    if worker is not None:
                        worker.set_context(blob)
                    else:
                        worker = _WorkerProcess(env, blob)
                        with self._lock:
                            self._procs.append(worker)
                start = time.perf_counter()
                try:
                    outcome = worker.call(task)
                except (EOFError, BrokenPipeError, OSError, pickle.UnpicklingError) as exc:
                    if self._stop.is_set():
                        return
                    try:  # the pipe closes a moment before the process is reaped
                        code = worker.proc.wait(timeout=5)
                    except subprocess.TimeoutExpired:
                        code = None
                    self._retire(worker, kill=True)
                    worker = None
                    outcome = failed_outcome(
                        task,
                        f"WorkerDied: worker process ended (exit code {code}) during this run ({exc})",
                        time.perf_counter() - start,
                    )
                results.put(outcome)
                if worker is not None:
                    worker.runs += 1
                if worker is not None and 0 < self.max_runs_per_worker <= worker.runs:
                    self._retire(worker, kill=False)
                    worker = None
        except BaseException as exc:  # report, so the main thread does not wait forever
            results.put(exc)
        finally:
            if worker is not None:
                worker.stop(kill=self._stop.is_set())

    def _retire(self, worker: _WorkerProcess, kill: bool) -> None:
        worker.stop(kill=kill)
        with self._lock:
            if worker in self._procs:
                self._procs.remove(worker)

    def run(self, tasks: Iterable[Task], context_blob: bytes) -> Iterator[dict[str, Any]]:
        """Yield outcomes as runs finish."""
        todo: queue.Queue = queue.Queue()
        n = 0
        for task in tasks:
            todo.put(task)
            n += 1
        if n == 0:
            return
        results: queue.Queue = queue.Queue()
        env = _worker_env()
        threads = [
            threading.Thread(
                target=self._serve,
                args=(env, context_blob, todo, results),
                daemon=True,
                name=f"opisim-worker-{i}",
            )
            for i in range(min(self.workers, n))
        ]
        for thread in threads:
            thread.start()
        finished = False
        try:
            for _ in range(n):
                item = results.get()
                if isinstance(item, BaseException):
                    raise item
                yield item
            finished = True
        finally:
            if finished and self.keep_workers:
                for thread in threads:  # each puts its worker back on the idle list and returns
                    thread.join(timeout=10)
            else:
                self._stop.set()
                with self._lock:
                    for worker in self._procs:
                        worker.stop(kill=True)
                for thread in threads:
                    thread.join(timeout=10)
                with self._lock:
                    self._procs.clear()
                    self._idle.clear()
                self._stop.clear()

    def close(self) -> None:
        """Stop the workers kept between runs (``keep_workers``); without it, nothing to release."""
        with self._lock:
            idle, self._idle = self._idle, []
            for worker in idle:
                if worker in self._procs:
                    self._procs.remove(worker)
        for worker in idle:
            worker.stop(kill=False)


# ---------------------------------------------------------------------------------------------------
# Dask distributed


def dask_run_task(task: Task, context_blob: bytes) -> dict[str, Any]:
    """:func:`run_task` with the argument order of ``Client.map``."""
    return run_task(context_blob, task)


@contextlib.contextmanager
def _main_script_hidden() -> Iterator[None]:
    """Keep spawned processes from re-running the caller's script (the ``__main__`` trap).

    ``multiprocessing``'s spawn start method, which Dask's nannies use, re-executes the main script in
    every child unless it is guarded by ``if __name__ == "__main__"``. While the LocalCluster starts, the
    script's path is hidden from ``multiprocessing``, so its children start clean. Nothing is lost: Dask
    ships functions defined in the script by value (cloudpickle).
    """
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    hide = main is not None and path is not None and getattr(main, "__spec__", None) is None
    if hide:
        del main.__file__
    try:
        yield
    finally:
        if hide:
            main.__file__ = path


class DaskExecutor:
    """Runs tasks on a Dask distributed scheduler at ``address``, or on a new loopback LocalCluster.

    ``address = "local"`` starts ``LocalCluster(n_workers=2, threads_per_worker=1, processes=True)`` on
    127.0.0.1 (or ``n_workers`` workers), closed again at the end.
    """

    def __init__(self, address: str, n_workers: int | None = None) -> None:
        from distributed import Client, LocalCluster

        self.cluster = None
        if address == "local":
            with _main_script_hidden():
                self.cluster = LocalCluster(
                    n_workers=n_workers or 2,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                )
            self.client = Client(self.cluster)
            self.description = f"dask LocalCluster ({n_workers or 2} workers)"
        else:
            self.client = Client(address)
            self.description = f"dask scheduler {address}"

    def run(self, tasks: Iterable[Task], context_blob: bytes) -> Iterator[dict[str, Any]]:
        """Yield outcomes as runs finish."""
        from distributed import as_completed

        tasks = list(tasks)
        if not tasks:
            return
        blob = self.client.scatter(context_blob, broadcast=True, hash=False)
        futures = self.client.map(dask_run_task, tasks, context_blob=blob, pure=False)
        by_key = {future.key: task for future, task in zip(futures, tasks, strict=True)}
        try:
            for future in as_completed(futures):
                try:
                    outcome = future.result()
                except Exception as exc:  # worker lost, task killed, ...
                    outcome = failed_outcome(by_key[future.key], _describe_exception(exc))
                future.release()
                yield outcome
        finally:
            for future in futures:
                future.cancel()
            blob.release()

    def close(self) -> None:
        """Close the client (and the LocalCluster, if this executor started it)."""
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_executor(
    workers: int | None = None,
    dask: str | None = None,
    max_runs_per_worker: int = 200,
    keep_workers: bool = False,
) -> Any:
    """The executor for the given options: Dask if ``dask`` is set, else inline (1) or local processes.

    ``keep_workers`` keeps local worker processes alive between calls of ``run`` until ``close``.
    """
    if dask:
        return DaskExecutor(dask, n_workers=workers if dask == "local" else None)
    n = int(workers) if workers else (os.cpu_count() or 1)
    if n <= 1:
        return InlineExecutor()
    return LocalProcessExecutor(n, max_runs_per_worker, keep_workers=keep_workers)
