"""Tests of the experiment layer: seeds, designs, executors, storage, resume, comparison table.

The pipeline tests use the cheap ``toy`` model plug-in so they do not depend on the speed of the
agent-based model; ``test_experiments_model.py`` runs the real model.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.errors import ExperimentError
from sim.experiments import plan_experiment, register_model, run_experiment
from sim.experiments.compare import comparison_table, format_comparison
from sim.experiments.executors import RunContext, pack_context, run_task
from sim.experiments.models import ModelAdapter, get_model
from sim.experiments.seeds import derive_seed, run_seed
from sim.experiments.spec import load_experiment

REPO = Path(__file__).resolve().parents[1]
QUIET = {"progress": False, "log": lambda line: None}


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    return env


def write_scenarios(root: Path) -> Path:
    """Three small scenario files under root/scenarios; returns that folder."""
    folder = root / "scenarios"
    folder.mkdir(parents=True, exist_ok=True)
    world = '[world]\nkind = "synthetic"\nn_hospitals = 2\nn_municipalities = 4\n'
    (folder / "baseline.toml").write_text(f'[meta]\nname = "baseline"\n{world}')
    (folder / "lever_risk_budget.toml").write_text(
        f'[meta]\nname = "lever_risk_budget"\n{world}[levers]\nrisk_budget = 0.5\n'
    )
    (folder / "lever_test_access.toml").write_text(
        f'[meta]\nname = "lever_test_access"\n{world}[levers]\ntest_access = 0.8\n'
    )
    return folder


def write_experiment(root: Path, body: str, name: str = "exp.toml") -> Path:
    folder = root / "experiments"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(body))
    return path


SCENARIO_EXPERIMENT = """
    [experiment]
    name = "toy_compare"
    base_scenario = "../scenarios/baseline.toml"
    model = "{model}"
    replications = {reps}
    master_seed = 20251127
    staff_scale = 0.1
    outputs = ["summary", "timeseries"]

    [design]
    kind = "scenarios"
    scenarios = ["../scenarios/baseline.toml", "../scenarios/lever_risk_budget.toml",
                 "../scenarios/lever_test_access.toml"]
