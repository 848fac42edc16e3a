"""Reading the TOML input files (scenarios, experiments) with one clear error for each way a file can be
unreadable: missing, a folder, binary, not UTF-8 (e.g. saved in a legacy Windows encoding), not TOML."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from sim.errors import OpisimInputError


def read_toml(
    path: str | Path, kind: str, error: type[OpisimInputError], example: str
) -> tuple[str, dict[str, Any]]:
    """The text and the parsed data of a TOML file.

    Args:
        path: the file.
        kind: what the file should be, for messages ("scenario", "experiment").
        error: the exception class to raise.
        example: an example path for messages, e.g. ``scenarios/baseline.toml``.

    Raises:
        error: one line naming the file, what is wrong and what is allowed.
    """
    path = Path(path)
    article = "an" if kind[:1] in "aeiou" else "a"
    allowed = f"allowed: {article} {kind} file in TOML, saved as UTF-8 text, e.g. {example}"
    if not path.exists():
        raise error(f"{path}: {kind} file not found; {allowed}")
    if not path.is_file():
        raise error(f"{path}: is a folder, not a {kind} file; {allowed}")
    raw = path.read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise error(f"{path}: saved as UTF-16; {allowed} (save it again as UTF-8)")
    if b"\x00" in raw:
        raise error(f"{path}: not a text file (it holds binary data); {allowed}")
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark, as some Windows editors write, is fine
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        try:
            raw.decode("cp1252")
            guess = " (it looks like Windows-1252, a legacy Windows encoding)"
        except UnicodeDecodeError:
            guess = ""
        raise error(
            f"{path}: line {line}: byte 0x{raw[exc.start]:02x} is not UTF-8{guess}; {allowed} (open "
            "it in an editor and save it again as UTF-8)"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: not valid TOML ({exc}); {allowed}") from None
    return text, data
