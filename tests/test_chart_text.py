"""Every chart of the sample's reports is legible: each piece of text lies inside the figure
and clear of every other piece of text. And the value axis rule, with hand-worked numbers.

The reports are those ``make report`` builds (four periods), their charts built through the
report models exactly as the notebooks ask for them (``notebooks/*.ipynb``): a measures
report's ``rag_summary_chart`` and each measure's ``measure_charts``, an action plan's
``progress_chart``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text
from matplotlib.transforms import Bbox

import perfnb.charts.style
from conftest import SAMPLE
from perfnb import ServiceReport, load_dataset
from perfnb.action_summaries import services_with_actions
from perfnb.charts import PRINT_DPI, STYLE_PATH, Chart, house_style, value_limits
from perfnb.pages.action_plan import ActionReport
from perfnb.periods import parse_period
from perfnb.scorecard import build_scorecard, services_with_figures

# the periods `make report` builds
PERIODS = ["2017/18 Q1", "2012/13 Q2", "2009/10 Q2", "2003-10"]
TOLERANCE = 1.0  # pixels: anti-aliasing, rounding


@pytest.fixture(scope="module")
def sample():
    return load_dataset(SAMPLE)


def report_charts(data, text: str) -> Iterator[Chart]:
    """Every chart of every report ``perfnb run --period text`` publishes."""
    period = parse_period(text)
    for service in services_with_figures(build_scorecard(data, period)):
        report = ServiceReport.build(data, text, service)
        yield report.rag_summary_chart()
        for measure_id in report.card["measure_id"]:
            yield from report.measure_charts(measure_id)
    for service in services_with_actions(data.actions, data.action_updates, period):
        shown = ActionReport.build(data, text, service).progress_chart()
        if isinstance(shown, Chart):
            yield shown


def _drawn_tick_labels(axis: Axis) -> tuple[list[Text], set[int]]:
    """The tick labels drawn (ticks inside the view), and the ids of every tick label."""
    low, high = sorted(axis.get_view_interval())
    every: set[int] = set()
    drawn = []
    for ticks, locs in (
        (axis.get_major_ticks(), axis.get_majorticklocs()),
        (axis.get_minor_ticks(), axis.get_minorticklocs()),
    ):
        for tick, loc in zip(ticks, locs, strict=False):
            labels = (tick.label1, tick.label2)
            every |= {id(label) for label in labels}
            span = (high - low) * 1e-9
            if low - span <= loc <= high + span:
                drawn += [label for label in labels if label.get_visible()]
    return drawn, every


def visible_texts(chart: Chart) -> list[tuple[str, Bbox]]:
    """Each piece of text the chart draws, with its extent in pixels, once laid out."""
    figure = chart.figure
    FigureCanvasAgg(figure)
    # drawn as the report's PNG is: at 300 dots per inch
    figure.set_dpi(PRINT_DPI)
    with house_style():
        figure.draw_without_rendering()
        renderer = figure.canvas.get_renderer()
        texts: list[Text] = []
        tick_labels: set[int] = set()
        for ax in figure.axes:
            for axis in (ax.xaxis, ax.yaxis):
                drawn, every = _drawn_tick_labels(axis)
                texts += drawn
                tick_labels |= every
        for text in figure.findobj(Text):
            if id(text) not in tick_labels and text.get_visible():
                texts.append(text)
        out = []
        for text in texts:
            if not text.get_text().strip() or (text.axes and not text.axes.get_visible()):
                continue
            out.append((text.get_text(), text.get_window_extent(renderer)))
    return out


def text_problems(chart: Chart) -> list[str]:
    """Text cut by the figure's edge, and text over other text."""
    texts = visible_texts(chart)
    width, height = chart.figure.bbox.width, chart.figure.bbox.height
    problems = []
    for words, box in texts:
        if (
            box.x0 < -TOLERANCE
            or box.y0 < -TOLERANCE
            or box.x1 > width + TOLERANCE
            or box.y1 > height + TOLERANCE
        ):
            problems.append(f"{chart.name}: {words!r} is cut by the figure's edge ({box.bounds})")
    for i, (words, box) in enumerate(texts):
        for other, other_box in texts[i + 1 :]:
            across = min(box.x1, other_box.x1) - max(box.x0, other_box.x0)
            up = min(box.y1, other_box.y1) - max(box.y0, other_box.y0)
            if across > TOLERANCE and up > TOLERANCE:
                problems.append(f"{chart.name}: {words!r} overlaps {other!r}")
    return problems


@pytest.fixture(params=["house font", "DejaVu Sans"])
def font(request, monkeypatch, tmp_path: Path) -> str:
    """The house style's font (Arial or its metric twin Liberation Sans), or the wider DejaVu
    Sans that matplotlib falls back to on a machine with neither: text must fit in both."""
    if request.param != "house font":
        style = tmp_path / "perfnb.mplstyle"
        text = STYLE_PATH.read_text(encoding="utf-8")
        style.write_text(
            re.sub(r"(?m)^font\.sans-serif:.*$", "font.sans-serif: DejaVu Sans", text),
            encoding="utf-8",
        )
        monkeypatch.setattr(perfnb.charts.style, "STYLE_PATH", style)
    return str(request.param)


@pytest.mark.parametrize("period", PERIODS)
def test_every_chart_keeps_its_text_inside_and_apart(sample, period: str, font: str) -> None:
    """No title runs off the figure, no caption sits on another, in any report's chart."""
    problems = []
    names = []
    for chart in report_charts(sample, period):
        names.append(chart.name)
        problems += text_problems(chart)
        chart.close()
    assert problems == []
    # the periods' reports have charts, except Herefordshire's new plan (no % complete yet)
    assert bool(names) == (period != "2003-10")


