"""Every word a figure or report shows, in English and Danish, and number formatting per language.

The names of outputs come from ``sim.outputs``, the titles of levers and uncertainties from their rows
in ``sim.levers``; the other words are here.

Danish terms follow Danish health-workforce usage: 'årsværk' for FTE, 'sygehuse' and 'kommuner' for the
sectors, 'efterspørgsel' and 'udbud' for demand and supply, 'frigjorte årsværk' for FTE freed and
'mangel' for the gap. Procurement is 'indkøb' (not 'udbud', which in these figures means supply).
"""

from __future__ import annotations

from sim import outputs
from sim.errors import ResultsError
from sim.levers import LEVERS, UNCERTAINTIES

LANGS = ("en", "da")

# Generic words: key -> (English, Danish).
_TEXT: dict[str, tuple[str, str]] = {
    "fte": ("FTE", "årsværk"),
    "year": ("Year", "År"),
    "demand": ("Demand", "Efterspørgsel"),
    "supply": ("Supply (staff)", "Udbud (personale)"),
    "capacity": ("Supply + FTE freed", "Udbud + frigjorte årsværk"),
    "gap": ("Shortage (gap)", "Mangel"),
    "fte_freed": ("FTE freed", "Frigjorte årsværk"),
    "fte_freed_axis": ("FTE freed, net (FTE)", "Frigjorte årsværk, netto"),
    "demand_supply_axis": ("Full-time equivalents (FTE)", "Årsværk"),
    "target_10k": ("Target: 10,000 FTE by 2030", "Mål: 10.000 årsværk i 2030"),
    "band": ("5-95% of replications", "5-95 % af replikationerne"),
    "median": ("median", "median"),
    "interval": ("median and 5-95% interval", "median og 5-95 %-interval"),
    "cumulative_count": ("Cumulative count", "Kumuleret antal"),
    "count": ("Count", "Antal"),
    "count_by": ("Total by {year}", "I alt frem til {year}"),
    "share_target_orgs": (
        "Organisations using it (% of target)",
        "Organisationer, der bruger den (%)",
    ),
    "years_since_first": ("Years since first adoption", "År siden første ibrugtagning"),
    "calendar_year": ("Year", "År"),
    "archetype": ("Solution type", "Løsningstype"),
    "lever": ("Lever (recommendation)", "Virkemiddel (anbefaling)"),
    "uncertainty": ("Uncertainty", "Usikkerhed"),
    "other_factor": ("Other factor", "Anden faktor"),
    "seed": ("Seed (model noise)", "Seed (modelstøj)"),
    "s1": ("First-order index S1", "Førsteordensindeks S1"),
    "st": ("Total index ST", "Totalindeks ST"),
    "sobol_axis": (
        "Sobol index (share of output variance)",
        "Sobol-indeks (andel af outputvarians)",
    ),
    "mu_star": ("μ* (mean absolute elementary effect)", "μ* (gns. absolut elementareffekt)"),
    "sigma": ("σ (spread of elementary effects)", "σ (spredning af elementareffekter)"),
    "sigma_ratio": ("σ/μ* = {r:g}", "σ/μ* = {r:g}"),
    "start_ups": ("Start-ups", "Startups"),
    "companies": ("Companies", "Virksomheder"),
    "scenario": ("Scenario", "Scenarie"),
    "experiment": ("Experiment", "Eksperiment"),
    "source": ("Source", "Kilde"),
    "replications": ("replications", "replikationer"),
    "replication": ("replication", "replikation"),
    "seed_word": ("seed", "seed"),
    "design": ("design", "design"),
    "points": ("points", "punkter"),
    "runs": ("runs", "kørsler"),
    "group_baseline": ("Status quo", "Status quo"),
    "group_lever": ("One lever alone", "Ét virkemiddel alene"),
    "group_theme": ("Theme bundle", "Temapakke"),
    "group_all": ("All recommendations", "Alle anbefalinger"),
    "group_other": ("Other", "Andet"),
    "panel_over_time": ("Over time", "Over tid"),
    "aligned": ("Aligned at first adoption", "Fra første ibrugtagning"),
    "annual_mean": ("annual means of monthly values", "årsgennemsnit af månedlige værdier"),
    "by_date": ("By calendar year", "Efter kalenderår"),
    "shown_of": (
        "{shown} of {total} solutions shown (largest spread)",
        "{shown} af {total} løsninger vist (størst udbredelse)",
    ),
    "no_data": ("no data", "ingen data"),
}

SECTORS: dict[str, tuple[str, str]] = {
    "hospital": ("Hospitals", "Sygehuse"),
    "municipal": ("Municipalities", "Kommuner"),
    "all": ("All sectors", "I alt"),
}

PROFESSIONS: dict[str, tuple[str, str]] = {
    "nurse": ("Nurses", "Sygeplejersker"),
    "doctor": ("Doctors", "Læger"),
    "sosu_assistant": ("Social and health care assistants", "Social- og sundhedsassistenter"),
    "sosu_helper": ("Social and health care helpers", "Social- og sundhedshjælpere"),
    "other_clinical": ("Other clinical staff", "Andet klinisk personale"),
}

SCENARIO_TITLES: dict[str, tuple[str, str]] = {
    "baseline": ("Status quo", "Status quo"),
    "theme_core_task": ("Theme: innovation as core task", "Tema: innovation som kerneopgave"),
    "theme_citizens": ("Theme: best solutions for citizens", "Tema: bedste løsninger for borgerne"),
    "theme_industry": ("Theme: interplay with industry", "Tema: samspil med erhvervslivet"),
    "all_recommendations": ("All recommendations", "Alle anbefalinger"),
}

