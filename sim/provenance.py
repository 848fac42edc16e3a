"""Provenance for manifests: package and dependency versions, Python, platform, git commit and dirty flag."""

from __future__ import annotations

import platform
import subprocess
import sys
from datetime import UTC, datetime
from functools import lru_cache
from importlib import metadata
from pathlib import Path

DEPENDENCIES = (
    "opisim",
    "mesa",
    "numpy",
    "pandas",
    "scipy",
    "SALib",
    "pyarrow",
    "pydantic",
    "matplotlib",
    "dask",
    "distributed",
    "tqdm",
    "pyabc",
    "pymoo",
    "ema_workbench",
)
REPO_ROOT = Path(__file__).resolve().parents[1]


def versions() -> dict[str, str]:
    """Installed versions of opisim and its dependencies."""
    out = {}
    for name in DEPENDENCIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


@lru_cache(maxsize=1)
def git_state() -> dict[str, object]:
    """The commit of the source tree and whether it has uncommitted changes (None outside git)."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = (
            subprocess.run(
                ["git", "status", "--porcelain", "--untracked-files=no"],
                cwd=REPO_ROOT,
                capture_output=True,
                text=True,
                timeout=5,
                check=True,
            ).stdout.strip()
            != ""
        )
        return {"commit": commit, "dirty": dirty}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def provenance() -> dict[str, object]:
    """Everything a manifest needs to say where a result came from."""
    return {
        "versions": versions(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "git": git_state(),
        "written": datetime.now(UTC).isoformat(timespec="seconds"),
    }
