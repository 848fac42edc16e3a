"""The report section "Which recommendations free the most labour", in English and Danish.

Built from a recommend experiment (the ranking, themes, interactions and the explanation of the bundle),
a goal-seeking directory (the cheapest portfolios reaching the target) and the scenario-discovery boxes
of either, each block with its provenance: results directory, experiment file hash, master seed and
commit. The numbers are read from the same tables ``opisim recommend`` and ``opisim goal`` print, with the
one statistic of ``sim.stats``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim import stats as ST
from sim.plotting import labels as L
from sim.plotting.loaders import Results

TITLE = (
    "Which recommendations free the most labour",
    "Hvilke anbefalinger frigør mest arbejdskraft",
)
INFLUENCE_VS_VALUE = (
    "Morris and Sobol indices measure influence: how much an outcome varies while a lever sweeps its "
    "whole range, in either direction and mixed with its interactions, so a lever can be influential "
    "because switching it off does harm. The value of a recommendation is the signed, paired change in "
    "FTE freed from moving that lever from its status-quo value to its recommended value, which is what "
    "this section ranks.",
    "Morris- og Sobol-indeks måler indflydelse: hvor meget et udfald varierer, når et virkemiddel "
    "gennemløber hele sit interval, i begge retninger og blandet med samspil, så et virkemiddel kan have "
    "stor indflydelse, fordi det skader at slå det fra. Værdien af en anbefaling er den fortegnsbestemte, "
    "parrede ændring i frigjorte årsværk ved at flytte virkemidlet fra status quo til den anbefalede "
    "værdi, og det er den, dette afsnit rangordner.",
)


@dataclass
class Block:
    """A part of the section: heading, paragraphs, tables (header, rows, note)."""

    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[tuple[list[str], list[list[str]], str]] = field(default_factory=list)


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "en" else pair[1]


def signed(value: float, lang: str) -> str:
    """A number with an explicit sign and the language's separators (``+1,234`` / ``+1.234``)."""
    if value is None or not np.isfinite(value):
        return "–"
    text = L.format_number(abs(value), lang, 0)
    return ("+" if value >= 0 else "−") + text


def _band(mean: float, low: float, high: float, lang: str) -> str:
    return f"{signed(mean, lang)} [{signed(low, lang)}; {signed(high, lang)}]"


def provenance(info: dict, results: Results, lang: str) -> str:
    """Results directory, experiment file and its hash, master seed, commit: one line."""
    git = info.get("git") or results.manifest.get("git") or {}
    commit = str(git.get("commit") or "?")[:12] + (" (dirty)" if git.get("dirty") else "")
    sha = str(info.get("experiment_sha256") or results.manifest.get("experiment_sha256") or "?")[
        :12
    ]
    file = info.get("experiment_file") or results.manifest.get("experiment_file") or "–"
    seed = info.get("master_seed", results.manifest.get("master_seed"))
    words = (
        ("Provenance", "results", "experiment file", "master seed", "commit")
        if lang == "en"
        else ("Oprindelse", "resultater", "eksperimentfil", "master-seed", "commit")
    )
    return (
        f"{words[0]}: {words[1]} {results.path} · {words[2]} {file} (SHA-256 {sha}…) · "
        f"{words[3]} {seed} · {words[4]} {commit}"
    )


