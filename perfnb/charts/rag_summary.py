"""The RAG summary chart: how many measures of each theme are rated Red, Amber, Green, N/A
and Pending in one report period.
"""

from __future__ import annotations

import matplotlib
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from perfnb.charts.fitting import legend_columns
from perfnb.charts.parts import _RAG_LEGEND, _measures, _rating, _titles, _wrap
from perfnb.charts.style import Chart, house_style
from perfnb.contract import slugify
from perfnb.palette import rag_style
from perfnb.rag import RAG_LABELS

__all__ = ["rag_summary_chart"]

# The bars' segments follow RAG_LABELS' order. Pending (a target but no figure yet) is its own
# segment, not counted with N/A (never rated), as in the scorecard.
_OTHER_THEME = "Other measures"


def rag_summary_chart(card: pd.DataFrame) -> Chart:
    """The number of measures rated Red, Amber, Green, N/A and Pending in each theme of one
    report period's scorecard, as horizontal stacked bars (a blank theme is "Other measures")."""
    missing = [name for name in ("theme", "rag", "period") if name not in card.columns]
    if missing:
        raise ValueError(
            "rag_summary_chart needs the engine's columns (perfnb.performance); missing: "
            + ", ".join(missing)
        )
    if card.empty:
        raise ValueError("rag_summary_chart needs at least one row")
    periods = list(pd.unique(card["period"]))
    if len(periods) != 1:
        raise ValueError(
            f"rag_summary_chart summarises one report period, but the rows hold {len(periods)}"
        )
    period = str(periods[0])
    theme = card["theme"].fillna("").astype(str).str.strip().replace("", _OTHER_THEME)
    themes = list(pd.unique(theme))
    rating = card["rag"].map(_rating)
    counts = (
        pd.crosstab(theme, rating).reindex(index=themes, columns=list(RAG_LABELS)).fillna(0)
    ).astype(int)
    shown = [r for r in RAG_LABELS if counts[r].sum() > 0]
    services = list(pd.unique(card["service"])) if "service" in card.columns else []
    prefix = f"{services[0]}: " if len(services) == 1 else ""
    title = f"{prefix}RAG ratings by theme, {period}"

    segments = []
    with house_style():
        width, _ = matplotlib.rcParams["figure.figsize"]
        fig = Figure(figsize=(width, max(2.6, 1.5 + 0.5 * len(themes))))
        ax = fig.add_subplot()
        y = list(range(len(themes)))
        left = [0] * len(themes)
        for name in shown:
            style = rag_style(name)
            widths = counts[name].tolist()
            bars = ax.barh(
                y,
                widths,
                left=left,
                height=0.62,
                color=style.fill,
                edgecolor=style.edge,
                linewidth=0.8,
                hatch=style.hatch or None,
                label=_RAG_LEGEND[name],
                gid=f"bars-{slugify(name)}",
                zorder=2,
            )
            for bar in bars:
                bar.set_hatchcolor(style.text)  # hatching in the text colour: AA contrast
            for i, count in enumerate(widths):
                if count:
                    ax.text(
                        left[i] + count / 2,
                        i,
                        str(count),
                        ha="center",
                        va="center",
                        color=style.text,
                        fontweight="bold",
                        bbox={"boxstyle": "round,pad=0.3", "fc": style.fill, "ec": "none"},
                        zorder=4,
                    )
                segments.append(
                    {
                        "theme": themes[i],
                        "rating": name,
                        "left": left[i],
                        "count": count,
                        "face": style.fill,
                        "edge": style.edge,
                        "hatch": style.hatch,
                    }
                )
            left = [a + b for a, b in zip(left, widths, strict=True)]
        for i, total in enumerate(left):
            ax.text(total, i, f"  {total}", ha="left", va="center", color="#333333")
        ax.set_yticks(y, [_wrap(t, 28) for t in themes])
        ax.invert_yaxis()
        ax.set_xlim(0, max(left, default=1) * 1.08 + 0.5)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel("Number of measures")
        total = sum(left)
        _titles(
            ax,
            title,
            f"{_measures(total)}. Each bar shows a theme's measures by rating, its total at the "
            "end.",
        )
        words = [_RAG_LEGEND[name] for name in shown]
        columns = legend_columns(words, fig.get_figwidth() * 72 - 12, most=len(words))
        fig.legend(loc="outside lower center", ncols=columns)

    alt_parts = [
        f"{t}: "
        + ", ".join(f"{counts.at[t, r]} {r}" for r in RAG_LABELS if counts.at[t, r])
        + f" ({_measures(int(counts.loc[t].sum()))})"
        for t in themes
    ]
    totals = ", ".join(f"{int(counts[r].sum())} {r}" for r in RAG_LABELS if counts[r].sum())
    alt = f"Stacked bar chart: {title}. " + "; ".join(alt_parts) + f". In all: {totals}."
    model = {
        "kind": "rag_summary",
        "period": period,
        "themes": themes,
        "ratings": shown,
        "counts": {t: {r: int(counts.at[t, r]) for r in RAG_LABELS} for t in themes},
        "segments": segments,
        "totals": dict(zip(themes, left, strict=True)),
    }
    slug = "-".join(slugify(s) for s in [*([services[0]] if prefix else []), period])
    return Chart(f"rag-summary-{slug}", title, alt, fig, model)