# Solution archetypes of sim/data/solutions.toml.
ARCHETYPES: dict[str, tuple[str, str]] = {
    "transfer_aids": ("Transfer aids", "Forflytningshjælpemidler"),
    "screen_visits": ("Screen visits", "Skærmbesøg"),
    "ai_screening": ("AI screening", "AI-screening"),
    "software_robots": ("Software robots", "Softwarerobotter"),
    "medicine_dispensing": ("Medicine dispensing", "Medicindispensering"),
    "telemonitoring": ("Telemonitoring", "Telemonitorering"),
    "logistics_robots": ("Logistics robots", "Logistikrobotter"),
    "documentation_aids": ("Documentation aids", "Dokumentationsværktøjer"),
    "care_pathway_redesign": ("Care pathway redesign", "Omlagte patientforløb"),
    "shared_service_structure": ("Shared service structure", "Fælles servicestruktur"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    check_lang(lang)
    return pair[0] if lang == "en" else pair[1]


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is supported.

    Raises:
        ResultsError: for a language other than ``en`` or ``da``.
    """
    if lang not in LANGS:
        raise ResultsError(f"unknown language {lang!r}; allowed: {', '.join(LANGS)}")
    return lang


def text(key: str, lang: str, **fmt: object) -> str:
    """A generic label (axis, legend entry) in ``lang``, formatted with ``fmt``."""
    value = _pick(_TEXT[key], lang)
    return value.format(**fmt) if fmt else value


def _humanise(name: str) -> str:
    return name.replace("_", " ").strip().capitalize()


def sector(name: str, lang: str) -> str:
    """Readable sector name (hospital -> Hospitals / Sygehuse)."""
    return _pick(SECTORS[name], lang) if name in SECTORS else _humanise(name)


def archetype(name: str, lang: str) -> str:
    """Readable name of a solution archetype."""
    return _pick(ARCHETYPES[name], lang) if name in ARCHETYPES else _humanise(name)


def counter(name: str, lang: str) -> str:
    """Readable name of a timeseries column (an innovation counter), from ``sim.outputs``."""
    return (
        outputs.OUTPUTS[name].label(check_lang(lang))
        if name in outputs.OUTPUTS
        else _humanise(name)
    )


def lever(name: str, lang: str) -> str:
    """Short readable title of a lever in ``sim.levers.LEVERS`` (its ``title_en`` / ``title_da``)."""
    if name not in LEVERS:
        return _humanise(name)
    return _pick((LEVERS[name].title_en, LEVERS[name].title_da), lang)


def uncertainty(name: str, lang: str) -> str:
    """Short readable title of an uncertainty in ``sim.levers.UNCERTAINTIES``."""
    if name not in UNCERTAINTIES:
        return _humanise(name)
    row = UNCERTAINTIES[name]
    return _pick((row.title_en, row.title_da), lang)


def factor(name: str, lang: str) -> str:
    """Readable name of an analysis factor: a dotted key (``levers.x``), a bare lever or uncertainty."""
    section, _, rest = name.partition(".")
    if rest and section == "levers":
        return lever(rest, lang)
    if rest and section == "uncertainties":
        return uncertainty(rest, lang)
    if name in LEVERS:
        return lever(name, lang)
    if name in UNCERTAINTIES:
        return uncertainty(name, lang)
    if name == "seed":
        return text("seed", lang)
    return name if "." in name else _humanise(name)


def scenario(name: str, lang: str, prefix: bool = False) -> str:
    """Readable scenario name: ``baseline``, ``lever_<lever>``, ``theme_<theme>``, ``all_recommendations``.

    With ``prefix``, a single-lever scenario reads "Lever: <title>" ("Virkemiddel: <title>"), to tell it
    apart from a theme of similar name where no colour says the group.
    """
    if name in SCENARIO_TITLES:
        return _pick(SCENARIO_TITLES[name], lang)
    if name.startswith("lever_") and name[len("lever_") :] in LEVERS:
        title = lever(name[len("lever_") :], lang)
        if prefix:
            return f"{_pick(('Lever', 'Virkemiddel'), lang)}: {title[0].lower()}{title[1:]}"
        return title
    return name


def scenario_group(name: str) -> str:
    """The group a scenario belongs to: ``baseline``, ``lever``, ``theme``, ``all`` or ``other``."""
    if name == "baseline":
        return "baseline"
    if name == "all_recommendations":
        return "all"
    if name.startswith("theme_"):
        return "theme"
    if name.startswith("lever_"):
        return "lever"
    return "other"


RANDOMNESS: dict[str, tuple[str, str]] = {
    "seed_factor": ("randomness: seed as a factor", "tilfældighed: seed som faktor"),
    "replicate_mean": (
        "randomness: mean of replications",
        "tilfældighed: gennemsnit af replikationer",
    ),
}


def randomness(name: str, lang: str) -> str:
    """How an analysis treated the model's randomness, in words."""
    return _pick(RANDOMNESS[name], lang) if name in RANDOMNESS else name


def outcome(name: str, lang: str) -> str:
    """Readable name of a scalar outcome of a run's summary (``sim.outputs.label``)."""
    label = outputs.label(name, check_lang(lang))
    return _humanise(name) if label == name else label


def outcome_unit(name: str, lang: str) -> str:
    """The unit of a scalar outcome ('' if it has none or is unknown)."""
    return outputs.unit(name, check_lang(lang))


def format_number(value: float, lang: str, decimals: int = 0) -> str:
    """A number with the language's separators: 12,345.6 (en) or 12.345,6 (da)."""
    check_lang(lang)
    if value != value:  # NaN
        return "–"
    out = f"{value:,.{decimals}f}"
    if lang == "da":
        out = out.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return out.replace("-", "−")
