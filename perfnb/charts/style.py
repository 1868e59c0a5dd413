"""The charts' house style (``perfnb/styles/perfnb.mplstyle``) and the :class:`Chart` object:
a figure with its title, alt text and model, drawn to SVG (the page's and the published file),
and to a 300 dpi PNG for Word only when asked.
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import matplotlib.style
import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from PIL import Image

from perfnb.charts.svg import compact_svg, svg_data_uri
from perfnb.exhibits import Exhibit, display_bundle, print_images
from perfnb.files import write_into
from perfnb.palette import ACTION_STYLES, RAG_STYLES

__all__ = ["EMBED_DPI", "PRINT_DPI", "STYLE_PATH", "Chart", "house_style"]

STYLE_PATH = Path(__file__).resolve().parent.parent / "styles" / "perfnb.mplstyle"
PRINT_DPI = 300  # dots per inch of the saved PNG (for Word)
EMBED_DPI = 120  # the page shows a chart at this many pixels to its inch (900 x 432)
# the page embeds a chart's SVG; one whose address is longer than this (a hatching of dots
# is 100 KB of SVG) is compared with the PNG at EMBED_DPI (25-50 KB), and the shorter kept
SVG_WITHOUT_COMPARING = 24_000
# what matplotlib would write into the SVG besides the drawing: none of it (the same chart
# gives the same bytes, on any day and with any matplotlib)
_NO_METADATA: dict[str, Any] = {"Date": None, "Creator": None, "Format": None, "Type": None}

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
    _svg: bytes | None = field(default=None, init=False, repr=False)
    # what a finished chart keeps of its drawings: page HTML and PNG bytes by dpi
    _html: dict[float, str] = field(default_factory=dict, init=False, repr=False)
    _pngs: dict[float, bytes] = field(default_factory=dict, init=False, repr=False)
    _finished: bool = field(default=False, init=False, repr=False)

    def __post_init__(self) -> None:
        if not _SAFE_NAME.fullmatch(self.name) or ".." in self.name:
            raise ValueError(
                f"chart name {self.name!r} is not a safe file name: use letters, digits, '-', "
                "'_' and '.'"
            )

    def png(self, dpi: float = PRINT_DPI) -> bytes:
        """The chart as PNG bytes at ``dpi`` dots per inch (pixels = inches x dpi)."""
        if dpi in self._pngs:
            return self._pngs[dpi]
        image = self._raster(PRINT_DPI) if dpi == PRINT_DPI else self._raster(dpi)
        buffer = io.BytesIO()
        # level 3: a fifth more bytes than 6, in two thirds of the time (these are for Word)
        image.save(buffer, "png", dpi=(dpi, dpi), compress_level=3)
        return buffer.getvalue()

    def svg(self) -> bytes:
        """The chart as compact SVG bytes (``perfnb.charts.svg``), its text kept as text
        (searchable, screen-readable); drawn once, and the first drawing lays the chart out."""
        if self._svg is None:
            self._drawable()
            buffer = io.BytesIO()
            self._draw(buffer, format="svg", metadata=_NO_METADATA)
            self._svg = compact_svg(buffer.getvalue().decode("utf-8")).encode("utf-8")
        return self._svg

    def exhibit(self, png: bool | None = None) -> Exhibit:
        """The files a report publishes for the chart: ``<name>.svg``, and ``<name>.png`` (300
        dpi, for Word) when ``png`` (default: when the run asks for it, ``PERFNB_CHART_PNG``)."""
        svg = self.svg()  # first: the layout is the SVG's, whether a PNG is asked for or not
        if not (print_images() if png is None else png):
            return Exhibit("charts", {f"{self.name}.svg": svg})
        return Exhibit("charts", {f"{self.name}.png": self.png(PRINT_DPI), f"{self.name}.svg": svg})

    def save(self, folder: str | Path) -> list[Path]:
        """Writes ``<name>.png`` (300 dpi) and ``<name>.svg`` into ``folder`` (created if need
        be), each through a temporary file so none is ever half-written; returns the paths."""
        return write_into(folder, self.exhibit(png=True).files)

    def to_html(self, dpi: float = EMBED_DPI) -> str:
        """A ``<figure>`` with the chart as an image of ``dpi`` pixels to its inch (width and
        height), its alt text and its title as the figure's caption, both HTML-escaped. The
        image is the chart's SVG, or the PNG at ``dpi`` where that is smaller (a hatching of
        dots). The caption is for screen readers only: the title is drawn on the chart itself.
        The figure's ``data-chart`` is the chart's name, the stem of its published files (for a
        renderer, Word's, that embeds the 300 dpi PNG instead)."""
        if dpi in self._html:
            return self._html[dpi]
        inches = self.figure.get_size_inches()
        width, height = round(inches[0] * dpi), round(inches[1] * dpi)
        source = svg_data_uri(self.svg().decode("utf-8"))
        if len(source) > SVG_WITHOUT_COMPARING:
            png = f"data:image/png;base64,{self._page_png(width, height)}"
            source = png if len(png) < len(source) else source
        return (
            f'<figure class="perfnb-chart" data-chart="{html.escape(self.name)}">'
            f'<img src="{source}" alt="{html.escape(self.alt)}" '
            f'width="{width}" height="{height}" style="max-width: 100%; height: auto;">'
            f'<figcaption style="{_SCREEN_READER_ONLY}">{html.escape(self.title)}</figcaption>'
            "</figure>"
        )

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, Any]:
        """What a notebook shows for the chart (and nbconvert exports): :meth:`to_html`, with
        its files for ``perfnb run`` to publish."""
        return display_bundle(self.to_html(), [self])

    def _repr_html_(self) -> str:
        """What a notebook shows for the chart (and nbconvert exports): :meth:`to_html`."""
        return self.to_html()

    def close(self) -> None:
        """Releases the figure's artists; the chart cannot be drawn afterwards."""
        self.figure.clear()
        self._rasters.clear()
        self._svg = None
        self._html.clear()
        self._pngs.clear()
        self._closed = True

    def finish(self) -> Chart:
        """Draws what a report asks of the chart (its SVG, its page image, and its 300 dpi PNG
        when the run publishes them) and releases the figure and its rasters, keeping the
        files: a report of a thousand measures holds a thousand charts' files (a few MB), not
        their figures and 300 dpi rasters (gigabytes). Returns the chart."""
        if not self._finished:
            self._html[EMBED_DPI] = self.to_html()
            if print_images():
                self._pngs[PRINT_DPI] = self.png(PRINT_DPI)
            # a new empty figure of the same size: the drawn one goes, with its canvas's
            # renderer (a 300 dpi buffer outside Python's own memory)
            self.figure.clear()
            width, height = self.figure.get_size_inches()
            self.figure = Figure(figsize=(float(width), float(height)))
            self._rasters.clear()
            self._finished = True
        return self

    def _drawable(self) -> None:
        """Raises ``ValueError`` when the figure is gone: closed, or finished and asked for
        something it did not keep."""
        if self._closed:
            raise ValueError(f"chart {self.name!r} was closed and cannot be drawn")
        if self._finished:
            raise ValueError(
                f"chart {self.name!r} was finished: only its SVG, its page image at "
                f"{EMBED_DPI} dpi and what the run publishes were kept"
            )

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

    def _page_png(self, width: int, height: int) -> str:
        """The chart as a PNG of ``width`` by ``height`` pixels in at most 256 colours, in
        base64: scaled down from the print raster (smoother than drawing it small)."""
        full = self._raster(PRINT_DPI)
        # reduced by a whole factor first (a box filter), then Lanczos: a third of the time
        small = full.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=1.0)
        return base64.b64encode(_compact_png(small)).decode("ascii")

    def _raster(self, dpi: float) -> Image.Image:
        """The chart drawn at ``dpi`` as an RGB image, drawn once per resolution."""
        if dpi not in self._rasters:
            self._drawable()
        if not self._laid_out:
            self.svg()  # the layout is always the SVG's: the PNG matches the page's chart
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
