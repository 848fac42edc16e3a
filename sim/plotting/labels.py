"""Every word a figure or report shows, in English and Danish, and number formatting per language.

The words themselves are data: ``sim/data/words.toml`` (with the Danish usage it follows), the names
of outputs ``sim/data/outputs.toml`` (through ``sim.outputs``), the titles of levers and uncertainties
their rows in ``sim.levers``. This module picks and formats them.
"""

from __future__ import annotations

import tomllib
from importlib import resources

from sim import outputs
from sim.errors import ResultsError
from sim.levers import LEVERS, UNCERTAINTIES

LANGS = ("en", "da")

# Every word as (English, Danish), by kind: sim/data/words.toml.
WORDS: dict[str, dict[str, tuple[str, str]]] = {
    kind: {key: (pair[0], pair[1]) for key, pair in table.items()}
    for kind, table in tomllib.loads(
        resources.files("sim.data").joinpath("words.toml").read_text(encoding="utf-8")
    ).items()
}
_TEXT = WORDS["text"]
SECTORS = WORDS["sectors"]
PROFESSIONS = WORDS["professions"]
SCENARIO_TITLES = WORDS["scenarios"]
ARCHETYPES = WORDS["archetypes"]
RANDOMNESS = WORDS["randomness"]


def _pick(pair: tuple[str, str], lang: str) -> str:
    check_lang(lang)
    return pair[0] if lang == "en" else pair[1]


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is supported.

    Raises:
        ResultsError: for a language other than ``en`` or ``da``.
    """
    if lang not in LANGS:
        raise ResultsError(f"unknown language {lang!r}; allowed: {', '.join(LANGS)}")
    return lang


def text(key: str, lang: str, **fmt: object) -> str:
    """A generic label (axis, legend entry) in ``lang``, formatted with ``fmt``."""
    value = _pick(_TEXT[key], lang)
    return value.format(**fmt) if fmt else value


def _humanise(name: str) -> str:
    return name.replace("_", " ").strip().capitalize()


def sector(name: str, lang: str) -> str:
    """Readable sector name (hospital -> Hospitals / Sygehuse)."""
    return _pick(SECTORS[name], lang) if name in SECTORS else _humanise(name)


def archetype(name: str, lang: str) -> str:
    """Readable name of a solution archetype."""
    return _pick(ARCHETYPES[name], lang) if name in ARCHETYPES else _humanise(name)


def counter(name: str, lang: str) -> str:
    """Readable name of a timeseries column (an innovation counter), from ``sim.outputs``."""
    return (
        outputs.OUTPUTS[name].label(check_lang(lang))
        if name in outputs.OUTPUTS
        else _humanise(name)
    )


def lever(name: str, lang: str) -> str:
    """Short readable title of a lever in ``sim.levers.LEVERS`` (its ``title_en`` / ``title_da``)."""
    if name not in LEVERS:
        return _humanise(name)
    return _pick((LEVERS[name].title_en, LEVERS[name].title_da), lang)


def uncertainty(name: str, lang: str) -> str:
    """Short readable title of an uncertainty in ``sim.levers.UNCERTAINTIES``."""
    if name not in UNCERTAINTIES:
        return _humanise(name)
    row = UNCERTAINTIES[name]
    return _pick((row.title_en, row.title_da), lang)


def factor(name: str, lang: str) -> str:
    """Readable name of an analysis factor: a dotted key (``levers.x``), a bare lever or uncertainty."""
    section, _, rest = name.partition(".")
    if rest and section == "levers":
        return lever(rest, lang)
    if rest and section == "uncertainties":
        return uncertainty(rest, lang)
    if name in LEVERS:
        return lever(name, lang)
    if name in UNCERTAINTIES:
        return uncertainty(name, lang)
    if name == "seed":
        return text("seed", lang)
    return name if "." in name else _humanise(name)


def scenario(name: str, lang: str, prefix: bool = False) -> str:
    """Readable scenario name: ``baseline``, ``lever_<lever>``, ``theme_<theme>``, ``all_recommendations``.

    With ``prefix``, a single-lever scenario reads "Lever: <title>" ("Virkemiddel: <title>"), to tell it
    apart from a theme of similar name where no colour says the group.
    """
    if name in SCENARIO_TITLES:
        return _pick(SCENARIO_TITLES[name], lang)
    if name.startswith("lever_") and name[len("lever_") :] in LEVERS:
        title = lever(name[len("lever_") :], lang)
        if prefix:
            return f"{_pick(('Lever', 'Virkemiddel'), lang)}: {title[0].lower()}{title[1:]}"
        return title
    return name


def scenario_group(name: str) -> str:
    """The group a scenario belongs to: ``baseline``, ``lever``, ``theme``, ``all`` or ``other``."""
    if name == "baseline":
        return "baseline"
    if name == "all_recommendations":
        return "all"
    if name.startswith("theme_"):
        return "theme"
    if name.startswith("lever_"):
        return "lever"
    return "other"


def randomness(name: str, lang: str) -> str:
    """How an analysis treated the model's randomness, in words."""
    return _pick(RANDOMNESS[name], lang) if name in RANDOMNESS else name


def outcome(name: str, lang: str) -> str:
    """Readable name of a scalar outcome of a run's summary (``sim.outputs.label``)."""
    label = outputs.label(name, check_lang(lang))
    return _humanise(name) if label == name else label


def outcome_unit(name: str, lang: str) -> str:
    """The unit of a scalar outcome ('' if it has none or is unknown)."""
    return outputs.unit(name, check_lang(lang))


def format_number(value: float, lang: str, decimals: int = 0) -> str:
    """A number with the language's separators: 12,345.6 (en) or 12.345,6 (da)."""
    check_lang(lang)
    if value != value:  # NaN
        return "–"
    out = f"{value:,.{decimals}f}"
    if lang == "da":
        out = out.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return out.replace("-", "−")
