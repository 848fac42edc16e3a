"""The council's 14 recommendations as levers (L) and the exogenous uncertainties (X).

This module is data: one row per lever or uncertainty, with unit, range, status-quo and recommended
values, the seed focus area it stands for and the theme it belongs to. Each lever's row names every
function of the model that reads it (``mechanisms``; a test fails when model code reads a lever anywhere
else), and the strengths of its mechanisms are calibration constants ``lever_effects.<lever>_<what>``
(``sim/data/calibration.toml``; ``docs/levers.md`` has the table per lever with the seed's wording). A
scenario sets a lever to a value or to a schedule (start year, ramp). ``analysis_low``..``analysis_high`` is
the plausible policy range the default screening analyses; ``low``..``high`` is what a scenario may set
(values that switch a mechanism off are for exploration). Levers and uncertainties are kept apart, as in the
XLRM frame of exploratory modelling.

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
        mechanisms: every model function that reads the lever (module-qualified).
        description: what the value does, in one or two sentences: benefit and cost.
        analysis_low, analysis_high: the plausible policy range around status quo and recommended, used
            by the default sensitivity analyses.
        integer: whether the value is a whole number.
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
    mechanisms: tuple[str, ...]
    description: str
    analysis_low: float
    analysis_high: float
    integer: bool = False
    title_en: str = field(kw_only=True)
    title_da: str = field(kw_only=True)

    @property
    def mechanism(self) -> str:
        """The mechanisms as one line (for tables)."""
        return ", ".join(self.mechanisms)


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
        (
            "sim.model.innovation.events.ownership",
            "sim.model.innovation.pipeline.capacity_step",
            "sim.model.innovation.pipeline.innovation_work_step",
        ),
        (
            "Share of staff hours reserved for developing, taking up and spreading solutions. Benefit: "
            "project time for pilots and roll-outs, and ownership that speeds roll-out and take-up, "
            "raises target coverage and lowers abandonment. Cost: the hours projects use plus a "
            "governance overhead on the reservation."
        ),
        0.1,
        2.0,
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
        (
            "sim.model.innovation.pipeline.takeup_hazard_year",
            "sim.model.innovation.pipeline.rollout_rate_year",
            "sim.model.innovation.pipeline.practice_step",
            "sim.model.innovation.events.pilot_months",
            "sim.model.innovation.pipeline.money_month",
            "sim.model.innovation.solutions.create_type",
        ),
        (
            "Standard workflows and a national spread programme for proven solutions. Benefit: faster "
            "take-up (Bass p), shorter local tests and faster roll-out for later adopters. Cost: the "
            "programme's yearly budget."
        ),
        0.05,
        0.9,
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
        (
            "sim.model.innovation.InnovationLayer.competence_step",
            "sim.model.innovation.pipeline.innovation_work_step",
        ),
        (
            "Training hours per staff-year for staff who work with solutions. Benefit: digital "
            "competence, which raises the realised effect, speeds roll-out, raises target coverage and "
            "lowers abandonment. Cost: the training hours."
        ),
        2.0,
        30.0,
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
        (
            "sim.model.innovation.pipeline.matching_step",
            "sim.model.innovation.pipeline.takeup_hazard_year",
            "sim.model.innovation.pipeline.innovation_work_step",
        ),
        (
            "Monthly chance that an organisation scouts the market. Benefit: more new solutions found "
            "and piloted, faster take-up of proven ones. Cost: staff time per scouting round."
        ),
        0.01,
        0.15,
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
        (
            "sim.model.innovation.events.enter_procurement",
            "sim.model.innovation.events.licence_price_fte_year",
            "sim.model.innovation.solutions.create_type",
        ),
        (
            "Attractive frameworks for scaling: reuse of framework contracts, innovation partnerships, "
            "joint procurement, shorter tenders (rules in [procurement]). Benefit: faster, surer "
            "procurement. Cost: less competition, higher prices."
        ),
        0.05,
        0.9,
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
        (
            "sim.model.innovation.InnovationLayer.career_step",
            "sim.model.innovation.pipeline.innovation_work_step",
        ),
        (
            "Share of staff on an innovation career track. Benefit: champions (faster roll-out, "
            "likelier adoption, less abandonment) who quit less. Cost: the share of their hours spent "
            "on innovation."
        ),
        0.2,
        5.0,
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
        (
            "sim.model.innovation.events.adoption_probability",
            "sim.model.innovation.pipeline.matching_step",
            "sim.model.innovation.events.start_rollout",
            "sim.model.innovation.pipeline.money_month",
            "sim.model.innovation.InnovationLayer.incentive_savings",
        ),
        (
            "Share of realised value a unit keeps, and income from OPI (rules in [incentives]). "
            "Benefit: keener units (more pilots, likelier adoption) and money for innovation from "
            "savings where freed hours become cash and from royalties on co-developed solutions. Cost: "
            "staff bonuses per adoption."
        ),
        0.0,
        0.8,
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
        (
            "sim.model.innovation.events.evaluation_noise",
            "sim.model.innovation.events.evaluation_months",
            "sim.model.innovation.events.evaluation_cost_dkk",
            "sim.model.innovation.pipeline.take_up",
            "sim.model.innovation.pipeline.money_month",
            "sim.model.innovation.solutions.create_type",
        ),
        (
            "A common evaluation paradigm. Benefit: cheaper, faster, less noisy evaluations, and shared "
            "evidence accepted instead of a local test (the adoption decision and budgets still apply). "
            "Cost: a national evaluation body."
        ),
        0.05,
        1.0,
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
        (
            "sim.model.innovation.companies.development_step",
            "sim.model.innovation.pipeline.money_month",
        ),
        (
            "Weight of new development on transformative solutions. Benefit: larger effects and more "
            "new solution types. Cost: longer development, more failures, and public co-funding of "
            "long-horizon work."
        ),
        0.05,
        0.6,
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
        (
            "sim.model.innovation.events.pilot_cost_dkk",
            "sim.model.innovation.events.pilot_months",
            "sim.model.innovation.companies.company_finance_step",
            "sim.model.innovation.pipeline.money_month",
        ),
        (
            "Easy access to knowledge and test facilities. Benefit: cheaper, faster pilots; start-ups "
            "burn less and survive more. Cost: the test facilities' yearly budget."
        ),
        0.1,
        1.0,
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
        (
            "sim.model.innovation.pipeline.matching_step",
            "sim.model.innovation.pipeline.money_month",
        ),
        (
            "Transparent roles in the ecosystem. Benefit: pitches reach the right buyer and turn into "
            "pilots more often. Cost: a coordination function."
        ),
        0.1,
        1.0,
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
        ("sim.model.innovation.pipeline.budget_step",),
        (
            "Size of a multi-year risk fund (rules in [risk_budget]: horizon, carry-over, pooling). "
            "Benefit: pays pilots, challenge co-funding and the first year of scale-up, and lets "
            "organisations take up solutions without national proof. Cost: the money spent from it."
        ),
        0.05,
        0.8,
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
        ("sim.model.innovation.partnerships.partnership_step",),
        (
            "Strategic partnerships an organisation holds at once (the seed: typically at most 5, for "
            "the resource load). Benefit: joint pilots without friction, half-price pilots, co- "
            "development. Cost: staff time per partnership, rising beyond the workload limit, and "
            "retainers."
        ),
        1,
        6,
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
        ("sim.model.innovation.companies.development_step",),
        (
            "Share of new development started from the health system's own challenges. Benefit: "
            "solutions that fit (larger, truer effects), a committed first buyer and innovation "
            "partnerships. Cost: public co-funding and staff time per challenge."
        ),
        0.05,
        0.6,
        title_en="Challenge-driven development",
        title_da="Udfordringsdrevet udvikling",
    ),
]


def _technology_potential() -> tuple[float, float, float]:
    """(low, high, default) of the ``technology_potential`` uncertainty, from the data file that sources it."""
    import tomllib
    from importlib import resources

    text = resources.files("sim.data").joinpath("adoption_2025.toml").read_text(encoding="utf-8")
    row = tomllib.loads(text)["technology_potential"]
    return float(row["low"]), float(row["high"]), float(row["central"])


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
        "technology_potential",
        "share of hours",
        *_technology_potential(),
        "Long-run potential of new solution types: the share of each sector-profession's hours that the "
        "types development can still create would free at full coverage (beyond the 2025 catalogue).",
        "sim.model.innovation.solutions.create_type",
        "sim/data/adoption_2025.toml [technology_potential] (the 2022 digitalisation strategy's 10,000 and "
        "the 2025 AI taskforce's 30,000 public FTE, as shares of hours)",
        title_en="Technology potential",
        title_da="Teknologisk potentiale",
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
# How the shipped recommendation scenarios phase a lever in (scenarios/lever_*.toml, theme_*.toml,
# all_recommendations.toml): from January 2026, a linear ramp over three years from the status-quo value
# to the recommended one. Assumption: a recommendation made in 2025 can take effect with the 2026 budgets
# (Finance Act, the regions' and municipalities' economy agreements) at the earliest, and organisations
# build the capacity, funds and workflows over a few years. scenarios/immediate/ holds the same scenarios
# with every lever at its recommended value from January 2025.
PHASE_IN = {"start_year": 2026, "ramp_years": 3.0}

THEMES = {
    "core_task": "Innovation as a new core task of the health system",
    "citizens": "The best solutions for citizens",
    "industry": "Effective interplay with industry",
}


def levers_table() -> pd.DataFrame:
    """The levers as a DataFrame, one row per lever, in the seed's order."""
    import pandas as pd

    return pd.DataFrame([{**asdict(row), "mechanism": row.mechanism} for row in _LEVER_ROWS])


def uncertainties_table() -> pd.DataFrame:
    """The uncertainties as a DataFrame, one row per uncertainty."""
    import pandas as pd

    return pd.DataFrame([asdict(row) for row in _UNCERTAINTY_ROWS])
