"""Scenario files: the schema, loading from TOML, validation and dotted-key overrides.

A scenario says which world to build (national or a small synthetic one, and at what staff scale), the
period, the levers, the uncertainties, innovation switches and optional overrides of calibration
constants (whose defaults and sources live in ``sim/data/calibration.toml``). Everything is validated on
load; any problem raises :class:`sim.errors.ScenarioError` with the file, the key and what is allowed.
"""

from __future__ import annotations

import copy
import hashlib
import json
import tomllib
import typing
import warnings
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from annotated_types import Ge, Gt, Le, Lt
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    model_validator,
)

from sim.errors import OpisimWarning, ScenarioError, did_you_mean, first_problem
from sim.levers import LEVERS, UNCERTAINTIES
from sim.tomlfile import read_toml

FIRST_YEAR = 2025  # the default start: the world as it is in January 2025
HISTORY_FIRST_YEAR = 2012  # earliest start of the historical mode (the adoption layer's backcast)
LAST_YEAR = 2045
# The smallest world.staff_scale at which the national gap and FTE freed are stable (measured
# 2026-12-03 with benchmarks/bench_staff_scale.py: status quo to 2035, 12 seeds per scale). The mean
# gap_fte_2035 is 28,576 (sd 1,861) at 0.02 and 28,670-29,348 from 0.03 to 0.5, but 23,991 at 0.01,
# 18,139 at 0.005 and a surplus of 27,593 at 0.001: with fewer agents the staff counts of small
# organisations round away. Net FTE freed 2035 stays within its noise (5,804-6,784, sd ~700) down to
# 0.005. Below the minimum a scenario still runs, with a warning (synthetic worlds that test diffusion
# alone, where staff do not matter, use less).
MIN_STAFF_SCALE = 0.02


def _number(value: Any) -> Any:
    """A number as TOML writes it: refuse true/false and text (pydantic would read true as 1)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("not a number")
    return value


Number = Annotated[float, BeforeValidator(_number)]
WholeNumber = Annotated[int, BeforeValidator(_number)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class MetaSection(_Strict):
    """Name and description of the scenario."""

    name: str = "unnamed"
    description: str = ""


class TimeSection(_Strict):
    """Simulated period, whole calendar years, monthly steps."""

    start_year: WholeNumber = Field(FIRST_YEAR, ge=HISTORY_FIRST_YEAR, le=LAST_YEAR)
    end_year: WholeNumber = Field(LAST_YEAR, ge=HISTORY_FIRST_YEAR, le=LAST_YEAR)

    @model_validator(mode="after")
    def _ordered(self) -> TimeSection:
        if self.end_year < self.start_year:
            raise ValueError(
                f"end_year ({self.end_year}) must be >= start_year ({self.start_year})"
            )
        return self


class WorldSection(_Strict):
    """The organisations and the staff scale.

    ``kind = "national"`` builds the 5 regions, 22 hospitals and 98 municipalities of the shipped table;
    ``kind = "synthetic"`` builds ``n_regions`` regions with ``n_hospitals`` hospitals and
    ``n_municipalities`` municipalities sharing the national population (for tests and quick runs).
    ``staff_scale`` is agents per person: 1.0 is one agent per person, 0.1 one agent per 10 people;
    outputs are always in national units. Below :data:`MIN_STAFF_SCALE` the national results are biased
    (a warning says so).
    """

    kind: Literal["national", "synthetic"] = "national"
    n_regions: WholeNumber = Field(5, ge=1, le=5)
    n_hospitals: WholeNumber = Field(22, ge=1, le=200)
    n_municipalities: WholeNumber = Field(98, ge=1, le=20000)
    staff_scale: Number = Field(1.0, gt=0.0, le=1.0)


class InnovationSection(_Strict):
    """Switches for the innovation layer.

    ``frictionless`` turns every pipeline friction off (no pilots, evaluation, procurement, implementation
    delay or abandonment): a proven solution then spreads by the pure Bass rule with ``bass_p`` and
    ``bass_q`` per year, which the Bass validation test uses.
    """

    enabled: bool = True
    frictionless: bool = False
    bass_p: Number = Field(0.03, ge=0.0, le=1.0)
    bass_q: Number = Field(0.38, ge=0.0, le=5.0)


def _bounded_model(name: str, rows: dict[str, Any], default_attr: str) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for key, row in rows.items():
        integer = getattr(row, "integer", False)
        kind, default = (WholeNumber, int) if integer else (Number, float)
        value = default(getattr(row, default_attr))
        fields[key] = (kind, Field(value, ge=row.low, le=row.high, description=row.unit))
    return create_model(name, __config__=ConfigDict(extra="forbid", frozen=True), **fields)


def schedule_free_path(value: float, n_months: int):
    """A constant lever's value in each of ``n_months`` months."""
    import numpy as np  # lazily, as in LeverSchedule.path

    return np.full(n_months, value)


