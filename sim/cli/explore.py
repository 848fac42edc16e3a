"""The ``opisim explore`` command: serve the SolaraViz explorer (``sim/app.py``) with ``solara run``.

Solara and Mesa's visualisation come with the optional extra ``pip install -e ".[explore]"``; this module
imports neither, so the rest of the command line works without them. The server listens on 127.0.0.1 by
default (the explorer has no authentication: only expose it on a trusted network).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from sim.errors import OpisimInputError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


class ExploreError(OpisimInputError):
    """The explorer cannot start (missing optional dependencies, bad port or scenario folder)."""


def app_path() -> Path:
    """Path of the explorer's Solara app file, ``sim/app.py`` (found without importing it)."""
    spec = importlib.util.find_spec("sim.app")
    if spec is None or spec.origin is None:
        raise ExploreError("cannot find sim/app.py in the installed opisim package")
    return Path(spec.origin)


def missing_dependencies() -> list[str]:
    """The explorer's Python dependencies that are not installed."""
    return [name for name in ("solara", "altair", "ipyvuetify") if _find(name) is None]


def _find(name: str):
    try:
        return importlib.util.find_spec(name)
    except ModuleNotFoundError:
        return None


def solara_command(host: str, port: int, production: bool = True) -> list[str]:
    """The ``solara run`` command line that serves the explorer."""
    cmd = [
        sys.executable,
        "-m",
        "solara",
        "run",
        str(app_path()),
        "--host",
        host,
        "--port",
        str(port),
        "--no-open",
    ]
    if production:
        cmd.append("--production")
    return cmd


def server_environment(scenario_dir: str | None = None) -> dict[str, str]:
    """Environment for the server: no usage telemetry, optional scenario folder."""
    env = dict(os.environ)
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    if scenario_dir is not None:
        env["OPISIM_SCENARIO_DIR"] = str(Path(scenario_dir).resolve())
    return env


def _explore(args: argparse.Namespace) -> int:
    missing = missing_dependencies()
    if missing:
        raise ExploreError(
            f"the explorer needs {', '.join(missing)} (not installed): install the optional extra with "
            "pip install -e '.[explore]'"
        )
    if not 0 <= args.port <= 65535:
        raise ExploreError(f"--port must be between 0 and 65535, got {args.port}")
    if args.scenario_dir is not None and not Path(args.scenario_dir).is_dir():
        raise ExploreError(f"--scenario-dir {args.scenario_dir!r} is not a folder")
    cmd = solara_command(args.host, args.port, production=not args.dev)
    print(
        f"opisim explore: serving the explorer at http://{args.host}:{args.port} (Ctrl-C stops it)",
        flush=True,
    )
    try:
        return subprocess.call(cmd, env=server_environment(args.scenario_dir))
    except KeyboardInterrupt:
        return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``explore`` command."""
    parser = subparsers.add_parser(
        "explore",
        help="serve the interactive explorer (SolaraViz) in the browser",
        description="Serve the interactive explorer: move levers, step the model month by month and watch "
        "demand, supply, FTE freed, the shortage and the innovation funnel. Needs the optional extra: "
        "pip install -e '.[explore]'.",
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}: this machine only)",
    )
    parser.add_argument(
        "--scenario-dir",
        default=None,
        help="folder of scenario files for the picker (default: the repository's scenarios/)",
    )
    parser.add_argument(
        "--dev",
        action="store_true",
        help="development mode: reload the app when its source changes",
    )
    parser.set_defaults(func=_explore)