def recommend_blocks(results: Results, lang: str) -> list[Block]:
    """The ranking, themes, interactions, target probabilities and boxes of a recommend experiment."""
    from sim.analysis.recommend import load_analysis

    path = results.path
    info, tables = load_analysis(path)
    ranking, themes, inter = tables["ranking"], tables["themes"], tables["interactions"]
    scen, disc = tables["scenarios"], tables["discovery"]
    year = int(info["ranking_outcome"][-4:])
    years = [y for y in info["years"] if y in (2030, 2035, 2045)]
    k = int(info["top_k"])
    runs = int(info["futures"]) * int(info.get("replications") or 1)
    stat = ST.label(lang, runs)
    da = lang == "da"
    head = ["#", "Virkemiddel" if da else "Lever", "Tema" if da else "Theme"]
    head += [f"{'Alene' if da else 'Alone'} {y}" for y in years]
    head += [
        f"{'Fjernet fra alle' if da else 'Removed from all'} {year}",
        f"{'Mindre mangel' if da else 'Gap reduced'} {year}",
        f"P(top {k})",
        f"{'Kr. pr. ekstra årsværk' if da else 'DKK per extra FTE-year'} {year}",
    ]
    rows = []
    for r in ranking.to_dict("records"):
        ratio = r.get(f"alone_cost_per_fte_year_{year}", math.nan)
        note = r.get(f"alone_cost_note_{year}", "")
        row = [str(r["rank"]), L.lever(r["lever"], lang), r["theme"]]
        row += [
            _band(
                r[f"alone_fte_freed_{y}"],
                r[f"alone_fte_freed_{y}_p5"],
                r[f"alone_fte_freed_{y}_p95"],
                lang,
            )
            for y in years
        ]
        row += [
            _band(
                r[f"removed_fte_freed_{year}"],
                r[f"removed_fte_freed_{year}_p5"],
                r[f"removed_fte_freed_{year}_p95"],
                lang,
            ),
            signed(r[f"alone_gap_reduced_{year}"], lang),
            L.format_number(r[f"p_top{k}"], lang, 2),
            L.format_number(ratio, lang, 0) if np.isfinite(ratio) else (note or "–"),
        ]
        rows.append(row)
    note = (
        f"Frigjorte årsværk: {stat} pr. scenarie ({info['futures']} fremtider x {info.get('replications')} "
        f"seeds, parrede kørsler); positiv = frigør arbejdskraft. Rangordnet efter effekten alene i {year} "
        f"(med fortegn). P(top {k}): andel af fremtider, hvor virkemidlet er blandt de {k} bedste."
        if da
        else f"FTE freed: {stat} per scenario ({info['futures']} futures x {info.get('replications')} seeds, "
        f"paired runs); positive = frees labour. Ranked by the alone effect in {year} (signed). "
        f"P(top {k}): share of futures in which the lever is among the best {k}."
    )
    share = ranking["alone_share_between"].dropna()
    if len(share):
        note += (
            f" Gennemsnitligt ligger {100 * share.mean():.0f} % af effekternes varians mellem fremtider; "
            f"resten er seed-støj inden for en fremtid."
            if da
            else f" On average {100 * share.mean():.0f}% of the effects' variance lies between futures; the "
            f"rest is seed noise within a future."
        )
    ranking_block = Block(
        _pick(("The recommendations ranked", "Anbefalingerne rangordnet"), lang),
        [provenance(info, results, lang)],
        [(head, rows, note)],
    )
    t_head = (
        ["Tema", "Pakken", "Fjernet fra alle", "Sum alene", "Rest (samspil)"]
        if da
        else ["Theme", "Bundle", "Removed from all", "Sum alone", "Residual (interaction)"]
    )
    t_rows = [
        [
            L.scenario(f"theme_{r.theme}", lang),
            _band(r.bundle_mean, r.bundle_p5, r.bundle_p95, lang),
            signed(r.removed_mean, lang),
            signed(r.sum_alone, lang),
            signed(r.residual, lang),
        ]
        for r in themes[themes["year"] == year].itertuples(index=False)
    ]
    theme_block = Block(
        _pick(("Themes, bundles and interactions", "Temaer, pakker og samspil"), lang),
        [info.get("explanation", "")] if not da else [_explanation_da(path, year)],
        [(t_head, t_rows, f"{L.text('fte_freed', lang)} {year}")],
    )
    if len(inter):
        sub = inter[inter["year"] == year].sort_values("mean")
        shown = pd.concat([sub.head(3), sub.tail(3)]).drop_duplicates(subset=["kind", "a", "b"])
        i_rows = [
            [
                f"{_name(r.a, r.kind, lang)} + {_name(r.b, r.kind, lang)}",
                signed(r.mean, lang),
                L.format_number(r.se, lang, 0),
                _verdict(r.verdict, lang),
            ]
            for r in shown.itertuples(index=False)
        ]
        i_head = (
            ["Par", "Samspil", "Monte Carlo-fejl", "Tolkning"]
            if da
            else ["Pair", "Interaction", "Monte Carlo error", "Reading"]
        )
        i_note = (
            "I = Y(a+b) − Y(a) − Y(b) + Y(status quo), parret pr. kørsel; positiv = synergi, negativ = overlap."
            if da
            else "I = Y(a+b) − Y(a) − Y(b) + Y(status quo), paired run by run; positive = synergy, negative = redundancy."
        )
        theme_block.tables.append((i_head, i_rows, i_note))
    p_rows = []
    for r in scen.to_dict("records"):
        label = r["label"]
        if label in ("baseline", "all_recommendations") or label.startswith("theme_"):
            p_rows.append(
                [L.scenario(label, lang)]
                + [
                    L.format_number(r.get(f"p_target_{y}", math.nan), lang, 2)
                    for y in info["target_years"]
                ]
            )
    p_head = ["Scenarie" if da else "Scenario"] + [
        f"P({L.format_number(info['target_fte'], lang)} {L.text('fte', lang)}, {y})"
        for y in info["target_years"]
    ]
    theme_block.tables.append(
        (
            p_head,
            p_rows,
            "Andel af kørslerne, der når målet." if da else "Share of runs that reach the target.",
        )
    )
    blocks = [ranking_block, theme_block]
    if len(disc):
        blocks.append(discovery_block(disc, results, info, lang))
    return blocks