class LeverSchedule(_Strict):
    """A lever phased in: from ``start_year`` it moves linearly from its status-quo value to ``value``
    over ``ramp_years`` (0: a step); with ``end_year`` it returns to the status quo from the January after
    (a programme that ends). Before ``start_year`` a run is identical to the status quo."""

    value: Number
    start_year: WholeNumber = Field(FIRST_YEAR, ge=HISTORY_FIRST_YEAR, le=LAST_YEAR)
    start_month: WholeNumber = Field(1, ge=1, le=12)
    ramp_years: Number = Field(0.0, ge=0.0, le=30.0)
    end_year: WholeNumber | None = Field(None, ge=HISTORY_FIRST_YEAR, le=LAST_YEAR)

    def path(self, status_quo: float, decimal_years):
        """The lever's value at each decimal year (months are 1/12 apart, January = .0)."""
        import numpy as np  # lazily: building the CLI parser imports this module

        start = self.start_year + (self.start_month - 1) / 12.0
        if self.ramp_years > 0:
            progress = np.clip((decimal_years - start + 1e-9) / self.ramp_years, 0.0, 1.0)
        else:
            progress = (decimal_years >= start - 1e-9).astype(float)
        if self.end_year is not None:
            progress = np.where(decimal_years >= self.end_year + 1, 0.0, progress)
        return status_quo + (self.value - status_quo) * progress


def _levers_input_model() -> type[BaseModel]:
    """[levers]: each lever a number or a schedule table, both within the lever's range."""
    fields: dict[str, Any] = {}
    for key, row in LEVERS.items():
        kind, cast = (WholeNumber, int) if row.integer else (Number, float)
        bounded = Annotated[kind, Field(ge=row.low, le=row.high, description=row.unit)]
        schedule = create_model(
            f"Schedule_{key}",
            __base__=LeverSchedule,
            value=(kind, Field(ge=row.low, le=row.high, description=row.unit)),
        )
        fields[key] = (bounded | schedule, cast(row.status_quo))
    return create_model("LeversInput", __config__=ConfigDict(extra="forbid", frozen=True), **fields)


LeversInput = _levers_input_model()
# levers a programme can scope to some solution types (the mechanisms read them per type)
SCOPED_LEVERS = ("spread_workflows", "common_evaluation", "procurement_flexibility")


@lru_cache(maxsize=1)
def catalogue_archetypes() -> dict[str, str]:
    """Archetype key -> sector of the shipped catalogue (``sim/data/solutions.toml``)."""
    text = resources.files("sim.data").joinpath("solutions.toml").read_text(encoding="utf-8")
    return {key: row["sector"] for key, row in tomllib.loads(text).items()}


