"""Report charts: what each chart draws (points, colours, markers, lines, labels, alt text),
checked against figures worked out by hand from the sample data and tiny data sets."""

from __future__ import annotations

import base64
import html
import io
import math
import re
import urllib.parse
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex, to_rgba
from PIL import Image

from conftest import SAMPLE
from perfnb import load_dataset, performance
from perfnb.charts import (
    PRINT_DPI,
    STYLE_PATH,
    Chart,
    cumulative_chart,
    house_style,
    rag_summary_chart,
    spc_chart,
    trend_chart,
    unit_label,
)
from perfnb.history import trend_history, year_to_date_history
from perfnb.palette import RAG_STYLES
from perfnb.periods import parse_period

WINDOW = ["2016/17 Q2", "2016/17 Q3", "2016/17 Q4", "2017/18 Q1"]
HELP_DIRECT_YEAR = ["2012/13 Q1", "2012/13 Q2", "2012/13 Q3", "2012/13 Q4"]


@pytest.fixture(scope="module")
def sample():
    return load_dataset(SAMPLE)


@pytest.fixture(scope="module")
def window(sample) -> pd.DataFrame:
    return performance(sample, WINDOW, services=["Adult Social Care", "Communities and Wellbeing"])


@pytest.fixture(scope="module")
def help_direct(sample) -> pd.DataFrame:
    card = performance(sample, HELP_DIRECT_YEAR, services=["Help Direct"])
    return card[card["measure_id"] == "HD-CONTACTS"]


def rows(card: pd.DataFrame, measure_id: str) -> pd.DataFrame:
    return card[card["measure_id"] == measure_id]


def artist(ax, gid: str):
    """The one line, collection or text of the axes with this gid."""
    found = [a for a in ax.get_children() if a.get_gid() == gid]
    assert len(found) == 1, f"{gid}: {len(found)} artists"
    return found[0]


def xy(line) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in line.get_xydata()]


# -- trend ------------------------------------------------------------------------------------
def test_trend_points_targets_and_last_year(window) -> None:
    """ASCOF 2D: four quarters, the last Amber (77.4% against 80%, seed 004), the earlier three
    not rated (no 2016/17 target); last year's figures are the quarters a year before."""
    chart = trend_chart(rows(window, "ASCOF-2D"))
    ax = chart.figure.axes[0]
    assert chart.name == "trend-ascof-2d"
    assert chart.model["periods"] == WINDOW
    assert [p["value"] for p in chart.model["points"]] == [79.8, 80.1, 80.2, 77.4]
    assert [p["rag"] for p in chart.model["points"]] == ["N/A", "N/A", "N/A", "Amber"]

    amber, na = RAG_STYLES["Amber"], RAG_STYLES["N/A"]
    last = chart.model["points"][-1]
    assert (last["face"], last["edge"], last["marker"]) == (amber.fill, amber.edge, "D")
    drawn = artist(ax, "rag-amber")
    assert xy(drawn) == [(3.0, 77.4)]
    assert drawn.get_marker() == "D"
    assert to_hex(drawn.get_markerfacecolor()) == amber.fill.lower()
    assert to_hex(drawn.get_markeredgecolor()) == amber.edge.lower()
    # 2016/17 Q2 and Q3 are the sample's made-up figures (illustrative): hollow N/A squares in
    # N/A's edge colour; 2016/17 Q4 is seed 004's outturn, filled
    assert artist(ax, "rag-n-a").get_marker() == na.marker
    assert xy(artist(ax, "rag-n-a")) == [(2.0, 80.2)]
    hollow = artist(ax, "rag-n-a-not-final")
    assert xy(hollow) == [(0.0, 79.8), (1.0, 80.1)]
    assert (hollow.get_marker(), to_hex(hollow.get_markerfacecolor())) == (na.marker, "#ffffff")
    assert to_hex(hollow.get_markeredgecolor()) == na.edge.lower()
    # last year's figures (2015/16 Q2 to 2016/17 Q1) are all made up: hollow on the dashed line
    assert xy(artist(ax, "last-year-not-final")) == [(0, 79.1), (1, 79.6), (2, 80.0), (3, 79.4)]

    # the target is 2017/18's only: a step across Q1's slot
    assert xy(artist(ax, "target")) == [(2.5, 80.0), (3.5, 80.0)]
    # 2015/16 Q2-Q4 and 2016/17 Q1 in values.csv, dashed
    last_year = artist(ax, "last-year-0")
    assert xy(last_year) == [(0, 79.1), (1, 79.6), (2, 80.0), (3, 79.4)]
    assert last_year.get_linestyle() == "--"
    # each quarter on two lines, so eight fit side by side; a made-up figure's marked
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "Q2 [i]\n2016/17",
        "Q3 [i]\n2016/17",
        "Q4\n2016/17",
        "Q1\n2017/18",
    ]

    # the label: the figure and variance as the scorecard prints them (docs/method.md section 4)
    assert chart.model["latest_label"] == "77.4% (Amber)\n-2.6 pts vs target"
    label = artist(ax, "latest-label")
    assert label.get_text() == chart.model["latest_label"]
    assert label.xy == (3, 77.4)

    assert ax.get_ylabel() == "Per cent"
    assert chart.model["subtitle"] == "ASCOF-2D. Higher is better."
    assert artist(ax, "subtitle").get_text() == chart.model["subtitle"]
    assert ax.get_title(loc="left").replace("\n", " ") == (
        "% of people who had no need for ongoing services following reablement"
    )
    legend = [t.get_text() for t in chart.figure.legends[0].get_texts()]
    assert legend == [
        "Target",
        "Same period last year",
        "Figure",
        "Amber",
        "N/A (not rated)",
        "[i] illustrative (not published)",
    ]
    assert chart.alt.startswith(
        "Line chart: % of people who had no need for ongoing services following reablement "
        "(ASCOF-2D), 2016/17 Q2 to 2017/18 Q1. Higher is better. Latest, 2017/18 Q1: 77.4% "
        "against a target of 80% (variance -2.6 pts), rated Amber. Same period last year: "
        "79.4% [i]. Earlier: 2016/17 Q2 79.8% [i] (N/A); 2016/17 Q3 80.1% [i] (N/A); "
        "2016/17 Q4 80.2% (N/A)."
    )
    assert chart.alt.endswith(" Key: [i] illustrative (not published).")


