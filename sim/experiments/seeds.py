"""Seeds of runs: derived from the master seed and the run's indices alone, never from execution order.

Three schemes, chosen by the design:

* ``common`` (scenario lists and response curves, ``COMMON_SEED_DESIGNS``):
  ``SeedSequence([master_seed, replication])``. Replication r has the same seed at every design point,
  so points are compared under common random numbers and the difference to the reference point is
  paired by seed (its noise is much smaller than that of either point).
* ``per_point`` (grid, Latin hypercube, ...): ``SeedSequence([master_seed, point, replication])``.
* ``seed_key`` (designs whose table has an integer ``seed_key`` column, e.g. Sobol with the seed as a
  factor): ``SeedSequence([master_seed, seed_key, replication])``. All points with the same ``seed_key``
  share their seeds, so the seed can be a sampled factor held fixed within SALib's pairs.

The seed handed to the model is the first 63 bits of the sequence's state, so any subset of runs can be
rerun alone (``--resume``, another machine, another executor) with identical results.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SCHEMES = ("common", "per_point", "seed_key")
# design kinds whose points are compared with each other under common random numbers
COMMON_SEED_DESIGNS = ("scenarios", "response")


def derive_seed(master_seed: int, *indices: int) -> int:
    """A 63-bit seed from ``SeedSequence([master_seed, *indices])``."""
    entropy = [int(master_seed), *(int(i) for i in indices)]
    state = np.random.SeedSequence(entropy).generate_state(1, dtype=np.uint64)[0]
    return int(state >> np.uint64(1))


def seed_scheme(design: pd.DataFrame, design_kind: str) -> str:
    """The scheme a design uses: ``seed_key`` if the table has that column, ``common`` for the kinds in
    ``COMMON_SEED_DESIGNS`` (scenario lists, response curves), else ``per_point``."""
    if "seed_key" in design.columns:
        return "seed_key"
    return "common" if design_kind in COMMON_SEED_DESIGNS else "per_point"


def run_seed(
    master_seed: int, scheme: str, point: int, replication: int, seed_key: int | None = None
) -> int:
    """The seed of run (point, replication) under ``scheme`` (see the module docstring)."""
    if scheme == "common":
        return derive_seed(master_seed, replication)
    if scheme == "per_point":
        return derive_seed(master_seed, point, replication)
    if scheme == "seed_key":
        if seed_key is None:
            raise ValueError("scheme 'seed_key' needs a seed_key")
        return derive_seed(master_seed, seed_key, replication)
    raise ValueError(f"unknown seed scheme {scheme!r}; allowed: {', '.join(SCHEMES)}")


def describe_scheme(scheme: str) -> str:
    """A sentence for the manifest saying how seeds were derived."""
    return {
        "common": "seed = SeedSequence([master_seed, replication]) (common random numbers across points)",
        "per_point": "seed = SeedSequence([master_seed, point, replication])",
        "seed_key": "seed = SeedSequence([master_seed, seed_key, replication]) (seed as a design factor)",
    }[scheme]
