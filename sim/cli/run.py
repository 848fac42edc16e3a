"""The core's commands: ``opisim run``, ``opisim levers`` and ``opisim calibration``."""

from __future__ import annotations

import argparse
import hashlib
import re
import shlex
import sys
import textwrap
from datetime import datetime
from pathlib import Path

from sim.errors import ScenarioError
from sim.levers import LEVERS, THEMES, UNCERTAINTIES, levers_table
from sim.outputs import SUMMARY_YEARS, TARGET_FTE, TARGET_YEAR
from sim.scenario import calibration_defaults, load_scenario, parse_override

RESULTS_ROOT = Path("results")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``run``, ``levers`` and ``calibration`` commands."""
    p = subparsers.add_parser(
        "run",
        help="run one scenario and write its outputs",
        description="Run one scenario with one seed; write Parquet outputs and a manifest.",
    )
    p.add_argument("scenario", help="scenario TOML file, e.g. scenarios/baseline.toml")
    p.add_argument("--seed", type=int, default=1, help="run seed (default 1)")
    p.add_argument(
        "--out", help="output directory (default results/runs/<scenario>-seed<N>-<time>)"
    )
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a scenario key, e.g. --set levers.risk_budget=0.5 (repeatable)",
    )
    p.set_defaults(func=cmd_run)

    p = subparsers.add_parser("levers", help="print the levers and the uncertainties")
    p.add_argument("--format", choices=("table", "csv", "markdown"), default="table")
    p.set_defaults(func=cmd_levers)

    p = subparsers.add_parser(
        "calibration", help="print the calibration constants with units and sources"
    )
    p.set_defaults(func=cmd_calibration)


def run_dir_name(scenario: str, overrides: list[str], seed: int, when: datetime) -> str:
    """The default folder name of a run: ``<scenario>[+<key>=<value>...]-seed<N>-<time>``.

    Each ``--set`` adds its key's last part and value (``levers.risk_budget=0.5`` ->
    ``+risk_budget=0.5``), so that a modified run can be told from the unmodified scenario; characters
    that do not belong in a file name become ``_``, and a long list is cut with a hash of the whole.
    """
    parts = []
    for text in overrides:
        key, _, value = text.partition("=")
        parts.append(f"{key.strip().rsplit('.', 1)[-1]}={value.strip()}")
    label = "+".join(re.sub(r"[^A-Za-z0-9_.=,-]+", "_", part) for part in [scenario, *parts])
    if len(label) > 100:
        digest = hashlib.sha256("+".join(overrides).encode()).hexdigest()[:8]
        label = f"{label[:90]}+{digest}"
    return f"{label}-seed{seed}-{when:%Y%m%d-%H%M%S}"


def cmd_run(args: argparse.Namespace) -> int:
    """Run one scenario and write its outputs."""
    scenario = load_scenario(args.scenario)
    overrides = dict(parse_override(text) for text in args.overrides)
    if overrides:
        scenario = scenario.with_overrides(overrides)
    out = (
        Path(args.out)
        if args.out
        else RESULTS_ROOT
        / "runs"
        / run_dir_name(scenario.name, args.overrides, args.seed, datetime.now())
    )
    if out.exists() and not out.is_dir():
        raise ScenarioError(f"--out {out}: exists and is not a directory")
    from sim.simulation import run  # the model and its compiled steps: after the input is checked

    result = run(scenario, seed=args.seed)
    command = "opisim run " + " ".join(
        shlex.quote(a)
        for a in [args.scenario, "--seed", str(args.seed), "--out", str(out)]
        + [x for o in args.overrides for x in ("--set", o)]
    )
    result.write(out, command=command)
    print(summary_table(result))
    print(
        f"\nwrote {out}/ (timeseries, by_profession and adoption .parquet, summary.json, "
        f"manifest.json) in {result.run_time_s:.2f} s"
    )
    return 0


def summary_table(result) -> str:
    """A short human-readable table of a run's headline numbers."""
    import pandas as pd

    s = result.summary
    rows = []
    for year in SUMMARY_YEARS:
        if pd.isna(s.get(f"gap_fte_{year}")):
            continue
        rows.append(
            {
                "year": year,
                "demand FTE": f"{s[f'demand_fte_{year}']:,.0f}",
                "supply FTE": f"{s[f'supply_fte_{year}']:,.0f}",
                "net freed FTE": f"{s[f'fte_freed_{year}']:,.0f}",
                "gap FTE": f"{s[f'gap_fte_{year}']:,.0f}",
                "gap %": f"{100 * s[f'gap_share_{year}']:.1f}",
                "SOSU gap": f"{s[f'sosu_gap_fte_{year}']:,.0f}",
                "nurse gap": f"{s[f'nurse_gap_fte_{year}']:,.0f}",
            }
        )
    table = pd.DataFrame(rows).to_string(index=False) if rows else "(no summary year simulated)"
    year = s.get("target_10k_year")
    if s.get("target_10k_reached"):
        target = f"reached in {int(year)}"
    else:
        later = f" (reached {int(year)})" if not pd.isna(year) else ""
        target = f"not reached by {TARGET_YEAR}{later}"
    scenario = result.scenario
    return "\n".join(
        [
            f"opisim run: scenario '{scenario.name}', seed {result.seed}, "
            f"staff_scale {scenario.world.staff_scale}",
            table,
            "December of each year. gap = demand - (supply + net freed); net freed = FTE freed by\n"
            "solutions in use minus the FTE that innovation work takes (negative when it costs more).",
            f"{TARGET_FTE:,.0f} FTE freed (net) by {TARGET_YEAR}: {target}",
        ]
    )