def test_trend_red_point_uses_the_palettes_red_and_its_marker(tiny) -> None:
    """55.5% against 60% (higher better) is 4.5 points short, beyond the default 2: Red."""
    data = load_dataset(tiny())
    chart = trend_chart(rows(performance(data, "2017/18 Q1"), "M2"))
    red = RAG_STYLES["Red"]
    point = chart.model["points"][-1]
    assert (point["rag"], point["face"], point["marker"]) == ("Red", red.fill, "v")
    line = artist(chart.figure.axes[0], "rag-red")
    assert line.get_marker() == "v"
    assert to_rgba(line.get_markerfacecolor()) == to_rgba(red.fill)
    assert chart.model["latest_label"] == "55.5% (Red)\n-4.5 pts vs target"


def test_trend_band_is_shaded_between_its_edges(window) -> None:
    """'Meet Need' sequels: 10.9% against the band 5-9%, 1.9 points above it."""
    chart = trend_chart(rows(window, "SEQ-MEET"))
    ax = chart.figure.axes[0]
    band = artist(ax, "band")
    vertices = band.get_paths()[0].vertices
    assert (vertices[:, 0].min(), vertices[:, 0].max()) == (2.5, 3.5)
    assert (vertices[:, 1].min(), vertices[:, 1].max()) == (5.0, 9.0)
    assert chart.model["band"][-1] == (5.0, 9.0)
    assert chart.model["latest_label"] == "10.9% (Amber)\n+1.9 pts outside band"
    assert chart.model["subtitle"] == "SEQ-MEET. Within the band is better."
    assert "Target band" in chart.model["legend"] and "Target" not in chart.model["legend"]
    assert "against a target band of 5% to 9%" in chart.alt


def test_trend_of_a_year_to_date_draws_each_quarters_own_figure(sample) -> None:
    """Help Direct contacts (a sum, reported as the year to date): the trend draws each
    quarter's own figure, one line across the years with no fall to zero in April: 8,100 and
    9,600 in 2011/12's Q3 and Q4, then 8,017 and 17,135 - 8,017 = 9,118. The year-to-date
    targets 9,500 and 19,000 are the quarters' own 9,500 and 19,000 - 9,500 = 9,500. The
    points are not coloured by the rating, which is the year to date's (Red)."""
    quarters = ["2011/12 Q3", "2011/12 Q4", "2012/13 Q1", "2012/13 Q2"]
    card = performance(sample, quarters, services=["Help Direct"])
    chart = trend_chart(rows(card, "HD-CONTACTS"))
    ax = chart.figure.axes[0]
    assert xy(artist(ax, "figure-0")) == [(0, 8100), (1, 9600), (2, 8017), (3, 9118)]
    assert not [a for a in ax.get_children() if a.get_gid() == "figure-1"]
    assert xy(artist(ax, "own-points")) == [(2, 8017), (3, 9118)]
    assert not [a for a in ax.get_children() if str(a.get_gid()).startswith("rag-")]
    assert xy(artist(ax, "target")) == [(1.5, 9500), (2.5, 9500), (2.5, 9500), (3.5, 9500)]
    assert chart.model["latest_label"] == "9,118"
    assert chart.model["subtitle"] == (
        "HD-CONTACTS. Higher is better. Each quarter's own figure, not the year to date."
    )
    assert "Quarter's own figure" in chart.model["legend"]
    assert ax.get_ylabel() == "Count"
    assert ax.yaxis.get_major_formatter()(20000, 0) == "20,000"


# Figures councils keep as the year to date (aggregation ytd): a collection rate and a count
# reported cumulatively, over 2021/22 and two quarters of 2022/23.
YTD = {
    "measures.csv": """\
measure_id,name,service,theme,framework,unit,polarity,aggregation,frequency,decimals
NNDR,Business rates collected,Finance,Money,Local,percent,high,ytd,quarterly,1
HOMES,Homes built,Finance,Money,Local,count,high,ytd,quarterly,0
""",
    "values.csv": """\
measure_id,period,value
NNDR,2021/22 Q1,30
NNDR,2021/22 Q2,56
NNDR,2021/22 Q3,80
NNDR,2021/22 Q4,95
NNDR,2022/23 Q1,31
NNDR,2022/23 Q2,57
HOMES,2021/22 Q4,540
HOMES,2022/23 Q1,120
HOMES,2022/23 Q2,260
""",
    "targets.csv": """\
measure_id,year,period,target
NNDR,,2022/23 Q1,30.97
NNDR,,2022/23 Q2,56.52
HOMES,2022/23,,600
HOMES,,2022/23 Q2,250
""",
}
YTD_QUARTERS = [
    "2021/22 Q1",
    "2021/22 Q2",
    "2021/22 Q3",
    "2021/22 Q4",
    "2022/23 Q1",
    "2022/23 Q2",
]


