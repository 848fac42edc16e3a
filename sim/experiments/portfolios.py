"""Portfolios of lever settings as scenario overrides: the one place a policy becomes ``levers.*`` keys.

A portfolio gives some levers a value and, optionally, a start year: the lever keeps its status-quo
value until ``start_year`` and then ramps linearly to ``value`` over ``ramp_years`` (0: a step).
:func:`lever_overrides` turns it into dotted overrides for ``Scenario.with_overrides``. Lever schedules
are written in a scenario as a table, ``risk_budget = { value = 0.5, start_year = 2029, ramp_years = 2 }``;
whether the installed scenario schema accepts that form is detected once (:func:`schedules_supported`,
by validating a tiny override). Without it, start years are dropped -- every lever then acts from the
first simulated month -- and the returned notes say so, so that callers can print it in their output.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from sim.levers import LEVERS


@lru_cache(maxsize=1)
def schedules_supported() -> bool:
    """Whether scenarios accept a lever as ``{value, start_year, ramp_years}`` (detected, not assumed)."""
    from sim.errors import ScenarioError
    from sim.scenario import FIRST_YEAR, LAST_YEAR, Scenario

    name, row = next(iter(LEVERS.items()))
    probe = {
        "value": row.recommended,
        "start_year": min(FIRST_YEAR + 4, LAST_YEAR),
        "ramp_years": 2,
    }
    try:
        Scenario({}).with_overrides({f"levers.{name}": probe})
    except (ScenarioError, TypeError, ValueError):
        return False
    return True


def lever_value(name: str, value: float) -> float | int:
    """A lever value as the scenario expects it: integer levers rounded, others as float."""
    row = LEVERS[name]
    return int(round(value)) if row.integer else float(value)


def lever_overrides(
    values: Mapping[str, float],
    start_years: Mapping[str, int] | None = None,
    ramp_years: int = 0,
) -> tuple[dict[str, Any], list[str]]:
    """The scenario overrides of a portfolio, and notes on anything that could not be expressed.

    Args:
        values: lever name -> value (levers not named keep the scenario's value).
        start_years: lever name -> first year the lever moves from its status-quo value (optional;
            if given, for every lever of ``values``).
        ramp_years: years of the linear ramp from the status-quo value to ``value`` (0: a step).

    Returns:
        ``({"levers.<name>": value or {value, start_year, ramp_years}}, notes)``. With schedules
        supported and any start year given, every named lever is written as a table (one form per
        portfolio, so tables of many portfolios have uniform columns); without support, plain values
        and a note that the start years were dropped.

    Raises:
        KeyError: an unknown lever name.
    """
    for name in values:
        if name not in LEVERS:
            raise KeyError(name)
    notes: list[str] = []
    timed = bool(start_years)
    if timed and not schedules_supported():
        notes.append(
            "start years dropped: this version's scenarios take no lever schedules "
            "({value, start_year, ramp_years}), so every lever acts from the first simulated month"
        )
        timed = False
    overrides: dict[str, Any] = {}
    for name, value in values.items():
        plain = lever_value(name, value)
        if timed:
            start = int((start_years or {})[name])
            overrides[f"levers.{name}"] = {
                "value": plain,
                "start_year": start,
                "ramp_years": int(ramp_years),
            }
        else:
            overrides[f"levers.{name}"] = plain
    return overrides, notes
