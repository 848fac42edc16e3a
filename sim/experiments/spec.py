"""Experiment files: the TOML schema, loading and validation into an :class:`ExperimentSpec`.

An experiment file has this layout (paths are relative to the experiment file)::

    [experiment]
    name = "compare_recommendations"        # results go to results/<name>/
    description = "Status quo, each lever alone, the theme bundles, all recommendations"
    base_scenario = "../scenarios/baseline.toml"
    model = "opisim"                        # model plug-in: "opisim", "toy", "ishigami", ...
    replications = 20                       # runs per design point, >= 1
    master_seed = 20251127                  # every run's seed is derived from it (see seeds.py)
    staff_scale = 0.1                       # optional: sets world.staff_scale of every scenario
    outputs = ["summary", "timeseries"]     # the scalar summary is always kept
    structural = "auto"                     # calibrated posterior per replication: auto|posterior|none

    [overrides]                             # optional: dotted keys applied to every scenario
    "time.end_year" = 2035

    [design]
    kind = "scenarios"                      # "scenarios" | "grid" | "lhs" | kinds registered by plug-ins
    scenarios = ["../scenarios/baseline.toml", "../scenarios/lever_risk_budget.toml"]  # first = reference

    # kind = "grid":  [design.grid] "levers.risk_budget" = [0.1, 0.5, 1.0]   (full factorial)
    # kind = "lhs":   samples = 64 and [design.factors] "levers.risk_budget" = [0.0, 1.0]

    [analysis]                              # optional, free-form: read by the sensitivity layer

Every problem raises :class:`sim.errors.ExperimentError` with one line that names the file, the key and
what is allowed. The design table itself is validated by the design's builder (``designs.py``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.errors import ExperimentError, ScenarioError, did_you_mean, first_problem
from sim.tomlfile import read_toml

OUTPUT_KINDS = ("summary", "timeseries")


class ExperimentSection(BaseModel):
    """The ``[experiment]`` table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=100)
    description: str = ""
    base_scenario: str | None = None
    model: str = "opisim"
    replications: int = Field(1, ge=1, le=100_000)
    master_seed: int = Field(ge=0, lt=2**63)
    staff_scale: float | None = Field(None, gt=0.0, le=1.0)
    outputs: list[Literal["summary", "timeseries"]] = Field(default_factory=lambda: ["summary"])
    structural: Literal["auto", "posterior", "none"] = "auto"


class ExperimentFile(BaseModel):
    """The whole file: ``[experiment]``, ``[design]``, optional ``[overrides]`` and ``[analysis]``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    experiment: ExperimentSection
    design: dict[str, Any]
    overrides: dict[str, Any] = Field(default_factory=dict)
    analysis: dict[str, Any] = Field(default_factory=dict)


_ALLOWED_HINTS = {
    "name": "letters, digits, '_', '.', '-' (it names the results folder)",
    "replications": "an integer >= 1",
    "master_seed": "an integer from 0 to 2**63-1",
    "staff_scale": "a number > 0 and <= 1",
    "outputs": 'a list of "summary" and/or "timeseries"',
    "model": "the name of a registered model plug-in",
    "structural": '"auto" (the calibrated posterior if shipped), "posterior" or "none"',
}


def _format_error(origin: str, exc: ValidationError) -> str:
    """One line per the first pydantic error (and a count of the others)."""
    err, loc, key, more = first_problem(exc.errors())
    if err["type"] == "extra_forbidden":
        names = list(
            ExperimentFile.model_fields if len(loc) == 1 else ExperimentSection.model_fields
        )
        if len(loc) == 1:
            allowed = "allowed tables: " + ", ".join(f"[{k}]" for k in names)
        else:
            allowed = "allowed keys in [experiment]: " + ", ".join(names)
        return f"{origin}: unknown key '{key}'; {allowed}{did_you_mean(loc[-1], names)}{more}"
    if err["type"] == "missing":
        if len(loc) == 1:
            return f"{origin}: missing table [{loc[0]}]; it is required{more}"
        return f"{origin}: missing key '{key}'; it is required ({_ALLOWED_HINTS.get(loc[-1], 'see experiments/README.md')}){more}"
    hint = _ALLOWED_HINTS.get(loc[1] if len(loc) > 1 else "", err["msg"])
    if len(loc) > 2 and loc[1] == "outputs":
        hint = _ALLOWED_HINTS["outputs"]
    return f"{origin}: key '{key}' = {err.get('input')!r} is invalid ({err['msg']}); allowed: {hint}{more}"


def flatten_dotted(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested TOML tables into dotted keys: ``{"levers": {"a": 1}}`` -> ``{"levers.a": 1}``.

    Both spellings are accepted in experiment files: ``"levers.a" = 1`` (quoted) and ``levers.a = 1``.
    """
    flat: dict[str, Any] = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten_dotted(value, dotted + "."))
        else:
            flat[dotted] = value
    return flat


