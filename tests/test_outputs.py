"""The registry of outputs (sim/outputs.py): consistent rows, and every reader derives from it."""

from __future__ import annotations

import pytest

from sim import outputs
from sim.experiments.models import evaluate_toy
from sim.plotting import labels as L


def test_summary_keys_are_unique_and_each_parses_back_to_its_row():
    keys = outputs.summary_keys()
    assert len(keys) == len(set(keys))
    for key in keys:
        parsed = outputs.parse_key(key)
        assert parsed is not None, key
        row, form, year = parsed
        assert (form == "years") == (year in outputs.SUMMARY_YEARS), key
        assert outputs.label(key, "en") != key and outputs.label(key, "da") != key
    assert set(outputs.HEADLINE_OUTCOMES) <= set(keys)
    assert outputs.parse_key("not_an_output_2035") is None
    assert outputs.label("not_an_output", "en") == "not_an_output"


def test_a_row_with_an_unknown_unit_kind_or_table_is_refused():
    good = outputs.OUTPUTS["gap_fte"]
    for change in ({"unit": "furlongs"}, {"kind": "level"}, {"tables": ("sectors",)}):
        fields = {**good.__dict__, **change}
        with pytest.raises(ValueError, match="gap_fte"):
            outputs.Output(**fields)
    with pytest.raises(ValueError, match="unknown series table"):
        outputs.columns("summary")


def test_labels_and_units_in_both_languages():
    assert L.outcome("gap_fte_2035", "en") == "Shortage (gap), 2035"
    assert L.outcome("gap_fte_2035", "da") == "Mangel, 2035"
    assert L.outcome("fte_freed_2030", "en") == "FTE freed (net), 2030"
    assert L.outcome_unit("fte_freed_2030", "da") == "årsværk"
    assert L.outcome_unit("pilots_started_cum", "en") == "count"  # a total, not per month
    assert outputs.unit("pilots_started", "en") == "count per month"
    assert L.counter("adoptions", "da") == "Ibrugtagninger"
    for row in outputs.OUTPUTS.values():
        assert row.en and row.da and row.definition, row.name


def test_the_toy_model_reports_registry_outcomes():
    summary, _ = evaluate_toy(None, {"scenario": "tests/data/small.toml"}, 1, False)
    assert set(summary) <= set(outputs.summary_keys())
