"""Every output of a run, one row each: its name, unit, labels, flow or stock, scale and tables.

This registry is the one definition of what a run reports. The recorder's columns
(:data:`sim.model.accounting.SECTOR_COLUMNS` and ``PROFESSION_COLUMNS``), the tables and summary of
:class:`sim.RunResult`, the labels of the figures and the report, the synthetic results of the tests
and the outputs table of the documentation (``docs/OUTPUTS.md``, written by
``scripts/make_output_docs.py``) all derive from it. So do the summary years, the 10,000 FTE target
and the headline outcomes.

Adding an output is one row in :data:`_ROWS` plus the code that computes it:

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

from dataclasses import dataclass

TABLES = ("sector", "profession", "summary")
GROUPS = ("labour", "staff", "innovation", "outcome")
SUMMARY_FORMS = ("years", "cum", "final")

SUMMARY_YEARS = (2030, 2035, 2045)  # December values of these years go into the summary
# Life Science Rådet's target: free 10,000 FTE in the health system by 2030 through labour-saving
# solutions (FACTS.md s8; docs/SOURCES.md).
TARGET_FTE = 10_000.0
TARGET_YEAR = 2030

# Units: key -> (English, Danish). Flows are per month (see Output.unit_text).
UNITS: dict[str, tuple[str, str]] = {
    "FTE": ("FTE", "årsværk"),
    "FTE-years": ("FTE-years", "årsværk-år"),
    "persons": ("persons", "personer"),
    "count": ("count", "antal"),
    "DKK": ("DKK", "kr."),
    "DKK per FTE-year": ("DKK per FTE-year", "kr. pr. årsværk-år"),
    "hours": ("hours", "timer"),
    "share": ("share", "andel"),
    "ratio": ("ratio", "forhold"),
    "per year": ("per year", "pr. år"),
    "year": ("year", "år"),
    "months": ("months", "måneder"),
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


def _rows(group: str, *rows: tuple[str, ...]) -> tuple[Output, ...]:
    """Rows of one group, each written compactly: ``(name, unit, en, da, kind, scale, tables,
    summary, definition)`` with ``tables`` and ``summary`` as space-separated words."""
    return tuple(_row(group, *row) for row in rows)


def _row(
    group: str,
    name: str,
    unit: str,
    en: str,
    da: str,
    kind: str,
    scale: str,
    tables: str,
    summary: str,
    definition: str,
) -> Output:
    return Output(
        name,
        group,
        unit,
        en,
        da,
        kind,
        scale,
        tuple(tables.split()),
        tuple(summary.split()),
        definition,
    )


S, N = "staff_scale", "national"
# fmt: off
_ROWS = (
    *_rows(
        "labour",
        ("demand_fte", "FTE", "Demand", "Efterspørgsel", "stock", N, "sector profession", "years",
             "Staff needed to serve the population (projection x use profiles), in FTE."),
        ("supply_fte", "FTE", "Supply (staff)", "Udbud (personale)", "stock", S,
             "sector profession", "years",
             "FTE of the staff employed (their contracted hours)."),
        ("fte_freed", "FTE", "FTE freed (net)", "Frigjorte årsværk (netto)", "stock", S,
             "sector profession", "years",
             "FTE freed by solutions in use (gross) minus the FTE innovation work takes; negative "
             "when innovation costs more hours than it frees."),
        ("fte_freed_gross", "FTE", "FTE freed (gross)", "Frigjorte årsværk (brutto)", "stock", S,
             "sector", "",
             "FTE freed by the solutions in use, before the cost of innovation work."),
        ("fte_innovation_work", "FTE", "Innovation work", "Innovationsarbejde", "stock", S,
             "sector", "",
             "FTE spent on pilots, implementation, maintenance, training and reserved innovation "
             "time."),
        ("gap_fte", "FTE", "Shortage (gap)", "Mangel", "stock", S, "sector profession", "years",
             "Demand minus (supply + net FTE freed): positive is a shortage."),
        ("gap_share", "share", "Shortage (share of demand)", "Mangel (andel af efterspørgsel)",
             "stock", S, "sector", "years", "gap_fte / demand_fte."),
        ("strain", "ratio", "Strain (demand / capacity)", "Belastning (efterspørgsel / kapacitet)",
             "stock", S, "sector", "",
             "demand_fte / (supply_fte + fte_freed): above 1, staff carry more than their hours."),
        ("staff_headcount", "persons", "Staff", "Personale", "stock", S, "sector profession", "",
             "Persons employed."),
    ),
    *_rows(
        "staff",
        ("entries", "persons", "Entries", "Tilgang", "flow", S, "sector profession", "",
             "Graduates plus hires from outside."),
        ("graduates", "persons", "Graduates hired", "Nyuddannede ansat", "flow", S, "sector", "",
             "Graduates of the year's cohort taking a job (September)."),
        ("outside_hires", "persons", "Hires from outside", "Ansættelser udefra", "flow", S,
             "sector", "", "Re-entrants, unskilled and foreign hires, driven by vacancies."),
        ("exits", "persons", "Exits", "Afgang", "flow", S, "sector profession", "cum",
             "Retirements plus quits."),
        ("retirements", "persons", "Retirements", "Pensioneringer", "flow", S, "sector", "",
             "Staff retiring."),
        ("quits", "persons", "Quits", "Opsigelser", "flow", S, "sector", "",
             "Staff leaving the public health workforce before retirement (rises with strain)."),
        ("moves", "persons", "Moves between organisations", "Jobskift mellem organisationer",
             "flow", S, "sector profession", "", "Staff moving to another organisation."),
        ("attrition_rate", "per year", "Attrition rate", "Afgangsrate", "stock", S, "sector", "",
             "Exits per person employed, annualised."),
        ("job_leaving_rate", "per year", "Job-leaving rate", "Jobafgangsrate", "stock", S,
             "sector", "", "Exits plus moves per person employed, annualised."),
        ("hours_freed", "hours", "Hours freed (gross)", "Frigjorte timer (brutto)", "flow", S,
             "sector", "cum", "fte_freed_gross in hours (labour.hours_per_fte)."),
    ),
    *_rows(
        "innovation",  # the innovation layer's counters (0 without innovation)
        ("pilots_started", "count", "Pilots started", "Påbegyndte pilotprojekter", "flow", N,
             "sector", "cum final", "Pilots that started this month."),
        ("pilots_active", "count", "Pilots running", "Igangværende pilotprojekter", "stock", N,
             "sector", "final", "Pilots running at the end of the month."),
        ("evaluations", "count", "Evaluations", "Evalueringer", "flow", N, "sector", "cum final",
             "Pilots evaluated this month."),
        ("procurements", "count", "Procurements", "Indkøb", "flow", N, "sector", "cum final",
             "Procurements of a solution this month."),
        ("adoptions", "count", "Adoptions", "Ibrugtagninger", "flow", N, "sector", "cum final",
             "Organisations starting to use a solution this month."),
        ("abandonments", "count", "Abandonments", "Opgivne forløb", "flow", N, "sector",
             "cum final", "Pilots, procurements or uses given up this month."),
        ("solutions_in_use", "count", "Solutions in use", "Løsninger i brug", "stock", N, "sector",
             "final", "Solutions used by at least one organisation."),
        ("solutions_scaled", "count", "Scaled solutions", "Opskalerede løsninger", "stock", N,
             "sector", "years final",
             "Solutions used by at least innovation.scaled_threshold_orgs organisations."),
        ("startups_founded", "count", "Start-ups founded", "Stiftede startups", "flow", N,
             "sector", "cum final",
             "Health-tech start-ups founded this month (all sectors row only)."),
        ("startups_alive", "count", "Start-ups alive", "Aktive startups", "stock", N, "sector",
             "years final", "Health-tech start-ups alive (all sectors row only)."),
        ("startups_failed", "count", "Start-ups failed", "Lukkede startups", "flow", N, "sector",
             "cum final", "Start-ups that closed this month (all sectors row only)."),
        ("startups_scaled", "count", "Start-ups scaled up", "Opskalerede startups", "stock", N,
             "sector", "final", "Start-ups grown into scale-ups so far (all sectors row only)."),
        ("companies_alive", "count", "Companies alive", "Aktive virksomheder", "stock", N,
             "sector", "final", "Companies offering solutions (all sectors row only)."),
        ("partnerships_active", "count", "Partnerships active", "Aktive partnerskaber", "stock",
             N, "sector", "final", "Public-private partnerships running (all sectors row only)."),
        ("public_cost_dkk", "DKK", "Public cost", "Offentlige udgifter", "flow", N, "sector",
             "cum final", "Public spending on pilots, procurement, implementation and licences."),
    ),
    *_rows(
        "outcome",  # summary-only outcomes
        ("sosu_gap_fte", "FTE", "Shortage of SOSU staff", "Mangel på SOSU-personale", "stock", S,
             "summary", "years",
             "gap_fte of social and health care assistants and helpers, December."),
        ("nurse_gap_fte", "FTE", "Shortage of nurses", "Mangel på sygeplejersker", "stock", S,
             "summary", "years", "gap_fte of nurses, December."),
        ("staff_lost_attrition", "persons", "Staff lost to quits (total)",
             "Personale tabt ved opsigelser (i alt)", "stock", S, "summary", "",
             "Quits summed over the run."),
        ("startups_scaled_cum", "count", "Start-ups scaled up (total)",
             "Opskalerede startups (i alt)", "stock", N, "summary", "",
             "Start-ups grown into scale-ups by the end of the run."),
        ("fte_years_freed_cum", "FTE-years", "FTE-years freed (net, total)",
             "Frigjorte årsværk-år (netto, i alt)", "stock", S, "summary", "",
             "Positive monthly net FTE freed, summed over the run, in FTE-years."),
        ("public_cost_per_fte_freed_dkk", "DKK per FTE-year", "Public cost per FTE-year freed",
             "Offentlige udgifter pr. frigjort årsværk-år", "stock", S, "summary", "",
             "public_cost_dkk_cum / fte_years_freed_cum (undefined below 1 FTE-year freed)."),
        ("target_10k_reached", "share", "10,000 FTE freed by 2030",
             "10.000 frigjorte årsværk i 2030", "stock", S, "summary", "",
             "1 if net FTE freed reaches TARGET_FTE in or before TARGET_YEAR, else 0 (over "
             "replications: the share of runs)."),
        ("target_10k_year", "year", "Year 10,000 FTE freed is first reached",
             "År hvor 10.000 frigjorte årsværk først nås", "stock", S, "summary", "",
             "The first year in which net FTE freed reaches TARGET_FTE (undefined if never)."),
        # computed by the innovation layer (InnovationLayer.summary)
        ("solutions_scaled_cum", "count", "Solutions scaled (total)",
             "Opskalerede løsninger (i alt)", "stock", N, "summary", "",
             "Solutions that reached innovation.scaled_threshold_orgs adopters during the run."),
        ("months_pilot_to_scale_mean", "months", "Months from first pilot to scale (mean)",
             "Måneder fra første pilot til skala (gennemsnit)", "stock", N, "summary", "",
             "Mean months from a scaled solution's first pilot to its reaching the threshold."),
        ("share_pilots_never_spread", "share", "Pilots never spread (share)",
             "Piloter uden udbredelse (andel)", "stock", N, "summary", "",
             "Share of solutions piloted at least 36 months before the end that never reached a "
             "second organisation (pilotitis)."),
        ("solutions_piloted_cum", "count", "Solutions piloted (total)",
             "Afprøvede løsninger (i alt)", "stock", N, "summary", "",
             "Solutions piloted at least once."),
        ("engagements_cum", "count", "Engagements (total)", "Forløb (i alt)", "stock", N,
             "summary", "", "Organisation-solution engagements opened during the run."),
        ("partnerships_strategic_final", "count", "Strategic partnerships at the end",
             "Strategiske partnerskaber ved slut", "stock", N, "summary", "",
             "Strategic partnerships active in the last month."),
    ),
)
# fmt: on

OUTPUTS: dict[str, Output] = {row.name: row for row in _ROWS}
if len(OUTPUTS) != len(_ROWS):
    raise ValueError("sim.outputs: two rows share a name")

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
