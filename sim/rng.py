"""Named random streams: one independent generator per process of the model (common random numbers).

Each stream is derived from the run's seed and the stream's *name* alone, so adding a stream, or switching a
lever that makes one process draw more, never shifts the draws of another process. Two scenarios run with
the same seed therefore share identical demography, staff-flow and company draws wherever a lever plays no
part, which keeps scenario differences low in noise.
"""

from __future__ import annotations

import zlib

import numpy as np

STREAMS = (
    "world",  # synthetic world layout
    "staff_init",  # initial staff attributes
    "graduates",  # yearly cohorts
    "exits",  # retirement draws and the monthly exit draw per staff slot
    "moves",  # moves between employers
    "part_time",  # changes of hours
    "hiring",  # hiring from outside
    "companies",  # company founding, finance, development
    "matching",  # scouting, pitches, challenges
    "pilots",  # pilots and evaluation noise
    "procurement",  # procurement outcomes and durations
    "implementation",  # implementation, spread, abandonment
    "competence",  # training and careers
)


def stream_seed(seed: int, name: str) -> np.random.SeedSequence:
    """The SeedSequence of stream ``name`` for run seed ``seed``."""
    return np.random.SeedSequence([int(seed), zlib.crc32(name.encode())])


class RandomStreams:
    """One ``numpy.random.Generator`` per named process, created on first use."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        self._generators: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        gen = self._generators.get(name)
        if gen is None:
            if name not in STREAMS:
                raise KeyError(f"unknown random stream {name!r}; declare it in sim.rng.STREAMS")
            gen = np.random.Generator(np.random.PCG64(stream_seed(self.seed, name)))
            self._generators[name] = gen
        return gen