"""


@pytest.fixture
def toy_experiment(tmp_path: Path) -> Path:
    write_scenarios(tmp_path)
    return write_experiment(tmp_path, SCENARIO_EXPERIMENT.format(model="toy", reps=4))


def _without_time(runs: pd.DataFrame) -> pd.DataFrame:
    return runs.drop(columns=["run_time_s"]).reset_index(drop=True)


# -- seeds ------------------------------------------------------------------------------------------


def test_seeds_come_from_indices_alone():
    assert derive_seed(7, 3, 2) == derive_seed(7, 3, 2)
    assert derive_seed(7, 3, 2) != derive_seed(7, 2, 3)
    assert derive_seed(7, 3, 2) != derive_seed(8, 3, 2)
    assert 0 <= derive_seed(7, 3, 2) < 2**63
    # scenario lists share seeds across points (common random numbers); other designs do not
    assert run_seed(7, "common", 0, 5) == run_seed(7, "common", 9, 5)
    assert run_seed(7, "per_point", 0, 5) != run_seed(7, "per_point", 9, 5)
    assert run_seed(7, "seed_key", 0, 0, seed_key=4) == run_seed(7, "seed_key", 9, 0, seed_key=4)


def test_any_run_alone_reproduces_its_row(toy_experiment: Path, tmp_path: Path):
    runs = run_experiment(toy_experiment, out=tmp_path / "out", workers=1, **QUIET)
    plan = plan_experiment(toy_experiment)
    blob = pack_context(
        RunContext(get_model("toy"), plan.base.to_dict(), "base", keep_timeseries=False)
    )
    for task in plan.tasks[::-1][:5]:  # reversed order, a subset
        outcome = run_task(blob, task)
        row = runs.set_index("run_id").loc[task.run_id]
        assert row["seed"] == task.seed
        assert outcome["summary"]["fte_freed_2035"] == row["fte_freed_2035"]
    # common random numbers: replication r has the same seed in every scenario
    assert runs.groupby("replication")["seed"].nunique().eq(1).all()
    assert runs["seed"].nunique() == 4


# -- executors ------------------------------------------------------------------------------------


def test_identical_results_across_executors(toy_experiment: Path, tmp_path: Path):
    one = run_experiment(toy_experiment, out=tmp_path / "w1", workers=1, **QUIET)
    two = run_experiment(toy_experiment, out=tmp_path / "w2", workers=2, chunk_runs=3, **QUIET)
    dask = run_experiment(
        toy_experiment, out=tmp_path / "dask", dask="local", chunk_runs=5, **QUIET
    )
    assert len(one) == 12 and (one["status"] == "ok").all()
    pd.testing.assert_frame_equal(_without_time(one), _without_time(two))
    pd.testing.assert_frame_equal(_without_time(one), _without_time(dask))
    for name in ("w2", "dask"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / "w1" / "timeseries.parquet"),
            pd.read_parquet(tmp_path / name / "timeseries.parquet"),
        )
    on_disk = pd.read_parquet(tmp_path / "w2" / "runs.parquet")
    pd.testing.assert_frame_equal(_without_time(on_disk), _without_time(two))


def test_existing_dask_scheduler_by_address(toy_experiment: Path, tmp_path: Path):
    from distributed import LocalCluster

    reference = run_experiment(toy_experiment, out=tmp_path / "ref", workers=1, **QUIET)
    with LocalCluster(
        n_workers=1,
        threads_per_worker=2,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        runs = run_experiment(toy_experiment, out=tmp_path / "d", dask=address, **QUIET)
    pd.testing.assert_frame_equal(_without_time(reference), _without_time(runs))


def evaluate_pid(base, params, seed, keep_timeseries):
    """Reports the process it ran in."""
    return {"pid": float(os.getpid())}, None


register_model("pid", ModelAdapter("pid", evaluate_pid))


def test_workers_are_replaced_after_max_runs(tmp_path: Path):
    spec = {
        "experiment": {"name": "pid", "model": "pid", "master_seed": 1, "replications": 6},
        "design": {"kind": "grid", "grid": {"x": [0]}},
    }
    runs = run_experiment(spec, out=tmp_path / "o", workers=2, max_runs_per_worker=2, **QUIET)
    assert (runs["status"] == "ok").all()
    per_process = runs["pid"].value_counts()
    assert per_process.max() <= 2 and len(per_process) >= 3
    assert os.getpid() not in set(runs["pid"].astype(int))


def test_script_without_main_guard_and_adapter_defined_in_it(tmp_path: Path):
    """The __main__ trap: a plain script (no guard) with its own adapter runs on 2 local workers."""
    script = tmp_path / "script.py"
    script.write_text(
        textwrap.dedent(
            f"""
            from sim.experiments import ModelAdapter, register_model, run_experiment

            def square(base, params, seed, keep_timeseries):
                return {{"y": params["x"] ** 2}}, None

            register_model("square", ModelAdapter("square", square, factors={{"x": (0.0, 10.0)}}))
            spec = {{
                "experiment": {{"name": "sq", "model": "square", "master_seed": 1}},
                "design": {{"kind": "grid", "grid": {{"x": [1.0, 2.0, 3.0, 4.0]}}}},
            }}
            runs = run_experiment(spec, out={str(tmp_path / "sq")!r}, workers=2, progress=False)
            print(list(runs["y"]))
            """
        )
    )
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=_env(), timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[1.0, 4.0, 9.0, 16.0]"


@pytest.mark.slow
def test_script_without_main_guard_on_a_dask_local_cluster(tmp_path: Path):
    """Dask's spawned workers must not re-run an unguarded script either."""
    script = tmp_path / "script_dask.py"
    script.write_text(
        textwrap.dedent(
            f"""
            from sim.experiments import ModelAdapter, register_model, run_experiment

            def cube(base, params, seed, keep_timeseries):
                return {{"y": params["x"] ** 3}}, None

            register_model("cube", ModelAdapter("cube", cube))
            spec = {{
                "experiment": {{"name": "cube", "model": "cube", "master_seed": 1}},
                "design": {{"kind": "grid", "grid": {{"x": [1.0, 2.0, 3.0]}}}},
            }}
            runs = run_experiment(spec, out={str(tmp_path / "cube")!r}, dask="local", progress=False)
            print(list(runs["y"]))
            """
        )
    )
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=_env(), timeout=180
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "[1.0, 8.0, 27.0]"


