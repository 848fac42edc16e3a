"""Calibration files: the TOML schema, loading and validation into a :class:`CalibrationSpec`.

A calibration file has this layout (paths are relative to the file)::

    [calibration]
    name = "calibrate_history"            # results go to results/<name>/
    description = "..."
    model = "opisim_history"              # model plug-in (sim.experiments.models)
    base_scenario = "../scenarios/history/history_2012_2024.toml"   # scenario models only
    master_seed = 20251201                # every draw and every run seed derives from it
    population_size = 200                 # accepted particles per generation
    generations = 8                       # populations, generation 0 drawn from the prior
    epsilon = "quantile"                  # or a list of thresholds, one per generation
    quantile = 0.5                        # epsilon of generation t+1 = this quantile of t's distances
    minimum_epsilon = 0.0                 # stop early when epsilon falls below this
    min_acceptance_rate = 0.02            # stop when a generation accepts fewer than this share
    replications = 2                      # model runs per particle (different seeds)
    randomness = "mean_statistics"        # or "mean_distance" (see below)
    predictive_draws = 100                # posterior predictive check: draws x replications runs
    predictive_replications = 1
    staff_scale = 0.1                     # optional, scenario models: world.staff_scale

    [overrides]                           # optional: fixed scenario keys of every run

    [priors]                              # dotted key -> distribution with a finite range
    "calibration.innovation.bass_q_year" = { distribution = "uniform", low = 0.1, high = 2.0 }
    "calibration.innovation.bass_p_year" = { distribution = "loguniform", low = 0.002, high = 0.1 }
    "calibration.innovation.adoption_bias" = { distribution = "normal", mean = -1.5, sd = 1.0,
                                               low = -5.0, high = 2.0 }   # truncated to [low, high]

    [targets]
    file = "../sim/data/history_targets.toml"   # optional: targets by name from a targets file
    use = ["wash_toilets_use_2016"]             # optional: the file's targets to use (default all)
    held_out = ["dose_packed_75plus_2024"]      # evaluated and reported, never fitted (validation)
    checks = ["wash_toilets_trial_or_use_2015"] # evaluated and reported, never fitted (plausibility)

    [targets.screen_visits_2018]                # or a target written here
    observed = 0.49
    sd = 0.05                                   # or tolerance = 0.05 (the distance's scale)
    source = "SOURCES D-31"                     # or interval = [0.20, 0.52] (see below)

Randomness: each particle runs ``replications`` times with seeds derived from (master_seed, generation,
candidate, replication). ``mean_statistics`` averages each statistic over the replications, then takes
the distance (a distance on means: the noise shrinks with more replications); ``mean_distance``
averages the distances of the single runs (every run must come close, so the noise stays in). The
distance is the root mean square of ``(model - observed) / scale`` over the fitted targets, so an
epsilon of 1 means "one scale unit off on average". A target given as an ``interval = [low, high]``
(where the source's definition does not match the model's quantity exactly, so any value in the band is
as good as another) is met anywhere inside it: its term is the distance to the band in half-widths of
the band, ``(model - clip(model, low, high)) / ((high - low) / 2)``; an sd or tolerance target is the
band [observed, observed].

Every problem raises :class:`sim.errors.CalibrationError` with one line that names the file, the key and
what is allowed.
"""

from __future__ import annotations

import hashlib
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.errors import CalibrationError

RANDOMNESS = ("mean_statistics", "mean_distance")
DISTRIBUTIONS = {
    "uniform": ("low", "high"),
    "loguniform": ("low", "high"),
    "normal": ("mean", "sd", "low", "high"),
}
_TARGET_KEYS = ("observed", "sd", "tolerance", "interval", "source", "description", "unit")
_TARGETS_RESERVED = ("file", "use", "held_out", "checks")
ROLES = ("fitted", "held_out", "check")


