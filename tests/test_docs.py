"""Documentation stays in step with the code: ODD.md lists every parameter, ARCHITECTURE names real modules."""

from __future__ import annotations

import importlib
from pathlib import Path

import sim
from sim.scenario import calibration_defaults

ROOT = Path(__file__).resolve().parents[1]


def test_odd_lists_every_parameter():
    odd = (ROOT / "docs" / "ODD.md").read_text()
    headings = [
        "## 1. Purpose and patterns",
        "## 2. Entities",
        "## 3. Process overview",
        "## 4. Design concepts",
        "## 5. Initialization",
        "## 6. Input data",
        "## 7. Submodels",
    ]
    positions = [odd.index(h) for h in headings]
    assert positions == sorted(positions)
    for name in list(sim.LEVERS) + list(sim.UNCERTAINTIES) + list(calibration_defaults()):
        assert f"`{name}`" in odd, name


def _resolve(dotted: str):
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        module = obj
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return module, obj
    raise AssertionError(dotted)


def test_every_mechanism_named_in_the_tables_exists_and_mentions_its_lever():
    for row in list(sim.LEVERS.values()) + list(sim.UNCERTAINTIES.values()):
        for mechanism in getattr(row, "mechanisms", (row.mechanism,)):
            module, _ = _resolve(mechanism)
            if row.name in sim.LEVERS:
                assert row.name in Path(module.__file__).read_text(), (
                    f"{row.name} not mentioned in {module.__name__}"
                )


def test_outputs_doc_is_generated_from_the_registry():
    from sim.outputs import markdown_table

    text = (ROOT / "docs" / "OUTPUTS.md").read_text(encoding="utf-8")
    assert text == markdown_table(), (
        "docs/OUTPUTS.md is stale: run python scripts/make_output_docs.py"
    )
    assert "docs/OUTPUTS.md" in (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")


def test_readme_and_odd_point_to_the_projects_own_sources():
    """A clone has only the repository: the README and the ODD name docs/SOURCES.md (and
    tests/test_sources.py checks that no file points to notes outside the repository)."""
    assert "docs/SOURCES.md" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "SOURCES.md" in (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")


def test_readme_test_command_is_what_ci_runs():
    """Quick start command 2 is exactly the command .ci/run runs."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Quick start", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [line for line in block.splitlines() if line.strip() and not line.startswith("#")]
    assert len(commands) == 2, commands
    ci = [
        line
        for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith(("#", "set ", "cd "))
    ]
    assert ci == [commands[1]], ci


def test_plot_defaults_and_report_path_match_the_docs():
    from sim.plotting.export import DEFAULT_FORMATS

    assert DEFAULT_FORMATS == ("png",)
    results_readme = (ROOT / "results" / "README.md").read_text(encoding="utf-8")
    assert "report/report_<lang>.html" in results_readme
    from sim.cli import build_parser

    plot = build_parser().parse_args(["plot", "x"])
    assert plot.format == ",".join(DEFAULT_FORMATS)
