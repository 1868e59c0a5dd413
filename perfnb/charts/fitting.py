"""Text that fits: wrapping measured in the font the chart is drawn in (never a count of
characters, which a wider fallback font overruns), and a layout that, once constrained layout
has placed the axes, re-wraps any title or subtitle still running past the figure's edge and
legends as many columns as fit.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any

from matplotlib import rcParams
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.text import Text

__all__ = [
    "FittingLayout",
    "fitted",
    "legend_columns",
    "shorten",
    "text_width",
    "wrap_to_width",
]

_POINTS = RendererAgg(1, 1, 72)  # measures in points (72 to the inch)
_SUBTITLE_LINE = 14  # points per subtitle line in the title's pad (10 pt text, 1.2 spacing)


def text_width(text: str, font: FontProperties, renderer: Any = None) -> float:
    """The width of ``text``'s widest line in ``font``: in points, or in ``renderer``'s
    pixels."""
    measure = renderer or _POINTS
    return max(
        (
            measure.get_text_width_height_descent(line, font, ismath=False)[0]
            for line in text.split("\n")
        ),
        default=0.0,
    )


def wrap_to_width(text: str, width: float, font: FontProperties, renderer: Any = None) -> str:
    """``text`` wrapped at spaces so that each line is at most ``width`` wide in ``font``
    (points, or ``renderer``'s pixels); a single word wider than that keeps a line of its own.
    Line breaks already in the text are kept."""
    out = []
    for paragraph in str(text).split("\n"):
        line = ""
        for word in paragraph.split():
            trial = f"{line} {word}" if line else word
            if line and text_width(trial, font, renderer) > width:
                out.append(line)
                line = word
            else:
                line = trial
        out.append(line)
    return "\n".join(out)


def shorten(text: str, length: int) -> str:
    """``text`` cut at a word boundary to at most ``length`` characters, "…" marking a cut."""
    text = " ".join(str(text).split())
    if len(text) <= length:
        return text
    return textwrap.shorten(text, length, placeholder="…")


@dataclass
class _Titles:
    ax: Axes
    title: Text
    subtitle: Text | None
    sources: tuple[str, str]
    base_pad: float
    lines: int = field(default=1)


class FittingLayout(ConstrainedLayoutEngine):
    """Constrained layout (the house style's), then the chart's titles and subtitles re-wrapped
    to the room right of where they start, until nothing runs past the figure's edge (or of
    its layout rectangle, ``rect``); laid out again when anything changed."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._titles: list[_Titles] = []

    def add_titles(
        self, ax: Axes, title: Text, subtitle: Text | None, sources: tuple[str, str], pad: float
    ) -> None:
        """Keeps ``title`` and ``subtitle`` (drawn from ``sources``) inside the figure."""
        lines = subtitle.get_text().count("\n") + 1 if subtitle is not None else 0
        self._titles.append(_Titles(ax, title, subtitle, sources, pad, lines))

    def execute(self, fig: Any) -> Any:
        result = super().execute(fig)
        for _ in range(6):
            if not self._fit(fig):
                break
            result = super().execute(fig)
        return result

    def _fit(self, fig: Figure) -> bool:
        """Re-wraps what runs past the right edge; True when anything changed."""
        renderer = fig._get_renderer()  # type: ignore[attr-defined]
        left, _, width, _ = self.get()["rect"]
        gap = self.get()["w_pad"] * fig.dpi
        right = fig.bbox.x0 + fig.bbox.width * (left + width) - gap
        changed = False
        for titles in self._titles:
            for text, source in (
                (titles.title, titles.sources[0]),
                (titles.subtitle, titles.sources[1]),
            ):
                if text is None:
                    continue
                box = text.get_window_extent(renderer)
                if box.x1 <= right + 0.5:
                    continue
                room = right - box.x0
                wrapped = wrap_to_width(source, room, text.get_fontproperties(), renderer)
                if wrapped != text.get_text():
                    text.set_text(wrapped)
                    changed = True
            if titles.subtitle is not None:
                lines = titles.subtitle.get_text().count("\n") + 1
                if lines != titles.lines:
                    titles.lines = lines
                    titles.ax.set_title(
                        titles.title.get_text(),
                        loc="left",
                        pad=titles.base_pad + _SUBTITLE_LINE * lines,
                    )
        return changed


def legend_columns(labels: list[str], width: float, most: int = 4) -> int:
    """How many columns (at most ``most``) a legend of ``labels`` under the plot can have and
    still fit in ``width`` points, measured in the legend's font with the house style's
    spacing (matplotlib fills a legend column by column)."""
    font = FontProperties(size=rcParams["legend.fontsize"])
    em = font.get_size_in_points()
    handle = (rcParams["legend.handlelength"] + rcParams["legend.handletextpad"]) * em
    spacing = rcParams["legend.columnspacing"] * em
    sizes = [text_width(label, font) for label in labels]
    for columns in range(min(most, len(labels)), 1, -1):
        rows, large = divmod(len(labels), columns)  # as matplotlib fills them
        widest, start = [], 0
        for column in range(columns):
            end = start + rows + (column < large)
            widest.append(max(sizes[start:end], default=0.0))
            start = end
        needed = sum(widest) + len(widest) * handle + (len(widest) - 1) * spacing
        if needed + 2 * rcParams["legend.borderpad"] * em <= width:
            return columns
    return 1


def fitted(fig: Figure) -> FittingLayout:
    """The figure's fitting layout, put in place of its constrained layout (same settings)."""
    engine = fig.get_layout_engine()
    if isinstance(engine, FittingLayout):
        return engine
    params = engine.get() if isinstance(engine, ConstrainedLayoutEngine) else {}
    layout = FittingLayout(**params)
    fig.set_layout_engine(layout)
    return layout