class CalibrationSection(BaseModel):
    """The ``[calibration]`` table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=100)
    description: str = ""
    model: str
    base_scenario: str | None = None
    master_seed: int = Field(ge=0, lt=2**63)
    population_size: int = Field(ge=2, le=100_000)
    generations: int | None = Field(None, ge=1, le=1000)
    epsilon: Literal["quantile"] | list[float] = "quantile"
    quantile: float = Field(0.5, gt=0.0, lt=1.0)
    minimum_epsilon: float = Field(0.0, ge=0.0)
    min_acceptance_rate: float = Field(0.0, ge=0.0, lt=1.0)
    max_total_runs: int | None = Field(None, ge=1)
    replications: int = Field(1, ge=1, le=1000)
    randomness: Literal["mean_statistics", "mean_distance"] = "mean_statistics"
    predictive_draws: int = Field(100, ge=0, le=100_000)
    predictive_replications: int = Field(1, ge=1, le=1000)
    staff_scale: float | None = Field(None, gt=0.0, le=1.0)


class CalibrationFile(BaseModel):
    """The whole file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    calibration: CalibrationSection
    priors: dict[str, Any]
    targets: dict[str, Any]
    overrides: dict[str, Any] = Field(default_factory=dict)


_HINTS = {
    "name": "letters, digits, '_', '.', '-' (it names the results folder)",
    "master_seed": "an integer from 0 to 2**63-1",
    "population_size": "an integer from 2 to 100000",
    "generations": "an integer >= 1 (generation 0 is drawn from the prior)",
    "epsilon": '"quantile" or a list of thresholds, one per generation, decreasing',
    "quantile": "a number in (0, 1), e.g. 0.5 for the median",
    "minimum_epsilon": "a number >= 0",
    "min_acceptance_rate": "a number in [0, 1)",
    "max_total_runs": "an integer >= 1",
    "replications": "an integer from 1 to 1000",
    "randomness": '"mean_statistics" or "mean_distance"',
    "predictive_draws": "an integer from 0 to 100000",
    "predictive_replications": "an integer from 1 to 1000",
    "staff_scale": "a number > 0 and <= 1",
    "model": "the name of a registered model plug-in",
}


def _format_error(origin: str, exc: ValidationError) -> str:
    errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    err = errors[0]
    loc = tuple(str(part) for part in err["loc"])
    key = ".".join(loc) if loc else "(top level)"
    if err["type"] == "extra_forbidden":
        if len(loc) == 1:
            allowed = "allowed tables: " + ", ".join(f"[{k}]" for k in CalibrationFile.model_fields)
        else:
            allowed = "allowed keys in [calibration]: " + ", ".join(CalibrationSection.model_fields)
        return f"{origin}: unknown key '{key}'; {allowed}"
    if err["type"] == "missing":
        if len(loc) == 1:
            return f"{origin}: missing table [{loc[0]}]; it is required"
        return f"{origin}: missing key '{key}'; it is required ({_HINTS.get(loc[-1], 'see docs/CALIBRATION.md')})"
    name = loc[1] if len(loc) > 1 else ""
    return (
        f"{origin}: key '{key}' = {err.get('input')!r} is invalid ({err['msg']}); allowed: "
        f"{_HINTS.get(name, err['msg'])}"
    )


@dataclass(frozen=True)
class Prior:
    """One calibrated parameter: its dotted key, distribution and finite support [low, high]."""

    key: str
    distribution: str
    low: float
    high: float
    mean: float | None = None
    sd: float | None = None

    def describe(self) -> str:
        """E.g. ``uniform(0.1, 2)`` or ``normal(-1.5, 1) on [-5, 2]``."""
        if self.distribution == "normal":
            return f"normal({self.mean:g}, {self.sd:g}) on [{self.low:g}, {self.high:g}]"
        return f"{self.distribution}({self.low:g}, {self.high:g})"

    def to_dict(self) -> dict[str, Any]:
        """Plain data, for the manifest."""
        out: dict[str, Any] = {
            "distribution": self.distribution,
            "low": self.low,
            "high": self.high,
        }
        if self.distribution == "normal":
            out.update(mean=self.mean, sd=self.sd)
        return out