WIDTH = 100  # columns of the text that `opisim levers` and `opisim calibration` print
# What each section of sim/data/calibration.toml sets, in plain words (`opisim calibration`).
CALIBRATION_SECTIONS = {
    "labour": "Working time: the hours in one full-time year (converts FTE to hours).",
    "stock": "The staff in 2025 per sector and profession (hospitals in FTE, municipalities in persons).",
    "fte_fraction": "How much of a full-time job the average person works, by profession.",
    "part_time_share": "The share of staff who work part time, by profession.",
    "initial_gap_share": "Demand left unmet in 2025 (vacancies), as a share of demand.",
    "flows": "Yearly rates of retirement, quitting (which rises with strain), moving to another "
    "employer and hiring from outside.",
    "education": "Yearly intake and completion of each education; graduates start work in September.",
    "innovation": "How solutions are piloted, evaluated, bought, implemented, spread and abandoned, and "
    "what that costs in money and staff hours (mostly assumptions).",
    "companies": "How health-tech companies are founded, funded, develop solutions, fail and grow.",
    "lever_effects": "How strongly each lever's mechanisms act: one coefficient per mechanism, named "
    "<lever>_<what> (docs/levers.md has the table per lever); uncertainties in the analysis.",
    "procurement": "The procurement rules: routes (EU tender, below the threshold, framework call-off, "
    "innovation partnership, pre-commercial, joint procurement), thresholds, durations, success rates.",
    "incentives": "The incentive rules: when freed hours become budget room, how much units keep and "
    "reinvest, income from OPI, staff bonuses.",
    "risk_budget": "The risk fund's rules: its horizon, carry-over of unspent money, and who holds it "
    "(each organisation, each region or the nation).",
}


