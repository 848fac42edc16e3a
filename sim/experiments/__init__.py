"""The experiment layer: experiment files, designs, seeds, executors, storage and resume.

Use :func:`run_experiment` (also ``opisim experiment FILE``) to run an experiment file into
``results/<name>/`` and :func:`comparison_table` (``opisim results DIR``) to read it. Plug-ins add
models with :func:`register_model` and design kinds with :func:`register_design`.
"""

from sim.experiments.compare import comparison_table
from sim.experiments.designs import available_designs, register_design
from sim.experiments.models import ModelAdapter, available_models, get_model, register_model
from sim.experiments.runner import plan_experiment, run_experiment
from sim.experiments.spec import ExperimentSpec, load_experiment

__all__ = [
    "ExperimentSpec",
    "ModelAdapter",
    "available_designs",
    "available_models",
    "comparison_table",
    "get_model",
    "load_experiment",
    "plan_experiment",
    "register_design",
    "register_model",
    "run_experiment",
]
