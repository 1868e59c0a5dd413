"""Report charts: pure functions from the engine's frames (``perfnb.performance``) to charts.

Four charts, each returned as a :class:`Chart` (title, alt text, matplotlib figure and the plain
data it was drawn from):

- :func:`trend_chart`: one measure over recent periods, each point marked by its RAG rating,
  with its target (a line, or a shaded band), the same period last year (dashed), the latest
  figure and its variance written on the chart, the polarity stated, and analysts' annotations
  (``annotations.csv``: ``measure_id, period, text``) drawn at their period;
- :func:`cumulative_chart`: a running total's year to date (a ``sum`` measure's, or a ``ytd``
  measure's of counts or money, drawn as given) against its target to date, with the annual
  target and the year-end forecast (will we hit the annual target?);
- :func:`rag_summary_chart`: the count of Red, Amber, Green, N/A and Pending ratings per theme;
- :func:`action_progress_chart`: each action's % complete against the progress expected by the
  period end, its bar drawn in the colour and hatching of its derived rating.

Every chart uses one house style, ``perfnb/styles/perfnb.mplstyle`` (see :func:`house_style`),
and the RAG palette of ``perfnb.palette``: colour, plus a marker shape per rating in line charts
and a hatching per rating in bars, so a chart reads in black and white too. A figure that is not
final (``status`` provisional, revised, estimated or illustrative) is drawn hollow, in its
rating's shape and edge colour, its period's tick and its label carry the marker (``Q1 [p]``),
and the legend gives the key in ``perfnb.palette``'s words. Text that comes from
the data (names, notes, annotations) is drawn as plain text, never as mathtext, and escaped in
HTML. Figures are made with ``matplotlib.figure.Figure`` rather than pyplot, so a notebook shows
a chart once (through :meth:`Chart._repr_html_`), never a second time through the inline backend.
"""

from __future__ import annotations

import base64
import html
import io
import math
import re
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TypedDict, cast

import matplotlib.style
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import blended_transform_factory
from PIL import Image

from perfnb.contract import slugify
from perfnb.files import write_atomic
from perfnb.palette import (
    ACTION_STYLES,
    NOT_FINAL_FACE,
    RAG_STYLES,
    SPC_ASSURANCE_ICONS,
    SPC_STYLES,
    SPC_TARGET_COLOUR,
    SPC_VARIATION_ICONS,
    STATUS_MARKERS,
    rag_style,
    status_key,
    status_key_line,
    status_marker,
    with_marker,
)
from perfnb.periods import Period, parse_period
from perfnb.rag import RAG_LABELS
from perfnb.spc import summarise
from perfnb.tables import AIM_LABELS, format_value, variance_text

__all__ = [
    "ANNOTATION_COLUMNS",
    "EMBED_DPI",
    "POLARITY_TEXT",
    "PRINT_DPI",
    "STYLE_PATH",
    "Chart",
    "action_progress_chart",
    "cumulative_chart",
    "house_style",
    "is_running_total",
    "rag_summary_chart",
    "spc_chart",
    "trend_chart",
    "unit_label",
]

STYLE_PATH = Path(__file__).resolve().parent / "styles" / "perfnb.mplstyle"
PRINT_DPI = 300  # dots per inch of the saved PNG (for Word)
EMBED_DPI = 120  # dots per inch of the PNG embedded in HTML (12-25 KB a chart)

ANNOTATION_COLUMNS = ("measure_id", "period", "text")

# The RAG summary's segments, in order. Pending (a target but no figure yet) is its own segment,
# not counted with N/A (never rated), as in the scorecard.

POLARITY_TEXT = {
    "high": AIM_LABELS["high"],
    "low": AIM_LABELS["low"],
    "band": "Within the band is better",
    "none": "Not rated: neither higher nor lower is better",
}

_RAG_LEGEND = {
    "Red": "Red",
    "Amber": "Amber",
    "Green": "Green",
    "N/A": "N/A (not rated)",
    "Pending": "Pending (no figure yet)",
}
_BASIS_LINE = {
    "year to date": "Year to date",
    "average to date": "Average to date",
    "full year forecast": "Full year forecast",
}
_BASIS_NOTE = {
    "year to date": "Figures are year to date",
    "average to date": "Figures are averages to date",
    "full year forecast": "Figures are full-year forecasts",
}
_OTHER_THEME = "Other measures"
_TITLE_WIDTH = 66  # characters per title line at the house style's title size
_SUBTITLE_WIDTH = 85
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@contextmanager
def house_style() -> Iterator[None]:
    """Matplotlib settings of perfnb's house style (from matplotlib's defaults, not the
    session's), for drawing and saving a chart."""
    with matplotlib.style.context(STYLE_PATH, after_reset=True):
        yield


# -- the chart object -------------------------------------------------------------------------
@dataclass(eq=False)
class Chart:
    """A report chart: ``name`` (file stem), ``title``, ``alt`` (the screen-reader description),
    the matplotlib ``figure`` (sizes in inches) and ``model``, the plain data it was drawn from."""

    name: str
    title: str
    alt: str
    figure: Figure
    model: dict[str, Any] = field(default_factory=dict)
    _closed: bool = field(default=False, init=False, repr=False)
    _rasters: dict[float, Image.Image] = field(default_factory=dict, init=False, repr=False)
    _laid_out: bool = field(default=False, init=False, repr=False)

    def __post_init__(self) -> None:
        if not _SAFE_NAME.fullmatch(self.name) or ".." in self.name:
            raise ValueError(
                f"chart name {self.name!r} is not a safe file name: use letters, digits, '-', "
                "'_' and '.'"
            )

    def png(self, dpi: float = PRINT_DPI) -> bytes:
        """The chart as PNG bytes at ``dpi`` dots per inch (pixels = inches x dpi)."""
        image = self._raster(PRINT_DPI) if dpi == PRINT_DPI else self._raster(dpi)
        buffer = io.BytesIO()
        # level 3: a fifth more bytes than 6, in two thirds of the time (these are for Word)
        image.save(buffer, "png", dpi=(dpi, dpi), compress_level=3)
        return buffer.getvalue()

    def svg(self) -> bytes:
        """The chart as SVG bytes, its text kept as text (searchable, screen-readable)."""
        if self._closed:
            raise ValueError(f"chart {self.name!r} was closed and cannot be drawn")
        buffer = io.BytesIO()
        # no date in the file: the same chart gives the same bytes
        self._draw(buffer, format="svg", metadata={"Date": None})
        return buffer.getvalue()

    def save(self, folder: str | Path) -> list[Path]:
        """Writes ``<name>.png`` (300 dpi) and ``<name>.svg`` into ``folder`` (created if need
        be), each through a temporary file so none is ever half-written; returns the paths."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for suffix, data in (("png", self.png(PRINT_DPI)), ("svg", self.svg())):
            path = folder / f"{self.name}.{suffix}"
            write_atomic(path, data)
            written.append(path)
        return written

    def to_html(self, dpi: float = EMBED_DPI) -> str:
        """A ``<figure>`` with the chart as an embedded PNG at ``dpi`` (width and height in
        pixels), its alt text and its title as the figure's caption, both HTML-escaped. The
        caption is for screen readers only: the title is drawn on the chart itself."""
        # scaled down from the print raster (drawn once for both), in at most 256 colours
        full = self._raster(PRINT_DPI)
        width, height = round(full.width * dpi / PRINT_DPI), round(full.height * dpi / PRINT_DPI)
        # reduced by a whole factor first (a box filter), then Lanczos: a third of the time
        small = full.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=1.0)
        source = base64.b64encode(_compact_png(small)).decode("ascii")
        return (
            '<figure class="perfnb-chart">'
            f'<img src="data:image/png;base64,{source}" alt="{html.escape(self.alt)}" '
            f'width="{width}" height="{height}" style="max-width: 100%; height: auto;">'
            f'<figcaption style="{_SCREEN_READER_ONLY}">{html.escape(self.title)}</figcaption>'
            "</figure>"
        )

    def _repr_html_(self) -> str:
        """What a notebook shows for the chart (and nbconvert exports): :meth:`to_html`."""
        return self.to_html()

    def close(self) -> None:
        """Releases the figure's artists; the chart cannot be drawn afterwards."""
        self.figure.clear()
        self._rasters.clear()
        self._closed = True

    def _draw(self, buffer: io.BytesIO, **options: Any) -> None:
        """Saves the figure into ``buffer`` in the house style. The first drawing works out the
        layout (constrained layout: most of a drawing's time); later ones reuse it, as figure
        fractions, which are the same at any dpi."""
        engine = self.figure.get_layout_engine()
        reuse = self._laid_out and engine is not None
        with house_style():
            if reuse:
                self.figure.set_layout_engine("none")
            try:
                self.figure.savefig(buffer, **options)
            finally:
                if reuse:
                    self.figure.set_layout_engine(engine)
        self._laid_out = True

    def _raster(self, dpi: float) -> Image.Image:
        """The chart drawn at ``dpi`` as an RGB image, drawn once per resolution."""
        if self._closed:
            raise ValueError(f"chart {self.name!r} was closed and cannot be drawn")
        if dpi not in self._rasters:
            buffer = io.BytesIO()
            self._draw(buffer, format="rgba", dpi=dpi)
            width = round(self.figure.get_size_inches()[0] * dpi)
            height = len(buffer.getvalue()) // (4 * width)
            rgba = Image.frombuffer("RGBA", (width, height), buffer.getvalue(), "raw", "RGBA", 0, 1)
            self._rasters[dpi] = rgba.convert("RGB")
        return self._rasters[dpi]