@dataclass(frozen=True)
class Target:
    """One historical target: an observed value and the scale of the distance.

    Attributes:
        name: the model statistic it is compared with.
        observed: the observed value.
        scale: its standard deviation, the tolerance the file gives, or the half-width of its interval
            (the distance's unit).
        scale_kind: ``sd``, ``tolerance`` or ``interval``.
        source: source ID(s) in docs/SOURCES.md.
        fitted: False for a held-out or check target (evaluated and reported, never in the distance).
        description: a short text for tables.
        interval: (low, high) for an interval target, else None.
        role: ``fitted``, ``held_out`` (a validation: not fitted, compared out of sample) or ``check``
            (not fitted; a bound or pattern the calibrated model should respect).
    """

    name: str
    observed: float
    scale: float
    scale_kind: str
    source: str
    fitted: bool = True
    description: str = ""
    interval: tuple[float, float] | None = None
    role: str = ""

    def __post_init__(self) -> None:
        if not self.role:
            object.__setattr__(self, "role", "fitted" if self.fitted else "held_out")

    @property
    def band(self) -> tuple[float, float]:
        """The values that meet the target exactly: its interval, or (observed, observed)."""
        return self.interval if self.interval is not None else (self.observed, self.observed)

    def to_dict(self) -> dict[str, Any]:
        """Plain data, for the manifest."""
        out = {
            "observed": self.observed,
            self.scale_kind: list(self.interval) if self.interval else self.scale,
            "source": self.source,
            "fitted": self.fitted,
            "role": self.role,
            "description": self.description,
        }
        return out