# -- failures -------------------------------------------------------------------------------------


def evaluate_fails_on_test_access(base, params, seed, keep_timeseries):
    """Toy model that raises for the lever_test_access scenario."""
    if params.get("scenario", "").endswith("lever_test_access.toml"):
        raise RuntimeError("deliberate failure")
    return get_model("toy").evaluate(base, params, seed, keep_timeseries)


register_model(
    "toy_failing", ModelAdapter("toy_failing", evaluate_fails_on_test_access, uses_scenario=True)
)


@pytest.mark.parametrize("workers", [1, 2])
def test_failed_runs_are_recorded_and_the_experiment_goes_on(tmp_path: Path, workers: int):
    write_scenarios(tmp_path)
    path = write_experiment(tmp_path, SCENARIO_EXPERIMENT.format(model="toy_failing", reps=3))
    runs = run_experiment(path, out=tmp_path / "out", workers=workers, **QUIET)
    failed = runs[runs["status"] == "failed"]
    assert list(failed["label"].unique()) == ["lever_test_access"] and len(failed) == 3
    assert failed["error"].str.contains("RuntimeError: deliberate failure").all()
    assert failed["fte_freed_2035"].isna().all()
    assert (runs.loc[runs["status"] == "ok", "error"] == "").all()
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["runs"] == {"total": 9, "ok": 6, "failed": 3}


def evaluate_dies_on_point_1(base, params, seed, keep_timeseries):
    """Grid model whose worker process dies (no exception, no cleanup) at x = 1."""
    if params["x"] == 1:
        os._exit(3)
    return {"y": float(params["x"])}, None


register_model("dies", ModelAdapter("dies", evaluate_dies_on_point_1))


def test_a_dying_worker_fails_only_its_run(tmp_path: Path):
    spec = {
        "experiment": {"name": "dies", "model": "dies", "master_seed": 1, "replications": 2},
        "design": {"kind": "grid", "grid": {"x": [0, 1, 2, 3]}},
    }
    runs = run_experiment(spec, out=tmp_path / "o", workers=2, **QUIET)
    failed = runs[runs["status"] == "failed"]
    assert failed["point"].tolist() == [1, 1]
    assert failed["error"].str.contains("WorkerDied").all()
    assert failed["error"].str.contains("exit code 3").all()
    assert runs.loc[runs["status"] == "ok", "y"].tolist() == [0.0, 0.0, 2.0, 2.0, 3.0, 3.0]


def test_cli_exits_nonzero_and_counts_failures(tmp_path: Path, capsys: pytest.CaptureFixture):
    from sim.cli import main

    write_scenarios(tmp_path)
    path = write_experiment(tmp_path, SCENARIO_EXPERIMENT.format(model="toy_failing", reps=2))
    code = main(
        ["experiment", str(path), "--out", str(tmp_path / "o"), "--workers", "1", "--no-progress"]
    )
    assert code == 1
    assert "2 of 6 runs failed" in capsys.readouterr().err


# -- storage, resume --------------------------------------------------------------------------------