class ProgrammeSection(_Strict):
    """A programme that sets some levers for some solution types only (``[[programmes]]``), e.g. the
    2014-2016 municipal welfare-technology programme: a spread programme and shared business cases for
    four technologies. Each lever is a value or a schedule; for the programme's archetypes the lever is
    the larger of its own value and the programme's."""

    name: str
    sector: Literal["hospital", "municipal"] | None = None
    archetypes: list[str]
    levers: dict[str, Any]

    @model_validator(mode="after")
    def _known(self) -> ProgrammeSection:
        known = catalogue_archetypes()
        for key in self.archetypes:
            if key not in known:
                raise ValueError(f"unknown archetype '{key}'; allowed: {', '.join(known)}")
            if self.sector is not None and known[key] != self.sector:
                raise ValueError(f"archetype '{key}' is not a {self.sector} solution")
        for name, value in self.levers.items():
            if name not in SCOPED_LEVERS:
                raise ValueError(
                    f"lever '{name}' cannot be scoped to a programme; allowed: {', '.join(SCOPED_LEVERS)}"
                )
            row = LEVERS[name]
            raw = value.get("value") if isinstance(value, dict) else value
            if (
                not isinstance(raw, (int, float))
                or isinstance(raw, bool)
                or not row.low <= raw <= row.high
            ):
                raise ValueError(
                    f"lever '{name}' = {raw!r}; allowed: a number from {row.low:g} to {row.high:g}"
                )
        return self

    def schedules(self) -> dict[str, LeverSchedule]:
        """Each lever as a schedule (a plain value applies from the first month)."""
        return {
            name: LeverSchedule(**value)
            if isinstance(value, dict)
            else LeverSchedule(value=value, start_year=HISTORY_FIRST_YEAR)
            for name, value in self.levers.items()
        }


LeversSection = _bounded_model("LeversSection", LEVERS, "status_quo")
UncertaintiesSection = _bounded_model("UncertaintiesSection", UNCERTAINTIES, "default")
# calibration sections a scenario may also set as its own top-level section (policy rules and the
# levers' mechanism strengths): ``[procurement] tender_months_eu = 8`` = calibration "procurement.tender_months_eu"
RULE_SECTIONS = ("procurement", "incentives", "risk_budget", "lever_effects")


