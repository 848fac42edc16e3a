"""The experiment layer: experiment files, designs, seeds, executors, storage and resume.

Use :func:`run_experiment` (also ``opisim experiment FILE``) to run an experiment file into
``results/<name>/`` and :func:`comparison_table` (``opisim results DIR``) to read it. Plug-ins add
models with :func:`register_model` and design kinds with :func:`register_design`.

Names are imported on first use, so worker processes that only need the executors start quickly.
"""

from __future__ import annotations

from sim.lazy import lazy_exports

_EXPORTS = {
    "ExperimentSpec": "sim.experiments.spec",
    "load_experiment": "sim.experiments.spec",
    "ModelAdapter": "sim.experiments.models",
    "available_models": "sim.experiments.models",
    "get_model": "sim.experiments.models",
    "register_model": "sim.experiments.models",
    "available_designs": "sim.experiments.designs",
    "register_design": "sim.experiments.designs",
    "plan_experiment": "sim.experiments.runner",
    "run_experiment": "sim.experiments.runner",
    "comparison_table": "sim.experiments.compare",
    "format_comparison": "sim.experiments.compare",
}

__all__ = sorted(_EXPORTS)


__getattr__ = lazy_exports(__name__, _EXPORTS)
