"""Print the parameter tables of docs/ODD.md (section 'Parameters') from the code's own data.

Usage: python scripts/odd_parameters.py > /tmp/params.md, then paste between the markers in docs/ODD.md.
tests/test_docs.py checks that docs/ODD.md lists every lever, uncertainty and calibration constant.
"""

from __future__ import annotations

from sim.levers import LEVERS, UNCERTAINTIES
from sim.model.innovation.solutions import load_catalogue
from sim.scenario import calibration_defaults


def _shown(value) -> str:
    """A calibration value as the tables show it (numbers with :g, choices and switches as written)."""
    if isinstance(value, bool):
        return str(value).lower()
    return f"{value:g}" if isinstance(value, int | float) else f'"{value}"'


def main() -> None:
    print("### Levers (L)\n")
    print("| lever | unit | status quo | recommended | range | theme (source) | mechanism |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for lev in LEVERS.values():
        print(
            f"| `{lev.name}` | {lev.unit} | {lev.status_quo:g} | {lev.recommended:g} | {lev.low:g}-{lev.high:g} "
            f"| {lev.theme} ({lev.theme_source}) | `{lev.mechanism}` |"
        )
    print(
        "\nStatus-quo and recommended values are assumptions (the seed names focus areas, not numbers).\n"
    )
    print("### Uncertainties (X)\n")
    print("| uncertainty | unit | default | range | source |")
    print("| --- | --- | --- | --- | --- |")
    for unc in UNCERTAINTIES.values():
        print(
            f"| `{unc.name}` | {unc.unit} | {unc.default:g} | {unc.low:g}-{unc.high:g} | {unc.source} |"
        )
    print("\n### Calibration constants (`sim/data/calibration.toml`)\n")
    print("| key | value | unit | source |")
    print("| --- | --- | --- | --- |")
    for key, entry in calibration_defaults().items():
        print(
            f"| `{key}` | {_shown(entry['value'])} | {entry.get('unit', '')} | {entry.get('source', '')} |"
        )
    print("\n### Solution archetypes (`sim/data/solutions.toml`)\n")
    print("| archetype | type | sector | effect | NASSS complexity | source |")
    print("| --- | --- | --- | --- | --- | --- |")
    from sim.model.demography import SECTORS
    from sim.model.innovation.solutions import INNOVATION_TYPES

    for a in load_catalogue().archetypes:
        print(
            f"| `{a.key}` | {INNOVATION_TYPES[a.innovation_type]} | {SECTORS[a.sector]} | {a.effect:g} "
            f"(sd {a.effect_sd:g}) | {list(a.complexity.tolist())} | {a.source} |"
        )


if __name__ == "__main__":
    main()
