"""The compiled innovation layer: a cache keyed on every compiled module's source, and a pure-Python path
(``NUMBA_DISABLE_JIT=1``) that gives the same results as the compiled one."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sim.model.innovation import jit

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "tests" / "data" / "small.toml"

# An organisation decides 4,000 times whether to scale up a kept pilot on the shared evidence: the
# compiled caller (``pipeline.take_up``) inlines its callees (``events.decide``,
# ``events.adoption_probability``), which live in another module.
DECISIONS = f"""
import numpy as np, sim
from sim.model.innovation import pipeline, state
model = sim.HealthSystemModel(scenario=sim.load_scenario({str(SMALL)!r}), seed=1)
layer = model.innovation
sol, org = 0, 0
(e,) = layer.eng.add(org=org, sol=sol, stage=state.IN_USE, coverage=0.05, target=0.05,
                     scope=state.UNIT, effect=layer.solutions.true_effect[sol])
# the shared evidence, always accepted, shows a poor effect: rarely scaled up
layer.solutions.evidence_effect[sol] = 0.02 * layer.solutions.true_effect[sol]
layer.types.common_evaluation[layer.solutions.type[sol]] = 1.0
layer.params["common_evaluation_evidence_acceptance"] = 1.0
layer.engagement_of[sol, org] = e
layer.add_active(np.array([e]))
st = layer.kernel_state()
rng = np.random.default_rng(0)
scaled = 0
for _ in range(4000):
    layer.eng.stage[e], layer.eng.scope[e] = state.IN_USE, state.UNIT
    pipeline.take_up(1, layer.params[0], st, org, sol, rng)
    scaled += int(layer.eng.stage[e] == state.PROCUREMENT)
print(scaled)
"""

# A small run, summarised for comparison across the two paths.
SMALL_RUN = f"""
import json, numpy as np, sim
scenario = sim.load_scenario({str(SMALL)!r}).with_overrides({{"time.end_year": 2027}})
result = sim.run(scenario, seed=3)
series = result.timeseries.select_dtypes("number")
print(json.dumps({{"summary": {{k: float(v) for k, v in result.summary.items()}},
                  "series": series.to_numpy().tolist(), "columns": list(series.columns)}}))
"""


def _python(code: str, cwd: Path, **env: str) -> str:
    environ = {**os.environ, "PYTHONPATH": str(cwd), **env}
    environ.pop("NUMBA_CACHE_DIR", None)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=environ, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip()


@pytest.mark.slow
def test_editing_a_callee_module_recompiles_its_compiled_callers(tmp_path):
    """numba alone keys a cached function on its own file, so ``pipeline.take_up`` would keep
    the old ``events.adoption_probability`` after events.py is edited. Keyed on every compiled module's
    source, the edit reaches the caller."""
    copy = tmp_path / "copy"
    shutil.copytree(ROOT / "sim", copy / "sim", ignore=shutil.ignore_patterns("__pycache__"))
    before = int(_python(DECISIONS, copy))
    assert int(_python(DECISIONS, copy)) == before  # from the cache: same draws, same decisions
    events = copy / "sim" / "model" / "innovation" / "events.py"
    source = events.read_text()
    assert "+ par.adoption_bias\n" in source
    events.write_text(source.replace("+ par.adoption_bias\n", "+ par.adoption_bias + 3.0\n"))
    after = int(_python(DECISIONS, copy))
    assert after > before + 200, (before, after)  # a logit 3 higher: many more adoptions


def test_the_session_left_a_warm_cache():
    """The session fixture ran the model, so every entry point is cached for the current sources."""
    assert not jit.PURE_PYTHON
    assert jit.ENTRY_POINTS
    assert jit.cache_is_warm()


def test_pure_python_path_gives_the_compiled_results():
    compiled = json.loads(_python(SMALL_RUN, ROOT))
    pure = json.loads(_python(SMALL_RUN, ROOT, NUMBA_DISABLE_JIT="1"))
    assert pure["columns"] == compiled["columns"]
    assert pure["summary"] == pytest.approx(compiled["summary"], rel=1e-12, abs=1e-9, nan_ok=True)
    np.testing.assert_allclose(
        np.array(pure["series"], float), np.array(compiled["series"], float), rtol=1e-12, atol=1e-9
    )
    assert compiled["summary"]["pilots_started_cum"] > 0  # the run exercised the pipeline
