"""Structural uncertainty in experiments: which draw of the calibrated posterior each run uses.

The calibrated coefficients (``sim/data/posterior.parquet``, written by ``opisim calibrate --ship``) are
the default distribution of structural uncertainty. An experiment's ``structural`` setting says whether
runs use it:

* ``"auto"`` (default): the posterior if the file exists, else the shipped point values;
* ``"posterior"``: the posterior (an error if there is none);
* ``"none"``: the point values of ``sim/data/calibration.toml`` (and the scenarios' own overrides).

Draws follow the seeds, so comparisons stay paired: under the ``common`` and ``per_point`` seed schemes,
replication ``r`` of every design point takes posterior row ``rows[r]``, with ``rows`` resampled by
weight from ``SeedSequence([master_seed, 0x57C])``; under the ``seed_key`` scheme (the seed as a sampled
factor) the draw belongs to ``(seed_key, replication)`` like the seed itself. A coefficient that a design
point, the experiment's ``[overrides]`` or the scenario file sets explicitly keeps that value. Each
run's posterior row is recorded as ``posterior_draw`` in ``runs.parquet`` (none for a run whose point
sets every coefficient itself, as the futures of the decision designs do: they carry one posterior draw
per future, see :mod:`sim.experiments.futures`).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import ExperimentError
from sim.experiments.seeds import derive_seed

MODES = ("auto", "posterior", "none")
STRUCTURAL_TAG = 0x57C  # the posterior draws' own stream, apart from the runs' seeds


@dataclasses.dataclass(frozen=True)
class Structural:
    """The resolved structural setting of an experiment.

    Attributes:
        mode: ``posterior`` or ``none`` (``auto`` resolved).
        asked: the setting as written (``auto``, ``posterior``, ``none``).
        frame: the posterior table, or None.
        path: the posterior file, or None.
        sha256: its hash, or None.
    """

    mode: str
    asked: str
    frame: pd.DataFrame | None = None
    path: str | None = None
    sha256: str | None = None

    @property
    def keys(self) -> list[str]:
        """The coefficients drawn from the posterior."""
        from sim.calibration.posterior import parameter_columns

        return parameter_columns(self.frame) if self.frame is not None else []

    def describe(self) -> dict[str, Any]:
        """Plain data for the manifest and the experiment's identity."""
        out: dict[str, Any] = {"mode": self.mode, "asked": self.asked}
        if self.mode == "posterior":
            out.update(
                posterior=self.path,
                posterior_sha256=self.sha256,
                coefficients=self.keys,
                rows=len(self.frame),
                draws="replication r takes row rows[r] of a weighted resampling from "
                "SeedSequence([master_seed, 0x57C]) (seed_key designs: SeedSequence([master_seed, "
                "0x57C, seed_key, replication]))",
            )
        return out


def resolve(
    asked: str, uses_scenario: bool, origin: str, path: str | Path | None = None
) -> Structural:
    """The structural setting of an experiment: ``auto`` becomes ``posterior`` or ``none``.

    Raises:
        ExperimentError: an unknown setting, or ``posterior`` without a posterior file.
    """
    from sim.calibration.posterior import load_posterior, posterior_available

    if asked not in MODES:
        raise ExperimentError(
            f"{origin}: key 'experiment.structural' = {asked!r} is invalid; allowed: "
            f"{', '.join(MODES)}"
        )
    if asked == "none" or not uses_scenario:
        return Structural("none", asked)
    if asked == "auto" and not posterior_available(path):
        return Structural("none", asked)
    try:
        frame = load_posterior(path)
    except Exception as exc:  # CalibrationError: missing or not a posterior
        raise ExperimentError(
            f"{origin}: key 'experiment.structural' = 'posterior': {exc}"
        ) from None
    from sim.calibration.posterior import parameter_columns

    bad = [
        k
        for k in parameter_columns(frame)
        if k.partition(".")[0] not in ("calibration", "uncertainties")
    ]
    if bad:
        raise ExperimentError(
            f"{origin}: key 'experiment.structural': posterior {frame.attrs['path']} holds {bad[0]!r}, "
            f"not a scenario key; allowed: a posterior of calibration.* / uncertainties.* coefficients"
        )
    return Structural("posterior", asked, frame, frame.attrs["path"], frame.attrs["sha256"])


def assign(
    tasks: list[Any],
    structural: Structural,
    master_seed: int,
    scheme: str,
    seed_keys: dict[int, int],
    fixed: dict[int, set[str]],
) -> tuple[list[Any], dict[str, int]]:
    """Add each run's posterior draw to its parameters.

    Args:
        tasks: the experiment's runs (:class:`sim.experiments.executors.Task`).
        structural: the resolved setting.
        master_seed: the experiment's master seed.
        scheme: the seed scheme (``common``, ``per_point``, ``seed_key``).
        seed_keys: point -> seed_key (``seed_key`` scheme only).
        fixed: point -> keys set explicitly for that point (they keep their values).

    Returns:
        The tasks with the drawn coefficients among their parameters, and run_id -> posterior row.
    """
    from sim.calibration.posterior import weighted_indices

    if structural.mode != "posterior" or not tasks:
        return tasks, {}
    frame = structural.frame
    weights = frame["weight"].to_numpy()
    keys = structural.keys
    n_reps = max(task.replication for task in tasks) + 1
    rows_by_rep = weighted_indices(weights, n_reps, derive_seed(master_seed, STRUCTURAL_TAG))
    out, draws = [], {}
    for task in tasks:
        if scheme == "seed_key":
            seed = derive_seed(master_seed, STRUCTURAL_TAG, seed_keys[task.point], task.replication)
            row = int(weighted_indices(weights, 1, seed)[0])
        else:
            row = int(rows_by_rep[task.replication])
        skip = fixed.get(task.point, set())
        values = {k: float(frame.at[row, k]) for k in keys if k not in skip}
        if not values:  # the point sets every coefficient itself (e.g. futures carrying draws)
            out.append(task)
            continue
        out.append(dataclasses.replace(task, params={**values, **task.params}))
        draws[task.run_id] = row
    return out, draws
