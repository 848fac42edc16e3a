"""CLI subcommands of the core: ``opisim run``, ``opisim levers`` and ``opisim calibration``."""

from __future__ import annotations

import argparse
import shlex
import sys
from datetime import datetime
from pathlib import Path

from sim.errors import ScenarioError
from sim.levers import THEMES, levers_table, uncertainties_table
from sim.scenario import calibration_defaults, load_scenario, parse_override

RESULTS_ROOT = Path("results")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``run``, ``levers`` and ``calibration``."""
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

    p = subparsers.add_parser("levers", help="print the 14 levers and the uncertainties")
    p.add_argument("--format", choices=("table", "csv", "markdown"), default="table")
    p.set_defaults(func=cmd_levers)

    p = subparsers.add_parser(
        "calibration", help="print the calibration constants with units and sources"
    )
    p.set_defaults(func=cmd_calibration)


def cmd_run(args: argparse.Namespace) -> int:
    from sim.simulation import run

    scenario = load_scenario(args.scenario)
    overrides = dict(parse_override(text) for text in args.overrides)
    if overrides:
        scenario = scenario.with_overrides(overrides)
    out = (
        Path(args.out)
        if args.out
        else (
            RESULTS_ROOT
            / "runs"
            / f"{scenario.name}-seed{args.seed}-{datetime.now():%Y%m%d-%H%M%S}"
        )
    )
    if out.exists() and not out.is_dir():
        raise ScenarioError(f"--out {out}: exists and is not a directory")
    result = run(scenario, seed=args.seed)
    command = "opisim run " + " ".join(
        shlex.quote(a)
        for a in [args.scenario, "--seed", str(args.seed), "--out", str(out)]
        + [x for o in args.overrides for x in ("--set", o)]
    )
    result.write(out, command=command)
    print(summary_table(result))
    print(
        f"\nwrote {out}/ (timeseries.parquet, by_profession.parquet, adoption.parquet, summary.json, "
        f"manifest.json) in {result.run_time_s:.2f} s"
    )
    return 0


def summary_table(result) -> str:
    """A short human-readable table of a run's headline numbers."""
    import pandas as pd

    s = result.summary
    rows = []
    for year in (2030, 2035, 2045):
        if f"gap_fte_{year}" not in s or pd.isna(s[f"gap_fte_{year}"]):
            continue
        rows.append(
            {
                "year": year,
                "demand FTE": f"{s[f'demand_fte_{year}']:,.0f}",
                "supply FTE": f"{s[f'supply_fte_{year}']:,.0f}",
                "freed FTE": f"{s[f'fte_freed_{year}']:,.0f}",
                "gap FTE": f"{s[f'gap_fte_{year}']:,.0f}",
                "gap %": f"{100 * s[f'gap_share_{year}']:.1f}",
                "SOSU gap": f"{s[f'sosu_gap_fte_{year}']:,.0f}",
                "nurse gap": f"{s[f'nurse_gap_fte_{year}']:,.0f}",
            }
        )
    table = pd.DataFrame(rows).to_string(index=False)
    target = (
        ("reached in " + str(int(s["target_10k_year"])))
        if s.get("target_10k_reached")
        else (
            "not reached by 2030"
            + (
                f" (reached {int(s['target_10k_year'])})"
                if not pd.isna(s.get("target_10k_year"))
                else ""
            )
        )
    )
    head = f"opisim run: scenario '{result.scenario.name}', seed {result.seed}, staff_scale {result.scenario.world.staff_scale}"
    return f"{head}\n{table}\n10,000 FTE freed: {target}"


def cmd_levers(args: argparse.Namespace) -> int:
    import pandas as pd

    levers = levers_table()
    unc = uncertainties_table()
    cols = [
        "name",
        "unit",
        "status_quo",
        "recommended",
        "low",
        "high",
        "analysis_low",
        "analysis_high",
        "theme",
        "theme_source",
        "focus_area",
    ]
    levers["mechanisms"] = levers["mechanisms"].map("; ".join)
    if args.format == "csv":
        levers[cols + ["mechanisms"]].to_csv(sys.stdout, index=False)
        return 0
    if args.format == "markdown":
        print(
            levers[cols].to_markdown(index=False)
            if hasattr(levers, "to_markdown")
            else levers[cols].to_string()
        )
        return 0
    with pd.option_context("display.max_colwidth", 60, "display.width", 250):
        print(
            "LEVERS (the council's recommendations; theme_source 'reading' = our assignment, not the seed's text)"
        )
        print(levers[cols].to_string(index=False))
        print("\nMechanisms (every function that reads the lever; docs/levers.md explains each):")
        for _, row in levers.iterrows():
            print(f"  {row['name']:<27} {row['mechanisms']}")
        print("\nThemes: " + "; ".join(f"{k} = {v}" for k, v in THEMES.items()))
        print("\nUNCERTAINTIES (exogenous, not policy)")
        print(unc[["name", "unit", "default", "low", "high", "source"]].to_string(index=False))
    return 0


def _allowed(entry: dict) -> str:
    """What a scenario may set a calibration constant to: its choices, true/false or its range."""
    if "choices" in entry:
        return "|".join(str(c) for c in entry["choices"])
    if isinstance(entry["value"], bool):
        return "true|false"
    low, high = entry.get("min"), entry.get("max")
    if low is None and high is None:
        return ""
    return f"{'' if low is None else f'{low:g}'}..{'' if high is None else f'{high:g}'}"


def cmd_calibration(args: argparse.Namespace) -> int:
    import pandas as pd

    rows = [
        {
            "key": k,
            "value": v["value"],
            "allowed": _allowed(v),
            "unit": v.get("unit", ""),
            "source": v.get("source", ""),
        }
        for k, v in calibration_defaults().items()
    ]
    with pd.option_context("display.max_colwidth", 90, "display.width", 250):
        print(pd.DataFrame(rows).to_string(index=False))
    return 0