# kept in the page for assistive technology, not drawn (the usual visually-hidden rules)
_SCREEN_READER_ONLY = (
    "position: absolute; width: 1px; height: 1px; overflow: hidden; "
    "clip-path: inset(50%); white-space: nowrap;"
)


def _compact_png(image: Image.Image) -> bytes:
    """The image as a PNG of at most 256 colours (about a third of the bytes): the palette's
    and the house style's colours kept exactly (Pillow's own quantizer shifts them, white to
    251, 251, 251), anything else (anti-aliasing) drawn in the nearest of their blends with
    white or of a grey ramp."""
    pixels = np.asarray(image, dtype=np.int32)
    palette = np.array(_png_palette(), dtype=np.int32)
    codes = (pixels[..., 0] << 16) | (pixels[..., 1] << 8) | pixels[..., 2]
    unique, inverse = np.unique(codes.ravel(), return_inverse=True)
    colours = np.stack([unique >> 16, (unique >> 8) & 255, unique & 255], axis=1)
    distance = ((colours[:, None, :] - palette[None, :, :]) ** 2).sum(axis=2)
    index = distance.argmin(axis=1).astype(np.uint8)[inverse].reshape(codes.shape)
    indexed = Image.fromarray(index, mode="P")
    indexed.putpalette(palette.astype(np.uint8).ravel().tolist())
    buffer = io.BytesIO()
    # not optimize=True: 6% more bytes, but a seventh of the time of trying every filter
    indexed.save(buffer, "png", compress_level=6)
    return buffer.getvalue()


@cache
def _png_palette() -> tuple[tuple[int, ...], ...]:
    """Up to 256 colours: every RAG and house-style colour, each blended with white at seven
    levels, and grey."""
    with house_style():
        style = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    styles = [*RAG_STYLES.values(), *ACTION_STYLES.values()]
    named = [c for s in styles for c in (s.fill, s.edge, s.text)]
    named += [*style, "#111111", "#222222", "#333333", "#444444", "#D9D9D9"]
    base = list(dict.fromkeys(tuple(round(255 * v) for v in to_rgb(c)) for c in named))
    colours = list(base)
    for r, g, b in base:
        for level in range(1, 8):
            share = level / 8
            colours.append(tuple(round(v * share + 255 * (1 - share)) for v in (r, g, b)))
    colours += [(v, v, v) for v in range(0, 256, 8)] + [(255, 255, 255)]
    unique = list(dict.fromkeys(colours))
    return tuple(unique[:256])


# -- shared helpers ---------------------------------------------------------------------------
def unit_label(unit: str, rate_per: float | None = None) -> str:
    """The value axis label of a unit: ``Per cent``, ``Days``, ``Per 100,000 population``."""
    if unit == "rate":
        per = rate_per if rate_per is not None and not _isnan(rate_per) else 100_000
        return f"Per {per:,.0f} population"
    labels = {"percent": "Per cent", "days": "Days", "count": "Count", "currency": "£"}
    return labels.get(unit, str(unit).capitalize())


def _period_labels(periods: pd.Series, source: str) -> list[str]:
    labels = []
    for number, text in enumerate(periods, start=2):
        try:
            labels.append(parse_period(text).label)
        except ValueError as error:
            raise ValueError(f"{source} row {number}: {error}") from None
    return labels


