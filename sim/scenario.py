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
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, model_validator

from sim.errors import ScenarioError
from sim.levers import LEVERS, UNCERTAINTIES

FIRST_YEAR = 2025
LAST_YEAR = 2045


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class MetaSection(_Strict):
    """Name and description of the scenario."""

    name: str = "unnamed"
    description: str = ""


class TimeSection(_Strict):
    """Simulated period, whole calendar years, monthly steps."""

    start_year: int = Field(FIRST_YEAR, ge=FIRST_YEAR, le=LAST_YEAR)
    end_year: int = Field(LAST_YEAR, ge=FIRST_YEAR, le=LAST_YEAR)

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
    outputs are always in national units.
    """

    kind: Literal["national", "synthetic"] = "national"
    n_regions: int = Field(5, ge=1, le=5)
    n_hospitals: int = Field(22, ge=1, le=200)
    n_municipalities: int = Field(98, ge=1, le=20000)
    staff_scale: float = Field(1.0, gt=0.0, le=1.0)


class InnovationSection(_Strict):
    """Switches for the innovation layer.

    ``frictionless`` turns every pipeline friction off (no pilots, evaluation, procurement, implementation
    delay or abandonment): a proven solution then spreads by the pure Bass rule with ``bass_p`` and
    ``bass_q`` per year, which the Bass validation test uses.
    """

    enabled: bool = True
    frictionless: bool = False
    bass_p: float = Field(0.03, ge=0.0, le=1.0)
    bass_q: float = Field(0.38, ge=0.0, le=5.0)


def _bounded_model(name: str, rows: dict[str, Any], default_attr: str) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for key, row in rows.items():
        kind = int if getattr(row, "integer", False) else float
        default = getattr(row, default_attr)
        fields[key] = (kind, Field(kind(default), ge=row.low, le=row.high, description=row.unit))
    return create_model(name, __config__=ConfigDict(extra="forbid", frozen=True), **fields)


LeversSection = _bounded_model("LeversSection", LEVERS, "status_quo")
UncertaintiesSection = _bounded_model("UncertaintiesSection", UNCERTAINTIES, "default")


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
    levers: LeversSection = LeversSection()  # type: ignore[valid-type]
    uncertainties: UncertaintiesSection = UncertaintiesSection()  # type: ignore[valid-type]
    innovation: InnovationSection = InnovationSection()
    calibration: dict[str, Any] = Field(default_factory=dict)


def _describe_allowed(loc: tuple, err: dict) -> str:
    """What is allowed at a location, for error messages."""
    section = loc[0] if loc else None
    models = {
        "meta": MetaSection,
        "time": TimeSection,
        "world": WorldSection,
        "levers": LeversSection,
        "uncertainties": UncertaintiesSection,
        "innovation": InnovationSection,
    }
    if err["type"] == "extra_forbidden":
        if len(loc) == 1:
            return "allowed sections: " + ", ".join(ScenarioModel.model_fields)
        model = models.get(section)
        if model is not None:
            return f"allowed keys in [{section}]: " + ", ".join(model.model_fields)
    ctx = err.get("ctx") or {}
    if section == "levers" and len(loc) == 2 and loc[1] in LEVERS:
        row = LEVERS[loc[1]]
        return f"allowed: a number from {row.low:g} to {row.high:g} ({row.unit})"
    if section == "uncertainties" and len(loc) == 2 and loc[1] in UNCERTAINTIES:
        row = UNCERTAINTIES[loc[1]]
        return f"allowed: a number from {row.low:g} to {row.high:g} ({row.unit})"
    bounds = [f"{k.replace('_', ' ')} {v}" for k, v in ctx.items() if k in ("ge", "gt", "le", "lt")]
    if bounds:
        words = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}
        return "allowed: " + " and ".join(f"{words[k]} {v}" for k, v in ctx.items() if k in words)
    if "expected" in ctx:
        return f"allowed: {ctx['expected']}"
    return err["msg"]


def _format_validation_error(origin: str, exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        loc = tuple(str(part) for part in err["loc"])
        key = ".".join(loc) if loc else "(top level)"
        if err["type"] == "extra_forbidden":
            lines.append(f"{origin}: unknown key '{key}'; {_describe_allowed(loc, err)}")
        else:
            shown = err.get("input")
            shown = "(missing)" if err["type"] == "missing" else repr(shown)
            lines.append(
                f"{origin}: key '{key}' = {shown} is invalid ({err['msg']}); {_describe_allowed(loc, err)}"
            )
    return "\n".join(lines)


def _check_calibration(origin: str, overrides: dict[str, Any]) -> dict[str, Any]:
    defaults = calibration_defaults()
    checked = {}
    for key, value in overrides.items():
        if key not in defaults:
            raise ScenarioError(
                f"{origin}: unknown key 'calibration.{key}'; allowed keys are those of "
                f"sim/data/calibration.toml, e.g. {', '.join(list(defaults)[:6])}, ... "
                f"(`opisim calibration` lists them all)"
            )
        entry = defaults[key]
        default = entry["value"]
        if (
            isinstance(default, bool)
            or not isinstance(value, (int, float))
            or isinstance(value, bool)
        ):
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
        self.levers = model.levers
        self.uncertainties = model.uncertainties
        self.innovation = model.innovation
        self.calibration = _check_calibration(source, dict(model.calibration))

    @property
    def name(self) -> str:
        return self.meta.name

    def param(self, key: str) -> float:
        """A calibration constant: the scenario's override or the shipped default."""
        if key in self.calibration:
            return self.calibration[key]
        return calibration_defaults()[key]["value"]

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
                )
            section, key = parts
            node = data.setdefault(section, {})
            if not isinstance(node, dict):
                raise ScenarioError(f"override '{dotted}': '{section}' is not a section")
            node[key] = value
        return Scenario(data, source=f"{self.source} with overrides {sorted(overrides)}")

    def __repr__(self) -> str:
        return f"Scenario(name={self.name!r}, source={self.source!r})"


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario TOML file.

    Raises:
        ScenarioError: if the file is missing, is not valid TOML, or fails validation.
    """
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(
            f"{path}: scenario file not found (give the path to a .toml file, e.g. scenarios/baseline.toml)"
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML ({exc})") from None
    return Scenario(data, source=str(path))


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