def _block(label: str, text: str, indent: int = 12) -> str:
    """``  label     text`` wrapped at :data:`WIDTH` columns, continuation lines indented."""
    return textwrap.fill(
        text,
        WIDTH,
        initial_indent=f"  {label:<{indent - 2}}",
        subsequent_indent=" " * indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def levers_text() -> str:
    """The levers and the uncertainties in plain words, one block each, within :data:`WIDTH` columns."""
    lines = [
        textwrap.fill(
            "LEVERS: the council's recommendations as policy levers. Values go from the status quo to "
            "the recommended value, within the range the analyses use. Theme: one of the seed's three "
            "perspectives ('seed': the seed's text assigns it; 'reading': our assignment).",
            WIDTH,
        )
    ]
    for lever in LEVERS.values():
        kind = "whole number, " if lever.integer else ""
        lines += [
            "",
            f"{lever.name}: {lever.title_en} ({lever.title_da})",
            _block(
                "value",
                f"{lever.status_quo:g} -> {lever.recommended:g} {lever.unit} "
                f"({kind}range {lever.low:g} to {lever.high:g})",
            ),
            _block("theme", f"{lever.theme} ({lever.theme_source}): {THEMES[lever.theme]}"),
            _block("does", lever.description),
            _block("acts in", lever.mechanism),
            _block("source", f"the seed document's focus area: {lever.focus_area}"),
            _block("values", "assumption (docs/ODD.md, section Parameters)"),
        ]
    lines += ["", "UNCERTAINTIES: exogenous, not policy; swept in the analyses."]
    for row in UNCERTAINTIES.values():
        lines += [
            "",
            f"{row.name}: {row.title_en} ({row.title_da})",
            _block("value", f"{row.default:g} {row.unit} (range {row.low:g} to {row.high:g})"),
            _block("does", row.description),
            _block("acts in", row.mechanism),
            _block("source", row.source),
        ]
    return "\n".join(lines)


def cmd_levers(args: argparse.Namespace) -> int:
    """Print the levers and the uncertainties (text, CSV or Markdown)."""
    cols = [
        "name",
        "unit",
        "status_quo",
        "recommended",
        "low",
        "high",
        "theme",
        "theme_source",
        "focus_area",
    ]
    if args.format == "csv":
        levers_table()[[*cols, "title_en", "title_da", "mechanism", "description"]].to_csv(
            sys.stdout, index=False
        )
        return 0
    if args.format == "markdown":
        print("| " + " | ".join(cols) + " |")
        print("|" + " --- |" * len(cols))
        for lever in LEVERS.values():
            print("| " + " | ".join(f"{getattr(lever, c)}" for c in cols) + " |")
        return 0
    print(levers_text())
    return 0


def calibration_text() -> str:
    """Every calibration constant with its value, unit, allowed range and source, within
    :data:`WIDTH` columns, section by section with what the section sets in plain words."""
    lines = [
        textwrap.fill(
            "CALIBRATION CONSTANTS (sim/data/calibration.toml). A scenario may override one under "
            '[calibration], e.g. "flows.strain_elasticity" = 2.0, within its allowed range.',
            WIDTH,
        )
    ]
    section = None
    for key, entry in calibration_defaults().items():
        head, _, name = key.partition(".")
        if head != section:
            section = head
            lines += ["", f"[{section}]"]
            if section in CALIBRATION_SECTIONS:
                lines.append(_block("", CALIBRATION_SECTIONS[section], indent=2))
        low, high = entry.get("min"), entry.get("max")
        value = entry["value"]
        shown = (
            f"{value:g}"
            if isinstance(value, int | float) and not isinstance(value, bool)
            else (str(value).lower() if isinstance(value, bool) else repr(value))
        )
        if "choices" in entry:
            low = high = None
            shown += " (one of " + ", ".join(repr(c) for c in entry["choices"]) + ")"
        bounds = [
            f">= {low:g}" if low is not None else "",
            f"<= {high:g}" if high is not None else "",
        ]
        allowed = " and ".join(b for b in bounds if b)
        lines.append(
            textwrap.fill(
                f"{name} = {shown} {entry.get('unit', '')}"
                + (f" (allowed {allowed})" if allowed else ""),
                WIDTH,
                initial_indent="  ",
                subsequent_indent="      ",
            )
        )
        lines.append(
            textwrap.fill(
                f"source: {entry.get('source', 'none given')}",
                WIDTH,
                initial_indent="      ",
                subsequent_indent="        ",
                break_long_words=False,
            )
        )
    return "\n".join(lines)


def cmd_calibration(args: argparse.Namespace) -> int:
    """Print every calibration constant with its unit, range and source."""
    print(calibration_text())
    return 0