def test_manifest_and_files_follow_the_contract(toy_experiment: Path, tmp_path: Path):
    out = tmp_path / "out"
    runs = run_experiment(toy_experiment, out=out, workers=1, **QUIET)
    manifest = json.loads((out / "manifest.json").read_text())
    for key in (
        "kind",
        "name",
        "experiment_file",
        "experiment_toml",
        "experiment_sha256",
        "base_scenario",
        "design_kind",
        "n_points",
        "replications",
        "master_seed",
        "staff_scale",
        "model",
        "versions",
        "python",
        "platform",
        "git",
        "started",
        "finished",
        "runs",
        "rerun",
    ):
        assert key in manifest, key
    assert manifest["kind"] == "experiment" and manifest["n_points"] == 3
    assert manifest["experiment_toml"] == toy_experiment.read_text()
    assert manifest["base_scenario"]["world"]["staff_scale"] == 0.1
    assert set(manifest["git"]) == {"commit", "dirty"}
    design = pd.read_parquet(out / "design.parquet")
    assert list(design.columns) == ["point", "label", "scenario"]
    assert list(runs.columns[:6]) == ["run_id", "point", "replication", "seed", "label", "scenario"]
    assert list(runs.columns[-3:]) == ["run_time_s", "status", "error"]
    assert runs["run_id"].tolist() == sorted(runs["run_id"])
    assert runs["run_id"].iloc[5] == "p00001r001"
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert list(ts.columns[:4]) == ["run_id", "point", "replication", "label"]
    assert ts["run_id"].unique().tolist() == runs["run_id"].tolist()


def test_existing_results_need_resume_or_overwrite(toy_experiment: Path, tmp_path: Path):
    out = tmp_path / "out"
    run_experiment(toy_experiment, out=out, workers=1, **QUIET)
    with pytest.raises(ExperimentError, match="already holds results"):
        run_experiment(toy_experiment, out=out, workers=1, **QUIET)
    again = run_experiment(toy_experiment, out=out, workers=1, resume=True, **QUIET)
    assert len(again) == 12
    changed = toy_experiment.read_text().replace("replications = 4", "replications = 5")
    toy_experiment.write_text(changed)
    with pytest.raises(ExperimentError, match="different experiment"):
        run_experiment(toy_experiment, out=out, workers=1, resume=True, **QUIET)
    assert len(run_experiment(toy_experiment, out=out, workers=1, overwrite=True, **QUIET)) == 15


def test_corrupt_and_partial_chunks_are_detected_and_recomputed(
    toy_experiment: Path, tmp_path: Path
):
    reference = run_experiment(toy_experiment, out=tmp_path / "ref", workers=1, **QUIET)
    out = tmp_path / "out"
    run_experiment(toy_experiment, out=out, workers=1, chunk_runs=3, **QUIET)
    chunks = sorted((out / "chunks").glob("runs-*.parquet"))
    ts_chunks = sorted((out / "chunks").glob("ts-*.parquet"))
    assert len(chunks) == 4 and len(ts_chunks) == 4
    data = bytearray(chunks[1].read_bytes())
    data[len(data) // 2] ^= 0xFF  # a flipped byte
    chunks[1].write_bytes(bytes(data))
    chunks[2].write_bytes(chunks[2].read_bytes()[:100])  # a truncated file
    ts_chunks[3].write_bytes(ts_chunks[3].read_bytes()[:-10])  # a damaged timeseries companion
    (out / "chunks" / ".runs-000009-x.parquet.123.tmp").write_bytes(b"partial")
    (out / "runs.parquet").unlink()
    messages: list[str] = []
    resumed = run_experiment(
        toy_experiment, out=out, workers=2, resume=True, progress=False, log=messages.append
    )
    rejected = [m for m in messages if "rejected" in m]
    assert any(chunks[1].name in m and "checksum" in m for m in rejected)
    assert any(chunks[2].name in m for m in rejected)
    assert any(ts_chunks[3].name in m for m in rejected)
    assert any("resuming: 3 of 12" in m for m in messages)
    assert (out / "chunks" / "rejected" / chunks[1].name).exists()
    assert not list((out / "chunks").glob(".*.tmp"))
    pd.testing.assert_frame_equal(_without_time(reference), _without_time(resumed))
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "ref" / "timeseries.parquet"),
        pd.read_parquet(out / "timeseries.parquet"),
    )
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["rejected_chunks"]) == 4


