"""ABC-SMC with pyabc, made reproducible: same master seed, same posterior, on any executor.

pyabc's own parallel samplers hand particles to whichever worker is free and keep the first ``n`` that
come back accepted, so their result depends on timing. Here :class:`BatchSampler` (a pyabc ``Sampler``)
draws candidate particles in batches in this process, evaluates each batch through the experiment
layer's executors (inline, local worker processes or Dask), and accepts in candidate order:

1. **Collect.** For candidate ``i`` of generation ``g``, numpy's global generator (the one pyabc's
   priors and transition kernels draw from) is seeded from ``SeedSequence([master_seed, 1, g, i])`` and
   pyabc's ``simulate_one`` is called; the model raises at once and hands back the proposed parameters.
2. **Evaluate.** Every candidate of the batch runs ``replications`` times, run ``r`` with the seed
   ``SeedSequence([master_seed, 2, g, i, r])``, on the executor; finished runs are written to
   ``runs/`` as each batch ends.
3. **Replay.** In candidate order, the generator is seeded again exactly as in step 1 and
   ``simulate_one`` is called again: it proposes the same parameters (checked), the model returns the
   evaluated statistics, and pyabc computes distance, acceptance and weight. The generation ends at the
   ``n``-th accepted candidate; candidates after it are discarded and not counted.

So candidate ``i``'s parameters and runs depend only on the master seed, the generation and ``i``, and
the accepted set is the first ``n`` accepted candidates: the batch size and the number of workers change
the speed, never the result. pyabc keeps completed generations in its database (``abc.db``), and
``--resume`` continues after the last one, reusing the stored runs of an interrupted generation.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd

STREAM_PROPOSAL = 1  # numpy's global generator for pyabc, per candidate
STREAM_RUN = 2  # model runs of candidates
STREAM_RESAMPLE = 3  # the posterior predictive draws (which particles)
STREAM_PREDICTIVE = 4  # model runs of the posterior predictive check
PREDICTIVE_GENERATION = -1  # generation label of predictive runs in the run store


def proposal_seed(master_seed: int, generation: int, candidate: int) -> np.ndarray:
    """The state seeding numpy's global generator before candidate ``candidate`` is proposed.

    pyabc proposes its calibration sample at ``t = -1``; generations are offset by one, so every
    index handed to ``SeedSequence`` is non-negative.
    """
    ss = np.random.SeedSequence([int(master_seed), STREAM_PROPOSAL, generation + 1, candidate])
    return ss.generate_state(4, dtype=np.uint32)


class DeferredEvaluation(Exception):  # noqa: N818 (a signal, not an error)
    """Raised by :class:`CalibrationModel` in the collect pass, carrying the proposed parameters."""

    def __init__(self, parameters: dict[str, float]) -> None:
        super().__init__("parameters collected")
        self.parameters = parameters


def _pyabc() -> Any:
    import pyabc

    return pyabc


def make_model_class() -> type:
    """The pyabc ``Model`` subclass (built on first use, so importing this module needs no pyabc)."""
    pyabc = _pyabc()

    class CalibrationModel(pyabc.Model):
        """pyabc's view of the model: collects proposals, then returns statistics evaluated elsewhere.

        In ``collect`` mode :meth:`sample` raises :class:`DeferredEvaluation` with the parameters; in
        ``replay`` mode it checks that pyabc proposed the same parameters as in the collect pass and
        returns the statistics the sampler evaluated for them.
        """

        def __init__(self, keys: list[str]) -> None:
            super().__init__("opisim")
            self.keys = list(keys)
            self.mode = "collect"
            self.expected: dict[str, float] = {}
            self.statistics: dict[str, np.ndarray] = {}

        def sample(self, pars: Any) -> dict[str, np.ndarray]:
            values = {key: float(pars[key]) for key in self.keys}
            if self.mode == "collect":
                raise DeferredEvaluation(values)
            if values != self.expected:
                raise RuntimeError(
                    "pyabc proposed different parameters on replay than when they were collected: "
                    f"{values} != {self.expected}; some of its randomness is not seeded"
                )
            return self.statistics

    return CalibrationModel


def make_distance(
    names: list[str],
    observed: np.ndarray,
    scale: np.ndarray,
    randomness: str,
    high: np.ndarray | None = None,
) -> Any:
    """The distance: root mean square of ``(model - observed) / scale`` over the fitted targets.

    Statistics arrive as arrays over replications. ``mean_statistics`` averages them first (a distance
    on means); ``mean_distance`` averages the distances of the single runs. With ``high``, target ``i``
    is the band [``observed[i]``, ``high[i]``] and its term the model's distance to the band,
    ``(model - clip(model, observed, high)) / scale``.
    """
    pyabc = _pyabc()
    low = np.asarray(observed, dtype=float)
    top = low if high is None else np.asarray(high, dtype=float)

    def z_of(values: np.ndarray) -> np.ndarray:
        return (values - np.clip(values, low[:, None], top[:, None])) / scale[:, None]

    class RmsDistance(pyabc.Distance):
        def __call__(self, x: dict, x_0: dict, t: int | None = None, par: Any = None) -> float:
            sims = np.stack([np.asarray(x[name], dtype=float) for name in names])
            if randomness == "mean_statistics":
                z = z_of(sims.mean(axis=1, keepdims=True))
                return float(np.sqrt(np.mean(z**2)))
            z = z_of(sims)
            return float(np.mean(np.sqrt(np.mean(z**2, axis=0))))

        def get_config(self) -> dict:
            return {
                "name": "RmsDistance",
                "targets": names,
                "observed": low.tolist(),
                "high": top.tolist(),
                "scale": scale.tolist(),
                "randomness": randomness,
            }

    return RmsDistance()


def make_epsilon(setting: str | list[float], quantile: float) -> Any:
    """pyabc's epsilon: a fixed list, or a quantile of the last generation's distances.

    The quantile epsilon starts at infinity (generation 0 accepts every draw from the prior, so no
    separate calibration sample is spent) and, unlike pyabc's own, recomputes its threshold from the
    last stored generation when a run is resumed, exactly as an uninterrupted run does.
    """
    pyabc = _pyabc()
    if isinstance(setting, list):
        return pyabc.epsilon.ListEpsilon([float(e) for e in setting])

    class ResumableQuantileEpsilon(pyabc.epsilon.QuantileEpsilon):
        def initialize(
            self,
            t: int,
            get_weighted_distances: Callable[[], pd.DataFrame],
            get_all_records: Callable[[], list[dict]],
            max_nr_populations: int,
            acceptor_config: dict,
        ) -> None:
            if t > 0:
                self._update(t, get_weighted_distances())

    return ResumableQuantileEpsilon(initial_epsilon=math.inf, alpha=quantile, weighted=True)


def make_prior(priors: Any) -> Any:
    """pyabc's ``Distribution`` over the calibrated parameters (dotted keys)."""
    pyabc = _pyabc()
    rvs = {}
    for prior in priors:
        if prior.distribution == "uniform":
            rvs[prior.key] = pyabc.RV("uniform", prior.low, prior.high - prior.low)
        elif prior.distribution == "loguniform":
            rvs[prior.key] = pyabc.RV("loguniform", prior.low, prior.high)
        elif prior.distribution == "normal":
            a = (prior.low - prior.mean) / prior.sd
            b = (prior.high - prior.mean) / prior.sd
            rvs[prior.key] = pyabc.RV("truncnorm", a, b, loc=prior.mean, scale=prior.sd)
        else:  # pragma: no cover - the spec allows no other
            raise ValueError(f"unknown distribution {prior.distribution!r}")
    return pyabc.Distribution(**rvs)


