"""Documentation stays in step with the code: ODD.md lists every parameter, ARCHITECTURE names real modules."""

from __future__ import annotations

import importlib
from pathlib import Path

import sim
from sim.scenario import calibration_defaults

ROOT = Path(__file__).resolve().parents[1]


def test_odd_lists_every_parameter():
    odd = (ROOT / "docs" / "ODD.md").read_text()
    headings = [
        "## 1. Purpose and patterns",
        "## 2. Entities",
        "## 3. Process overview",
        "## 4. Design concepts",
        "## 5. Initialization",
        "## 6. Input data",
        "## 7. Submodels",
    ]
    positions = [odd.index(h) for h in headings]
    assert positions == sorted(positions)
    for name in list(sim.LEVERS) + list(sim.UNCERTAINTIES) + list(calibration_defaults()):
        assert f"`{name}`" in odd, name


def _resolve(dotted: str):
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        module = obj
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return module, obj
    raise AssertionError(dotted)


def test_every_mechanism_named_in_the_tables_exists_and_mentions_its_lever():
    for row in list(sim.LEVERS.values()) + list(sim.UNCERTAINTIES.values()):
        names = row.mechanisms if row.name in sim.LEVERS else (row.mechanism,)
        for name in names:
            module, _ = _resolve(name)
            if row.name in sim.LEVERS:
                assert row.name in Path(module.__file__).read_text(), (
                    f"{row.name} not mentioned in {module.__name__}"
                )
