"""Every word a figure or report shows, in English and Danish, and number formatting per language.

Danish terms follow Danish health-workforce usage: 'årsværk' for FTE, 'sygehuse' and 'kommuner' for the
sectors, 'efterspørgsel' and 'udbud' for demand and supply, 'frigjorte årsværk' for FTE freed and
'mangel' for the gap. Procurement is 'indkøb' (not 'udbud', which in these figures means supply).
"""

from __future__ import annotations

from sim.errors import ResultsError

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
    "band": ("5-95% of runs", "5-95 % af kørslerne"),
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

# Innovation pipeline counters (timeseries columns).
COUNTERS: dict[str, tuple[str, str]] = {
    "pilots_started": ("Pilots started", "Påbegyndte pilotprojekter"),
    "pilots_active": ("Pilots running", "Igangværende pilotprojekter"),
    "evaluations": ("Evaluations", "Evalueringer"),
    "procurements": ("Procurements", "Indkøb"),
    "adoptions": ("Adoptions", "Ibrugtagninger"),
    "solutions_scaled": ("Scaled solutions", "Opskalerede løsninger"),
    "abandonments": ("Abandonments", "Opgivne forløb"),
    "startups_founded": ("Founded", "Stiftet"),
    "startups_alive": ("Alive", "Aktive"),
    "startups_failed": ("Failed", "Lukket"),
    "startups_scaled": ("Scaled up", "Skaleret op"),
}

# Short readable titles of the levers in sim.levers.LEVERS.
LEVER_TITLES: dict[str, tuple[str, str]] = {
    "innovation_core_task": ("Innovation as core task", "Innovation som kerneopgave"),
    "spread_workflows": ("Workflows for spread", "Arbejdsgange for udbredelse"),
    "competence_investment": ("Competence investment", "Investering i kompetencer"),
    "proactive_scouting": ("Proactive scouting", "Proaktiv tilgang"),
    "procurement_flexibility": ("Flexible procurement", "Fleksible udbudsregler"),
    "career_paths": ("Career paths", "Meritgivende karriereveje"),
    "incentive_structures": ("Incentive structures", "Incitamentsstrukturer"),
    "common_evaluation": ("Common evaluation", "Fælles evalueringsparadigme"),
    "transformative_focus": ("Transformative focus", "Transformative løsninger"),
    "test_access": ("Access to test facilities", "Adgang til test"),
    "role_transparency": ("Role transparency", "Tydelige roller"),
    "risk_budget": ("Risk budget", "Ramme for risikovillige investeringer"),
    "strategic_partnership_cap": ("Strategic partnerships", "Strategiske partnerskaber"),
    "challenge_driven_share": ("Challenge-driven development", "Udfordringsdrevet udvikling"),
}

UNCERTAINTY_TITLES: dict[str, tuple[str, str]] = {
    "demography": ("Demography", "Demografi"),
    "education_intake": ("Education intake", "Uddannelsesoptag"),
    "effect_size": ("Effect size", "Effektstørrelse"),
    "funding_climate": ("Funding climate", "Finansieringsklima"),
    "budget_growth": ("Budget growth", "Budgetvækst"),
    "attrition_sensitivity": ("Attrition sensitivity", "Afgangsfølsomhed"),
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

OUTCOMES: dict[str, tuple[str, str]] = {
    "fte_freed_2030": ("FTE freed 2030", "Frigjorte årsværk 2030"),
    "fte_freed_2035": ("FTE freed 2035", "Frigjorte årsværk 2035"),
    "fte_freed_2045": ("FTE freed 2045", "Frigjorte årsværk 2045"),
    "gap_fte_2030": ("Shortage 2030 (FTE)", "Mangel 2030 (årsværk)"),
    "gap_fte_2035": ("Shortage 2035 (FTE)", "Mangel 2035 (årsværk)"),
    "gap_fte_2045": ("Shortage 2045 (FTE)", "Mangel 2045 (årsværk)"),
    "gap_share_2030": ("Shortage 2030 (% of demand)", "Mangel 2030 (% af efterspørgsel)"),
    "gap_share_2035": ("Shortage 2035 (% of demand)", "Mangel 2035 (% af efterspørgsel)"),
    "gap_share_2045": ("Shortage 2045 (% of demand)", "Mangel 2045 (% af efterspørgsel)"),
    "hours_freed_cum": ("Hours freed, cumulative", "Frigjorte timer, kumuleret"),
    "staff_lost_attrition": ("Staff lost to attrition", "Personale tabt ved afgang"),
    "startups_alive_2035": ("Start-ups alive 2035", "Aktive startups 2035"),
    "public_cost_dkk_cum": (
        "Public cost, cumulative (DKK)",
        "Offentlige udgifter, kumuleret (kr.)",
    ),
    "public_cost_per_fte_freed_dkk": (
        "Public cost per FTE freed (DKK)",
        "Offentlige udgifter pr. frigjort årsværk (kr.)",
    ),
    "target_10k_reached": (
        "10,000 FTE by 2030 reached (share)",
        "Mål om 10.000 årsværk i 2030 nået (andel)",
    ),
    "target_10k_year": ("Year 10,000 FTE reached", "År hvor 10.000 årsværk nås"),
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
    """Readable name of an innovation counter column."""
    return _pick(COUNTERS[name], lang) if name in COUNTERS else _humanise(name)


def lever(name: str, lang: str) -> str:
    """Short readable title of a lever in ``sim.levers.LEVERS``."""
    return _pick(LEVER_TITLES[name], lang) if name in LEVER_TITLES else _humanise(name)


def uncertainty(name: str, lang: str) -> str:
    """Short readable title of an uncertainty in ``sim.levers.UNCERTAINTIES``."""
    return _pick(UNCERTAINTY_TITLES[name], lang) if name in UNCERTAINTY_TITLES else _humanise(name)


def factor(name: str, lang: str) -> str:
    """Readable name of an analysis factor: a dotted key (``levers.x``), a bare lever or uncertainty."""
    section, _, rest = name.partition(".")
    if rest and section == "levers":
        return lever(rest, lang)
    if rest and section == "uncertainties":
        return uncertainty(rest, lang)
    if name in LEVER_TITLES:
        return lever(name, lang)
    if name in UNCERTAINTY_TITLES:
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
    if name.startswith("lever_") and name[len("lever_") :] in LEVER_TITLES:
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
    """Readable name of a scalar outcome of a run's summary."""
    return _pick(OUTCOMES[name], lang) if name in OUTCOMES else _humanise(name)


def outcome_unit(name: str, lang: str) -> str:
    """The unit of a scalar outcome ('' if it has none or is unknown)."""
    if "share" in name or "reached" in name:
        return _pick(("share", "andel"), lang)
    if "dkk" in name:
        return _pick(("DKK", "kr."), lang)
    if "fte" in name:
        return _pick(("FTE", "årsværk"), lang)
    if "hours" in name:
        return _pick(("hours", "timer"), lang)
    if "startups" in name:
        return _pick(("start-ups", "startups"), lang)
    return ""


def format_number(value: float, lang: str, decimals: int = 0) -> str:
    """A number with the language's separators: 12,345.6 (en) or 12.345,6 (da)."""
    check_lang(lang)
    if value != value:  # NaN
        return "–"
    out = f"{value:,.{decimals}f}"
    if lang == "da":
        out = out.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return out.replace("-", "−")