@pytest.fixture
def ytd_data(tmp_path: Path):
    from conftest import write_dataset

    return load_dataset(write_dataset(tmp_path / "ytd", YTD))


def test_trend_of_a_ytd_figure_draws_each_quarters_own(ytd_data) -> None:
    """A collection rate given as the year to date (30, 56, 80 and 95% in 2021/22; 31 and 57%
    in 2022/23): the trend draws each quarter's own collection, 30, 26, 24 and 15, then 31 and
    26, as one line with no sawtooth; the targets 30.97 and 56.52 become 30.97 and 25.55."""
    chart = trend_chart(rows(performance(ytd_data, YTD_QUARTERS), "NNDR"))
    ax = chart.figure.axes[0]
    line = xy(artist(ax, "figure-0"))
    assert line == [(0, 30), (1, 26), (2, 24), (3, 15), (4, 31), (5, pytest.approx(26))]
    assert not [a for a in ax.get_children() if a.get_gid() == "figure-1"]
    target = xy(artist(ax, "target"))
    assert target == [
        (3.5, 30.97),
        (4.5, 30.97),
        (4.5, pytest.approx(25.55)),
        (5.5, pytest.approx(25.55)),
    ]
    assert chart.model["subtitle"] == (
        "NNDR. Higher is better. Each quarter's own figure, not the year to date."
    )


def test_cumulative_draws_a_ytd_count_as_given(ytd_data) -> None:
    """Homes built, reported cumulatively: the year to date is each figure as given, 120 at Q1
    and 260 at Q2 (never 120 + 260 = 380). The target to date is 600 x 3/12 = 150 at Q1
    (profiled), Q2's own 250, then 600 x 9/12 = 450 and 600; as one target is set, not
    profiled, the line is "Target to date"."""
    year = rows(year_to_date_history(ytd_data, parse_period("2022/23 Q2")), "HOMES")
    chart = cumulative_chart(year)
    ax = chart.figure.axes[0]
    assert xy(artist(ax, "ytd")) == [(0, 0), (3, 120), (6, 260)]
    assert xy(artist(ax, "profiled-target")) == [(0, 0), (3, 150), (6, 250), (9, 450), (12, 600)]
    assert "Target to date" in chart.model["legend"]
    assert "Target profiled to date" not in chart.model["legend"]
    assert "At 2022/23 Q2 the year to date is 260 against a target to date of 250" in chart.alt
    # a ytd percentage is not a running total: its chart is the trend
    with pytest.raises(ValueError, match="NNDR has aggregation 'ytd' of percent"):
        cumulative_chart(rows(year_to_date_history(ytd_data, parse_period("2022/23 Q2")), "NNDR"))


def test_trend_pending_period_keeps_its_place(window) -> None:
    """ASCOF 3D pt 1 is annual: its 2016/17 figure shows in three reports (drawn once) and
    2017/18 is pending ("Due May-18")."""
    chart = trend_chart(rows(window, "ASCOF-3D1"))
    ax = chart.figure.axes[0]
    assert chart.model["periods"] == ["2016/17", "2017/18"]
    assert [p["value"] for p in chart.model["points"]] == [70.0, None]
    assert chart.model["pending"] == [{"x": 1, "period": "2017/18", "text": "Pending: Due May-18"}]
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["2016/17", "2017/18\n(Pending: Due May-18)"]
    assert chart.model["latest_label"] == "70% (N/A)"
    # a note at a report that showed the 2016/17 figure is drawn at 2016/17
    notes = pd.DataFrame({"measure_id": ["ASCOF-3D1"], "period": ["2016/17 Q3"], "text": ["X"]})
    noted = trend_chart(rows(window, "ASCOF-3D1"), notes)
    assert noted.model["annotations"] == [{"x": 0, "period": "2016/17", "text": "X"}]
    assert "2017/18: no figure yet (Due May-18)." in chart.alt
    # a single figure is a point, not a line
    assert "Figure" not in chart.model["legend"]


def test_legend_sits_below_the_axis_label_however_tall_the_ticks(sample) -> None:
    """Help Direct's monthly report: months without a figure take three-line tick labels; the
    legend is still below the x-axis label, and both inside the figure."""
    history = trend_history(sample, parse_period("2012-10"), ["Help Direct"])
    chart = trend_chart(history[history["measure_id"] == "HD-CONTACTS"])
    figure = chart.figure
    assert any(t.get_text().count("\n") == 2 for t in figure.axes[0].get_xticklabels())
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    label = figure.axes[0].xaxis.label.get_window_extent(renderer)
    legend = figure.legends[0].get_window_extent(renderer)
    ticks = [t.get_window_extent(renderer) for t in figure.axes[0].get_xticklabels()]
    assert legend.y1 <= label.y0  # display coordinates: y grows upwards
    assert legend.y1 <= min(t.y0 for t in ticks)
    assert legend.y0 >= 0