def test_failed_runs_are_retried_on_resume(tmp_path: Path):
    write_scenarios(tmp_path)
    path = write_experiment(tmp_path, SCENARIO_EXPERIMENT.format(model="toy_failing", reps=2))
    out = tmp_path / "out"
    first = run_experiment(path, out=out, workers=1, **QUIET)
    assert (first["status"] == "failed").sum() == 2
    # the model is fixed (here: the failing plug-in now behaves like toy) and the experiment resumed
    register_model("toy_failing", ModelAdapter("toy_failing", get_model("toy").evaluate, True))
    try:
        messages: list[str] = []
        second = run_experiment(
            path, out=out, workers=1, resume=True, progress=False, log=messages.append
        )
    finally:
        register_model(
            "toy_failing",
            ModelAdapter("toy_failing", evaluate_fails_on_test_access, uses_scenario=True),
        )
    assert (second["status"] == "ok").all()
    assert any("resuming: 4 of 6" in m for m in messages)
    assert (
        second.loc[first["status"] == "ok", "seed"] == first.loc[first["status"] == "ok", "seed"]
    ).all()


@pytest.mark.slow
def test_interrupted_experiment_resumes_to_the_uninterrupted_result(tmp_path: Path):
    write_scenarios(tmp_path)
    path = write_experiment(tmp_path, SCENARIO_EXPERIMENT.format(model="toy_slow", reps=12))
    # toy_slow is toy taking 0.2 s per run: the quick toy model gives the uninterrupted result
    fast = write_experiment(tmp_path, SCENARIO_EXPERIMENT.format(model="toy", reps=12), "f.toml")
    reference = run_experiment(fast, out=tmp_path / "ref", workers=1, **QUIET)  # 36 runs
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "sim.cli", "experiment", str(path), "--out", str(out)]
    proc = subprocess.Popen(
        [*cmd, "--workers", "2", "--chunk-runs", "4"],
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list((out / "chunks").glob("runs-*"))) < 2:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)  # no chance to clean up
    proc.wait(timeout=30)
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert not (out / "runs.parquet").exists()
    done_before = len(list((out / "chunks").glob("runs-*")))
    assert 2 <= done_before < 9
    resumed = subprocess.run(
        [*cmd, "--workers", "2", "--resume"],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming:" in resumed.stderr
    already = int(resumed.stderr.split("resuming: ")[1].split(" ")[0])
    assert 8 <= already < 36
    final = pd.read_parquet(out / "runs.parquet")
    pd.testing.assert_frame_equal(_without_time(reference), _without_time(final))
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "ref" / "timeseries.parquet"),
        pd.read_parquet(out / "timeseries.parquet"),
    )


# -- designs ----------------------------------------------------------------------------------------


def test_grid_is_full_factorial_in_file_order(tmp_path: Path):
    write_scenarios(tmp_path)
    path = write_experiment(
        tmp_path,
        """
        [experiment]
        name = "grid"
        base_scenario = "../scenarios/baseline.toml"
        model = "toy"
        replications = 2
        master_seed = 3
        [design]
        kind = "grid"
        [design.grid]
        "levers.risk_budget" = [0.1, 0.5, 1.0]
        uncertainties.effect_size = [0.5, 1.5]
        """,
    )
    plan = plan_experiment(path)
    assert plan.factors == ["levers.risk_budget", "uncertainties.effect_size"]
    assert plan.design["levers.risk_budget"].tolist() == [0.1, 0.1, 0.5, 0.5, 1.0, 1.0]
    assert plan.design["uncertainties.effect_size"].tolist() == [0.5, 1.5] * 3
    assert len(plan.tasks) == 12
    assert len({t.seed for t in plan.tasks}) == 12  # per-point seeds
    runs = run_experiment(path, out=tmp_path / "o", workers=1, **QUIET)
    by_point = runs.groupby("point")["fte_freed_2035"].mean()
    assert by_point[4] > by_point[0]  # more risk budget frees more in the toy model


