"""Every output of a run, one row each: its name, unit, labels, flow or stock, scale and tables.

This registry is the one definition of what a run reports. The recorder's columns
(:data:`sim.model.accounting.SECTOR_COLUMNS` and ``PROFESSION_COLUMNS``), the tables and summary of
:class:`sim.RunResult`, the labels of the figures and the report, the synthetic results of the tests
and the outputs table of the documentation (``docs/OUTPUTS.md``, written by
``scripts/make_output_docs.py``) all derive from it. So do the summary years, the 10,000 FTE target
and the headline outcomes.

The rows live in ``sim/data/outputs.toml`` (one table per output, in column order). Adding an output is
one table there plus the code that computes it:

- a monthly series (``tables`` has ``"sector"`` and/or ``"profession"``): the model records it by
  name (``Recorder.record_flow``, ``record_total``, ``record_flows_by_profession``); the recorder's
  column lists follow from the row. ``summary`` says which summary keys
  :func:`sim.simulation.summarise` derives from the series by itself (``years``: ``<name>_<year>``
  in December of each of :data:`SUMMARY_YEARS`; ``cum``: ``<name>_cum``, the sum over months;
  ``final``: ``<name>_final``, the last month).
- a summary-only outcome (``tables == ("summary",)``): the code that computes it writes the key
  ``name`` (or ``<name>_<year>`` for each summary year, with ``summary=("years",)``) into the
  summary; ``summarise`` refuses a summary key without a row.

Kinds: a ``flow`` is counted per month (the monthly values add up to a total over a period); a
``stock`` is a level at the end of a month (also rates and ratios: not to be added over months).
Scale: ``staff_scale`` outputs come from the sampled staff (one agent stands for ``1 / staff_scale``
persons; reported in national units, their noise grows as ``staff_scale`` shrinks); ``national``
outputs are counted in the full national world (demand, organisations, solutions, companies, money).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources

TABLES = ("sector", "profession", "summary")
GROUPS = ("labour", "staff", "innovation", "outcome")
SUMMARY_FORMS = ("years", "cum", "final")

SUMMARY_YEARS = (2030, 2035, 2045)  # December values of these years go into the summary
# Life Science Rådet's target: free 10,000 FTE in the health system by 2030 through labour-saving
# solutions (SOURCES T-01).
TARGET_FTE = 10_000.0
TARGET_YEAR = 2030

# Units: key -> (English, Danish), from sim/data/words.toml. A flow's monthly value adds "per month".
UNITS: dict[str, tuple[str, str]] = {
    key: (pair[0], pair[1])
    for key, pair in tomllib.loads(
        resources.files("sim.data").joinpath("words.toml").read_text(encoding="utf-8")
    )["units"].items()
}


@dataclass(frozen=True)
class Output:
    """One output of a run.

    Attributes:
        name: column name (series) or summary key (summary-only outputs).
        group: ``labour`` (accounts), ``staff`` (staff flows), ``innovation`` (the innovation
            layer's counters) or ``outcome`` (summary-only outcomes).
        unit: a key of :data:`UNITS`; a flow's monthly value is in "<unit> per month".
        en, da: short label in English and in Danish (no unit, no year).
        kind: ``flow`` (per month, adds up over months) or ``stock`` (a level; also rates, ratios).
        scale: ``staff_scale`` (from the sampled staff, in national units) or ``national``.
        tables: ``sector`` (the timeseries), ``profession`` (by_profession), ``summary``.
        summary: summary keys derived from a series: ``years``, ``cum``, ``final`` (see the module
            docstring); for a summary-only output, ``("years",)`` means one key per summary year.
        definition: what it is, in one English sentence (the documentation's table).
    """

    name: str
    group: str
    unit: str
    en: str
    da: str
    kind: str
    scale: str
    tables: tuple[str, ...]
    summary: tuple[str, ...]
    definition: str

    def __post_init__(self) -> None:
        problems = [
            f"group {self.group!r}" * (self.group not in GROUPS),
            f"unit {self.unit!r}" * (self.unit not in UNITS),
            f"kind {self.kind!r}" * (self.kind not in ("flow", "stock")),
            f"scale {self.scale!r}" * (self.scale not in ("staff_scale", "national")),
            f"tables {self.tables!r}" * (not self.tables or not set(self.tables) <= set(TABLES)),
            f"summary {self.summary!r}" * (not set(self.summary) <= set(SUMMARY_FORMS)),
        ]
        problems = [p for p in problems if p]
        if problems:
            raise ValueError(f"output {self.name!r}: unknown {', '.join(problems)}")

    @property
    def series(self) -> bool:
        """Whether it is a monthly series (in the sector or the profession table)."""
        return "sector" in self.tables or "profession" in self.tables

    def label(self, lang: str = "en") -> str:
        """The short label in ``lang`` ("en" or "da")."""
        return self.en if lang == "en" else self.da

    def unit_text(self, lang: str = "en", per_month: bool | None = None) -> str:
        """The unit in words; a flow's monthly values are "per month" (``per_month`` overrides)."""
        word = UNITS[self.unit][0 if lang == "en" else 1]
        if per_month if per_month is not None else self.kind == "flow":
            word += " per month" if lang == "en" else " pr. måned"
        return word


def _load_rows() -> tuple[Output, ...]:
    """The rows of ``sim/data/outputs.toml``, in file order (the column order of the tables)."""
    text = resources.files("sim.data").joinpath("outputs.toml").read_text(encoding="utf-8")
    rows = []
    for name, fields in tomllib.loads(text).items():
        fields = {**fields, "tables": tuple(fields["tables"]), "summary": tuple(fields["summary"])}
        rows.append(Output(name=name, **fields))
    return tuple(rows)


_ROWS = _load_rows()
OUTPUTS: dict[str, Output] = {row.name: row for row in _ROWS}

# The headline outcomes of a comparison and a report, in this order.
HEADLINE_OUTCOMES = (
    "fte_freed_2030",
    "fte_freed_2035",
    "gap_fte_2035",
    "gap_share_2035",
    "startups_alive_2035",
    "public_cost_per_fte_freed_dkk",
    "target_10k_reached",
)


def columns(table: str) -> tuple[str, ...]:
    """Names of the series of ``table`` ("sector" or "profession"), in registry order."""
    if table not in ("sector", "profession"):
        raise ValueError(f"unknown series table {table!r}; allowed: sector, profession")
    return tuple(row.name for row in _ROWS if table in row.tables)


def names(kind: str) -> tuple[str, ...]:
    """Names of the sector series of one kind ("flow" or "stock")."""
    return tuple(row.name for row in _ROWS if "sector" in row.tables and row.kind == kind)


def summary_keys() -> tuple[str, ...]:
    """Every key of a run's summary, in order (from the series, then the summary-only outputs)."""
    keys: list[str] = []
    for year in SUMMARY_YEARS:
        keys += [f"{row.name}_{year}" for row in _ROWS if "years" in row.summary]
    keys += [f"{row.name}_cum" for row in _ROWS if row.series and "cum" in row.summary]
    keys += [row.name for row in _ROWS if not row.series and not row.summary]
    keys += [f"{row.name}_final" for row in _ROWS if row.series and "final" in row.summary]
    return tuple(keys)


def parse_key(key: str) -> tuple[Output, str, int | None] | None:
    """The output a summary key or column comes from, its form and its year.

    Returns:
        ``(output, form, year)`` with form ``""`` (the output itself), ``years``, ``cum`` or
        ``final``; None for a key that is no output.
    """
    if key in OUTPUTS:
        return OUTPUTS[key], "", None
    base, _, suffix = key.rpartition("_")
    row = OUTPUTS.get(base)
    if row is None:
        return None
    if suffix.isdigit() and "years" in row.summary:
        return row, "years", int(suffix)
    if suffix in ("cum", "final") and suffix in row.summary:
        return row, suffix, None
    return None


def label(key: str, lang: str = "en") -> str:
    """Readable label of an output column or summary key, e.g. ``gap_fte_2035`` -> "Shortage (gap),
    2035"; the key itself if it is no output."""
    parsed = parse_key(key)
    if parsed is None:
        return key
    row, form, year = parsed
    text = row.label(lang)
    if form == "years":
        return f"{text}, {year}"
    if form == "cum":
        return f"{text}, {'total' if lang == 'en' else 'i alt'}"
    if form == "final":
        return f"{text}, {'end of run' if lang == 'en' else 'ved slut'}"
    return text


def unit(key: str, lang: str = "en") -> str:
    """Unit of an output column or summary key in words ('' if it is no output). A summary value is
    never per month: a flow's total is in the flow's unit."""
    parsed = parse_key(key)
    if parsed is None:
        return ""
    row, form, _ = parsed
    return row.unit_text(lang, per_month=row.kind == "flow" and form in ("", "final"))


def markdown_table() -> str:
    """The outputs as a Markdown document (``docs/OUTPUTS.md``)."""
    lines = [
        "# Outputs of a run",
        "",
        "Generated from `sim/outputs.py` by `python scripts/make_output_docs.py`; do not edit by "
        "hand (a test compares the two).",
        "",
        f"Summary years: {', '.join(map(str, SUMMARY_YEARS))} (December values). Target: "
        f"{TARGET_FTE:,.0f} FTE freed (net) by {TARGET_YEAR}. Headline outcomes: "
        + ", ".join(f"`{k}`" for k in HEADLINE_OUTCOMES)
        + ".",
        "",
        "Kind: a flow is counted per month (values add up over months), a stock is a level at the "
        "end of the month (rates and ratios too). Scale: `staff_scale` outputs come from the "
        "sampled staff (national units; noise grows as the scale shrinks), `national` ones from "
        "the full national world. Summary: the keys a series gives the run's summary: "
        "`<name>_<year>` (years), `<name>_cum` (sum over months), `<name>_final` (last month).",
        "",
        "| name | unit | label (en) | label (da) | kind | scale | tables | summary | definition |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in _ROWS:
        cells = (
            f"`{row.name}`",
            row.unit_text("en"),
            row.en,
            row.da,
            row.kind,
            row.scale,
            ", ".join(row.tables),
            ", ".join(row.summary),
            row.definition,
        )
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"