def test_trend_annotations_at_their_period_only(window) -> None:
    """Notes for this measure inside the window are drawn at their period; others are not."""
    notes = pd.DataFrame(
        {
            "measure_id": ["ASCOF-2D", "ASCOF-2D", "ASCOF-1G"],
            "period": ["2016/17 Q3", "2015/16 Q1", "2016/17 Q3"],
            "text": ["Recovery plan started", "Before the window", "Another measure"],
        }
    )
    chart = trend_chart(rows(window, "ASCOF-2D"), notes)
    ax = chart.figure.axes[0]
    assert chart.model["annotations"] == [
        {"x": 1, "period": "2016/17 Q3", "text": "Recovery plan started"}
    ]
    assert chart.model["annotations_ignored"] == [
        {"period": "2015/16 Q1", "text": "Before the window"}
    ]
    line = artist(ax, "annotation-0")
    assert set(line.get_xdata()) == {1}
    texts = [t.get_text() for t in ax.texts]
    assert "Recovery plan started" in texts
    assert not any("window" in t or "Another" in t for t in texts)
    assert "Note at 2016/17 Q3: Recovery plan started." in chart.alt


def test_data_text_is_plain_in_the_figure_and_escaped_in_html(tiny) -> None:
    """A '$' never starts mathtext; '<script>' and '&' are escaped in HTML and in the SVG."""
    name = "Spend in $ per <script>alert(1)</script> & $x^2$"
    data = load_dataset(tiny(measures=[("Reviews on time", name)]))
    notes = pd.DataFrame({"measure_id": ["M2"], "period": ["2017/18 Q1"], "text": ["<b>$5</b>"]})
    chart = trend_chart(rows(performance(data, "2017/18 Q1"), "M2"), notes)
    ax = chart.figure.axes[0]
    assert ax.get_title(loc="left").replace("\n", " ") == name
    assert not ax.title.get_parse_math()
    assert all(not t.get_parse_math() for t in ax.texts)
    page = chart.to_html()
    assert "<script>" not in page and "<b>" not in page
    assert f">{html.escape(name)}</figcaption>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; $x^2$" in page
    assert 'alt="Line chart: Spend in $ per &lt;script&gt;' in page
    svg = chart.svg().decode("utf-8")
    ET.fromstring(svg)  # well-formed
    assert "&lt;script&gt;" in svg and "<script>" not in svg
    assert "$x^2$" in svg


# -- figures that are not final (issue 15) ---------------------------------------------------
MARKED = """\
measure_id,period,value,note,status
M1,2017/18 Q1,100,,
M1,2017/18 Q2,150,,estimated
M2,2016/17 Q4,50,,illustrative
M2,2017/18 Q1,55.5,,provisional
M3,2017/18 Q1,12,,final
"""