@dataclass(frozen=True)
class CalibrationSpec:
    """A validated calibration file.

    Attributes:
        name: names the results folder ``results/<name>/``.
        origin: the file path (or a description), used in messages.
        base_dir: directory relative paths are resolved against.
        text: the file's text; sha256: its SHA-256.
        model: model plug-in name; base_scenario: resolved path or None.
        settings: the validated ``[calibration]`` table.
        priors: the calibrated parameters in file order.
        targets: fitted targets first, then held-out ones, each in file order.
        overrides: fixed dotted scenario keys (``world.staff_scale`` included when set).
        targets_file: resolved path of the targets file, or None; targets_file_sha256: its hash.
    """

    name: str
    origin: str
    base_dir: Path
    text: str
    sha256: str
    model: str
    base_scenario: Path | None
    settings: CalibrationSection
    priors: tuple[Prior, ...]
    targets: tuple[Target, ...]
    overrides: dict[str, Any] = field(default_factory=dict)
    targets_file: Path | None = None
    targets_file_sha256: str | None = None

    @property
    def fitted(self) -> tuple[Target, ...]:
        """The targets in the distance."""
        return tuple(t for t in self.targets if t.fitted)

    @property
    def held_out(self) -> tuple[Target, ...]:
        """The targets evaluated but not fitted (held out and checks)."""
        return tuple(t for t in self.targets if not t.fitted)

    @property
    def parameter_names(self) -> list[str]:
        """The calibrated parameters' dotted keys, in file order."""
        return [p.key for p in self.priors]

    @property
    def generations(self) -> int:
        """Number of populations (generation 0 from the prior included)."""
        eps = self.settings.epsilon
        if isinstance(eps, list):
            return len(eps)
        return int(self.settings.generations or 1)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (manifest and identity)."""
        return {
            "name": self.name,
            "model": self.model,
            "base_scenario": str(self.base_scenario) if self.base_scenario else None,
            "settings": self.settings.model_dump(mode="json"),
            "priors": {p.key: p.to_dict() for p in self.priors},
            "targets": {t.name: t.to_dict() for t in self.targets},
            "overrides": self.overrides,
            "targets_file": str(self.targets_file) if self.targets_file else None,
            "targets_file_sha256": self.targets_file_sha256,
        }


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def parameter_range(key: str, model: str, origin: str, where: str) -> tuple[float, float]:
    """The allowed (min, max) of a calibrated parameter; raises for an unknown key.

    Scenario models take ``calibration.<section>.<key>`` (range: min/max in
    ``sim/data/calibration.toml``) and ``uncertainties.<name>`` (range in ``sim.levers``).
    Scenario-less models take the factor names they declare.
    """
    from sim.experiments.models import get_model

    adapter = get_model(model)
    if not adapter.uses_scenario:
        if adapter.factors is None:
            return (-math.inf, math.inf)
        if key not in adapter.factors:
            raise CalibrationError(
                f"{origin}: key '{where}' names unknown parameter {key!r} of model {model!r}; "
                f"allowed: {', '.join(adapter.factors)}"
            )
        low, high = adapter.factors[key]
        return float(low), float(high)
    section, _, name = key.partition(".")
    if section == "calibration":
        from sim.scenario import calibration_defaults

        defaults = calibration_defaults()
        if name not in defaults:
            near = [k for k in defaults if k.split(".")[-1] == name.split(".")[-1]]
            hint = f" (did you mean calibration.{near[0]}?)" if near else ""
            raise CalibrationError(
                f"{origin}: key '{where}' names unknown calibration constant {name!r}{hint}; "
                f"allowed: the keys of sim/data/calibration.toml (`opisim calibration` lists them)"
            )
        entry = defaults[name]
        if isinstance(entry.get("value"), bool) or not _number(entry.get("value")):
            raise CalibrationError(
                f"{origin}: key '{where}': calibration.{name} is not a number; allowed: numeric "
                f"constants only"
            )
        return float(entry.get("min", -math.inf)), float(entry.get("max", math.inf))
    if section == "uncertainties":
        from sim.levers import UNCERTAINTIES

        if name not in UNCERTAINTIES:
            raise CalibrationError(
                f"{origin}: key '{where}' names unknown uncertainty {name!r}; allowed: "
                f"{', '.join(UNCERTAINTIES)}"
            )
        return float(UNCERTAINTIES[name].low), float(UNCERTAINTIES[name].high)
    raise CalibrationError(
        f"{origin}: key '{where}' cannot be calibrated; allowed: 'calibration.<section>.<key>' "
        f"(sim/data/calibration.toml) or 'uncertainties.<name>'"
    )


def parse_prior(key: str, table: Any, model: str, origin: str) -> Prior:
    """Validate one ``[priors]`` entry against its distribution and the parameter's allowed range."""
    where = f"priors.{key}"
    if not isinstance(table, dict):
        raise CalibrationError(
            f"{origin}: key '{where}' = {table!r} is invalid; allowed: a table such as "
            f'{{ distribution = "uniform", low = 0.1, high = 2.0 }}'
        )
    dist = table.get("distribution")
    if dist not in DISTRIBUTIONS:
        raise CalibrationError(
            f"{origin}: key '{where}.distribution' = {dist!r} is invalid; allowed: "
            f"{', '.join(DISTRIBUTIONS)}"
        )
    needed = DISTRIBUTIONS[dist]
    for name in table:
        if name != "distribution" and name not in needed:
            raise CalibrationError(
                f"{origin}: unknown key '{where}.{name}' for a {dist} prior; allowed: "
                f"{', '.join(needed)}"
            )
    for name in needed:
        if name not in table:
            raise CalibrationError(
                f"{origin}: missing key '{where}.{name}'; a {dist} prior needs "
                f"{', '.join(needed)} (finite, so the range can be checked)"
            )
        if not _number(table[name]):
            raise CalibrationError(
                f"{origin}: key '{where}.{name}' = {table[name]!r} is invalid; allowed: a finite number"
            )
    low, high = float(table["low"]), float(table["high"])
    if not low < high:
        raise CalibrationError(
            f"{origin}: key '{where}': low = {low:g} must be below high = {high:g}"
        )
    if dist == "loguniform" and low <= 0:
        raise CalibrationError(
            f"{origin}: key '{where}.low' = {low:g} is invalid; allowed: > 0 for a loguniform prior"
        )
    mean = sd = None
    if dist == "normal":
        mean, sd = float(table["mean"]), float(table["sd"])
        if sd <= 0:
            raise CalibrationError(f"{origin}: key '{where}.sd' = {sd:g} is invalid; allowed: > 0")
    lo, hi = parameter_range(key, model, origin, where)
    if low < lo or high > hi:
        raise CalibrationError(
            f"{origin}: key '{where}' = [{low:g}, {high:g}] is outside the parameter's allowed range; "
            f"allowed: within [{lo:g}, {hi:g}]"
        )
    return Prior(key, dist, low, high, mean, sd)


