"""Benchmark of the experiment layer: parallel speed-up, per-run overhead and Dask throughput.

Runs the same experiment (the baseline scenario at ``staff_scale = 0.1``, ``--runs`` replications,
default 200) four ways on this machine and prints a table:

1. bare ``sim.run`` in a loop in this process (no experiment layer),
2. ``run_experiment`` with 1 worker (in this process: adds seeds, scheduling and chunked storage),
3. ``run_experiment`` with 2 local worker processes,
4. ``run_experiment`` on a Dask ``LocalCluster`` with 2 workers (cluster start-up included).

The layer's overhead is measured within one phase (wall time minus the time inside the model adapter,
plus the adapter's own work around ``sim.run``), because comparing phases run minutes apart on a shared
machine measures the other processes' load as much as the layer.

Targets (issue 4): speed-up of 2 workers over 1 >= 1.7 on 2 cores; layer overhead < 5% of run time.
Wall times include worker start-up. Usage::

    python benchmarks/bench_experiments.py [--runs 200] [--staff-scale 0.1]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import sim  # noqa: E402
from sim.experiments import run_experiment  # noqa: E402
from sim.experiments.runner import plan_experiment  # noqa: E402


def experiment(runs: int, staff_scale: float, innovation: bool) -> dict:
    """The benchmark experiment as a dict."""
    spec = {
        "experiment": {
            "name": "bench_experiments",
            "base_scenario": str(REPO / "scenarios" / "baseline.toml"),
            "model": "opisim",
            "replications": runs,
            "master_seed": 20251127,
            "staff_scale": staff_scale,
            "outputs": ["summary", "timeseries"],
        },
        "design": {"kind": "scenarios", "scenarios": [str(REPO / "scenarios" / "baseline.toml")]},
    }
    if not innovation:
        spec["overrides"] = {"innovation.enabled": False}
    return spec


def innovation_available(staff_scale: float) -> bool:
    """Whether the full model (with the innovation layer) runs here."""
    scenario = sim.load_scenario(REPO / "scenarios" / "baseline.toml")
    try:
        sim.run(scenario.with_overrides({"world.staff_scale": staff_scale}), seed=1)
    except ModuleNotFoundError as exc:
        print(f"note: innovation layer not available ({exc}); benchmarking with innovation off")
        return False
    return True


def adapter_extras_s(plan) -> float:
    """Seconds per run the opisim adapter spends around ``sim.run`` (overrides, Arrow conversion)."""
    import pyarrow as pa

    from sim.experiments.models import scenario_for_run

    task = plan.tasks[0]
    result = sim.run(scenario_for_run(plan.base, task.params), seed=task.seed)
    start = time.perf_counter()
    for task in plan.tasks[:50]:
        scenario_for_run(plan.base, task.params)
        pa.Table.from_pandas(result.timeseries, preserve_index=False)
    return (time.perf_counter() - start) / min(50, len(plan.tasks))


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--staff-scale", type=float, default=0.1)
    args = parser.parse_args()
    innovation = innovation_available(args.staff_scale)
    spec = experiment(args.runs, args.staff_scale, innovation)
    plan = plan_experiment(spec)
    quiet = {"progress": False, "log": lambda line: None}
    print(
        f"{args.runs} runs, staff_scale {args.staff_scale}, innovation {'on' if innovation else 'off'}, "
        f"{os.cpu_count()} cores, load average before: {os.getloadavg()[0]:.2f}"
    )

    # 1. bare sim.run, same scenarios and seeds, no layer
    from sim.experiments.models import scenario_for_run

    start, cpu = time.perf_counter(), time.process_time()
    for task in plan.tasks:
        result = sim.run(scenario_for_run(plan.base, task.params), seed=task.seed)
        _ = result.summary, result.timeseries
    bare, bare_cpu = time.perf_counter() - start, time.process_time() - cpu

    rows = [("bare sim.run loop (1 process)", bare, bare_cpu)]
    with tempfile.TemporaryDirectory() as tmp:
        start, cpu = time.perf_counter(), time.process_time()
        serial_runs = run_experiment(spec, out=Path(tmp) / "serial", workers=1, **quiet)
        serial, serial_cpu = time.perf_counter() - start, time.process_time() - cpu
        rows.append(("run_experiment, 1 worker (inline)", serial, serial_cpu))
        start, cpu, child = time.perf_counter(), time.process_time(), _children_cpu()
        par_runs = run_experiment(spec, out=Path(tmp) / "local2", workers=2, **quiet)
        par = time.perf_counter() - start
        par_cpu = time.process_time() - cpu + _children_cpu() - child
        rows.append(("run_experiment, 2 local workers", par, par_cpu))
        start = time.perf_counter()
        dask_runs = run_experiment(spec, out=Path(tmp) / "dask", dask="local", workers=2, **quiet)
        dask = time.perf_counter() - start
        rows.append(("run_experiment, Dask LocalCluster (2 workers)", dask, float("nan")))
        failed = sum(int((r["status"] != "ok").sum()) for r in (serial_runs, par_runs, dask_runs))
        same = all(
            r.drop(columns="run_time_s").equals(serial_runs.drop(columns="run_time_s"))
            for r in (par_runs, dask_runs)
        )

    n = args.runs
    print()
    print(f"{'executor':<48} {'wall s':>8} {'runs/s':>8} {'s/run':>8} {'speed-up':>9} {'CPU s':>8}")
    for name, wall, cpu_s in rows:
        print(
            f"{name:<48} {wall:>8.1f} {n / wall:>8.2f} {wall / n:>8.3f} {serial / wall:>9.2f} "
            f"{cpu_s:>8.1f}"
        )
    in_model = float(serial_runs["run_time_s"].sum())
    overhead_wall = (serial - bare) / bare
    overhead_own = (serial - in_model) / in_model
    extras = adapter_extras_s(plan)
    overhead_total = (serial - in_model + n * extras) / (in_model - n * extras)
    print()
    print(f"speed-up, 2 local workers vs 1:           {serial / par:.2f}   (target >= 1.7)")
    print(f"speed-up, 2 local workers vs bare loop:   {bare / par:.2f}")
    print(
        f"layer overhead vs bare sim.run (wall):    {100 * overhead_wall:+.1f}%  "
        f"({1000 * (serial - bare) / n:+.1f} ms/run; target < 5%)"
    )
    print(
        f"layer overhead vs bare sim.run (CPU):     {100 * (serial_cpu - bare_cpu) / bare_cpu:+.1f}%  "
        f"(CPU time of this process; less sensitive to other processes' load)"
    )
    print(
        f"layer overhead outside the model calls:   {100 * overhead_own:+.1f}%  "
        f"({1000 * (serial - in_model) / n:+.1f} ms/run: seeds, scheduling, storage; same phase)"
    )
    print(
        f"adapter work around sim.run:              {1000 * extras:.1f} ms/run (overrides, Arrow "
        f"conversion of the monthly series)"
    )
    print(f"layer overhead in total (the two above):  {100 * overhead_total:+.1f}%  (target < 5%)")
    print(f"identical runs.parquet across executors:  {same} ({failed} failed runs in total)")
    print(
        f"load average after: {os.getloadavg()[0]:.2f} (other processes on the machine distort timings)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