def test_trend_marks_figures_that_are_not_final(tiny) -> None:
    """M2: 2016/17 Q4's 50% is illustrative (no 2016/17 target: N/A) and 2017/18 Q1's 55.5%
    provisional (4.5 points short of 60%: Red). Both are hollow, in their rating's shape and
    edge colour; each tick and the label carry the marker; the legend and the alt text give the
    key in the palette's words, provisional first."""
    data = load_dataset(tiny(values=MARKED))
    chart = trend_chart(rows(performance(data, ["2016/17 Q4", "2017/18 Q1"]), "M2"))
    ax = chart.figure.axes[0]
    red, na = RAG_STYLES["Red"], RAG_STYLES["N/A"]
    for gid, style, point in (("rag-red", red, (1.0, 55.5)), ("rag-n-a", na, (0.0, 50.0))):
        line = artist(ax, f"{gid}-not-final")
        assert xy(line) == [point]
        assert line.get_marker() == style.marker
        assert to_hex(line.get_markerfacecolor()) == "#ffffff"
        assert to_hex(line.get_markeredgecolor()) == style.edge.lower()
        assert not [a for a in ax.get_children() if a.get_gid() == gid]  # none filled
    assert [p["status"] for p in chart.model["points"]] == ["illustrative", "provisional"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Q4 [i]\n2016/17", "Q1 [p]\n2017/18"]
    assert chart.model["latest_label"] == "55.5% [p] (Red)\n-4.5 pts vs target"
    legend = [t.get_text() for t in chart.figure.legends[0].get_texts()]
    assert legend[-2:] == ["[p] provisional", "[i] illustrative (not published)"]
    handle = chart.figure.legends[0].legend_handles[-1]
    assert to_hex(handle.get_markerfacecolor()) == "#ffffff"
    assert chart.model["key"] == "[p] provisional; [i] illustrative (not published)"
    assert "Latest, 2017/18 Q1: 55.5% [p] against a target of 60%" in chart.alt
    assert "Earlier: 2016/17 Q4 50.0% [i] (N/A)." in chart.alt
    assert chart.alt.endswith("Key: [p] provisional; [i] illustrative (not published).")


def test_trend_of_final_figures_has_no_key(tiny) -> None:
    """M3's figure is final: filled, no marker on its tick or label, no key."""
    data = load_dataset(tiny(values=MARKED))
    chart = trend_chart(rows(performance(data, "2017/18 Q1"), "M3"))
    assert "[" not in chart.model["latest_label"]
    assert all("[" not in t for t in chart.model["ticks"] + chart.model["legend"])
    assert chart.model["key"] == "" and "Key:" not in chart.alt
    assert not any("not-final" in str(a.get_gid()) for a in chart.figure.axes[0].get_children())


def test_cumulative_marks_figures_that_are_not_final(tiny) -> None:
    """M1: Q1's 100 is final and Q2's 150 estimated, so the year to date at Q2 (100 + 150 =
    250, against 400 x 6/12 = 200: Green) rests on an estimate: its point hollow, its tick
    "Q2 [e]", its label "250 [e]"; Q1 filled."""
    data = load_dataset(tiny(values=MARKED))
    chart = cumulative_chart(rows(year_to_date_history(data, parse_period("2017/18 Q2")), "M1"))
    ax = chart.figure.axes[0]
    assert xy(artist(ax, "rag-green")) == [(3.0, 100.0)]
    hollow = artist(ax, "rag-green-not-final")
    assert xy(hollow) == [(6.0, 250.0)]
    assert to_hex(hollow.get_markerfacecolor()) == "#ffffff"
    assert to_hex(hollow.get_markeredgecolor()) == RAG_STYLES["Green"].edge.lower()
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["Start", "Q1", "Q2 [e]", "Q3", "Q4"]
    assert chart.model["latest_label"] == "250 [e] (Green)\ntarget 200"
    assert chart.model["legend"][-1] == "[e] estimated"
    assert "At 2017/18 Q2 the year to date is 250 [e] against a profiled target of 200" in (
        chart.alt
    )
    assert chart.alt.endswith(" Key: [e] estimated.")


def test_spc_chart_marks_figures_given_a_status() -> None:
    """An XmR result with a ``status`` column: the revised point (2019-02) is hollow in its
    type's colour, its tick marked, the key in the legend; the others are filled."""
    from perfnb.spc import xmr

    periods = [f"2019-{m:02d}" for m in range(1, 13)] + ["2020-01"]
    values = [10, 12, 11, 13, 12, 11, 10, 12, 13, 11, 12, 10, 11]
    result = xmr(values, periods).assign(status=["", "", "revised"] + ["final"] * 10)
    chart = spc_chart(result, "Thirteen months")
    assert chart.model["statuses"][:4] == ["", "", "revised", ""]
    ax = chart.figure.axes[0]
    hollow = artist(ax, "points-common_cause-not-final")
    assert xy(hollow) == [(2.0, 11.0)]
    assert to_hex(hollow.get_markerfacecolor()) == "#ffffff"
    assert to_hex(hollow.get_markeredgecolor()) == "#333333"
    assert len(artist(ax, "points-common_cause").get_xdata()) == 12
    # thirteen months in every second month's tick, counted back from the latest, the year
    # named where it changes
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["Jan\n2019", "Mar [r]", "May", "Jul", "Sep", "Nov", "Jan\n2020"]
    legend = [t.get_text() for t in chart.figure.legends[0].get_texts()]
    assert legend[-1] == "[r] revised"
    assert chart.alt.endswith(" Key: [r] revised.")
    chart.close()


# -- cumulative -------------------------------------------------------------------------------
def test_cumulative_help_direct_contacts(help_direct) -> None:
    """Seed 000: 8,017 at Q1 and 17,135 at Q2 against 38,000 profiled 9,500 and 19,000; the run
    rate forecast is 17,135 / (6/12) = 34,270, 3,730 short of the annual target."""
    chart = cumulative_chart(help_direct)
    ax = chart.figure.axes[0]
    model = chart.model
    assert chart.name == "cumulative-hd-contacts-2012-13"
    assert model["ytd"] == [(0, 0.0), (3, 8017.0), (6, 17135.0)]
    assert model["profiled_target"] == [
        (0, 0.0),
        (3, 9500.0),
        (6, 19000.0),
        (9, 28500.0),
        (12, 38000.0),
    ]
    assert model["annual_target"] == 38000
    assert (model["forecast"], model["forecast_method"]) == (34270, "run rate")
    assert model["forecast_line"] == [(6, 17135.0), (12, 34270.0)]

    assert xy(artist(ax, "ytd")) == model["ytd"]
    assert xy(artist(ax, "profiled-target")) == model["profiled_target"]
    forecast = artist(ax, "forecast")
    assert xy(forecast) == [(6, 17135), (12, 34270)]
    assert forecast.get_linestyle() == "--"
    annual = artist(ax, "annual").get_segments()[0]
    assert [tuple(p) for p in annual] == [(0, 38000), (12, 38000)]
    red = artist(ax, "rag-red")
    assert xy(red) == [(3, 8017), (6, 17135)]
    assert red.get_marker() == RAG_STYLES["Red"].marker

    assert artist(ax, "latest-label").get_text() == "17,135 (Red)\ntarget 19,000"
    assert artist(ax, "forecast-label").get_text() == "Forecast\n34,270"
    assert artist(ax, "annual-label").get_text() == "Annual target 38,000"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Start", "Q1", "Q2", "Q3", "Q4"]
    assert ax.get_xlabel() == "Quarter of 2012/13 (cumulative to its end)"
    assert "year to date against target" in chart.title
    assert chart.alt == (
        "Line chart: The number of contacts to Help Direct (HD-CONTACTS), year to date "
        "against target, 2012/13. At 2012/13 Q2 the year to date is 17,135 against a profiled "
        "target of 19,000, rated Red. Annual target 38,000. Year-end forecast 34,270 (run rate), "
        "3,730 below the annual target of 38,000: set to miss it."
    )


def test_cumulative_monthly_reports(sample) -> None:
    """At October 2012: 8,017 + 9,118 + 3,580 = 20,715 against 38,000 x 7/12; the run rate is
    20,715 / (7/12) = 35,511.4. Months with no figure of their own have no point."""
    months = [f"2012-{m:02d}" for m in range(4, 13)] + [f"2013-{m:02d}" for m in (1, 2, 3)]
    year = rows(performance(sample, months, services=["Help Direct"]), "HD-CONTACTS")
    chart = cumulative_chart(year)
    assert chart.model["ytd"] == [(0, 0.0), (3, 8017.0), (6, 17135.0), (7, 20715.0)]
    assert chart.model["forecast"] == pytest.approx(20715 * 12 / 7)
    assert chart.model["profiled_target"][7] == (7, pytest.approx(38000 * 7 / 12))
    ticks = [t.get_text() for t in chart.figure.axes[0].get_xticklabels()]
    assert ticks[:3] == ["Start", "Apr", "May"] and ticks[-1] == "Mar"


def test_cumulative_rated_on_forecast_puts_the_rating_on_the_forecast(sample) -> None:
    """ASCOF 2A pt 1 is rated on its officer forecast, 10.1 against 6.1 (Amber, capped for small
    numbers): Amber is printed beside the forecast, not on the Q1 year to date (2.64) that
    was not what was rated; the points are plain; the target is not profiled."""
    year = year_to_date_history(sample, parse_period("2017/18 Q1"), ["Adult Social Care"])
    chart = cumulative_chart(year[year["measure_id"] == "ASCOF-2A1"])
    ax = chart.figure.axes[0]
    assert chart.model["forecast_label"] == "Forecast\n10.1 (Amber)"
    assert chart.model["latest_label"] == "2.6"
    assert chart.model["profiled_target"] == []
    gids = {a.get_gid() for a in ax.get_children()}
    assert "ytd-points" in gids and not any(str(g).startswith("rag-") for g in gids)
    assert "Amber" not in chart.model["legend"]
    assert chart.alt.endswith(
        "At 2017/18 Q1 the year to date is 2.6 per 100,000. Annual target 6.1 per 100,000. "
        "Year-end forecast 10.1 per 100,000 (officer forecast), 4.0 per 100,000 above the "
        "annual target of 6.1 per 100,000: set to miss it, rated Amber."
    )


def test_cumulative_refuses_other_measures(window, sample) -> None:
    with pytest.raises(ValueError, match="ASCOF-2D has aggregation 'last'"):
        cumulative_chart(rows(window, "ASCOF-2D"))
    two_years = performance(sample, ["2011/12 Q4", "2012/13 Q1"], services=["Help Direct"])
    with pytest.raises(ValueError, match=r"one financial year.*2011/12, 2012/13"):
        cumulative_chart(rows(two_years, "HD-CONTACTS"))
    with pytest.raises(ValueError, match="one measure"):
        cumulative_chart(two_years)


# -- RAG summary ------------------------------------------------------------------------------
def test_rag_summary_counts_per_theme(sample) -> None:
    """Adult Social Care at 2017/18 Q1, counted from docs/method.md section 10: Prevent need:
    SEQ-PREVENT Green, 3D pt 1 Pending, 3D pt 2 N/A. Reduce need: SEQ-REDUCE, 1G, 1E Green, 1I
    pt 1 Pending, 1I pt 2 N/A. Delay need: SEQ-DELAY, 2A pt 2 Green, 2D, 2B pt 1, 2A pt 1 Amber,
    delayed transfers N/A. Meet need: 1C pt 2a, 1C pt 1b, safeguarding Green, SEQ-MEET, 1C pt
    1a, 1C pt 2b Amber, 4B Pending."""
    card = performance(sample, "2017/18 Q1", services=["Adult Social Care"])
    chart = rag_summary_chart(card)
    zero = dict.fromkeys(["Red", "Amber", "Green", "N/A", "Pending"], 0)
    assert chart.model["counts"] == {
        "Prevent need": {**zero, "Green": 1, "N/A": 1, "Pending": 1},
        "Reduce need": {**zero, "Green": 3, "N/A": 1, "Pending": 1},
        "Delay need": {**zero, "Amber": 3, "Green": 2, "N/A": 1},
        "Meet need": {**zero, "Amber": 3, "Green": 3, "Pending": 1},
    }
    assert chart.model["ratings"] == ["Amber", "Green", "N/A", "Pending"]  # no Red: not drawn
    assert chart.name == "rag-summary-adult-social-care-2017-18-q1"
    assert chart.title == "Adult Social Care: RAG ratings by theme, 2017/18 Q1"
    ax = chart.figure.axes[0]
    assert ax.get_xlabel() == "Number of measures"
    amber = [p for p in ax.patches if p.get_gid() == "bars-amber"]
    assert [p.get_width() for p in amber] == [0, 0, 3, 3]
    assert amber[0].get_hatch() == RAG_STYLES["Amber"].hatch
    assert to_hex(amber[2].get_facecolor()) == RAG_STYLES["Amber"].fill.lower()
    na = [p for p in ax.patches if p.get_gid() == "bars-n-a"]
    assert [p.get_x() for p in na] == [1, 3, 5, 6]  # after Amber and Green
    assert na[0].get_hatch() == RAG_STYLES["N/A"].hatch
    legend = [t.get_text() for t in chart.figure.legends[0].get_texts()]
    assert legend == ["Amber", "Green", "N/A (not rated)", "Pending (no figure yet)"]
    assert [t.get_text() for t in ax.get_yticklabels()] == list(chart.model["counts"])
    assert "Delay need: 3 Amber, 2 Green, 1 N/A (6 measures)" in chart.alt


def test_rag_summary_blank_theme_and_red(tiny) -> None:
    """Tiny data: M1 100 against 400 x 3/12 = 100 (Green), M2 55.5 against 60 (Red), M3 12
    within 10-14 (Green) with no theme."""
    data = load_dataset(tiny(measures=[("Care,Safety,", "Care,,")]))
    chart = rag_summary_chart(performance(data, "2017/18 Q1"))
    assert chart.model["themes"] == ["Access", "Other measures"]
    assert chart.model["counts"]["Access"]["Red"] == 1
    assert chart.model["counts"]["Other measures"]["Green"] == 1
    red = [p for p in chart.figure.axes[0].patches if p.get_gid() == "bars-red"]
    assert red[0].get_hatch() == RAG_STYLES["Red"].hatch
    assert to_hex(red[0].get_facecolor()) == RAG_STYLES["Red"].fill.lower()
    assert chart.name == "rag-summary-2017-18-q1"  # two services: none named


def test_rag_summary_needs_one_period(window) -> None:
    with pytest.raises(ValueError, match="one report period"):
        rag_summary_chart(window)


# -- output -----------------------------------------------------------------------------------
def test_save_writes_300_dpi_png_and_svg_with_text(help_direct, tmp_path: Path) -> None:
    chart = cumulative_chart(help_direct)
    written = chart.save(tmp_path / "charts")
    assert written == [
        tmp_path / "charts" / "cumulative-hd-contacts-2012-13.png",
        tmp_path / "charts" / "cumulative-hd-contacts-2012-13.svg",
    ]
    assert sorted(p.name for p in (tmp_path / "charts").iterdir()) == [p.name for p in written]
    width, height = chart.figure.get_size_inches()
    with Image.open(written[0]) as image:
        assert image.size == (round(width * PRINT_DPI), round(height * PRINT_DPI))
        assert round(image.info["dpi"][0]) == PRINT_DPI
    svg = written[1].read_text(encoding="utf-8")
    texts = "".join(ET.fromstring(svg).itertext())
    assert "The number of contacts to Help Direct: year to date" in texts
    assert "34,270" in texts
    assert "<text" in svg  # text kept as text (svg.fonttype none), not glyph outlines


_FIGURE = re.compile(
    r'<figure class="perfnb-chart" data-chart="([^"]+)">'
    r'<img src="data:image/([^"]+)" '
    r'alt="([^"]+)" width="(\d+)" height="(\d+)" [^>]*><figcaption [^>]*>(.+)</figcaption>'
    r"</figure>"
)


def test_html_embeds_the_charts_svg_with_alt_text(window, help_direct) -> None:
    """The page shows the chart's own SVG (the bytes of its published file), its text as
    text, at 120 pixels to the inch, with the alt text and the caption; far smaller than the
    PNG it replaced (a 120 dpi PNG of a trend chart was 40 KB in the page)."""
    for chart in (trend_chart(rows(window, "ASCOF-2D")), cumulative_chart(help_direct)):
        page = chart._repr_html_()
        match = _FIGURE.fullmatch(page)
        assert match, page[:200]
        assert match[1] == chart.name  # the stem of its files, for a Word renderer
        kind, _, encoded = match[2].partition(",")
        assert kind == "svg+xml"
        svg = urllib.parse.unquote(html.unescape(encoded))
        assert chart.svg() == chart.exhibit().files[f"{chart.name}.svg"]
        # the same document (its attributes quoted the other way round, for the page)
        assert ET.canonicalize(svg) == ET.canonicalize(chart.svg().decode("utf-8"))
        root = ET.fromstring(svg)
        assert any(e.tag.endswith("text") for e in root.iter())  # text kept as text
        width, height = chart.figure.get_size_inches()
        assert (int(match[4]), int(match[5])) == (round(width * 120), round(height * 120))
        assert len(page) < 24_000
        assert html.unescape(match[3]) == chart.alt
        assert html.unescape(match[6]) == chart.title


def test_html_embeds_a_png_where_the_svg_would_be_heavier(sample) -> None:
    """Amber's hatching of dots is 100 KB of SVG: the rating summary's page image is a PNG of
    at most 256 colours instead, the palette's kept exactly; its published file is the SVG."""
    chart = rag_summary_chart(performance(sample, "2017/18 Q1"))
    page = chart._repr_html_()
    match = _FIGURE.fullmatch(page)
    assert match, page[:200]
    kind, _, encoded = match[2].partition(",")
    assert kind == "png;base64"
    assert len(page) < 60_000 < len(chart.svg())
    with Image.open(io.BytesIO(base64.b64decode(encoded))) as image:
        assert image.size == (int(match[4]), int(match[5]))
        colours = {c for _, c in image.convert("RGB").getcolors(maxcolors=1 << 16)}
    assert (255, 255, 255) in colours
    amber = tuple(int(RAG_STYLES["Amber"].fill[i : i + 2], 16) for i in (1, 3, 5))
    assert amber in colours
    assert list(chart.exhibit(png=False).files) == [f"{chart.name}.svg"]


def test_svg_is_compact_and_the_same_bytes_each_time(window) -> None:
    """No metadata or date, no line breaks, numbers to two decimals, the font list once, and
    only the ids something refers to; the same chart drawn again gives the same bytes."""
    svg = trend_chart(rows(window, "ASCOF-2D")).svg().decode("utf-8")
    assert svg == trend_chart(rows(window, "ASCOF-2D")).svg().decode("utf-8")
    assert svg.startswith("<svg ") and svg.endswith("</svg>\n") and "\n" not in svg[:-1]
    assert "<metadata" not in svg and "Matplotlib" not in svg and "dc:date" not in svg
    assert not re.search(r"\d\.\d{3}", re.sub(r">[^<]*<", "><", svg))  # in attributes
    assert svg.count("font-family") == 1  # in the stylesheet, for every text
    ids = set(re.findall(r' id="([^"]+)"', svg))
    assert ids == set(re.findall(r'#([\w.-]+)[)"]', svg)) & ids
    assert re.findall(r'#([\w.-]+)[)"]', svg)  # markers and clips refer to their ids
    for referred in re.findall(r'(?:url\(|href=")#([\w.-]+)', svg):
        assert referred in ids


def test_a_png_is_made_only_when_asked(window, monkeypatch) -> None:
    """A chart's exhibit is its SVG alone, unless the run asks for the 300 dpi PNG
    (PERFNB_CHART_PNG=1: --png or --format docx); the SVG is the same bytes either way,
    laid out once, by its own drawing."""
    monkeypatch.delenv("PERFNB_CHART_PNG", raising=False)
    plain = trend_chart(rows(window, "ASCOF-2D"))
    assert list(plain.exhibit().files) == ["trend-ascof-2d.svg"]
    assert not plain._rasters  # nothing was rasterised
    monkeypatch.setenv("PERFNB_CHART_PNG", "1")
    asked = trend_chart(rows(window, "ASCOF-2D"))
    files = asked.exhibit().files
    assert list(files) == ["trend-ascof-2d.png", "trend-ascof-2d.svg"]
    assert files["trend-ascof-2d.svg"] == plain.svg()
    with Image.open(io.BytesIO(files["trend-ascof-2d.png"])) as image:
        assert round(image.info["dpi"][0]) == PRINT_DPI and image.width == 7.5 * PRINT_DPI
    assert list(trend_chart(rows(window, "ASCOF-2D")).exhibit(png=False).files) == [
        "trend-ascof-2d.svg"
    ]


def test_figures_are_not_tracked_by_pyplot_and_close(window) -> None:
    """A notebook shows the chart once, by its HTML; pyplot's inline backend never sees it."""
    chart = trend_chart(rows(window, "ASCOF-2D"))
    assert chart.figure.canvas.manager is None
    chart.close()
    with pytest.raises(ValueError, match="closed"):
        chart.to_html()


def test_chart_names_are_safe_file_names(window) -> None:
    chart = trend_chart(rows(window, "ASCOF-2D"))
    with pytest.raises(ValueError, match="not a safe file name"):
        Chart("../escape", "t", "a", chart.figure)


def test_house_style_is_packaged_and_restores_settings() -> None:
    assert STYLE_PATH.is_file() and STYLE_PATH.parent.name == "styles"
    before = dict(matplotlib.rcParams)
    with house_style():
        assert matplotlib.rcParams["svg.fonttype"] == "none"
        assert matplotlib.rcParams["text.parse_math"] is False
        assert matplotlib.rcParams["axes.spines.top"] is False
        assert tuple(matplotlib.rcParams["figure.figsize"]) == (7.5, 3.6)
    assert dict(matplotlib.rcParams) == before


@pytest.mark.parametrize(
    ("unit", "rate_per", "label"),
    [
        ("percent", None, "Per cent"),
        ("days", None, "Days"),
        ("count", None, "Count"),
        ("currency", None, "£"),
        ("rate", 100000.0, "Per 100,000 population"),
        ("rate", 1000.0, "Per 1,000 population"),
        ("rate", float("nan"), "Per 100,000 population"),
        ("score", None, "Score"),
    ],
)
def test_unit_label(unit, rate_per, label) -> None:
    assert unit_label(unit, rate_per) == label


@pytest.mark.parametrize("measure_id", ["ASCOF-2D", "DTOC-ASC", "ASCOF-2A1", "SEQ-MEET"])
def test_value_axis_steps_are_round(window, measure_id: str) -> None:
    """Ticks go up in 1, 2 or 5 times a power of ten, at most seven of them."""
    chart = trend_chart(rows(window, measure_id))
    chart.png()
    ticks = chart.figure.axes[0].get_yticks()
    step = ticks[1] - ticks[0]
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert round(mantissa, 6) in (1, 2, 5)
    assert len(ticks) <= 7


@pytest.mark.parametrize("published", [False, True])
def test_a_finished_chart_keeps_its_files_and_lets_its_figure_go(
    window, published: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``finish`` draws what a report asks of a chart (its SVG, its page image, its 300 dpi
    PNG when the run publishes them) and lets the drawn figure go: the same files as a chart
    drawn as it is asked, and nothing more can be drawn."""
    if published:
        monkeypatch.setenv("PERFNB_CHART_PNG", "1")
    else:
        monkeypatch.delenv("PERFNB_CHART_PNG", raising=False)
    kept, drawn = trend_chart(rows(window, "ASCOF-2D")), trend_chart(rows(window, "ASCOF-2D"))
    assert kept.finish() is kept
    assert kept.figure.axes == [] and kept._rasters == {}
    assert kept.svg() == drawn.svg()
    assert kept.to_html() == drawn.to_html()
    assert kept.exhibit().files == drawn.exhibit().files
    assert set(kept.exhibit().files) == {"trend-ascof-2d.svg"} | (
        {"trend-ascof-2d.png"} if published else set()
    )
    if not published:
        with pytest.raises(ValueError, match="was finished"):
            kept.png()
    with pytest.raises(ValueError, match="was finished"):
        kept.png(dpi=96)
