"""docs/levers.md stays in step with the code: its generated tables are up to date, every lever has its
section in the seed's order with prose naming every mechanism, and every seed quotation is the seed's own
text (as docs/seed_quotes.md gives it)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

import sim
from sim.scenario import calibration_defaults

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "levers.md"
PREFIX = "sim.model.innovation."


def _generator():
    path = ROOT / "scripts" / "make_lever_docs.py"
    spec = importlib.util.spec_from_file_location("make_lever_docs", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = _generator()


def _text() -> str:
    return DOC.read_text(encoding="utf-8")


def _prose(text: str) -> str:
    """The hand-written part: the text without the generated blocks."""
    return gen.BLOCK.sub("", text)


def _sections(text: str) -> dict[str, str]:
    """lever -> the text of its section (### N. `lever` ... up to the next ### or ##)."""
    heads = list(re.finditer(r"^### (\d+)\. `([a-z_]+)`.*$", text, re.M))
    out = {}
    for i, head in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else text.index("\n## ", head.end())
        out[head.group(2)] = text[head.start() : end]
    return out


def test_generated_tables_are_up_to_date():
    text = _text()
    assert gen.render(text) == text, (
        "docs/levers.md is out of date: python scripts/make_lever_docs.py"
    )


def test_the_check_command_agrees():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_lever_docs.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr


def test_a_stale_table_is_caught_and_rewritten():
    text = _text()
    key = "risk_budget_uncertainty_tolerance"
    value = gen.number(calibration_defaults()[f"lever_effects.{key}"]["value"])
    stale = text.replace(f"| `lever_effects.{key}` | {value} |", f"| `lever_effects.{key}` | 99 |")
    assert stale != text
    assert gen.render(stale) == text


def test_unknown_and_missing_blocks_are_errors():
    text = _text()
    with pytest.raises(ValueError, match="unknown generated block 'rules banana'"):
        gen.render(text + "\n<!-- generated: rules banana -->\n<!-- end generated -->\n")
    block = "<!-- generated: lever_effects test_access -->"
    start = text.index(block)
    end = text.index("<!-- end generated -->", start) + len("<!-- end generated -->")
    with pytest.raises(ValueError, match="lever_effects test_access"):
        gen.render(text[:start] + text[end:])


def test_every_coefficient_and_rule_appears_in_a_table():
    text = _text()
    for key in calibration_defaults():
        section, name = key.split(".", 1)
        if section == "lever_effects":
            assert f"| `{key}` |" in text, key
        elif section in gen.RULE_SECTIONS:
            assert f"| `{name}` |" in text, key


def test_every_lever_has_its_section_in_order_with_its_mechanisms_in_the_prose():
    sections = _sections(_text())
    assert list(sections) == list(sim.LEVERS)
    for name, lever in sim.LEVERS.items():
        prose = _prose(sections[name])
        for part in ("**Seed.**", "**Mechanisms.**", "**Benefit.**", "**Cost.**", "**Range.**"):
            assert part in prose, (name, part)
        assert "**Where the seed is silent.**" in prose, name
        for mechanism in lever.mechanisms:
            short = mechanism.removeprefix(PREFIX)
            assert f"`{short}`" in prose, (name, short)


def test_every_lever_has_a_why_the_curve_bends_paragraph():
    text = _text()
    why = text[text.index("## Why the curves bend") :]
    for i, name in enumerate(sim.LEVERS, 1):
        assert f"**{i}. `{name}`.**" in why, name


def test_seed_quotations_are_the_seeds_own_words():
    def norm(t: str) -> str:
        return re.sub(r"\s+", " ", t).strip()

    source = norm((ROOT / "docs" / "seed_quotes.md").read_text(encoding="utf-8"))
    quotes = re.findall(r"»(.*?)«", _text(), re.S)
    assert len(quotes) >= 14
    for quote in quotes:
        assert norm(quote) in source, quote[:80]


def test_each_lever_effects_key_is_named_after_a_lever():
    for key in calibration_defaults():
        section, name = key.split(".", 1)
        if section == "lever_effects":
            assert name.startswith(f"{gen.lever_of(name)}_")
    with pytest.raises(ValueError, match="named after no lever"):
        gen.lever_of("banana_split")