def _name(name: str, kind: str, lang: str) -> str:
    return L.lever(name, lang) if kind == "levers" else L.scenario(f"theme_{name}", lang)


def _verdict(verdict: str, lang: str) -> str:
    if lang == "en":
        return verdict
    return {
        "synergy": "synergi",
        "redundancy": "overlap",
        "none detectable": "intet påviseligt",
    }.get(verdict, verdict)


def _explanation_da(path, year: int) -> str:
    dec = pd.read_parquet(path / "decomposition.parquet")
    rows = dec[(dec["year"] == year) & (dec["futures"] == "all")]
    if rows.empty:
        return ""
    r = rows.iloc[0]
    verdict = {
        "redundancy": "virkemidlerne gør delvis det samme arbejde eller står i vejen for hinanden (overlap)",
        "synergy": "virkemidlerne forstærker hinanden (synergi)",
    }.get(str(r["residual_verdict"]), "intet samspil ud over Monte Carlo-fejlen")
    return (
        f"I {year} summer effekterne af de enkelte virkemidler alene til {signed(r['sum_alone'], 'da')} "
        f"årsværk, mens alle anbefalinger sammen frigør {signed(r['bundle'], 'da')} årsværk mere end "
        f"status quo; resten {signed(r['residual'], 'da')} årsværk er det samlede samspil: {verdict}."
    )


def discovery_block(disc: pd.DataFrame, results: Results, info: dict, lang: str) -> Block:
    """PRIM boxes as a table: scenario, year, box, conditions, coverage, density."""
    from sim.analysis.discovery import _condition

    da = lang == "da"
    rows = []
    for key, group in disc.groupby(["scenario", "target_year"], sort=False):
        first = group.iloc[0]
        if not first["dimension"]:
            rows.append([str(key[0]), str(key[1]), "–", str(first["note"]), "–", "–"])
            continue
        for number, box in group.groupby("box", sort=True):
            conds = (" og " if da else " and ").join(
                _condition(L.uncertainty(str(r.dimension).split(".")[-1], lang), r.low, r.high)
                for r in box.itertuples(index=False)
            )
            b = box.iloc[0]
            rows.append(
                [
                    str(key[0]),
                    str(key[1]),
                    str(number),
                    conds,
                    L.format_number(b["coverage"], lang, 2),
                    L.format_number(b["density"], lang, 2),
                ]
            )
    head = (
        ["Scenarie", "Målår", "Boks", "Fremtider, hvor målet misses", "Dækning", "Tæthed"]
        if da
        else [
            "Scenario",
            "Target year",
            "Box",
            "Futures in which the target is missed",
            "Coverage",
            "Density",
        ]
    )
    note = (
        "PRIM (EMA Workbench): dækning = andel af alle misser inde i boksen; tæthed = andel misser blandt "
        "fremtiderne i boksen."
        if da
        else "PRIM (EMA Workbench): coverage = share of all misses inside the box; density = share of "
        "misses among the futures inside it."
    )
    return Block(
        _pick(
            (
                "Where the target is missed (scenario discovery)",
                "Hvor målet misses (scenarieopdagelse)",
            ),
            lang,
        ),
        [provenance(info, results, lang)],
        [(head, rows, note)],
    )