def test_latin_hypercube_is_reproducible_stratified_and_in_range(tmp_path: Path):
    write_scenarios(tmp_path)
    body = """
        [experiment]
        name = "lhs"
        base_scenario = "../scenarios/baseline.toml"
        model = "toy"
        master_seed = {seed}
        [design]
        kind = "lhs"
        samples = 16
        [design.factors]
        "levers.risk_budget" = [0.0, 1.0]
        "levers.strategic_partnership_cap" = [0, 8]
        "uncertainties.demography" = [0.9, 1.1]
        """
    a = plan_experiment(write_experiment(tmp_path, body.format(seed=1), "a.toml")).design
    b = plan_experiment(write_experiment(tmp_path, body.format(seed=1), "b.toml")).design
    c = plan_experiment(write_experiment(tmp_path, body.format(seed=2), "c.toml")).design
    pd.testing.assert_frame_equal(a, b)
    assert not a["levers.risk_budget"].equals(c["levers.risk_budget"])
    strata = np.floor(a["levers.risk_budget"].to_numpy() * 16).astype(int)
    assert sorted(strata) == list(range(16))  # one sample per stratum
    assert a["uncertainties.demography"].between(0.9, 1.1).all()
    assert a["levers.strategic_partnership_cap"].dtype == "int64"


# -- bad files -------------------------------------------------------------------------------------

GOOD = """
[experiment]
name = "bad"
base_scenario = "../scenarios/baseline.toml"
model = "toy"
replications = 2
master_seed = 1
[design]
kind = "scenarios"
scenarios = ["../scenarios/baseline.toml"]
"""

