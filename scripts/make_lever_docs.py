"""Write the generated blocks of docs/levers.md from the code's own data.

docs/levers.md mixes hand-written prose with tables generated from ``sim.levers.LEVERS`` and the shipped
calibration constants (``sim.scenario.calibration_defaults()``, i.e. ``sim/data/calibration.toml``). Each
generated table stands between two markers::

    <!-- generated: lever_effects risk_budget -->
    ... (rewritten by this script; do not edit) ...
    <!-- end generated -->

Blocks: ``levers`` (the overview), ``lever <name>`` (the lever's row: unit, values, ranges, mechanisms),
``lever_effects <name>`` (every ``lever_effects.<name>_*`` coefficient), ``constants <name>`` (other
constants the lever's mechanisms read, listed in ``RELATED`` below) and ``rules <section>`` (every key of
``[procurement]``, ``[incentives]``, ``[risk_budget]``).

Usage::

    python scripts/make_lever_docs.py           # rewrite the blocks of docs/levers.md in place
    python scripts/make_lever_docs.py --check   # exit 1 if docs/levers.md is out of date

tests/test_lever_docs.py fails when the file is out of date or a lever, coefficient or rule has no block.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "levers.md"
if str(ROOT) not in sys.path:  # run as a script from anywhere: this checkout's sim
    sys.path.insert(0, str(ROOT))

from sim.levers import LEVERS  # noqa: E402
from sim.scenario import calibration_defaults  # noqa: E402

RULE_SECTIONS = ("procurement", "incentives", "risk_budget")
BLOCK = re.compile(
    r"(<!-- generated: (?P<id>[a-z_]+(?: [a-z_]+)?) -->\n)(?P<body>.*?)(<!-- end generated -->)",
    re.DOTALL,
)

# Constants outside [lever_effects] that a lever's mechanisms read (the hand-kept part: which keys; the
# values, units, ranges and sources are generated). Each key must exist in sim/data/calibration.toml.
RELATED: dict[str, tuple[str, ...]] = {
    "innovation_core_task": (
        "innovation.base_project_fte",
        "innovation.size_ref_fte",
        "innovation.pilot_staff_fte",
        "innovation.unreserved_rollout_share",
        "innovation.rollout_rate_year",
        "innovation.coverage_target_mean",
        "innovation.abandon_base_year",
    ),
    "spread_workflows": (
        "innovation.bass_p_year",
        "innovation.bass_q_year",
        "innovation.local_test_share",
        "innovation.local_test_months_share",
        "innovation.rollout_rate_year",
    ),
    "competence_investment": (
        "innovation.competence_base",
        "innovation.competence_decay_year",
        "innovation.competence_effect_share",
        "innovation.competence_rollout_gain",
        "innovation.competence_target_gain",
        "innovation.competence_abandon_cut",
        "labour.hours_per_fte",
    ),
    "proactive_scouting": (
        "innovation.size_ref_fte",
        "innovation.pilot_staff_fte",
        "innovation.bass_p_year",
        "innovation.frontier_pilots_max",
    ),
    "procurement_flexibility": (
        "innovation.price_share_of_value",
        "procurement.framework_reuse",
        "procurement.tender_months_eu",
        "procurement.tender_months_below",
        "procurement.tender_success",
        "procurement.joint_procurement",
        "procurement.joint_months",
        "procurement.joint_cost_divisor",
    ),
    "career_paths": (
        "innovation.champion_base_share",
        "innovation.champion_density_ref",
        "innovation.champion_rollout_gain",
        "innovation.abandon_champion_cut",
        "innovation.adoption_champion_logit",
    ),
    "incentive_structures": (
        "incentives.cash_rule",
        "incentives.realised_share",
        "incentives.reinvestment_share",
        "incentives.opi_revenue_share",
        "incentives.staff_bonus_dkk_per_adoption",
        "innovation.pitch_acceptance",
        "innovation.adoption_bias",
    ),
    "common_evaluation": (
        "innovation.evaluation_noise",
        "innovation.evaluation_months",
        "innovation.evaluation_cost_dkk",
        "innovation.local_test_share",
    ),
    "transformative_focus": (
        "innovation.transformative_multiplier",
        "innovation.transformative_complexity",
        "innovation.transformative_failure",
        "innovation.transformative_potential_factor",
        "innovation.transformative_new_type_factor",
        "innovation.new_type_share",
        "companies.development_months",
        "companies.transformative_months",
    ),
    "test_access": (
        "innovation.pilot_cost_dkk",
        "innovation.pilot_months",
        "innovation.pilot_company_share",
        "companies.startup_burn_dkk_month",
    ),
    "role_transparency": (
        "innovation.pitch_acceptance",
        "innovation.pitches_per_company_month",
        "innovation.frontier_pilots_max",
    ),
    "risk_budget": (
        "risk_budget.horizon_years",
        "risk_budget.carry_over_share",
        "risk_budget.pooling",
        "risk_budget.scaleup_months",
        "innovation.unproven_adoption_penalty",
        "innovation.cost_per_fte_dkk",
    ),
    "strategic_partnership_cap": (
        "innovation.strategic_formation_month",
        "innovation.frontier_pilots_max",
        "innovation.size_ref_fte",
        "companies.founding_per_partnership",
    ),
    "challenge_driven_share": (
        "innovation.claim_optimism",
        "companies.development_prob_month",
        "procurement.innovation_partnership_allowed",
        "procurement.pre_commercial_allowed",
    ),
}


def number(value: Any) -> str:
    """A value as the docs show it: true/false, a quoted choice, 15,000,000 or 0.012."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    value = float(value)
    if value == int(value) and abs(value) >= 10_000:
        return f"{value:,.0f}"
    return f"{value:g}"