def goal_blocks(results: Results, lang: str) -> list[Block]:
    """The goal-seeking answer per target year and its validated portfolios, and its PRIM boxes."""
    path = results.path
    info = results.json("goal.json")
    if not info:
        return []
    answers = pd.read_parquet(path / "answers.parquet")
    front = pd.read_parquet(path / "front.parquet")
    da = lang == "da"
    paragraphs = [provenance(info, results, lang)]
    for r in answers.to_dict("records"):
        status = {
            "reached": ("reached", "nået"),
            "not_confirmed": ("not confirmed on fresh futures", "ikke bekræftet på nye fremtider"),
            "unreachable": (
                "unreachable within the lever ranges",
                "uopnåeligt inden for virkemidlernes intervaller",
            ),
        }[r["status"]]
        if da:
            paragraphs.append(
                f"Mål {L.format_number(r['target_fte'], 'da')} årsværk i {r['target_year']} med sandsynlighed "
                f">= {L.format_number(r['probability_required'], 'da', 2)}: {status[1]}. "
                f"{'Billigste' if r['status'] == 'reached' else 'Nærmeste'} portefølje: "
                f"{L.format_number(r['fte'], 'da')} årsværk ({L.format_number(r['fte_p5'], 'da')} til "
                f"{L.format_number(r['fte_p95'], 'da')}), sandsynlighed {L.format_number(r['probability'], 'da', 2)} "
                f"på nye fremtider, offentlige udgifter {L.format_number(r['cost'] / 1e6, 'da')} mio. kr. "
                f"Alle anbefalinger: sandsynlighed {L.format_number(r['all_recommendations_probability'], 'da', 2)}."
            )
        else:
            paragraphs.append(
                r["answer"]
                + f" All recommendations: probability {r['all_recommendations_probability']:.2f}."
            )
    paragraphs += [f"Note: {n}" if not da else f"Bemærk: {n}" for n in info.get("notes", [])]
    head = (
        [
            "Målår",
            "Portefølje",
            "Udgifter (mio. kr.)",
            "Frigjorte årsværk",
            "P søgning",
            "P nye fremtider",
            "Virkemidler",
        ]
        if da
        else [
            "Target year",
            "Portfolio",
            "Cost (mDKK)",
            "FTE freed",
            "P search",
            "P fresh futures",
            "Levers",
        ]
    )
    rows = [
        [
            str(r.target_year),
            str(r.id),
            L.format_number(r.validation_cost / 1e6, lang),
            L.format_number(r.validation_fte, lang),
            L.format_number(r.probability, lang, 2),
            L.format_number(r.validation_probability, lang, 2),
            str(r.portfolio),
        ]
        for r in front.itertuples(index=False)
    ]
    note = (
        f"pymoo NSGA-II, {info['population']} x {info['generations']} generationer, {info['futures']} "
        f"fremtider (fælles tilfældige tal); valideret på {info['validation_futures']} nye fremtider."
        if da
        else f"pymoo NSGA-II, {info['population']} x {info['generations']} generations, {info['futures']} "
        f"futures (common random numbers); validated on {info['validation_futures']} fresh futures."
    )
    blocks = [
        Block(
            _pick(
                (
                    "What it takes to reach the target (goal seeking)",
                    "Hvad der skal til for at nå målet (målsøgning)",
                ),
                lang,
            ),
            paragraphs,
            [(head, rows, note)],
        )
    ]
    if (path / "discovery.parquet").is_file():
        disc = pd.read_parquet(path / "discovery.parquet")
        if len(disc):
            blocks.append(discovery_block(disc, results, info, lang))
    return blocks


def decision_blocks(all_results: list[Results], lang: str) -> list[Block]:
    """The blocks of the section from every directory that has a decision analysis (empty if none)."""
    blocks: list[Block] = []
    for results in all_results:
        if results.kind == "experiment" and results.manifest.get("design_kind") == "recommend":
            blocks += recommend_blocks(results, lang)
        elif results.kind == "goal":
            blocks += goal_blocks(results, lang)
    return blocks