def _isnan(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _number(value: object) -> float | None:
    """A plain float, or None for a blank."""
    if _isnan(value):
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def _format(
    value: float | None,
    row: pd.Series | dict[str, Any],
    target: bool = False,
    short: bool = False,
) -> str:
    """A figure in the measure's unit, as the scorecard prints it; a target keeps no decimals
    when it is whole; ``short`` drops "per 100,000" from a rate (for labels on the chart, whose
    axis names the unit)."""
    if value is None:
        return ""
    decimals = int(row["decimals"])
    if target and float(value).is_integer():
        decimals = 0
    unit = "count" if short and row["unit"] == "rate" else row["unit"]
    return format_value(value, unit, decimals, _number(row["rate_per"]))


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


def _one_measure(frame: pd.DataFrame, needed: Sequence[str], caller: str) -> pd.DataFrame:
    """The rows of one measure, checked, with a fresh index."""
    missing = [name for name in needed if name not in frame.columns]
    if missing:
        raise ValueError(
            f"{caller} needs the engine's columns (perfnb.performance); missing: "
            + ", ".join(missing)
        )
    if frame.empty:
        raise ValueError(f"{caller} needs at least one row")
    ids = pd.unique(frame["measure_id"])
    if len(ids) != 1:
        raise ValueError(
            f"{caller} draws one measure, but the rows hold {len(ids)}: "
            + ", ".join(map(str, ids[:5]))
        )
    order = [(p.end, p.start) for p in map(parse_period, frame["period"])]
    return frame.iloc[sorted(range(len(frame)), key=order.__getitem__)].reset_index(drop=True)


def _collapse_repeats(rows: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """One row per figure: consecutive reports showing the same period's figure (an annual
    survey in quarterly reports, a quarter in monthly ones) keep only the latest report's row.
    Also returns the position of each report period's figure among the rows kept."""
    periods = rows["value_period"].where(rows["value_period"] != "", rows["period"])
    keep = periods != periods.shift(-1)
    position = keep.shift(1, fill_value=False).cumsum()
    slots = {str(p): int(i) for p, i in zip(rows["period"], position, strict=True)}
    return rows.assign(value_period=periods)[keep].reset_index(drop=True), slots


def _value_axis(ax: Axes, unit: str, rate_per: float | None, largest: float) -> None:
    """The value axis: its unit, at most six round steps (1, 2 or 5 times a power of ten;
    whole numbers for counts and days), thousands with commas."""
    ax.set_ylabel(unit_label(unit, rate_per))
    ax.yaxis.set_major_locator(
        MaxNLocator(nbins=5, steps=[1, 2, 5, 10], integer=unit in ("count", "days"))
    )
    if largest >= 1000:
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    else:
        ax.ticklabel_format(axis="y", useOffset=False, style="plain")


def _titles(ax: Axes, title: str, subtitle: str) -> None:
    """The title (wrapped) above the plot, and under it a subtitle in plain weight."""
    subtitle = _wrap(subtitle, _SUBTITLE_WIDTH)
    ax.set_title(_wrap(title, _TITLE_WIDTH), pad=10 + 14 * (subtitle.count("\n") + 1))
    ax.annotate(
        subtitle,
        xy=(0, 1),
        xycoords="axes fraction",
        xytext=(0, 6),
        textcoords="offset points",
        ha="left",
        va="bottom",
        color="#333333",
        annotation_clip=False,
        gid="subtitle",
    )


def _legend(ax: Axes, handles: list[Any]) -> None:
    """The legend under the plot and its axis label (laid out by constrained layout, however
    many lines the period labels take), so labels at the plot's right edge never cover it."""
    if handles:
        ax.figure.legend(
            handles=handles,
            loc="outside lower center",
            ncol=min(len(handles), 4),
        )


def _rag_handle(rating: str) -> Line2D:
    style = rag_style(rating)
    return Line2D(
        [],
        [],
        linestyle="none",
        marker=style.marker,
        markerfacecolor=style.fill,
        markeredgecolor=style.edge,
        markeredgewidth=1.2,
        label=_RAG_LEGEND.get(style.label, style.label),
    )


class _RagPoint(TypedDict):
    """What :func:`_rag_points` reads of a chart's point."""

    x: int
    value: float | None
    status: str
    rag: str


class _TrendPoint(_RagPoint):
    """A point of :func:`trend_chart` (its model's ``points``)."""

    period: str
    report_period: str
    value_text: str
    face: str | None
    edge: str | None
    marker: str | None
    target: float | None
    band: tuple[float | None, float | None]
    last_year: float | None
    last_year_status: str
    note: str


class _CumulativePoint(_RagPoint):
    """A point of :func:`cumulative_chart` (its model's ``points``, less ``row``)."""

    period: str
    tick: str
    value_text: str
    target: float | None
    face: str | None
    edge: str | None
    marker: str | None
    row: int


def _rag_points(ax: Axes, points: Sequence[_RagPoint]) -> None:
    """One marker per valued point, shape and colours from its rating (palette); a figure that
    is not final hollow, in its rating's shape and edge colour (gid ``rag-amber-not-final``)."""
    for rating in RAG_STYLES:
        for hollow in (False, True):
            mine = [
                p
                for p in points
                if p["rag"] == rating and p["value"] is not None and bool(p["status"]) == hollow
            ]
            if not mine:
                continue
            style = rag_style(rating)
            ax.plot(
                [p["x"] for p in mine],
                cast("list[float]", [p["value"] for p in mine]),  # valued points only
                linestyle="none",
                marker=style.marker,
                markersize=9,
                markerfacecolor=NOT_FINAL_FACE if hollow else style.fill,
                markeredgecolor=style.edge,
                markeredgewidth=1.8 if hollow else 1.2,
                zorder=4,
                label=_RAG_LEGEND[rating],
                gid=f"rag-{slugify(rating)}" + ("-not-final" if hollow else ""),
            )


def _figure_status(row: pd.Series | dict[str, Any], column: str = "status") -> str:
    """A figure's status when it is not final (``provisional``...), '' when it is final or the
    rows have no such column."""
    status = row.get(column, "")
    return str(status).strip().lower() if status_marker(status) else ""


def _status_handles(statuses: Sequence[str]) -> list[Line2D]:
    """The legend's key: a hollow point for each status of the chart that is not final, with
    the key's words (``[p] provisional``)."""
    return [
        Line2D(
            [],
            [],
            linestyle="none",
            marker="o",
            markerfacecolor=NOT_FINAL_FACE,
            markeredgecolor="#333333",
            markeredgewidth=1.8,
            label=status_key([status]),
        )
        for status in STATUS_MARKERS
        if status in set(statuses)
    ]


def _marked_tick(tick: str, status: str) -> str:
    """A period's tick with its figure's marker on its first line: ``Q1 [p]`` over ``2017/18``."""
    marker = status_marker(status)
    if not marker:
        return tick
    first, newline, rest = tick.partition("\n")
    return f"{first} {marker}{newline}{rest}"


def _measures(count: int) -> str:
    return f"{count} measure" if count == 1 else f"{count} measures"


def _rated(rating: str) -> str:
    return "not rated" if rating == "N/A" else f"rated {rating}"


def _rating(value: object) -> str:
    return rag_style("" if _isnan(value) else str(value)).label


# -- trend ------------------------------------------------------------------------------------
_TREND_COLUMNS = (
    "measure_id",
    "name",
    "unit",
    "rate_per",
    "polarity",
    "aggregation",
    "decimals",
    "period",
    "value_period",
    "value",
    "value_basis",
    "note",
    "target",
    "band_low",
    "band_high",
    "variance_pp",
    "variance_pct",
    "rag",
    "last_year_value",
)


# aggregations whose figure is a year to date that starts again each financial year
_RESETS = ("sum", "ytd")


def trend_chart(history: pd.DataFrame, annotations: pd.DataFrame | None = None) -> Chart:
    """One measure's figures over recent report periods (the engine's rows, in period order):
    points marked by RAG, its target or band, last year dashed, the latest figure labelled.

    Values are in the measure's unit. Consecutive reports that show the same period's figure
    are drawn once, at that period. A period with no figure keeps its place, marked "Pending".
    A year to date (``sum`` and ``ytd`` measures) starts again each April, so each financial
    year's figures are a line of their own. ``annotations`` rows (``measure_id, period,
    text``) of this measure are drawn as a dotted line with their text at their period; those
    at periods outside the chart are left out.
    """
    rows, slots = _collapse_repeats(_one_measure(history, _TREND_COLUMNS, "trend_chart"))
    latest = rows.iloc[-1]
    measure_id, name = str(latest["measure_id"]), str(latest["name"])
    unit, polarity = str(latest["unit"]), str(latest["polarity"])
    rate_per = _number(latest["rate_per"])
    labels = [str(p) for p in rows["value_period"]]
    n = len(rows)

    points: list[_TrendPoint] = []
    for i, row in rows.iterrows():
        value = _number(row["value"])
        rating = _rating(row["rag"])
        style = rag_style(rating)
        drawn = value is not None
        status = _figure_status(row) if drawn else ""
        last_year_value = _number(row["last_year_value"])
        points.append(
            {
                "x": int(i),
                "period": labels[int(i)],
                "report_period": str(row["period"]),
                "value": value,
                "value_text": with_marker(_format(value, row), status),
                "status": status,
                "rag": rating,
                "face": (NOT_FINAL_FACE if status else style.fill) if drawn else None,
                "edge": style.edge if drawn else None,
                "marker": style.marker if drawn else None,
                "target": _number(row["target"]),
                "band": (_number(row["band_low"]), _number(row["band_high"])),
                "last_year": last_year_value,
                "last_year_status": _figure_status(row, "last_year_status")
                if last_year_value is not None
                else "",
                "note": "" if _isnan(row["note"]) else str(row["note"]),
            }
        )
    valued = [p for p in points if p["value"] is not None]
    latest_point = valued[-1] if valued else None
    statuses = [p["status"] for p in points] + [p["last_year_status"] for p in points]

    basis = str(latest["value_basis"]) if not _isnan(latest["value_basis"]) else ""
    # a running year to date (a sum, or a ytd figure: a collection rate) starts again each April
    resets = str(latest["aggregation"]) in _RESETS and basis == "year to date"
    subtitle_parts = [POLARITY_TEXT.get(polarity, polarity)]
    if basis in _BASIS_NOTE:
        subtitle_parts.append(_BASIS_NOTE[basis])
    subtitle = f"{measure_id}. " + ". ".join(subtitle_parts) + "."

    with house_style():
        fig = Figure()
        ax = fig.add_subplot()
        handles: list[Any] = []

        xs: Sequence[float]
        # the runs hold only the points with a band (both ends) or a target
        band_runs = _runs([p["x"] for p in points if None not in p["band"]])
        for run in band_runs:
            xs, lows = _steps(run, cast("list[float]", [points[i]["band"][0] for i in run]))
            _, highs = _steps(run, cast("list[float]", [points[i]["band"][1] for i in run]))
            ax.fill_between(xs, lows, highs, color="C3", linewidth=0, zorder=1, gid="band")
        if band_runs:
            handles.append(Patch(facecolor="C3", label="Target band"))

        target_runs = _runs([p["x"] for p in points if p["target"] is not None])
        for run in target_runs:
            xs, ys = _steps(run, cast("list[float]", [points[i]["target"] for i in run]))
            ax.plot(xs, ys, color="C1", linewidth=1.6, zorder=2, gid="target")
        if target_runs:
            handles.append(Line2D([], [], color="C1", linewidth=1.6, label="Target"))

        last_year = [p["last_year"] for p in points]
        # Q4's year to date is not joined to the next Q1's: each year's line stands alone
        years = [parse_period(p["period"]).fy for p in points] if resets else [0] * n
        if any(v is not None for v in last_year):
            for k, (xs, ys) in enumerate(_lines(last_year, years)):
                ax.plot(
                    xs,
                    ys,
                    color="C2",
                    linestyle=(0, (4, 2.5)),
                    linewidth=1.6,
                    marker="o",
                    markersize=3,
                    zorder=2,
                    gid=f"last-year-{k}",
                )
            handles.append(
                Line2D(
                    [],
                    [],
                    color="C2",
                    linestyle=(0, (4, 2.5)),
                    linewidth=1.6,
                    marker="o",
                    markersize=3,
                    label="Same period last year",
                )
            )
            hollow = [p for p in points if p["last_year_status"]]
            if hollow:  # last year's figures that are not final, hollow on the dashed line
                ax.plot(
                    [p["x"] for p in hollow],
                    # only a figure has a status: each of these has last year's figure
                    cast("list[float]", [p["last_year"] for p in hollow]),
                    linestyle="none",
                    marker="o",
                    markersize=5,
                    markerfacecolor=NOT_FINAL_FACE,
                    markeredgecolor="C2",
                    markeredgewidth=1.4,
                    zorder=3,
                    gid="last-year-not-final",
                )

        lines = [line for line in _lines([p["value"] for p in points], years) if len(line[0]) > 1]
        for k, (xs, ys) in enumerate(lines):
            ax.plot(xs, ys, color="C0", linewidth=2.2, zorder=3, gid=f"figure-{k}")
        if lines:
            handles.append(
                Line2D([], [], color="C0", linewidth=2.2, label=_BASIS_LINE.get(basis, "Figure"))
            )
        if valued:
            _rag_points(ax, points)
            drawn_ratings = [r for r in RAG_STYLES if any(p["rag"] == r for p in valued)]
            handles.extend(_rag_handle(r) for r in drawn_ratings)
        handles.extend(_status_handles(statuses))

        # a period with no figure keeps its place on the axis, its tick saying why (when the
        # axis has room: a crowded axis is turned and thinned, the latest period always named)
        ticks = [_marked_tick(_two_line_tick(p["period"]), p["status"]) for p in points]
        crowded = n * max(len(line) for tick in ticks for line in tick.split("\n")) > 64
        pending_texts = []
        for p in points:
            if p["value"] is None:
                words = "Pending" if p["rag"] == "Pending" else "No figure"
                if p["note"] and len(p["note"]) <= 18 and not p["note"].startswith("No figure"):
                    words += f": {p['note']}"
                if not crowded:
                    ticks[p["x"]] += f"\n({words})"
                pending_texts.append({"x": p["x"], "period": p["period"], "text": words})
        step = math.ceil(n / 16)
        shown = [x for x in range(n) if (n - 1 - x) % step == 0]
        ax.set_xticks(shown, [ticks[x] for x in shown])
        if crowded:
            ax.tick_params(axis="x", labelrotation=40)
            for tick in ax.get_xticklabels():
                tick.set_horizontalalignment("right")
                tick.set_rotation_mode("anchor")
        plotted = [
            abs(v)
            for p in points
            for v in (p["value"], p["target"], p["last_year"], *p["band"])
            if v is not None
        ]
        _value_axis(ax, unit, rate_per, max(plotted, default=0.0))
        ax.set_xlabel("Period")
        _titles(ax, name, subtitle)

        # the latest figure, its rating and variance, written beside its point
        label_text = ""
        right = n - 0.5
        if latest_point is not None:
            row = rows.iloc[latest_point["x"]]
            figure = with_marker(
                _format(latest_point["value"], row, short=True), latest_point["status"]
            )
            label_text = f"{figure} ({latest_point['rag']})"
            variance = variance_text(row)
            if latest_point["band"][0] is not None and latest_point["band"][1] is not None:
                inside = not variance or variance.lstrip("+-").split()[0].rstrip("%") == "0"
                label_text += "\nwithin band" if inside else f"\n{variance} outside band"
            elif variance:
                label_text += f"\n{variance} vs target"
            at_end = latest_point["x"] == n - 1
            ax.annotate(
                label_text,
                xy=(latest_point["x"], latest_point["value"]),
                xytext=(11, 0) if at_end else (0, 12),
                textcoords="offset points",
                ha="left" if at_end else "center",
                va="center" if at_end else "bottom",
                fontsize="medium",
                fontweight="bold",
                bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": "none", "alpha": 0.9},
                zorder=6,
                gid="latest-label",
            )
            if at_end:
                right = n - 0.5 + 1.6  # room for the label
        ax.set_xlim(-0.5, right)

        drawn_notes, ignored = _annotations(ax, annotations, measure_id, slots, labels)

        _legend(ax, handles)

    alt = _trend_alt(name, measure_id, polarity, basis, points, rows, drawn_notes)
    if status_key_line(statuses):
        alt += f" {status_key_line(statuses)}"
    model = {
        "kind": "trend",
        "measure_id": measure_id,
        "name": name,
        "unit": unit,
        "polarity": polarity,
        "periods": labels,
        "points": points,
        "target": [p["target"] for p in points],
        "band": [p["band"] for p in points],
        "last_year": last_year,
        "latest_label": label_text,
        "ticks": ticks,
        "key": status_key(statuses),
        "pending": pending_texts,
        "annotations": drawn_notes,
        "annotations_ignored": ignored,
        "y_label": unit_label(unit, rate_per),
        "subtitle": subtitle,
        "legend": [h.get_label() for h in handles],
    }
    return Chart(f"trend-{slugify(measure_id)}", name, alt, fig, model)


def _lines(values: list[float | None], years: list[int]) -> list[tuple[list[int], list[float]]]:
    """The runs of consecutive values, split at a blank and where the year changes."""
    out: list[tuple[list[int], list[float]]] = []
    for x, value in enumerate(values):
        if value is None:
            continue
        if out and out[-1][0][-1] == x - 1 and years[x] == years[x - 1]:
            out[-1][0].append(x)
            out[-1][1].append(value)
        else:
            out.append(([x], [value]))
    return out


def _runs(xs: list[int]) -> list[list[int]]:
    """Consecutive positions grouped: [0, 1, 3] gives [[0, 1], [3]]."""
    runs: list[list[int]] = []
    for x in xs:
        if runs and runs[-1][-1] == x - 1:
            runs[-1].append(x)
        else:
            runs.append([x])
    return runs


def _steps(xs: list[int], ys: list[float]) -> tuple[list[float], list[float]]:
    """A step line across each period's slot (half a slot either side of its tick)."""
    out_x: list[float] = []
    out_y: list[float] = []
    for x, y in zip(xs, ys, strict=True):
        out_x += [x - 0.5, x + 0.5]
        out_y += [y, y]
    return out_x, out_y


def _annotations(
    ax: Axes,
    annotations: pd.DataFrame | None,
    measure_id: str,
    slots: dict[str, int],
    labels: list[str],
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Draws this measure's annotations at their periods; returns those drawn and ignored."""
    if annotations is None or annotations.empty:
        return [], []
    missing = [name for name in ANNOTATION_COLUMNS if name not in annotations.columns]
    if missing:
        raise ValueError(f"annotations need the columns {', '.join(ANNOTATION_COLUMNS)}")
    mine = annotations[annotations["measure_id"].astype(str) == measure_id]
    mine = mine[~mine["text"].isna() & (mine["text"].astype(str).str.strip() != "")]
    # a report period, or the period of the figure it showed, finds its place on the axis
    slot = {**slots, **{label: i for i, label in enumerate(labels)}}
    drawn: dict[int, list[str]] = {}
    ignored = []
    for period, text in zip(
        _period_labels(mine["period"].astype(str), "annotations"),
        mine["text"].astype(str).str.strip(),
        strict=True,
    ):
        if period in slot:
            drawn.setdefault(slot[period], []).append(text)
        else:
            ignored.append({"period": period, "text": text})
    across = blended_transform_factory(ax.transData, ax.transAxes)
    if drawn:  # headroom above the figures for the notes' text
        low, high = ax.get_ylim()
        ax.set_ylim(low, high + (high - low) * 0.22 * min(len(drawn), 3))
    out = []
    for k, (x, texts) in enumerate(sorted(drawn.items())):
        text = "; ".join(texts)
        ax.axvline(x, color="C5", linestyle=":", linewidth=1.3, zorder=1, gid=f"annotation-{k}")
        left_side = x > 0 and x >= len(labels) / 2
        ax.text(
            x - 0.06 if left_side else x + 0.06,
            0.97 - 0.16 * (k % 3),
            _wrap(text, 24),
            transform=across,
            ha="right" if left_side else "left",
            va="top",
            fontsize="small",
            fontstyle="italic",
            color="#222222",
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85},
            zorder=5,
        )
        out.append({"x": x, "period": labels[x], "text": text})
    return out, ignored


def _trend_alt(
    name: str,
    measure_id: str,
    polarity: str,
    basis: str,
    points: list[_TrendPoint],
    rows: pd.DataFrame,
    notes: list[dict[str, Any]],
) -> str:
    """The screen-reader description: the latest figure, target, variance and rating first."""
    first, last = points[0]["period"], points[-1]["period"]
    span = first if first == last else f"{first} to {last}"
    sentences = [f"Line chart: {name} ({measure_id}), {span}."]
    sentences.append(f"{POLARITY_TEXT.get(polarity, polarity)}.")
    if basis in _BASIS_NOTE:
        sentences.append(f"{_BASIS_NOTE[basis]}.")
    valued = [p for p in points if p["value"] is not None]
    if valued:
        p = valued[-1]
        row = rows.iloc[p["x"]]
        text = f"Latest, {p['period']}: {p['value_text']}"
        low, high = p["band"]
        if low is not None and high is not None:
            text += f" against a target band of {_format(low, row, True)} to "
            text += f"{_format(high, row, True)}"
        elif p["target"] is not None:
            text += f" against a target of {_format(p['target'], row, True)}"
        variance = variance_text(row)
        if variance:
            text += f" (variance {variance})"
        sentences.append(f"{text}, {_rated(p['rag'])}.")
        if p["last_year"] is not None:
            last_year = with_marker(_format(p["last_year"], row), p["last_year_status"])
            sentences.append(f"Same period last year: {last_year}.")
    if points[-1]["value"] is None:
        note = f" ({points[-1]['note']})" if points[-1]["note"] else ""
        sentences.append(f"{points[-1]['period']}: no figure yet{note}.")
    earlier = valued[:-1]
    if earlier:
        sentences.append(
            "Earlier: "
            + "; ".join(f"{p['period']} {p['value_text']} ({p['rag']})" for p in earlier)
            + "."
        )
    for annotation in notes:
        sentences.append(f"Note at {annotation['period']}: {annotation['text']}.")
    return " ".join(sentences)


# -- cumulative year to date ------------------------------------------------------------------
_CUMULATIVE_COLUMNS = (
    "measure_id",
    "name",
    "unit",
    "rate_per",
    "polarity",
    "aggregation",
    "decimals",
    "period",
    "value_period",
    "ytd_value",
    "target",
    "annual_target",
    "rag",
    "rag_on",
    "forecast",
    "forecast_method",
)


def is_running_total(aggregation: object, unit: object) -> bool:
    """True for a measure whose year to date is a running total through the year, which
    :func:`cumulative_chart` draws: a ``sum`` measure, or a ``ytd`` measure of counts or money
    (docs/method.md section 3). A ytd percentage (a collection rate) is not one."""
    return aggregation == "sum" or (aggregation == "ytd" and unit in _ADDITIVE_UNITS)


_ADDITIVE_UNITS = ("count", "currency")


def cumulative_chart(year: pd.DataFrame) -> Chart:
    """A running total's year to date against its target to date over one financial year (the
    engine's rows for each quarter or month, in order), with the annual target and the
    year-end forecast projected from the latest figure. Values are in the measure's unit.

    The year to date is the engine's ``ytd_value``: a sum measure's figures added up, a ``ytd``
    measure's figure as given (it is the year to date already, so nothing is added). The
    target to date is the year's profiled to each period, or the period's own target
    (``target_basis`` ``period``: the line is then "Target to date"). Rows after the latest
    figure have a blank ``ytd_value``. For a measure rated on its forecast (``rag_on =
    forecast``) the engine does not profile the target, so only the annual target is drawn,
    and the rating is the forecast's: it is printed beside the forecast, and the year-to-date
    points are not coloured by it. Raises ValueError for a measure that is not a running total
    (:func:`is_running_total`).
    """
    rows = _one_measure(year, _CUMULATIVE_COLUMNS, "cumulative_chart")
    first = rows.iloc[0]
    measure_id, name = str(first["measure_id"]), str(first["name"])
    if not is_running_total(str(first["aggregation"]), str(first["unit"])):
        unit = f" of {first['unit']}" if first["aggregation"] == "ytd" else ""
        raise ValueError(
            f"cumulative_chart draws a running total's year to date (a sum measure, or a ytd "
            f"measure of counts or money); {measure_id} has aggregation "
            f"{first['aggregation']!r}{unit}, whose figures are not a running total through the "
            "year (use trend_chart)"
        )
    rows, _ = _collapse_repeats(rows)
    periods = [parse_period(p) for p in rows["value_period"]]
    years = sorted({p.fy for p in periods})
    if len(years) != 1:
        raise ValueError(
            "cumulative_chart draws one financial year, but the rows span "
            + ", ".join(Period("year", y).label for y in years)
        )
    fy = Period("year", years[0])
    unit, polarity = str(first["unit"]), str(first["polarity"])
    rate_per = _number(first["rate_per"])
    profiled = str(rows["rag_on"].iloc[-1]) != "forecast"
    # targets.csv's own targets for periods are set, not profiled from the year's
    set_targets = "target_basis" in rows and bool((rows["target_basis"] == "period").any())

    points: list[_CumulativePoint] = []
    for i, (period, row) in enumerate(zip(periods, rows.to_dict("records"), strict=True)):
        value = _number(row["ytd_value"])
        rating = _rating(row["rag"])
        style = rag_style(rating)
        status = _figure_status(row) if value is not None else ""
        points.append(
            {
                "x": period.last_fy_month,  # months of the financial year elapsed
                "period": period.label,
                "tick": _marked_tick(_tick(period), status),
                "value": value,
                "value_text": with_marker(_format(value, row), status),
                "status": status,
                "target": _number(row["target"]) if profiled else None,
                "rag": rating,
                "face": (NOT_FINAL_FACE if status else style.fill) if value is not None else None,
                "edge": style.edge if value is not None else None,
                "marker": style.marker if value is not None else None,
                "row": i,
            }
        )
    valued = [p for p in points if p["value"] is not None]
    statuses = [p["status"] for p in points]
    annual = next(
        (v for v in (_number(x) for x in rows["annual_target"][::-1]) if v is not None), None
    )
    latest = valued[-1] if valued else None
    forecast = method = None
    if latest is not None:
        row = rows.iloc[latest["row"]]
        forecast = _number(row["forecast"])
        method = str(row["forecast_method"]) if forecast is not None else None
    # a measure rated on its forecast: the rating belongs to the forecast, not the points
    forecast_rag = latest["rag"] if latest is not None and not profiled else ""

    verdict = _verdict(forecast, annual, polarity, first)
    fmethod = f" ({method})" if method else ""
    subtitle_parts = []
    if forecast is not None:
        subtitle_parts.append(f"Year-end forecast {_format(forecast, first)}{fmethod}{verdict}")
    subtitle_parts.append(POLARITY_TEXT.get(polarity, polarity))
    subtitle = ". ".join(subtitle_parts) + "."
    title = f"{name}: year to date against target, {fy.label}"

    with house_style():
        fig = Figure()
        ax = fig.add_subplot()
        handles: list[Any] = []
        latest_label = ""
        targets = [p for p in points if p["target"] is not None]
        if targets:
            ax.plot(
                [0] + [p["x"] for p in targets],
                [0.0] + [p["target"] for p in targets],
                color="C1",
                linewidth=1.6,
                zorder=2,
                gid="profiled-target",
            )
            handles.append(
                Line2D(
                    [],
                    [],
                    color="C1",
                    linewidth=1.6,
                    label="Target to date" if set_targets else "Target profiled to date",
                )
            )
        if annual is not None:
            ax.hlines(
                annual, 0, 12, color="C1", linestyles=":", linewidth=1.4, zorder=2, gid="annual"
            )
            ax.annotate(
                f"Annual target {_format(annual, first, True, short=True)}",
                xy=(0, annual),
                xytext=(4, 4),
                textcoords="offset points",
                ha="left",
                va="bottom",
                fontsize="small",
                gid="annual-label",
            )
        if valued:
            assert latest is not None and latest["value"] is not None  # valued[-1]
            ax.plot(
                [0] + [p["x"] for p in valued],
                cast("list[float]", [0.0] + [p["value"] for p in valued]),
                color="C0",
                linewidth=2.2,
                zorder=3,
                gid="ytd",
            )
            handles.append(Line2D([], [], color="C0", linewidth=2.2, label="Year to date"))
            latest_label = with_marker(
                _format(latest["value"], first, short=True), latest["status"]
            )
            if profiled:
                _rag_points(ax, valued)
                drawn = [r for r in RAG_STYLES if any(p["rag"] == r for p in valued)]
                handles.extend(_rag_handle(r) for r in drawn)
                latest_label += f" ({latest['rag']})"
            else:
                for hollow in (False, True):
                    mine = [p for p in valued if bool(p["status"]) == hollow]
                    if not mine:
                        continue
                    ax.plot(
                        [p["x"] for p in mine],
                        cast("list[float]", [p["value"] for p in mine]),
                        linestyle="none",
                        marker="o",
                        markersize=6,
                        color="C0",
                        markerfacecolor=NOT_FINAL_FACE if hollow else "C0",
                        markeredgewidth=1.6 if hollow else 1.0,
                        zorder=4,
                        gid="ytd-points-not-final" if hollow else "ytd-points",
                    )
            if latest["target"] is not None:
                latest_label += f"\ntarget {_format(latest['target'], first, True, short=True)}"
            below = latest["target"] is not None and latest["value"] < latest["target"]
            ax.annotate(  # on the side away from the target line
                latest_label,
                xy=(latest["x"], latest["value"]),
                xytext=(8, -8) if below else (-8, 8),
                textcoords="offset points",
                ha="left" if below else "right",
                va="top" if below else "bottom",
                fontweight="bold",
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.9},
                zorder=6,
                gid="latest-label",
            )
        forecast_label = ""
        if forecast is not None and latest is not None and latest["x"] < 12:
            ax.plot(
                [latest["x"], 12],
                cast("list[float]", [latest["value"], forecast]),  # latest is valued[-1]
                color="C4",
                linestyle=(0, (5, 3)),
                linewidth=1.8,
                marker="o",
                markevery=[1],
                markerfacecolor="white",
                markersize=7,
                zorder=3,
                gid="forecast",
            )
            handles.append(
                Line2D(
                    [],
                    [],
                    color="C4",
                    linestyle=(0, (5, 3)),
                    linewidth=1.8,
                    marker="o",
                    markerfacecolor="white",
                    label=f"Forecast{fmethod}",
                )
            )
            forecast_label = f"Forecast\n{_format(forecast, first, short=True)}"
            if forecast_rag:
                forecast_label += f" ({forecast_rag})"
            ax.annotate(
                forecast_label,
                xy=(12, forecast),
                xytext=(8, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontweight="bold",
                zorder=6,
                gid="forecast-label",
            )
        ax.set_xlim(0, 12 + (2.0 if forecast_label else 0.5))
        ax.set_ylim(bottom=0)
        ticks = [(0, "Start")] + [(p["x"], p["tick"]) for p in points]
        ax.set_xticks([t for t, _ in ticks], [label for _, label in ticks])
        kinds = {p.kind for p in periods}
        what = "Quarter" if kinds == {"quarter"} else "Month" if kinds == {"month"} else "Period"
        ax.set_xlabel(f"{what} of {fy.label} (cumulative to its end)")
        largest = max(
            [abs(v) for v in (annual, forecast) if v is not None]
            + [abs(cast(float, p["value"])) for p in valued]
            + [abs(cast(float, p["target"])) for p in targets],
            default=0.0,
        )
        _value_axis(ax, unit, rate_per, largest)
        _titles(ax, title, subtitle)
        handles.extend(_status_handles(statuses))
        _legend(ax, handles)

    alt = _cumulative_alt(
        name,
        measure_id,
        fy,
        latest,
        annual,
        forecast,
        method,
        verdict,
        first,
        profiled,
        set_targets,
    )
    if status_key_line(statuses):
        alt += f" {status_key_line(statuses)}"
    model = {
        "kind": "cumulative",
        "measure_id": measure_id,
        "name": name,
        "year": fy.label,
        "unit": unit,
        "polarity": polarity,
        "points": [{k: v for k, v in p.items() if k != "row"} for p in points],
        "ytd": [(0, 0.0)] + [(p["x"], p["value"]) for p in valued],
        "profiled_target": [(0, 0.0)] + [(p["x"], p["target"]) for p in targets] if targets else [],
        "annual_target": annual,
        "forecast": forecast,
        "forecast_method": method,
        "forecast_line": [(latest["x"], latest["value"]), (12, forecast)]
        if forecast_label and latest
        else [],
        "forecast_label": forecast_label,
        "latest_label": latest_label,
        "key": status_key(statuses),
        "subtitle": subtitle,
        "y_label": unit_label(unit, rate_per),
        "legend": [h.get_label() for h in handles],
    }
    name_slug = f"cumulative-{slugify(measure_id)}-{fy.slug.lower()}"
    return Chart(name_slug, title, alt, fig, model)


def _two_line_tick(label: str) -> str:
    """A period on two short lines, so eight quarters fit side by side: ``Q1`` over
    ``2017/18``, ``Apr`` over ``2017``; a year stays ``2017/18``."""
    period = parse_period(label)
    if period.kind == "quarter":
        return f"Q{period.index}\n{period.year_label}"
    if period.kind == "month":
        return f"{period.start:%b}\n{period.start.year}"
    return period.label


def _tick(period: Period) -> str:
    if period.kind == "quarter":
        return f"Q{period.index}"
    if period.kind == "month":
        return f"{period.start:%b}"
    return "Year"


def _verdict(forecast: float | None, annual: float | None, polarity: str, record: pd.Series) -> str:
    """How the forecast stands against the annual target, in words (`, 3,730 below ...`)."""
    if forecast is None or annual is None:
        return ""
    gap = forecast - annual
    target = _format(annual, record, True)
    if gap == 0:
        return f", on the annual target of {target}"
    side = "above" if gap > 0 else "below"
    meets = {"high": gap > 0, "low": gap < 0}.get(polarity)
    outcome = "" if meets is None else (": on course to meet it" if meets else ": set to miss it")
    return f", {_format(abs(gap), record)} {side} the annual target of {target}{outcome}"


def _cumulative_alt(
    name: str,
    measure_id: str,
    fy: Period,
    latest: _CumulativePoint | None,
    annual: float | None,
    forecast: float | None,
    method: str | None,
    verdict: str,
    record: pd.Series,
    profiled: bool = True,
    set_targets: bool = False,
) -> str:
    sentences = [f"Line chart: {name} ({measure_id}), year to date against target, {fy.label}."]
    if latest is None:
        sentences.append("No figure for the year yet.")
    else:
        text = f"At {latest['period']} the year to date is {latest['value_text']}"
        if latest["target"] is not None:
            kind = "target to date" if set_targets else "profiled target"
            text += f" against a {kind} of {_format(latest['target'], record, True)}"
        sentences.append(f"{text}, {_rated(latest['rag'])}." if profiled else f"{text}.")
    if annual is not None:
        sentences.append(f"Annual target {_format(annual, record, True)}.")
    else:
        sentences.append("No annual target.")
    if forecast is not None:
        how = f" ({method})" if method else ""
        rated = f", {_rated(latest['rag'])}" if latest is not None and not profiled else ""
        sentences.append(f"Year-end forecast {_format(forecast, record)}{how}{verdict}{rated}.")
    return " ".join(sentences)


# -- RAG summary ------------------------------------------------------------------------------
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
        fig.legend(loc="outside lower center", ncols=len(shown))

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


# -- action plans -----------------------------------------------------------------------------
_ACTION_CHART_COLUMNS = ("action_id", "pct_complete", "expected_pct", "rag", "period")


def action_progress_chart(progress: pd.DataFrame) -> Chart:
    """Each action's % complete (a bar in its rating's colour and hatching) against the %
    expected by the period end (a black tick), from ``perfnb.action_progress``; actions with
    neither a % complete nor an expected % (and cancelled ones) are left out."""
    missing = [c for c in _ACTION_CHART_COLUMNS if c not in progress.columns]
    if missing:
        raise ValueError(
            "action_progress_chart needs perfnb.action_progress's columns; missing: "
            + ", ".join(missing)
        )
    shown = progress[
        (progress["pct_complete"].notna() | progress["expected_pct"].notna())
        & progress["rag"].ne("Cancelled")
    ]
    if shown.empty:
        raise ValueError("action_progress_chart needs an action with a % complete or expected %")
    periods = list(pd.unique(progress["period"]))
    if len(periods) != 1:
        raise ValueError(
            f"action_progress_chart shows one report period, but the rows hold {len(periods)}"
        )
    period = str(periods[0])
    services = list(pd.unique(progress["service"])) if "service" in progress.columns else []
    prefix = f"{services[0]}: " if len(services) == 1 else ""
    title = f"{prefix}% complete against expected progress, {period}"
    rows = shown.to_dict("records")
    labels = [str(r["action_id"]) for r in rows]
    drawn_ratings = [r for r in ACTION_STYLES if any(row["rag"] == r for row in rows)]

    bars = []
    with house_style():
        width, _ = matplotlib.rcParams["figure.figsize"]
        fig = Figure(figsize=(width, max(2.8, 1.8 + 0.3 * len(rows))))
        ax = fig.add_subplot()
        y = list(range(len(rows)))
        for i, row in enumerate(rows):
            style = ACTION_STYLES.get(str(row["rag"]), ACTION_STYLES["On track"])
            done = None if _isnan(row["pct_complete"]) else float(row["pct_complete"])
            expected = None if _isnan(row["expected_pct"]) else float(row["expected_pct"])
            if done is not None:
                (bar,) = ax.barh(
                    i,
                    done,
                    height=0.62,
                    color=style.fill,
                    edgecolor=style.edge,
                    linewidth=0.8,
                    hatch=style.hatch or None,
                    gid=f"bar-{slugify(labels[i])}",
                    zorder=2,
                )
                bar.set_hatchcolor(style.text)
            if expected is not None:
                ax.plot(
                    [expected, expected],
                    [i - 0.42, i + 0.42],
                    color="#111111",
                    linewidth=2.2,
                    solid_capstyle="butt",
                    zorder=3,
                    gid=f"expected-{slugify(labels[i])}",
                )
            if done is None:
                started = str(row.get("status")).lower() != "not started"
                text = "no % given" if started else "not started"
            else:
                text = f"{done:g}%"
            # the figure just past its bar, or past the tick when the tick would cover it
            at = done or 0
            if expected is not None and at <= expected <= at + 8:
                at = expected
            ax.text(
                at + 1.5,
                i,
                text,
                ha="left",
                va="center",
                color="#333333",
            )
            bars.append(
                {
                    "action_id": labels[i],
                    "pct_complete": done,
                    "expected_pct": expected,
                    "rag": str(row["rag"]),
                    "face": style.fill,
                    "hatch": style.hatch,
                }
            )
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        ax.set_xlim(0, 112)
        ax.set_xticks(range(0, 101, 20))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}%"))
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel("Per cent complete")
        _titles(
            ax,
            title,
            "Bars: % complete reported by the lead officer, in the colour of the action's "
            "rating. Black tick: % expected by the period end if the work ran evenly from start "
            "to deadline.",
        )
        handles: list[Any] = [
            Patch(
                facecolor=ACTION_STYLES[r].fill,
                edgecolor=ACTION_STYLES[r].edge,
                hatch=ACTION_STYLES[r].hatch or None,
                label=r,
            )
            for r in drawn_ratings
        ]
        handles.append(Line2D([], [], color="#111111", linewidth=2.2, label="Expected"))
        _legend(ax, handles)
        for patch in fig.legends[0].get_patches():
            patch.set_hatchcolor("#111111")

    described = []
    for bar in bars:
        done_text = (
            "no % complete given"
            if bar["pct_complete"] is None
            else (f"{bar['pct_complete']:g}% complete")
        )
        expected_text = (
            f", {bar['expected_pct']:g}% expected" if bar["expected_pct"] is not None else ""
        )
        described.append(f"{bar['action_id']} {done_text}{expected_text} ({bar['rag']})")
    alt = f"Bar chart: {title}. " + "; ".join(described) + "."
    model = {"kind": "action_progress", "period": period, "bars": bars}
    slug = "-".join(slugify(s) for s in [*([services[0]] if prefix else []), period])
    return Chart(f"action-progress-{slug}", title, alt, fig, model)


# -- statistical process control ----------------------------------------------------------------
def _icon(fig: Figure, x: float, colour: str, letter: str, words: str, gid: str) -> None:
    """A round icon with its letter (the shape MDC's icons take, drawn here), words under it."""
    ax = fig.add_axes((x, 0.80, 0.07, 0.13), gid=gid)
    ax.set_aspect("equal")
    ax.set_xlim(-1.2, 1.2)
    ax.set_ylim(-1.2, 1.2)
    ax.axis("off")
    ax.add_patch(Circle((0, 0), 1, facecolor="white", edgecolor=colour, lw=3))
    ax.text(0, 0, letter, ha="center", va="center", fontsize=14, fontweight="bold", color=colour)
    fig.text(x + 0.035, 0.785, _wrap(words, 13), ha="center", va="top", fontsize=7.5)


def spc_chart(
    result: pd.DataFrame,
    title: str,
    *,
    unit: str = "count",
    decimals: int = 0,
    rate_per: float | None = None,
    target: float | None = None,
    summary: pd.DataFrame | None = None,
    name: str | None = None,
) -> Chart:
    """An XmR chart in the Making Data Count style from :func:`perfnb.spc.xmr` (with periods):
    the values joined in grey, each point coloured and shaped by its type, the mean solid, the
    process limits dashed (each rebase group its own), the target in red, and the variation and
    assurance icons drawn at the top right (from :func:`perfnb.spc.summarise`). When ``result``
    has a ``status`` column, a figure that is not final is drawn hollow, its tick marked."""
    if "period" not in result.columns:
        raise ValueError("spc_chart needs the periods: pass periods to perfnb.spc.xmr")
    rows = result.reset_index(drop=True)
    summary = summarise(rows, target) if summary is None else summary
    latest = summary.iloc[-1] if len(summary) else None
    labels = [str(p) for p in rows["period"]]
    valued = rows["point_type"] != "missing"
    statuses = [
        _figure_status(row) if shown else ""
        for row, shown in zip(rows.to_dict("records"), valued, strict=True)
    ]
    try:
        ticks = [
            _marked_tick(_two_line_tick(p), status)
            for p, status in zip(labels, statuses, strict=True)
        ]
    except ValueError:
        ticks = labels
    x = np.arange(len(rows))
    hollow = pd.Series([bool(status) for status in statuses], index=rows.index)
    largest = float(np.nanmax(np.abs(rows[["value", "upl"]].to_numpy(dtype=float))))
    variation = str(latest["variation"]) if latest is not None else "common_cause"
    assurance = latest["assurance"] if latest is not None else None
    trial = bool(rows["trial_limits"].any())
    with house_style():
        width, _ = matplotlib.rcParams["figure.figsize"]
        fig = Figure(figsize=(width, 4.2))
        ax = fig.add_subplot()
        ax.plot(
            x[valued], rows.loc[valued, "value"], color="#7B7D7D", lw=1.4, zorder=2, gid="values"
        )
        for group, members in rows.groupby("rebase_group", sort=True):
            span = [members.index.min() - 0.4, members.index.max() + 0.4]
            first = members.iloc[0]
            ax.plot(span, [first["mean"]] * 2, color="#000000", lw=1.2, gid=f"mean-{group}")
            for name in ("lpl", "upl"):
                ax.plot(
                    span,
                    [first[name]] * 2,
                    color="#7B7D7D",
                    lw=1.2,
                    linestyle=(0, (5, 3)),
                    gid=f"{name}-{group}",
                )
        if target is not None and not _isnan(target):
            ax.axhline(target, color=SPC_TARGET_COLOUR, lw=1.6, gid="target", zorder=1)
        handles: list[Any] = []
        for kind, (colour, marker, words) in SPC_STYLES.items():
            mine = valued & (rows["point_type"] == kind)
            if not mine.any():
                continue
            for open_face in (False, True):
                these = mine & (hollow == open_face)
                if not these.any():
                    continue
                ax.plot(
                    x[these],
                    rows.loc[these, "value"],
                    linestyle="none",
                    marker=marker,
                    markersize=6.5,
                    markerfacecolor=NOT_FINAL_FACE if open_face else colour,
                    markeredgecolor="#333333" if kind == "common_cause" else colour,
                    markeredgewidth=1.4 if open_face else 0.6,
                    zorder=4,
                    gid=f"points-{kind}" + ("-not-final" if open_face else ""),
                )
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker=marker,
                    markerfacecolor=colour,
                    markeredgecolor=colour,
                    label=words,
                )
            )
        handles.append(Line2D([], [], color="#000000", lw=1.2, label="Mean"))
        handles.append(
            Line2D([], [], color="#7B7D7D", lw=1.2, linestyle=(0, (5, 3)), label="Process limits")
        )
        if target is not None and not _isnan(target):
            handles.append(Line2D([], [], color=SPC_TARGET_COLOUR, lw=1.6, label="Target"))
        handles.extend(_status_handles(statuses))
        step = max(1, len(x) // 12)
        ax.set_xticks(x[::step], [ticks[i] for i in x[::step]])
        ax.set_xlim(-0.8, len(x) - 0.2)
        _value_axis(ax, unit, rate_per, largest)
        note = "Trial limits: fewer than 13 points. " if trial else ""
        _titles(
            ax,
            title,
            f"{note}XmR chart: points outside the dashed process limits, or in a run, trend or "
            "2-of-3 pattern, are special cause; the rest is common cause variation.",
        )
        # the house style lays figures out with constrained layout
        cast(ConstrainedLayoutEngine, fig.get_layout_engine()).set(rect=(0, 0, 0.80, 1))
        colour, letter, words = SPC_VARIATION_ICONS[variation]
        _icon(fig, 0.81, colour, letter, words, "icon-variation")
        if assurance:
            colour, letter, words = SPC_ASSURANCE_ICONS[str(assurance)]
            _icon(fig, 0.905, colour, letter, words, "icon-assurance")
        ax.figure.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 4))

    def say(value: float) -> str:
        return format_value(value, unit, decimals + 1, rate_per)

    special = rows[valued & (rows["point_type"] != "common_cause")]
    points = "; ".join(
        f"{period}: {kind.replace('_', ' ')} ({rule})"
        for period, kind, rule in zip(
            special["period"], special["point_type"], special["special_cause_type"], strict=True
        )
    )
    first = rows.iloc[-1]
    alt = (
        f"SPC chart: {title}. {int(valued.sum())} points from {labels[0]} to {labels[-1]}; mean "
        f"{say(first['mean'])}, process limits {say(first['lpl'])} to {say(first['upl'])}. "
        f"Variation: {SPC_VARIATION_ICONS[variation][2].lower()}."
        + (f" Assurance: {SPC_ASSURANCE_ICONS[str(assurance)][2].lower()}." if assurance else "")
        + (f" Special cause: {points}." if points else " No special cause.")
        + (f" {status_key_line(statuses)}" if status_key_line(statuses) else "")
    )
    model = {
        "kind": "spc",
        "periods": labels,
        "values": [None if _isnan(v) else float(v) for v in rows["value"]],
        "point_types": list(rows["point_type"]),
        "variation": variation,
        "assurance": assurance,
        "target": target,
        "trial_limits": trial,
        "statuses": statuses,
        "key": status_key(statuses),
    }
    return Chart(name or f"spc-{slugify(title)[:60]}", title, alt, fig, model)
