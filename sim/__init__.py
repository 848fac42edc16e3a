"""opisim: an agent-based simulation of the Danish health workforce and of labour-saving innovation
developed, bought and spread through public-private collaboration (OPI).

Public API::

    import sim
    scenario = sim.load_scenario("scenarios/baseline.toml")
    result = sim.run(scenario.with_overrides({"levers.risk_budget": 0.5}), seed=1)
    result.timeseries, result.by_profession, result.summary
    sim.LEVERS, sim.UNCERTAINTIES
    sim.HealthSystemModel(scenario=scenario, seed=1)   # a mesa.Model
    sim.run_experiment("experiments/smoke.toml")
"""

from typing import TYPE_CHECKING

from sim.errors import ExperimentError, OpisimInputError, ResultsError, ScenarioError
from sim.lazy import lazy_exports
from sim.levers import LEVERS, UNCERTAINTIES
from sim.scenario import Scenario, load_scenario

if TYPE_CHECKING:
    from sim.model.model import HealthSystemModel
    from sim.simulation import RunResult, run

__version__ = "0.1.0"

# The model pulls in Mesa (slow to import); load it on first use so that `opisim levers` and friends start fast.
__getattr__ = lazy_exports(
    __name__,
    {
        "HealthSystemModel": "sim.model.model",
        "run": "sim.simulation",
        "RunResult": "sim.simulation",
    },
)


def run_experiment(*args, **kwargs):
    """Run an experiment file or spec; see :func:`sim.experiments.run_experiment`."""
    from sim.experiments import run_experiment as _run_experiment

    return _run_experiment(*args, **kwargs)


__all__ = [
    "LEVERS",
    "UNCERTAINTIES",
    "ExperimentError",
    "HealthSystemModel",
    "OpisimInputError",
    "ResultsError",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "run",
    "run_experiment",
    "__version__",
]
