"""Fixed-seed regression: the small scenario's headline outcomes stay what they were.

A failure means behaviour changed. If that was intended, rerun ``python tests/update_regression.py`` and say
so in the commit message; otherwise find what changed.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("update_regression", HERE / "update_regression.py")
_update = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_update)
compute = _update.compute


def test_fixed_seed_outcomes_unchanged():
    expected = json.loads((HERE / "data" / "regression_small.json").read_text())
    actual = compute()
    for seed, values in expected.items():
        for key, value in values.items():
            assert actual[seed][key] == pytest.approx(value, rel=1e-9, abs=1e-9, nan_ok=True), (
                seed,
                key,
            )
