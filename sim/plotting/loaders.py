"""Read a results directory (a run, an experiment or a sensitivity analysis) for the figures and report.

The kind comes from ``manifest.json`` (``kind`` = "run" | "experiment" | "sensitivity" | "goal"; see
docs/ARCHITECTURE.md, contracts 1 and 2). Every problem -- no such directory, no manifest, the wrong
kind for a figure, a missing file or column -- raises :class:`sim.errors.ResultsError` with one line that
names the directory, what was expected and how to get it. Nothing here runs the model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import ResultsError
from sim.plotting.style import SourceInfo

KINDS = ("run", "experiment", "sensitivity", "calibration", "goal")

_HOW_TO_MAKE = {
    "run": "make one with `opisim run SCENARIO.toml --out DIR`",
    "experiment": "make one with `opisim experiment EXPERIMENT.toml`",
    "sensitivity": "make one with `opisim sensitivity ANALYSIS.toml`",
    "calibration": "make one with `opisim calibrate CALIBRATION.toml`",
    "goal": "make one with `opisim goal GOAL.toml`",
}
_FILE_HINT = {
    "timeseries.parquet": (
        'add "timeseries" to `outputs` in the experiment file\'s [experiment] table and rerun'
    ),
    "indices.parquet": "run the analysis with `opisim sensitivity FILE` (or `--resume` it to finish)",
}


def _article(word: str) -> str:
    """'a' or 'an' before ``word``."""
    return "an" if word[:1] in "aeiou" else "a"


@dataclass
class Results:
    """An opened results directory.

    Attributes:
        path: the directory.
        kind: "run", "experiment" or "sensitivity".
        manifest: the parsed ``manifest.json``.
    """

    path: Path
    kind: str
    manifest: dict[str, Any]
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def has(self, name: str) -> bool:
        """Whether the directory holds the file ``name``."""
        return (self.path / name).is_file()

    def require(self, kinds: tuple[str, ...], figure: str) -> None:
        """Raise a clear :class:`ResultsError` unless this directory is of one of ``kinds``."""
        if self.kind in kinds:
            return
        wanted = " or ".join(f"{_article(k)} {k} directory" for k in kinds)
        hint = "; ".join(_HOW_TO_MAKE[k] for k in kinds)
        raise ResultsError(
            f"figure '{figure}' needs {wanted}, but {self.path} is {_article(self.kind)} {self.kind} "
            f"directory "
            f"(manifest.json kind = {self.kind!r}); {hint}"
        )

    def table(
        self,
        name: str,
        columns: list[str] | None = None,
        filters: list[tuple[str, str, Any]] | None = None,
        figure: str | None = None,
    ) -> pd.DataFrame:
        """Read a Parquet file of the directory, only ``columns`` and rows matching ``filters``.

        Raises:
            ResultsError: the file is missing or unreadable, or lacks a requested column.
        """
        path = self.path / name
        who = f"figure '{figure}' needs" if figure else "needs"
        if not path.is_file():
            hint = _FILE_HINT.get(name, "the directory is incomplete")
            raise ResultsError(f"{who} {name} in {self.path}, which has none; {hint}")
        try:
            import pyarrow.parquet as pq

            available = pq.read_schema(path).names
        except Exception as exc:  # corrupt or not Parquet
            raise ResultsError(f"cannot read {path}: {exc}") from None
        if columns is not None:
            missing = [c for c in columns if c not in available]
            if missing:
                raise ResultsError(
                    f"{who} column(s) {', '.join(missing)} in {path}, which has: {', '.join(available)}"
                )
        if filters:
            filters = [f for f in filters if f[0] in available]
        try:
            return pd.read_parquet(path, columns=columns, filters=filters or None)
        except Exception as exc:
            raise ResultsError(f"cannot read {path}: {exc}") from None

    def columns(self, name: str) -> list[str]:
        """Column names of a Parquet file of the directory ([] if it does not exist)."""
        path = self.path / name
        if not path.is_file():
            return []
        import pyarrow.parquet as pq

        return list(pq.read_schema(path).names)

    def json(self, name: str) -> dict[str, Any]:
        """A JSON file of the directory ({} if it does not exist)."""
        path = self.path / name
        if not path.is_file():
            return {}
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ResultsError(f"cannot read {path}: {exc}") from None

    # -- what the directory says about itself ---------------------------------------------------

    @property
    def name(self) -> str:
        """Scenario name (run) or experiment name."""
        m = self.manifest
        if self.kind == "run":
            scen = m.get("scenario")
            if isinstance(scen, dict):
                meta = scen.get("meta", {})
                if isinstance(meta, dict) and meta.get("name"):
                    return str(meta["name"])
                if scen.get("name"):
                    return str(scen["name"])
            if isinstance(scen, str) and scen:
                return scen
            for key in ("scenario_name", "name"):
                if m.get(key):
                    return str(m[key])
            return self.path.name
        return str(m.get("name") or self.path.name)

    @property
    def version(self) -> str:
        """The opisim version that wrote the results."""
        versions = self.manifest.get("versions")
        if isinstance(versions, dict) and versions.get("opisim"):
            return str(versions["opisim"])
        for key in ("opisim_version", "version"):
            if self.manifest.get(key):
                return str(self.manifest[key])
        return "unknown version"

    @property
    def replications(self) -> int | None:
        """Replications per design point (None for a single run)."""
        if self.kind == "run":
            return None
        reps = self.manifest.get("replications")
        return int(reps) if isinstance(reps, int | float) else None

    @property
    def design_kind(self) -> str | None:
        """The experiment's design kind (``scenarios``, ``grid``, ``response``, ...), None for a run."""
        kind = self.manifest.get("design_kind")
        return str(kind) if kind else None

    def design_labels(self) -> list[str]:
        """Design-point labels in design order (the first is the reference)."""
        if "design_labels" not in self._cache:
            if self.has("design.parquet"):
                d = self.table("design.parquet", ["point", "label"]).sort_values("point")
            else:
                d = self.table("runs.parquet", ["point", "label"]).drop_duplicates("point")
                d = d.sort_values("point")
            self._cache["design_labels"] = [str(x) for x in d["label"]]
        return list(self._cache["design_labels"])

    def reference_label(self) -> str:
        """The reference scenario: ``baseline`` if present, else the first design point."""
        found = self.design_labels()
        if not found:
            raise ResultsError(f"{self.path} has no design points")
        return "baseline" if "baseline" in found else found[0]

    def source(self, scenario: str | None = None, extra: str = "") -> SourceInfo:
        """The source line's facts: a run's scenario, or the experiment's name and the ``scenario``
        a figure shows (if it shows one)."""
        if self.kind == "run":
            return SourceInfo(self.version, scenario or self.name, None, extra)
        return SourceInfo(self.version, scenario, self.replications, extra, experiment=self.name)

    def rerun_command(self) -> str:
        """The command that reproduces the results, as recorded (or reconstructed)."""
        rerun = self.manifest.get("rerun")
        if isinstance(rerun, str) and rerun:
            return rerun
        if isinstance(rerun, list) and rerun:
            return " ".join(str(x) for x in rerun)
        if self.kind == "run":
            source = (
                self.manifest.get("scenario_file") or self.manifest.get("source") or "SCENARIO.toml"
            )
            seed = self.manifest.get("seed", 1)
            return f"opisim run {source} --seed {seed} --out {self.path}"
        file = self.manifest.get("experiment_file") or "EXPERIMENT.toml"
        verb = {"sensitivity": "sensitivity", "goal": "goal"}.get(self.kind, "experiment")
        return f"opisim {verb} {file}"


def open_results(path: str | Path) -> Results:
    """Open a results directory and detect its kind from ``manifest.json``.

    Raises:
        ResultsError: no such directory, no or unreadable manifest, or an unknown kind.
    """
    if isinstance(path, Results):
        return path
    path = Path(path)
    if not path.is_dir():
        raise ResultsError(f"results directory {path} does not exist")
    manifest_path = path / "manifest.json"
    if not manifest_path.is_file():
        raise ResultsError(
            f"{path} is not a results directory: it has no manifest.json (expected the output of "
            f"`opisim run`, `opisim experiment` or `opisim sensitivity`)"
        )
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ResultsError(f"cannot read {manifest_path}: {exc}") from None
    if not isinstance(manifest, dict):
        raise ResultsError(f"{manifest_path} is not a JSON object")
    kind = manifest.get("kind")
    if kind not in KINDS:
        raise ResultsError(
            f"{manifest_path}: key 'kind' = {kind!r} is not a results kind; allowed: {', '.join(KINDS)}"
        )
    return Results(path=path, kind=str(kind), manifest=manifest)
