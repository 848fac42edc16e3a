"""The council's 14 recommendations as levers (L) and the exogenous uncertainties (X).

This module is data: one row per lever or uncertainty, with unit, range, status-quo and recommended
values, the seed focus area it stands for and the theme it belongs to. Each lever's mechanism lives in
exactly one function of the model, named in the row's ``mechanism`` field (search the code for the lever's
name to find it). Levers and uncertainties are kept apart, as in the XLRM frame of exploratory modelling.

Themes (seed document, "Tre perspektiver"):
  1. ``core_task``   -- Innovation as a new core task of the health system (anchoring/ownership)
  2. ``citizens``    -- The best solutions for citizens (whole-system view, avoid sub-optimisation)
  3. ``industry``    -- Effective interplay with industry (the "motorway")
The seed lists the eleven focus areas without saying which theme each belongs to; every ``theme`` below is
therefore our reading (``theme_source = "reading"``) except where the seed's own text ties it
(``theme_source = "seed"``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Lever:
    """One recommendation as a policy lever.

    Attributes:
        name: scenario key under ``[levers]``.
        unit: unit of the value.
        low, high: the allowed (and analysed) range; ``high`` lies beyond ``recommended``.
        status_quo: value today (assumption unless a source is given).
        recommended: value under the council's recommendation (assumption).
        focus_area: the seed's focus area, in English, with the Danish wording.
        theme: one of ``core_task``, ``citizens``, ``industry``.
        theme_source: ``seed`` if the seed's text assigns it, ``reading`` if it is our interpretation.
        mechanism: the model function where the lever acts.
        description: what the value does, in one sentence.
        integer: the value is a whole number (a count).
        title_en, title_da: short display name in English and in Danish (figures, reports).
    """

    name: str
    unit: str
    low: float
    high: float
    status_quo: float
    recommended: float
    focus_area: str
    theme: str
    theme_source: str
    mechanism: str
    description: str
    integer: bool = False
    title_en: str = field(kw_only=True)
    title_da: str = field(kw_only=True)


@dataclass(frozen=True)
class Uncertainty:
    """One exogenous uncertainty (not policy): swept as scenarios and in the analysis.

    Attributes:
        title_en, title_da: short display name in English and in Danish (figures, reports).
    """

    name: str
    unit: str
    low: float
    high: float
    default: float
    description: str
    mechanism: str
    source: str
    title_en: str = field(kw_only=True)
    title_da: str = field(kw_only=True)


_LEVER_ROWS = [
    Lever(
        "innovation_core_task",
        "% of staff hours",
        0.0,
        3.0,
        0.2,
        1.5,
        "Innovation as core task; implementation anchored in the health system "
        "(Kerneopgave / Implementering)",
        "core_task",
        "seed",
        "sim.model.innovation.pipeline.innovation_capacity",
        "Share of staff hours reserved for development, uptake and spread: raises how many pilots and "
        "implementations an organisation can carry, and costs those hours.",
        title_en="Innovation as core task",
        title_da="Innovation som kerneopgave",
    ),
    Lever(
        "spread_workflows",
        "index 0-1",
        0.0,
        1.0,
        0.1,
        0.8,
        "Clear workflows for spread and uptake of proven solutions "
        "(Entydige arbejdsgange for udbredelse og optag)",
        "core_task",
        "reading",
        "sim.model.innovation.pipeline.spread_step",
        "Standard workflow and national spread programme: raises the external adoption rate (Bass p) of "
        "proven solutions and cuts the time and hours the 2nd..nth adopter needs.",
        title_en="Workflows for spread",
        title_da="Arbejdsgange for udbredelse",
    ),
    Lever(
        "competence_investment",
        "training hours per staff-year",
        0.0,
        40.0,
        4.0,
        20.0,
        "Investment in competences for spread and uptake (Investering i kompetencer)",
        "core_task",
        "reading",
        "sim.model.innovation.pipeline.competence_step",
        "Training hours per staff-year: raise staff digital competence, which speeds implementation and "
        "raises the realised share of a solution's effect; the hours are taken from supply.",
        title_en="Competence investment",
        title_da="Investering i kompetencer",
    ),
    Lever(
        "proactive_scouting",
        "probability per organisation-month",
        0.0,
        0.2,
        0.02,
        0.10,
        "Proactive search for labour-saving solutions from companies (Proaktiv tilgang)",
        "industry",
        "reading",
        "sim.model.innovation.pipeline.matching_step",
        "Monthly chance that an organisation actively scouts the market and finds a fitting solution.",
        title_en="Proactive scouting",
        title_da="Proaktiv tilgang",
    ),
    Lever(
        "procurement_flexibility",
        "index 0-1",
        0.0,
        1.0,
        0.1,
        0.8,
        "Attractive frameworks for scaling, incl. procurement rules (Attraktive rammer for skalering, "
        "herunder udbudsregler)",
        "industry",
        "reading",
        "sim.model.innovation.pipeline.procurement_step",
        "Shorter tenders, reuse of framework agreements across organisations and use of innovation "
        "partnerships.",
        title_en="Flexible procurement",
        title_da="Fleksible udbudsregler",
    ),
    Lever(
        "career_paths",
        "% of staff on innovation career track",
        0.0,
        6.0,
        0.5,
        3.0,
        "Merit-giving career paths for staff who develop and adopt (Meritgivende karriereveje)",
        "core_task",
        "reading",
        "sim.model.innovation.pipeline.career_step",
        "Share of staff on an innovation career track: they act as champions (faster, stickier "
        "implementation) and quit less.",
        title_en="Career paths",
        title_da="Meritgivende karriereveje",
    ),
    Lever(
        "incentive_structures",
        "share of realised savings kept by the unit",
        0.0,
        1.0,
        0.0,
        0.5,
        "Incentives for staff and units at all levels; income from OPI (Incitamentsstrukturer; "
        "indtægtsgivende virksomhed i OPI)",
        "core_task",
        "reading",
        "sim.model.innovation.pipeline.adoption_decision",
        "Share of realised savings a unit keeps: raises willingness to pilot and adopt and feeds the "
        "unit's innovation budget.",
        title_en="Incentive structures",
        title_da="Incitamentsstrukturer",
    ),
    Lever(
        "common_evaluation",
        "index 0-1",
        0.0,
        1.0,
        0.1,
        0.9,
        "A common evaluation paradigm for decisions on uptake (Fælles evalueringsparadigme)",
        "citizens",
        "reading",
        "sim.model.innovation.pipeline.evaluation_step",
        "Shorter, cheaper evaluations, and evidence from one organisation accepted by others so they can "
        "skip their own pilot.",
        title_en="Common evaluation",
        title_da="Fælles evalueringsparadigme",
    ),
    Lever(
        "transformative_focus",
        "portfolio weight 0-1",
        0.0,
        1.0,
        0.1,
        0.4,
        "Focus on long-term, transformative solutions (Fokus på langsigtede og transformative løsninger)",
        "citizens",
        "reading",
        "sim.model.innovation.companies.development_step",
        "Weight of new development on transformative solutions: larger effect, higher risk, longer "
        "development.",
        title_en="Transformative focus",
        title_da="Transformative løsninger",
    ),
    Lever(
        "test_access",
        "index 0-1",
        0.0,
        1.0,
        0.2,
        0.8,
        "Easy access to knowledge, competences and test facilities (Nem adgang til viden, kompetencer og test)",
        "industry",
        "reading",
        "sim.model.innovation.companies.company_finance_step",
        "Cheaper, faster pilots for companies and lower start-up burn rate, so more start-ups survive.",
        title_en="Access to test facilities",
        title_da="Adgang til test",
    ),
    Lever(
        "role_transparency",
        "index 0-1",
        0.0,
        1.0,
        0.2,
        0.8,
        "Transparent roles in the ecosystem (Transparens og tydelighed omkring roller)",
        "industry",
        "reading",
        "sim.model.innovation.pipeline.matching_step",
        "Lower search and matching friction: a larger share of company pitches reach the right buyer.",
        title_en="Role transparency",
        title_da="Tydelige roller",
    ),
    Lever(
        "risk_budget",
        "% of operating budget",
        0.0,
        1.0,
        0.1,
        0.5,
        "Financial frame for long-term, risk-taking investment (Finansiel ramme for risikobetonede investeringer)",
        "citizens",
        "reading",
        "sim.model.innovation.pipeline.pilot_step",
        "Budget share reserved for uncertain investments over several years: caps what pilots and "
        "first implementations an organisation can fund.",
        title_en="Risk budget",
        title_da="Ramme for risikovillige investeringer",
    ),
    Lever(
        "strategic_partnership_cap",
        "strategic partnerships per organisation",
        0.0,
        8.0,
        1.0,
        5.0,
        "Strategic partnerships, typically at most 5 at a time per organisation (Strategiske partnerskaber)",
        "industry",
        "seed",
        "sim.model.innovation.partnerships.partnership_step",
        "Cap on concurrent strategic partnerships per organisation; each shares risk and resources and "
        "gives its company privileged access for co-development.",
        True,
        title_en="Strategic partnerships",
        title_da="Strategiske partnerskaber",
    ),
    Lever(
        "challenge_driven_share",
        "share of new development",
        0.0,
        1.0,
        0.1,
        0.5,
        "Goal 2: challenge-driven development and uptake of new solutions (Udfordringsdrevet udvikling og optag)",
        "citizens",
        "seed",
        "sim.model.innovation.pipeline.challenge_step",
        "Share of new development started from the health system's own posted challenges, with a "
        "committed first buyer (better fit, pre-agreed procurement).",
        title_en="Challenge-driven development",
        title_da="Udfordringsdrevet udvikling",
    ),
]

_UNCERTAINTY_ROWS = [
    Uncertainty(
        "demography",
        "multiplier on projected growth of age 67+",
        0.8,
        1.2,
        1.0,
        "Projection variant: scales the growth (not the level) of the 67-79 and 80+ bands relative to 2025.",
        "sim.model.demography.Demography",
        "SOURCES DM-01, DM-03, DM-04: DST 2020/2021 and KL 2024 differ by about 10% on 80+ growth "
        "2024-2030 (derived: +129,500 vs +118,000 from 304,000)",
        title_en="Demography",
        title_da="Demografi",
    ),
    Uncertainty(
        "education_intake",
        "multiplier on graduate cohorts",
        0.8,
        1.2,
        1.0,
        "Scales yearly graduate cohorts of every profession.",
        "sim.model.model.HealthSystemModel.graduate_cohort",
        "SOURCES W-44: nursing intake -18% 2019-2022, +1% 2023",
        title_en="Education intake",
        title_da="Uddannelsesoptag",
    ),
    Uncertainty(
        "effect_size",
        "multiplier on true effects",
        0.5,
        1.5,
        1.0,
        "Scales the true labour-saving effect of every solution archetype.",
        "sim.model.innovation.solutions.draw_solution",
        "assumption (single-site effects only, e.g. SOURCES E-05, E-08, E-13)",
        title_en="Effect size",
        title_da="Effektstørrelse",
    ),
    Uncertainty(
        "funding_climate",
        "multiplier on start-up funding",
        0.5,
        1.5,
        1.0,
        "Scales founding of start-ups and the cash they raise.",
        "sim.model.innovation.companies.founding_step",
        "assumption (SOURCES C-02: 3,956 mDKK invested since 2019)",
        title_en="Funding climate",
        title_da="Finansieringsklima",
    ),
    Uncertainty(
        "budget_growth",
        "% real growth per year",
        -1.0,
        2.0,
        0.5,
        "Real growth of public health budgets, which scales innovation and risk budgets.",
        "sim.model.innovation.pipeline.budget_step",
        "assumption",
        title_en="Budget growth",
        title_da="Budgetvækst",
    ),
    Uncertainty(
        "attrition_sensitivity",
        "multiplier on strain elasticity of quits",
        0.5,
        2.0,
        1.0,
        "Scales how strongly strain raises the quit hazard (the vicious circle).",
        "sim.model.staff.quit_hazard",
        "assumption",
        title_en="Attrition sensitivity",
        title_da="Afgangsfølsomhed",
    ),
]

LEVERS: dict[str, Lever] = {row.name: row for row in _LEVER_ROWS}
UNCERTAINTIES: dict[str, Uncertainty] = {row.name: row for row in _UNCERTAINTY_ROWS}
THEMES = {
    "core_task": "Innovation as a new core task of the health system",
    "citizens": "The best solutions for citizens",
    "industry": "Effective interplay with industry",
}


def levers_table() -> pd.DataFrame:
    """The levers as a DataFrame, one row per lever, in the seed's order."""
    import pandas as pd

    return pd.DataFrame([asdict(row) for row in _LEVER_ROWS])


def uncertainties_table() -> pd.DataFrame:
    """The uncertainties as a DataFrame, one row per uncertainty."""
    import pandas as pd

    return pd.DataFrame([asdict(row) for row in _UNCERTAINTY_ROWS])
