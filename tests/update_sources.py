"""Read docs/SOURCES.md and the project's citations of it; rewrite its "Used in" column from the citations.

A file cites a source as ``SOURCES X-NN`` (several IDs may follow, e.g. ``SOURCES D-07, D-06: ...``; every ID
after the word SOURCES on the same line counts). After adding or removing citations, run
    python tests/update_sources.py
to list each citing file under its rows (qualifiers already written in brackets after a path are kept).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES_MD = ROOT / "docs" / "SOURCES.md"
ID = r"[A-Z]{1,2}-\d{2}"
ID_RE = re.compile(rf"\b{ID}\b")
CITE_RE = re.compile(rf"\bSOURCES\s+(?={ID}\b)")
PATH_RE = re.compile(
    r"(?<![\w/.-])(?:(?:sim|docs|tests|scenarios|experiments)/[\w./-]*\w|README\.md)"
)
COLUMNS = ("ID", "Figure", "Unit", "Refers to", "Address", "Page date", "Grade", "Used in")
SCANNED = ("sim", "docs", "scenarios", "experiments", "tests", "README.md")
SUFFIXES = {".py", ".toml", ".md", ".csv", ".txt", ".cfg", ".yaml", ".yml"}
NOT_SCANNED = {"docs/SOURCES.md", "tests/test_sources.py", "tests/update_sources.py"}


@dataclass(frozen=True)
class Row:
    """One source row of docs/SOURCES.md."""

    line: int
    cells: dict[str, str]

    @property
    def id(self) -> str:
        return self.cells["ID"]

    @property
    def used_in(self) -> list[str]:
        return PATH_RE.findall(self.cells["Used in"])


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def rows(text: str | None = None) -> list[Row]:
    """Every source row (a table row whose first cell is an ID), in document order."""
    text = SOURCES_MD.read_text(encoding="utf-8") if text is None else text
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.startswith("|"):
            continue
        cells = _cells(line)
        if re.fullmatch(ID, cells[0]):
            if len(cells) != len(COLUMNS):
                raise ValueError(
                    f"docs/SOURCES.md:{n}: {len(cells)} cells, expected {len(COLUMNS)}"
                )
            out.append(Row(n, dict(zip(COLUMNS, cells, strict=True))))
    return out


def scanned_files() -> list[Path]:
    """The repository's text files that may cite sources."""
    files = []
    for name in SCANNED:
        top = ROOT / name
        candidates = [top] if top.is_file() else sorted(top.rglob("*"))
        for path in candidates:
            rel = path.relative_to(ROOT).as_posix()
            if (
                path.is_file()
                and path.suffix in SUFFIXES
                and "__pycache__" not in path.parts
                and rel not in NOT_SCANNED
            ):
                files.append(path)
    return files


def cited_ids(text: str) -> list[str]:
    """IDs cited in a text: every ID after the word SOURCES on the same line."""
    out = []
    for line in text.splitlines():
        m = CITE_RE.search(line)
        if m:
            out.extend(ID_RE.findall(line, m.start()))
    return out


def citations() -> dict[str, set[str]]:
    """ID -> the repository-relative paths of the files that cite it."""
    out: dict[str, set[str]] = {}
    for path in scanned_files():
        rel = path.relative_to(ROOT).as_posix()
        for source_id in cited_ids(path.read_text(encoding="utf-8", errors="replace")):
            out.setdefault(source_id, set()).add(rel)
    return out


def _used_in_cell(old: str, files: set[str]) -> str:
    """The new "Used in" cell: the citing files, keeping the bracketed qualifier written after a path."""
    kept: dict[str, str] = {}
    matches = list(PATH_RE.finditer(old))
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(old)
        kept[m.group(0)] = old[m.start() : end].strip().rstrip(";").strip()
    ordered = [p for p in kept if p in files] + sorted(files - set(kept))
    return "; ".join(kept.get(p, p) for p in ordered) or "–"


def update() -> int:
    """Rewrite the "Used in" column of docs/SOURCES.md; return the number of rows changed."""
    cited = citations()
    lines = SOURCES_MD.read_text(encoding="utf-8").splitlines(keepends=True)
    changed = 0
    for row in rows():
        cells = _cells(lines[row.line - 1])
        new = _used_in_cell(cells[-1], cited.get(row.id, set()))
        if new != cells[-1]:
            cells[-1] = new
            lines[row.line - 1] = "| " + " | ".join(cells) + " |\n"
            changed += 1
    SOURCES_MD.write_text("".join(lines), encoding="utf-8")
    return changed


if __name__ == "__main__":
    unknown = sorted(set(citations()) - {r.id for r in rows()})
    if unknown:
        print(f"cited but not in docs/SOURCES.md: {', '.join(unknown)}", file=sys.stderr)
        sys.exit(1)
    print(f"docs/SOURCES.md: 'Used in' rewritten in {update()} rows")