@contextlib.contextmanager
def numpy_global_state() -> Iterator[None]:
    """Restore numpy's global generator afterwards (the sampler seeds it for pyabc)."""
    state = np.random.get_state()
    try:
        yield
    finally:
        np.random.set_state(state)


@contextlib.contextmanager
def quiet_pyabc(level: int = logging.WARNING) -> Iterator[None]:
    """pyabc logs every generation at INFO; our own progress lines say it shorter."""
    loggers = [logging.getLogger(name) for name in ("ABC", "ABC.History", "ABC.Sampler")]
    old = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(level)
    try:
        yield
    finally:
        for lg, lvl in zip(loggers, old, strict=True):
            lg.setLevel(lvl)


def make_sampler(
    evaluate: Callable[[int, dict[int, dict[str, float]]], dict[int, dict[str, np.ndarray]]],
    master_seed: int,
    model: Any,
    batch_size: Callable[[int, float | None], int],
    on_batch: Callable[[dict[str, Any]], None] | None = None,
) -> Any:
    """The deterministic batch sampler (see the module docstring).

    Args:
        evaluate: ``evaluate(generation, {candidate: parameters})`` -> ``{candidate: statistics}``,
            each statistic an array over replications.
        master_seed: the calibration's master seed.
        model: the :class:`CalibrationModel` that ABCSMC calls.
        batch_size: ``batch_size(still_needed, acceptance_rate_so_far)`` -> candidates in the next
            batch (speed only: the result does not depend on it).
        on_batch: called after every batch with a progress record.
    """
    pyabc = _pyabc()

    class BatchSampler(pyabc.sampler.Sampler):
        def __init__(self) -> None:
            super().__init__()
            self.last_rate: float | None = None

        def _propose(self, simulate_one: Callable, generation: int, index: int) -> dict[str, float]:
            np.random.seed(proposal_seed(master_seed, generation, index))
            model.mode = "collect"
            try:
                simulate_one()
            except DeferredEvaluation as deferred:
                return deferred.parameters
            raise RuntimeError("pyabc's simulate_one did not call the model")

        def sample_until_n_accepted(
            self,
            n: int,
            simulate_one: Callable,
            t: int,
            *,
            max_eval: float = np.inf,
            all_accepted: bool = False,
            ana_vars: Any = None,
        ) -> Any:
            sample = self._create_empty_sample()
            accepted = evaluated = start = 0
            rate = self.last_rate
            while accepted < n and start < max_eval:
                size = max(1, batch_size(n - accepted, rate))
                stop = int(min(start + size, max_eval)) if math.isfinite(max_eval) else start + size
                indices = range(start, max(stop, start + 1))
                proposals = {i: self._propose(simulate_one, t, i) for i in indices}
                results = evaluate(t, proposals)
                batch_accepted = 0
                for i in indices:
                    np.random.seed(proposal_seed(master_seed, t, i))
                    model.mode = "replay"
                    model.expected = proposals[i]
                    model.statistics = results[i]
                    particle = simulate_one()
                    sample.append(particle)
                    evaluated = i + 1
                    if particle.accepted:
                        accepted += 1
                        batch_accepted += 1
                        if accepted == n:
                            break
                model.mode = "collect"
                rate = accepted / evaluated if evaluated else None
                start = indices.stop
                if on_batch is not None:
                    on_batch(
                        {
                            "generation": t,
                            "candidates": evaluated,
                            "accepted": accepted,
                            "needed": n,
                            "batch": len(indices),
                        }
                    )
            self.nr_evaluations_ = evaluated
            if evaluated:
                self.last_rate = accepted / evaluated
            if accepted < n:
                sample.ok = False
            return sample

    return BatchSampler()