@dataclass(frozen=True)
class ExperimentSpec:
    """A validated experiment.

    Attributes:
        name: names the results folder ``results/<name>/``.
        origin: where it came from (the file path, or a description), used in error messages.
        base_dir: directory that relative paths in the file are resolved against.
        text: the experiment file's text (TOML), stored in the manifest.
        sha256: SHA-256 of ``text``.
        base_scenario: resolved path of the base scenario, or None (models that need no scenario).
        model: model plug-in name.
        replications, master_seed, staff_scale: as in the file.
        outputs: the outputs kept; "summary" is always in it.
        overrides: dotted keys applied to every scenario (``staff_scale`` included as world.staff_scale).
        design: the ``[design]`` table as written (``kind`` included).
        analysis: the free-form ``[analysis]`` table, passed through untouched.
    """

    name: str
    origin: str
    base_dir: Path
    text: str
    sha256: str
    base_scenario: Path | None
    model: str
    replications: int
    master_seed: int
    staff_scale: float | None
    outputs: tuple[str, ...]
    overrides: dict[str, Any]
    design: dict[str, Any]
    description: str = ""
    analysis: dict[str, Any] = field(default_factory=dict)
    structural: str = "auto"

    @property
    def design_kind(self) -> str:
        """The design's kind, e.g. ``"scenarios"``."""
        return str(self.design["kind"])

    @property
    def keep_timeseries(self) -> bool:
        """Whether monthly series are kept."""
        return "timeseries" in self.outputs

    def resolve(self, path: str) -> Path:
        """A path from the file, resolved against the experiment file's directory."""
        p = Path(path).expanduser()
        return p if p.is_absolute() else (self.base_dir / p).resolve()

    def to_dict(self) -> dict[str, Any]:
        """Plain-data view (for the manifest and the identity hash)."""
        return {
            "name": self.name,
            "description": self.description,
            "base_scenario": str(self.base_scenario) if self.base_scenario else None,
            "model": self.model,
            "replications": self.replications,
            "master_seed": self.master_seed,
            "staff_scale": self.staff_scale,
            "outputs": list(self.outputs),
            "overrides": self.overrides,
            "design": self.design,
            "analysis": self.analysis,
            "structural": self.structural,
        }