def test_the_check_finds_a_clipped_title_and_overlapping_text() -> None:
    """The check itself: text past the right edge, and two texts on one spot, are found."""
    from matplotlib.figure import Figure

    with house_style():
        figure = Figure(figsize=(4, 2))
        ax = figure.add_subplot()
        ax.set_title("A title far too long to fit on a figure only four inches wide at all")
        ax.text(0.5, 0.5, "here", transform=ax.transAxes)
        ax.text(0.5, 0.5, "there", transform=ax.transAxes)
    problems = text_problems(Chart("check", "check", "check", figure))
    assert any("is cut by the figure's edge" in p for p in problems)
    assert any("'here' overlaps 'there'" in p for p in problems)


# -- the value axis rule ----------------------------------------------------------------------
def test_percent_axis_spans_ten_points_and_includes_the_target() -> None:
    """Figures 70.1 to 71.9 against a target of 72: 70.1..72 is 1.9 points, widened to 10
    about its centre 71.05, so 66.05 to 76.05."""
    bottom, top = value_limits([70.1, 71.9], "percent", target=72)
    assert top - bottom == pytest.approx(10)
    assert bottom <= 70.1 and top >= 72
    assert (bottom, top) == (pytest.approx(66.05), pytest.approx(76.05))


def test_percent_axis_of_a_small_change_is_not_a_collapse() -> None:
    """63.8 to 63.5 (0.3 points, no target): the axis spans 10 points, 58.65 to 68.65, so the
    fall fills 3% of its height."""
    bottom, top = value_limits([63.8, 63.5], "percent")
    assert (bottom, top) == (pytest.approx(58.65), pytest.approx(68.65))
    assert 0.3 / (top - bottom) == pytest.approx(0.03)


def test_percent_axis_is_clamped_to_0_and_100_where_the_data_allow() -> None:
    """97 to 99 against 98: 10 points about 98 would reach 103, so the window moves down to 90
    to 100; 1 to 3 would go below 0, so 0 to 10. Figures over 100% keep their room."""
    assert value_limits([97, 99], "percent", target=98) == (90, 100)
    assert value_limits([1, 3], "percent") == (0, 10)
    bottom, top = value_limits([99, 102], "percent")
    assert top >= 102 and top - bottom == pytest.approx(10)


def test_percent_axis_wider_than_ten_points_is_padded() -> None:
    """85 to 95 (10 points) is padded by a twentieth of its span each side: 84.5 to 95.5."""
    assert value_limits([85, 95], "percent") == (pytest.approx(84.5), pytest.approx(95.5))


def test_other_units_span_a_tenth_of_their_largest_value() -> None:
    """41,000 to 43,100 visits: a tenth of 43,100 is 4,310, wider than the padded 40,895 to
    43,205, so 39,895 to 44,205 (4,310 about the centre 42,050). 0 to 2 padded by 0.1 would
    go below zero: a count's axis stops at 0."""
    bottom, top = value_limits([41_000, 43_100], "count")
    assert (bottom, top) == (pytest.approx(39_895), pytest.approx(44_205))
    assert value_limits([0, 2], "count", target=1) == (0, pytest.approx(2.1))
    assert value_limits([], "count") == (0, 1)


# -- what has a chart --------------------------------------------------------------------------
def test_has_trend_needs_three_figures(sample) -> None:
    """2017/18 Q1's trends: ASCOF-1I2 (carers' social contact, a survey every other year) has
    figures for 2014/15 and 2016/17 only, a comparison; LALS-SUCCESS has 2014/15, 2015/16 and
    2016/17, a trend; Help Direct contacts' quarters count as their own figures (six)."""
    from perfnb.charts import has_trend

    report = ServiceReport.build(sample, "2017/18 Q1", "Adult Social Care")
    history = report.history
    assert not has_trend(history[history["measure_id"] == "ASCOF-1I2"])
    assert has_trend(history[history["measure_id"] == "ASCOF-2D"])
    wellbeing = ServiceReport.build(sample, "2017/18 Q1", "Communities and Wellbeing")
    lals = wellbeing.history[wellbeing.history["measure_id"] == "LALS-SUCCESS"]
    assert lals["value"].notna().sum() == 3 and has_trend(lals)
    assert not has_trend(lals.iloc[:0])
    help_direct = ServiceReport.build(sample, "2012/13 Q2", "Help Direct").history
    assert has_trend(help_direct[help_direct["measure_id"] == "HD-CONTACTS"])


def test_action_bars_are_labelled_by_code_and_short_title(sample) -> None:
    """COR-HSC-AP-29 "To implement issues arising from the JSNA, based on ...": its leading "To"
    dropped and cut at a word boundary within 32 characters, "Implement issues arising
    from…" (30)."""
    chart = ActionReport.build(sample, "2009/10 Q2", "Health and Social Care").progress_chart()
    assert isinstance(chart, Chart)
    bars = {bar["action_id"]: bar["label"] for bar in chart.model["bars"]}
    assert bars["COR-HSC-AP-29"] == "COR-HSC-AP-29 Implement issues arising from…"
    ticks = [t.get_text() for t in chart.figure.axes[0].get_yticklabels()]
    assert ticks[0] == "COR-HSC-AP-29 Implement issues arising from…"
    chart.close()