BAD_FILES = {
    "unknown_key": (
        GOOD.replace("master_seed = 1", "master_seed = 1\nreplicates = 3"),
        ["experiment.replicates", "allowed keys in [experiment]", "replications"],
    ),
    "unknown_lever": (
        GOOD.replace(
            'kind = "scenarios"\nscenarios = ["../scenarios/baseline.toml"]',
            'kind = "grid"\n[design.grid]\n"levers.risk_budgett" = [0.1, 0.2]',
        ),
        ["design.grid.levers.risk_budgett", "unknown lever 'risk_budgett'", "risk_budget"],
    ),
    "empty_design": (
        GOOD.replace('scenarios = ["../scenarios/baseline.toml"]', "scenarios = []"),
        ["design.scenarios", "empty", "at least one"],
    ),
    "empty_grid": (
        GOOD.replace(
            'kind = "scenarios"\nscenarios = ["../scenarios/baseline.toml"]',
            'kind = "grid"\n[design.grid]',
        ),
        ["design.grid", "empty", "allowed"],
    ),
    "replications_zero": (
        GOOD.replace("replications = 2", "replications = 0"),
        ["experiment.replications", "allowed: an integer >= 1"],
    ),
    "missing_base": (
        GOOD.replace(
            'base_scenario = "../scenarios/baseline.toml"',
            'base_scenario = "../scenarios/nope.toml"',
        ),
        ["experiment.base_scenario", "nope.toml", "not found", "allowed"],
    ),
    "unknown_design_kind": (
        GOOD.replace('kind = "scenarios"', 'kind = "random"'),
        ["design.kind", "'random'", "grid", "lhs"],
    ),
    "scenarios_without_scenario_model": (
        GOOD.replace('model = "toy"', 'model = "ishigami"').replace(
            'base_scenario = "../scenarios/baseline.toml"\n', ""
        ),
        ["design.kind", "'ishigami'", "allowed"],
    ),
    "unknown_model": (
        GOOD.replace('model = "toy"', 'model = "tyo"'),
        ["experiment.model", "'tyo'", "opisim"],
    ),
    "lever_out_of_range": (
        GOOD.replace(
            'kind = "scenarios"\nscenarios = ["../scenarios/baseline.toml"]',
            'kind = "lhs"\nsamples = 4\n[design.factors]\n"levers.risk_budget" = [0.0, 7.0]',
        ),
        ["design.factors.levers.risk_budget", "out of range", "[0, 1]"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_experiment_files_give_one_clear_line(tmp_path: Path, case: str):
    text, needles = BAD_FILES[case]
    write_scenarios(tmp_path)
    path = write_experiment(tmp_path, text, f"{case}.toml")
    with pytest.raises(ExperimentError) as info:
        plan_experiment(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    for needle in needles:
        assert needle in message, (needle, message)


@pytest.mark.parametrize(
    "case", ["unknown_key", "unknown_lever", "empty_design", "replications_zero", "missing_base"]
)
def test_bad_files_through_the_cli_exit_2_without_traceback(tmp_path: Path, case: str):
    text, needles = BAD_FILES[case]
    write_scenarios(tmp_path)
    path = write_experiment(tmp_path, text, f"{case}.toml")
    proc = subprocess.run(
        [sys.executable, "-m", "sim.cli", "experiment", str(path), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("opisim: error: ")
    assert str(path) in lines[0] and needles[0] in lines[0]
    assert not (tmp_path / "o").exists()


def test_missing_experiment_file(tmp_path: Path):
    with pytest.raises(ExperimentError, match="experiment file not found"):
        load_experiment(tmp_path / "none.toml")


# -- comparison table -------------------------------------------------------------------------------


def test_comparison_table_pairs_by_seed(toy_experiment: Path, tmp_path: Path):
    out = tmp_path / "out"
    runs = run_experiment(toy_experiment, out=out, workers=1, **QUIET)
    table = comparison_table(out)
    assert table.attrs["reference"] == "baseline"
    assert table["paired_by_seed"].all()
    base = table[(table["label"] == "baseline")]
    assert (base["diff_mean"] == 0).all() and (base["diff_p95"] == 0).all()
    row = table[
        (table["label"] == "lever_risk_budget") & (table["outcome"] == "fte_freed_2035")
    ].iloc[0]
    b = runs[runs["label"] == "baseline"].set_index("replication")["fte_freed_2035"]
    r = runs[runs["label"] == "lever_risk_budget"].set_index("replication")["fte_freed_2035"]
    assert row["mean"] == pytest.approx(r.mean())
    assert row["p5"] == pytest.approx(np.percentile(r, 5))
    assert row["diff_mean"] == pytest.approx((r - b).mean())
    assert row["diff_p5"] == pytest.approx(np.percentile(r - b, 5))
    # common random numbers: the paired difference varies less than the outcome itself
    assert (row["diff_p95"] - row["diff_p5"]) < (row["p95"] - row["p5"])
    text = format_comparison(table)
    assert "lever_test_access" in text and "fte_freed_2035" in text


def test_results_cli_prints_the_table(toy_experiment: Path, tmp_path: Path):
    out = tmp_path / "out"
    run_experiment(toy_experiment, out=out, workers=1, **QUIET)
    proc = subprocess.run(
        [sys.executable, "-m", "sim.cli", "results", str(out), "--csv", str(tmp_path / "t.csv")],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "paired by seed" in proc.stdout and "lever_risk_budget" in proc.stdout
    assert len(pd.read_csv(tmp_path / "t.csv")) == 3 * 6
    missing = subprocess.run(
        [sys.executable, "-m", "sim.cli", "results", str(tmp_path / "nothing")],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
    )
    assert missing.returncode == 2 and "no manifest.json" in missing.stderr


def test_dry_run_shows_the_design_and_runs_nothing(
    toy_experiment: Path, tmp_path: Path, capsys: pytest.CaptureFixture
):
    from sim.cli import main

    code = main(["experiment", str(toy_experiment), "--dry-run", "--out", str(tmp_path / "o")])
    out = capsys.readouterr().out
    assert code == 0
    assert "3 points x 4 replications = 12 runs" in out and "lever_test_access" in out
    assert not (tmp_path / "o").exists()
    assert main(["experiment", str(toy_experiment), "--resume", "--overwrite"]) == 2
    assert "one of them" in capsys.readouterr().err