def cell(text: Any) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def allowed(entry: dict[str, Any]) -> str:
    """What a scenario may set a constant to."""
    if "choices" in entry:
        return " or ".join(f'"{c}"' for c in entry["choices"])
    if isinstance(entry["value"], bool):
        return "true or false"
    low, high = entry.get("min"), entry.get("max")
    if low is not None and high is not None:
        return f"{number(low)} to {number(high)}"
    if low is not None:
        return f">= {number(low)}"
    if high is not None:
        return f"<= {number(high)}"
    return "any number"


def constants_table(keys: list[str], shown: str = "key") -> str:
    """A table of calibration constants: key, default, unit, allowed range, source."""
    defaults = calibration_defaults()
    lines = ["| key | default | unit | allowed | source |", "| --- | --- | --- | --- | --- |"]
    for key in keys:
        entry = defaults[key]
        name = key.split(".", 1)[1] if shown == "name" else key
        lines.append(
            f"| `{name}` | {number(entry['value'])} | {cell(entry.get('unit', ''))} "
            f"| {allowed(entry)} | {cell(entry.get('source', ''))} |"
        )
    return "\n".join(lines)


def lever_of(coefficient: str) -> str:
    """The lever a ``lever_effects`` key belongs to (the longest lever name it starts with)."""
    matches = [name for name in LEVERS if coefficient.startswith(f"{name}_")]
    if not matches:
        raise ValueError(
            f"lever_effects.{coefficient} is named after no lever; keys are <lever>_<what>"
        )
    return max(matches, key=len)


def effects_by_lever() -> dict[str, list[str]]:
    """lever -> its ``lever_effects.*`` keys, in the file's order."""
    out: dict[str, list[str]] = {name: [] for name in LEVERS}
    for key in calibration_defaults():
        section, name = key.split(".", 1)
        if section == "lever_effects":
            out[lever_of(name)].append(key)
    return out


def levers_block() -> str:
    """The overview of all levers."""
    lines = [
        "| # | lever | unit | status quo | recommended | analysed range | allowed range | theme |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for i, row in enumerate(LEVERS.values(), 1):
        lines.append(
            f"| {i} | `{row.name}` | {cell(row.unit)} "
            f"| {number(row.status_quo)} | {number(row.recommended)} "
            f"| {number(row.analysis_low)} to {number(row.analysis_high)} "
            f"| {number(row.low)} to {number(row.high)} | {row.theme} ({row.theme_source}) |"
        )
    return "\n".join(lines)


def lever_block(name: str) -> str:
    """A lever's row of ``sim.levers.LEVERS``."""
    row = LEVERS[name]
    mechanisms = "<br>".join(f"`{m}`" for m in row.mechanisms)
    return "\n".join(
        [
            "| | |",
            "| --- | --- |",
            f"| scenario key | `[levers] {row.name}` ({cell(row.unit)}"
            f"{', whole numbers' if row.integer else ''}) |",
            f"| focus area | {cell(row.focus_area)} |",
            f"| theme | {row.theme} ({row.theme_source}) |",
            f"| status quo / recommended | {number(row.status_quo)} / {number(row.recommended)} |",
            f"| analysed range | {number(row.analysis_low)} to {number(row.analysis_high)} |",
            f"| allowed range | {number(row.low)} to {number(row.high)} |",
            f"| mechanisms (every function that reads it) | {mechanisms} |",
            f"| in one line (`LEVERS['{row.name}'].description`) | {cell(row.description)} |",
        ]
    )


def blocks() -> dict[str, str]:
    """Every generated block: id -> Markdown."""
    defaults = calibration_defaults()
    out = {"levers": levers_block()}
    effects = effects_by_lever()
    for name in LEVERS:
        out[f"lever {name}"] = lever_block(name)
        if effects[name]:
            out[f"lever_effects {name}"] = constants_table(effects[name])
        else:
            out[f"lever_effects {name}"] = f"(no `lever_effects.{name}_*` coefficient)"
        related = RELATED.get(name, ())
        missing = [key for key in related if key not in defaults]
        if missing:
            raise ValueError(f"RELATED[{name!r}] names unknown constants: {', '.join(missing)}")
        out[f"constants {name}"] = constants_table(list(related))
    for section in RULE_SECTIONS:
        keys = [k for k in defaults if k.split(".", 1)[0] == section]
        out[f"rules {section}"] = constants_table(keys, shown="name")
    return out


def render(text: str) -> str:
    """``text`` with every generated block rewritten.

    Raises:
        ValueError: a block whose id is unknown, or an expected block that is missing.
    """
    content = blocks()
    seen: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        block = match.group("id")
        if block not in content:
            raise ValueError(f"docs/levers.md: unknown generated block {block!r}")
        seen.add(block)
        return f"{match.group(1)}{content[block]}\n{match.group(4)}"

    out = BLOCK.sub(replace, text)
    missing = [block for block in content if block not in seen]
    if missing:
        raise ValueError(
            "docs/levers.md lacks generated block(s): "
            + ", ".join(f"<!-- generated: {b} -->" for b in missing)
        )
    return out


def main(argv: list[str] | None = None) -> int:
    """Rewrite docs/levers.md (or, with ``--check``, report whether it is up to date)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    args = parser.parse_args(argv)
    text = DOC.read_text(encoding="utf-8")
    try:
        new = render(text)
    except ValueError as exc:
        print(f"make_lever_docs: {exc}", file=sys.stderr)
        return 2
    if args.check:
        if new != text:
            print(
                "docs/levers.md is out of date; run: python scripts/make_lever_docs.py",
                file=sys.stderr,
            )
            return 1
        return 0
    if new != text:
        DOC.write_text(new, encoding="utf-8")
        print(f"rewrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