def spec_from_dict(
    data: dict[str, Any],
    origin: str = "<dict>",
    base_dir: str | Path = ".",
    text: str | None = None,
) -> ExperimentSpec:
    """Validate experiment data (as parsed from TOML) into an :class:`ExperimentSpec`.

    Args:
        data: the parsed file.
        origin: name used in error messages (the file path).
        base_dir: directory for relative paths.
        text: the source text; if None, a canonical JSON dump of ``data`` stands in for it.

    Raises:
        ExperimentError: one line naming ``origin``, the key and what is allowed.
    """
    from sim.experiments.models import model_for_file

    try:
        parsed = ExperimentFile.model_validate(data)
    except ValidationError as exc:
        raise ExperimentError(_format_error(origin, exc)) from None
    exp = parsed.experiment
    adapter = model_for_file(exp.model, origin, "experiment.model", ExperimentError)
    design = dict(parsed.design)
    if "kind" not in design:
        from sim.experiments.designs import available_designs

        raise ExperimentError(
            f"{origin}: missing key 'design.kind'; allowed: {', '.join(available_designs())}"
        )
    base_dir = Path(base_dir).resolve()
    base_path: Path | None = None
    if exp.base_scenario is not None:
        p = Path(exp.base_scenario).expanduser()
        base_path = p if p.is_absolute() else (base_dir / p).resolve()
        if not base_path.is_file():
            raise ExperimentError(
                f"{origin}: key 'experiment.base_scenario' = {exp.base_scenario!r}: file not found "
                f"(looked for {base_path}); allowed: a scenario .toml file, relative to the experiment file"
            )
    elif adapter.uses_scenario and design.get("kind") != "scenarios":
        raise ExperimentError(
            f"{origin}: missing key 'experiment.base_scenario'; model {exp.model!r} needs a base "
            f'scenario, e.g. base_scenario = "../scenarios/baseline.toml"'
        )
    overrides = flatten_dotted(dict(parsed.overrides))
    if "world.staff_scale" in overrides and exp.staff_scale is not None:
        raise ExperimentError(
            f"{origin}: key 'overrides.world.staff_scale' repeats 'experiment.staff_scale'; "
            f"allowed: set it in one place only"
        )
    if exp.staff_scale is not None:
        if not adapter.uses_scenario:
            raise ExperimentError(
                f"{origin}: key 'experiment.staff_scale' is set but model {exp.model!r} takes no "
                f"scenario; allowed: leave it out for this model"
            )
        overrides["world.staff_scale"] = float(exp.staff_scale)
    if overrides and not adapter.uses_scenario:
        raise ExperimentError(
            f"{origin}: table [overrides] is set but model {exp.model!r} takes no scenario; "
            f"allowed: leave it out for this model"
        )
    if text is None:
        text = json.dumps(data, sort_keys=True, default=str)
    outputs = tuple(dict.fromkeys(["summary", *exp.outputs]))
    return ExperimentSpec(
        name=exp.name,
        origin=origin,
        base_dir=base_dir,
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        base_scenario=base_path,
        model=exp.model,
        replications=exp.replications,
        master_seed=exp.master_seed,
        staff_scale=exp.staff_scale,
        outputs=outputs,
        overrides=overrides,
        design=design,
        description=exp.description,
        analysis=dict(parsed.analysis),
        structural=exp.structural,
    )


_SCENARIO_SECTIONS = (
    "meta",
    "time",
    "world",
    "levers",
    "uncertainties",
    "innovation",
    "calibration",
)
_EXPERIMENT_CONTENT = (
    "an experiment file holds [experiment] (name, master_seed, ...) and [design] (kind, ...), "
    "e.g. experiments/smoke.toml"
)


def load_experiment(path: str | Path) -> ExperimentSpec:
    """Load and validate an experiment TOML file.

    Raises:
        ExperimentError: if the file is missing, unreadable, empty, a scenario file, not valid TOML,
            or fails validation.
    """
    path = Path(path)
    text, data = read_toml(path, "experiment", ExperimentError, "experiments/smoke.toml")
    if not data:
        raise ExperimentError(f"{path}: the file is empty; {_EXPERIMENT_CONTENT}")
    scenario_like = [f"[{k}]" for k in data if k in _SCENARIO_SECTIONS]
    if "experiment" not in data and scenario_like:
        raise ExperimentError(
            f"{path}: this is a scenario file ({', '.join(scenario_like)}), not an experiment file; "
            f"run it with `opisim run {path}` ({_EXPERIMENT_CONTENT})"
        )
    return spec_from_dict(data, origin=str(path), base_dir=path.parent, text=text)


def base_with_overrides(
    path: Path | None, overrides: dict[str, Any], origin: str, error: type[Exception]
):  # -> Scenario | None
    """The base scenario at ``path`` with ``overrides`` applied, or None if there is no path.

    Raises:
        error: the base scenario or an override is invalid (naming the file ``origin``).
    """
    from sim.scenario import load_scenario

    if path is None:
        return None
    try:
        base = load_scenario(path)
        return base.with_overrides(overrides) if overrides else base
    except ScenarioError as exc:
        raise error(f"{origin}: base scenario or [overrides] invalid: {exc}") from None


def load_base(spec: ExperimentSpec):  # -> Scenario | None
    """The base scenario with the experiment's overrides applied, or None if there is none.

    Raises:
        ExperimentError: if the base scenario or an override is invalid (naming the experiment file).
    """
    return base_with_overrides(spec.base_scenario, spec.overrides, spec.origin, ExperimentError)