def _parse_interval(value: Any, observed: float, origin: str, where: str) -> tuple[float, float]:
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(_number(v) for v in value)
        or not value[0] < value[1]
    ):
        raise CalibrationError(
            f"{origin}: key '{where}.interval' = {value!r} is invalid; allowed: [low, high] with "
            f"low < high"
        )
    low, high = float(value[0]), float(value[1])
    if not low <= observed <= high:
        raise CalibrationError(
            f"{origin}: key '{where}.interval' = {value!r} does not contain the observed value "
            f"{observed!r}; allowed: an interval around it"
        )
    return low, high


def _parse_target(
    name: str, table: Any, origin: str, where: str, strict: bool, role: str
) -> Target:
    if not isinstance(table, dict):
        raise CalibrationError(
            f"{origin}: key '{where}' = {table!r} is invalid; allowed: a table with observed, sd "
            f"(or tolerance) and source"
        )
    if strict:
        for key in table:
            if key not in _TARGET_KEYS:
                raise CalibrationError(
                    f"{origin}: unknown key '{where}.{key}'; allowed: {', '.join(_TARGET_KEYS)}"
                )
    observed = table.get("observed", table.get("value"))
    if not _number(observed):
        raise CalibrationError(
            f"{origin}: key '{where}.observed' = {observed!r} is missing or invalid; allowed: a "
            f"finite number"
        )
    kinds = [k for k in ("sd", "tolerance", "interval") if k in table]
    if len(kinds) != 1:
        raise CalibrationError(
            f"{origin}: key '{where}' needs exactly one of 'sd', 'tolerance' and 'interval' (the "
            f"distance's scale); allowed: a number > 0, or [low, high]"
        )
    kind = kinds[0]
    interval = None
    if kind == "interval":
        interval = _parse_interval(table[kind], float(observed), origin, where)
        scale = (interval[1] - interval[0]) / 2.0
    else:
        scale = table[kind]
        if not _number(scale) or scale <= 0:
            raise CalibrationError(
                f"{origin}: key '{where}.{kind}' = {scale!r} is invalid; allowed: a number > 0"
            )
    source = table.get("source", table.get("sources", ""))
    if isinstance(source, list):
        source = ", ".join(str(s) for s in source)
    if not isinstance(source, str) or not source.strip():
        raise CalibrationError(
            f"{origin}: key '{where}.source' is missing; allowed: the source ID(s) in "
            f"docs/SOURCES.md"
        )
    return Target(
        name,
        float(observed),
        float(scale),
        kind,
        source.strip(),
        role == "fitted",
        str(table.get("description", table.get("definition", ""))),
        interval,
        role,
    )