@lru_cache(maxsize=1)
def calibration_defaults() -> dict[str, dict[str, Any]]:
    """The calibration constants shipped in ``sim/data/calibration.toml``: key -> {value, unit, source, ...}."""
    text = resources.files("sim.data").joinpath("calibration.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    flat: dict[str, dict[str, Any]] = {}
    for section, entries in raw.items():
        for key, entry in entries.items():
            flat[f"{section}.{key}"] = entry
    return flat


class ScenarioModel(_Strict):
    """The whole scenario file."""

    meta: MetaSection = MetaSection()
    time: TimeSection = TimeSection()
    world: WorldSection = WorldSection()
    levers: LeversInput = LeversInput()  # type: ignore[valid-type]
    uncertainties: UncertaintiesSection = UncertaintiesSection()  # type: ignore[valid-type]
    innovation: InnovationSection = InnovationSection()
    calibration: dict[str, Any] = Field(default_factory=dict)
    procurement: dict[str, Any] = Field(default_factory=dict)
    incentives: dict[str, Any] = Field(default_factory=dict)
    risk_budget: dict[str, Any] = Field(default_factory=dict)
    lever_effects: dict[str, Any] = Field(default_factory=dict)
    programmes: list[ProgrammeSection] = Field(default_factory=list)


# sections whose keys are rows of a table in sim/levers.py (their messages give the row's range and unit)
_ROW_SECTIONS = {"levers": LEVERS, "uncertainties": UNCERTAINTIES}
_BOUND_WORDS = {Ge: (">=", "ge"), Gt: (">", "gt"), Le: ("<=", "le"), Lt: ("<", "lt")}


def _submodel(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model an annotation holds (directly or as one member of a union), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _submodel(arg)
        if found is not None:
            return found
    return None


def _model_at(path: tuple[str, ...]) -> type[BaseModel] | None:
    """The model of the table at ``path`` in a scenario (``()`` is the file), or None."""
    model: type[BaseModel] | None = ScenarioModel
    for part in path:
        field = model.model_fields.get(part) if model is not None else None
        model = _submodel(field.annotation) if field is not None else None
    return model


def _field_allowed(model: type[BaseModel], key: str) -> str | None:
    """What a field accepts, from its type and bounds, e.g. "a number > 0 and <= 1"."""
    field = model.model_fields.get(key)
    if field is None:
        return None
    words = {int: "a whole number", float: "a number", bool: "true or false", str: "text"}
    if typing.get_origin(field.annotation) is Literal:
        return "one of " + ", ".join(repr(v) for v in typing.get_args(field.annotation))
    what = words.get(field.annotation)  # type: ignore[call-overload]
    if what is None:
        return None
    bounds = [
        f"{symbol} {getattr(m, attr):g}"
        for m in field.metadata
        for cls, (symbol, attr) in _BOUND_WORDS.items()
        if isinstance(m, cls)
    ]
    return what + (" " + " and ".join(bounds) if bounds else "")


def _row_allowed(section: str, key: str) -> str:
    """What a lever or uncertainty accepts: its range and unit."""
    row = _ROW_SECTIONS[section][key]
    what = "a whole number" if getattr(row, "integer", False) else "a number"
    return f"{what} from {row.low:g} to {row.high:g} ({row.unit})"


def _describe_allowed(loc: tuple[str, ...], err: dict) -> str:
    """What is allowed at a location, for error messages (with the nearest valid name for a typo)."""
    if err["type"] == "extra_forbidden":
        model = _model_at(loc[:-1])
        names = list(model.model_fields) if model is not None else []
        where = "sections" if len(loc) == 1 else f"keys in [{'.'.join(loc[:-1])}]"
        return f"allowed {where}: {', '.join(names)}{did_you_mean(loc[-1], names)}"
    if len(loc) >= 2 and loc[0] in _ROW_SECTIONS and loc[1] in _ROW_SECTIONS[loc[0]]:
        return "allowed: " + _row_allowed(loc[0], loc[1])
    model = _model_at(loc[:-1])
    allowed = _field_allowed(model, loc[-1]) if model is not None and loc else None
    if allowed is None and len(loc) == 1 and err["type"] in ("model_type", "dict_type"):
        allowed = f"a table [{loc[0]}] of keys"
    return f"allowed: {allowed}" if allowed else err["msg"]


def _lever_errors(errors: list[dict]) -> list[dict]:
    """A lever is a number or a schedule table: keep the errors of the form the file used (pydantic
    reports both members of the union), with the member's name taken out of the location."""
    out = []
    for err in errors:
        loc = tuple(err["loc"])
        if len(loc) >= 3 and loc[0] == "levers" and loc[1] in LEVERS:
            member = str(loc[2])
            is_schedule = member.startswith("Schedule_")
            given_table = isinstance(err.get("input"), dict) if len(loc) == 3 else is_schedule
            if len(loc) == 3 and given_table != is_schedule:
                continue  # the other form's complaint
            if len(loc) > 3 and not is_schedule:
                continue
            err = {**err, "loc": (loc[0], loc[1], *loc[3:])}
        out.append(err)
    return out


def _format_validation_error(origin: str, exc: ValidationError) -> str:
    """The first problem of a validation error as one line (and how many others there are)."""
    err, loc, key, more = first_problem(_lever_errors(exc.errors()))
    if err["type"] == "extra_forbidden":
        return f"{origin}: unknown key '{key}'; {_describe_allowed(loc, err)}{more}"
    shown = "(missing)" if err["type"] == "missing" else repr(err.get("input"))
    why = err["msg"].removeprefix("Value error, ")
    return (
        f"{origin}: key '{key}' = {shown} is invalid ({why}); {_describe_allowed(loc, err)}{more}"
    )


def _check_calibration(origin: str, overrides: dict[str, Any]) -> dict[str, Any]:
    defaults = calibration_defaults()
    checked = {}
    for key, value in overrides.items():
        if key not in defaults:
            raise ScenarioError(
                f"{origin}: unknown key 'calibration.{key}'; allowed: the keys of "
                f"sim/data/calibration.toml (`opisim calibration` lists them)"
                f"{did_you_mean(key, defaults)}"
            )
        entry = defaults[key]
        default = entry["value"]
        if "choices" in entry:
            if value not in entry["choices"]:
                raise ScenarioError(
                    f"{origin}: key 'calibration.{key}' = {value!r} is invalid; allowed: "
                    + ", ".join(repr(c) for c in entry["choices"])
                )
            checked[key] = value
            continue
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise ScenarioError(
                    f"{origin}: key 'calibration.{key}' = {value!r} is invalid; allowed: true or false"
                )
            checked[key] = value
            continue
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise ScenarioError(
                f"{origin}: key 'calibration.{key}' = {value!r} is invalid; allowed: a number"
            )
        lo, hi = entry.get("min", float("-inf")), entry.get("max", float("inf"))
        if not lo <= value <= hi:
            raise ScenarioError(
                f"{origin}: key 'calibration.{key}' = {value!r} is out of range; allowed: {lo} to {hi} "
                f"({entry.get('unit', '')})"
            )
        checked[key] = float(value)
    return checked


class Scenario:
    """A validated scenario.

    Attributes:
        meta, time, world, levers, uncertainties, innovation: validated sections (read-only).
        calibration: calibration overrides, dotted key -> value (defaults in ``sim/data/calibration.toml``).
        source: the file it was loaded from, or a description of where it came from.
    """

    def __init__(self, data: dict[str, Any], source: str = "<dict>") -> None:
        self._raw = copy.deepcopy(data)
        self.source = source
        try:
            model = ScenarioModel.model_validate(data)
        except ValidationError as exc:
            raise ScenarioError(_format_validation_error(source, exc)) from None
        self._model = model
        self.meta = model.meta
        self.time = model.time
        self.world = model.world
        self.lever_schedules: dict[str, LeverSchedule] = {
            name: value
            for name in LEVERS
            if isinstance(value := getattr(model.levers, name), LeverSchedule)
        }
        self.levers = LeversSection(
            **{
                name: (value.value if isinstance(value, LeverSchedule) else value)
                for name, value in model.levers
            }
        )
        self.uncertainties = model.uncertainties
        self.innovation = model.innovation
        self.programmes = model.programmes
        calibration = dict(model.calibration)
        for section in RULE_SECTIONS:
            for key, value in getattr(model, section).items():
                calibration[f"{section}.{key}"] = value
        self.calibration = _check_calibration(source, calibration)
        if self.world.staff_scale < MIN_STAFF_SCALE:
            warnings.warn(
                OpisimWarning(
                    f"{source}: world.staff_scale = {self.world.staff_scale:g} is below "
                    f"{MIN_STAFF_SCALE:g}, the smallest scale at which the national gap and FTE "
                    f"freed are stable: staff counts round away and the results are biased"
                ),
                stacklevel=2,
            )

    @property
    def name(self) -> str:
        return self.meta.name

    def param(self, key: str) -> Any:
        """A calibration constant: the scenario's override or the shipped default."""
        if key in self.calibration:
            return self.calibration[key]
        return calibration_defaults()[key]["value"]

    def param_number(self, key: str) -> float:
        """A calibration constant as a number: a choice is its position in ``choices``, a switch 0 or 1."""
        value = self.param(key)
        entry = calibration_defaults()[key]
        if "choices" in entry:
            return float(entry["choices"].index(value))
        return float(value)

    def lever_paths(self, dates):
        """Each lever's value in each month (``dates``: first days of the months, datetime64[M]): its
        schedule where it has one, else its constant value."""
        years = dates.astype("datetime64[Y]").astype(int) + 1970
        decimal = years + (dates.astype(int) % 12) / 12.0
        out = {}
        for name, lever in LEVERS.items():
            schedule = self.lever_schedules.get(name)
            if schedule is None:
                value = float(getattr(self.levers, name))
                out[name] = schedule_free_path(value, len(dates))
            else:
                out[name] = schedule.path(float(lever.status_quo), decimal)
        return out

    def programme_paths(self, dates) -> list:
        """Each programme's archetypes and its levers' values in each month (as ``lever_paths``)."""
        years = dates.astype("datetime64[Y]").astype(int) + 1970
        decimal = years + (dates.astype(int) % 12) / 12.0
        return [
            (
                list(programme.archetypes),
                {
                    name: schedule.path(float(LEVERS[name].status_quo), decimal)
                    for name, schedule in programme.schedules().items()
                },
            )
            for programme in self.programmes
        ]

    def to_dict(self) -> dict[str, Any]:
        """The full, validated scenario (defaults filled in) as plain data."""
        out = self._model.model_dump(mode="json")
        out["calibration"] = dict(self.calibration)
        return out

    def content_hash(self) -> str:
        """SHA-256 of the validated content, stable across key order."""
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()

    def with_overrides(self, overrides: dict[str, Any]) -> Scenario:
        """A new scenario with dotted keys replaced, e.g. ``{"levers.risk_budget": 0.5}``.

        Raises:
            ScenarioError: naming the override, the key and what is allowed.
        """
        data = copy.deepcopy(self._raw)
        for dotted, value in overrides.items():
            parts = dotted.split(".")
            if parts[0] == "calibration":
                data.setdefault("calibration", {})[".".join(parts[1:])] = value
                continue
            if len(parts) != 2:
                raise ScenarioError(
                    f"override '{dotted}': keys are 'section.key' (or 'calibration.section.key'); "
                    f"allowed sections: {', '.join(ScenarioModel.model_fields)}"
                    f"{did_you_mean(parts[0], ScenarioModel.model_fields)}"
                )
            section, key = parts
            node = data.setdefault(section, {})
            if not isinstance(node, dict):
                raise ScenarioError(f"override '{dotted}': '{section}' is not a section")
            node[key] = value
        return Scenario(data, source=f"{self.source} with overrides {sorted(overrides)}")

    def __repr__(self) -> str:
        return f"Scenario(name={self.name!r}, source={self.source!r})"


_SCENARIO_CONTENT = (
    'a scenario file holds [meta] name = "..." and the sections it changes from the defaults: '
    "[time], [world], [levers], [uncertainties], [innovation], [calibration] (start from "
    "scenarios/baseline.toml)"
)


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario TOML file.

    A scenario file must name itself (``[meta] name``); every other section is optional and defaults to
    the status quo.

    Raises:
        ScenarioError: if the file is missing, unreadable, empty, an experiment file, not valid TOML,
            unnamed, or fails validation.
    """
    path = Path(path)
    _, data = read_toml(path, "scenario", ScenarioError, "scenarios/baseline.toml")
    if not data:
        raise ScenarioError(f"{path}: the file is empty; {_SCENARIO_CONTENT}")
    if "experiment" in data and "design" in data:
        raise ScenarioError(
            f"{path}: this is an experiment file ([experiment], [design]), not a scenario; run it "
            f"with `opisim experiment {path}`"
        )
    scenario = Scenario(data, source=str(path))
    if "name" not in (data.get("meta") or {}):
        raise ScenarioError(f"{path}: missing key 'meta.name'; {_SCENARIO_CONTENT}")
    return scenario


def parse_override(text: str) -> tuple[str, Any]:
    """Parse a CLI ``key=value`` into a dotted key and a TOML-typed value."""
    if "=" not in text:
        raise ScenarioError(f"--set '{text}': expected key=value, e.g. levers.risk_budget=0.5")
    key, raw = text.split("=", 1)
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key.strip(), value
