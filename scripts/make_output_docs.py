"""Write docs/OUTPUTS.md, the table of every output of a run, from the registry in sim/outputs.py.

Usage: ``python scripts/make_output_docs.py`` after adding or changing an output. tests/test_docs.py
fails when docs/OUTPUTS.md differs from what this script writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sim.outputs import markdown_table  # noqa: E402

OUTPUT_DOCS = ROOT / "docs" / "OUTPUTS.md"


def main() -> None:
    OUTPUT_DOCS.write_text(markdown_table(), encoding="utf-8")
    print(f"wrote {OUTPUT_DOCS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