def load_targets_file(path: Path, origin: str) -> dict[str, dict[str, Any]]:
    """The targets of a targets file: name -> table (``[name]`` tables, or under ``[targets]``)."""
    if not path.is_file():
        raise CalibrationError(
            f"{origin}: key 'targets.file' = {str(path)!r}: file not found; allowed: a TOML file of "
            f"targets, relative to the calibration file"
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CalibrationError(f"{path}: not valid TOML ({exc})") from None
    if isinstance(data.get("targets"), dict):
        data = data["targets"]
    return {k: v for k, v in data.items() if isinstance(v, dict)}


def _names_list(value: Any, origin: str, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CalibrationError(
            f"{origin}: key '{key}' = {value!r} is invalid; allowed: a list of target names"
        )
    if len(set(value)) != len(value):
        raise CalibrationError(f"{origin}: key '{key}' names a target twice; allowed: each once")
    return list(value)


def parse_targets(
    table: dict[str, Any], origin: str, base_dir: Path
) -> tuple[tuple[Target, ...], Path | None, str | None]:
    """The targets of ``[targets]`` (and its targets file): fitted first, then held out."""
    file_path: Path | None = None
    file_sha: str | None = None
    from_file: dict[str, dict[str, Any]] = {}
    if "file" in table:
        raw = table["file"]
        if not isinstance(raw, str):
            raise CalibrationError(
                f"{origin}: key 'targets.file' = {raw!r} is invalid; allowed: a path"
            )
        p = Path(raw).expanduser()
        file_path = p if p.is_absolute() else (base_dir / p).resolve()
        from_file = load_targets_file(file_path, origin)
        file_sha = hashlib.sha256(file_path.read_bytes()).hexdigest()
    inline = {k: v for k, v in table.items() if k not in _TARGETS_RESERVED}
    if "use" in table:
        if file_path is None:
            raise CalibrationError(
                f"{origin}: key 'targets.use' needs 'targets.file'; allowed: name a targets file"
            )
        use = _names_list(table["use"], origin, "targets.use")
        for name in use:
            if name not in from_file:
                raise CalibrationError(
                    f"{origin}: key 'targets.use' names target {name!r}, which {file_path.name} "
                    f"does not have; allowed: {', '.join(from_file) or '(none)'}"
                )
    else:
        use = list(from_file)
    held = _names_list(table.get("held_out", []), origin, "targets.held_out")
    checks = _names_list(table.get("checks", []), origin, "targets.checks")
    both = sorted(set(held) & set(checks))
    if both:
        raise CalibrationError(
            f"{origin}: target {both[0]!r} is in both 'targets.held_out' and 'targets.checks'; "
            f"allowed: one of them"
        )
    chosen: dict[str, tuple[Any, str, bool]] = {}
    for name in use:
        chosen[name] = (from_file[name], f"targets.file[{name}]", False)
    for name, value in inline.items():
        if name in chosen:
            raise CalibrationError(
                f"{origin}: target {name!r} is defined both inline and in {file_path}; allowed: once"
            )
        chosen[name] = (value, f"targets.{name}", True)
    for key, names in (("held_out", held), ("checks", checks)):
        for name in names:
            if name in chosen:
                continue
            if name in from_file:
                chosen[name] = (from_file[name], f"targets.file[{name}]", False)
            else:
                raise CalibrationError(
                    f"{origin}: key 'targets.{key}' names target {name!r}, which is not defined; "
                    f"allowed: {', '.join(list(chosen) + [n for n in from_file if n not in chosen])}"
                )
    role = {**dict.fromkeys(held, "held_out"), **dict.fromkeys(checks, "check")}
    targets = [
        _parse_target(name, value, origin, where, strict, role.get(name, "fitted"))
        for name, (value, where, strict) in chosen.items()
    ]
    if not any(t.fitted for t in targets):
        raise CalibrationError(
            f"{origin}: no fitted targets; allowed: at least one target under [targets] (or in "
            f"targets.file) that is not held out"
        )
    ordered = [t for t in targets if t.fitted] + [t for t in targets if not t.fitted]
    return tuple(ordered), file_path, file_sha


def spec_from_dict(
    data: dict[str, Any],
    origin: str = "<dict>",
    base_dir: str | Path = ".",
    text: str | None = None,
) -> CalibrationSpec:
    """Validate calibration data (as parsed from TOML) into a :class:`CalibrationSpec`.

    Raises:
        CalibrationError: one line naming ``origin``, the key and what is allowed.
    """
    import json

    from sim.experiments.models import model_for_file
    from sim.experiments.spec import flatten_dotted

    try:
        parsed = CalibrationFile.model_validate(data)
    except ValidationError as exc:
        raise CalibrationError(_format_error(origin, exc)) from None
    settings = parsed.calibration
    adapter = model_for_file(settings.model, origin, "calibration.model", CalibrationError)
    base_dir = Path(base_dir).resolve()
    eps = settings.epsilon
    if isinstance(eps, list):
        bad = [e for e in eps if isinstance(e, bool) or not e > 0]  # NaN fails too; inf is allowed
        if not eps or bad or any(a < b for a, b in zip(eps, eps[1:], strict=False)):
            raise CalibrationError(
                f"{origin}: key 'calibration.epsilon' = {eps!r} is invalid; allowed: "
                f"{_HINTS['epsilon']} (each > 0; the first may be inf)"
            )
        if settings.generations is not None and settings.generations != len(eps):
            raise CalibrationError(
                f"{origin}: key 'calibration.generations' = {settings.generations} differs from the "
                f"{len(eps)} thresholds of 'calibration.epsilon'; allowed: leave generations out"
            )
    elif settings.generations is None:
        raise CalibrationError(
            f"{origin}: missing key 'calibration.generations'; it is required with "
            f'epsilon = "quantile" ({_HINTS["generations"]})'
        )
    base_path: Path | None = None
    if settings.base_scenario is not None:
        p = Path(settings.base_scenario).expanduser()
        base_path = p if p.is_absolute() else (base_dir / p).resolve()
        if not base_path.is_file():
            raise CalibrationError(
                f"{origin}: key 'calibration.base_scenario' = {settings.base_scenario!r}: file not "
                f"found (looked for {base_path}); allowed: a scenario .toml file"
            )
    elif adapter.uses_scenario:
        raise CalibrationError(
            f"{origin}: missing key 'calibration.base_scenario'; model {settings.model!r} needs a "
            f"base scenario"
        )
    overrides = flatten_dotted(dict(parsed.overrides))
    if settings.staff_scale is not None:
        if not adapter.uses_scenario:
            raise CalibrationError(
                f"{origin}: key 'calibration.staff_scale' is set but model {settings.model!r} takes "
                f"no scenario; allowed: leave it out"
            )
        overrides["world.staff_scale"] = float(settings.staff_scale)
    if overrides and not adapter.uses_scenario:
        raise CalibrationError(
            f"{origin}: table [overrides] is set but model {settings.model!r} takes no scenario; "
            f"allowed: leave it out"
        )
    priors_table = flatten_prior_keys(parsed.priors)
    if not priors_table:
        raise CalibrationError(
            f"{origin}: table [priors] is empty; allowed: at least one calibrated parameter"
        )
    priors = tuple(
        parse_prior(key, value, settings.model, origin) for key, value in priors_table.items()
    )
    clash = sorted(set(overrides) & {p.key for p in priors})
    if clash:
        raise CalibrationError(
            f"{origin}: key 'overrides.{clash[0]}' fixes a calibrated parameter; allowed: either a "
            f"prior or an override"
        )
    targets, targets_file, targets_sha = parse_targets(dict(parsed.targets), origin, base_dir)
    if adapter.statistics is not None:
        for target in targets:
            if target.name not in adapter.statistics:
                raise CalibrationError(
                    f"{origin}: target {target.name!r} is not a statistic of model "
                    f"{settings.model!r}; allowed: {', '.join(adapter.statistics)}"
                )
    if text is None:
        text = json.dumps(data, sort_keys=True, default=str)
    spec = CalibrationSpec(
        name=settings.name,
        origin=origin,
        base_dir=base_dir,
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        model=settings.model,
        base_scenario=base_path,
        settings=settings,
        priors=priors,
        targets=targets,
        overrides=overrides,
        targets_file=targets_file,
        targets_file_sha256=targets_sha,
    )
    if base_path is not None:
        load_base(spec)  # a bad base scenario or override stops here, before any run
    return spec


def flatten_prior_keys(table: dict[str, Any]) -> dict[str, Any]:
    """Flatten ``[priors]``: quoted dotted keys stay; nested tables down to a distribution table."""
    flat: dict[str, Any] = {}
    for key, value in table.items():
        if isinstance(value, dict) and "distribution" not in value and value:
            for sub, inner in flatten_prior_keys(value).items():
                flat[f"{key}.{sub}"] = inner
        else:
            flat[key] = value
    return flat


def load_calibration(path: str | Path) -> CalibrationSpec:
    """Load and validate a calibration TOML file.

    Raises:
        CalibrationError: if the file is missing, unreadable, not valid TOML, or fails validation.
    """
    from sim.tomlfile import read_toml

    path = Path(path)
    text, data = read_toml(
        path, "calibration", CalibrationError, "experiments/calibrate_history.toml"
    )
    return spec_from_dict(data, origin=str(path), base_dir=path.parent, text=text)


def load_base(spec: CalibrationSpec):  # -> Scenario | None
    """The base scenario with the file's overrides, or None for scenario-less models.

    Raises:
        CalibrationError: a bad base scenario or override (naming the calibration file).
    """
    from sim.experiments.spec import base_with_overrides

    return base_with_overrides(spec.base_scenario, spec.overrides, spec.origin, CalibrationError)
