"""The report's own pieces: measure and theme sections, RAG counts, contents, history."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from conftest import SAMPLE, write_dataset
from perfnb import build_scorecard, load_dataset
from perfnb.history import recent_periods, trend_history, year_periods, year_to_date_history
from perfnb.loader import slugify
from perfnb.model import rag_counts
from perfnb.pages import service as service_page
from perfnb.pages.contents import add_contents, headings
from perfnb.pages.parts import rag_counts_html
from perfnb.pages.service import ServiceReport, measure_section, theme_section
from perfnb.periods import parse_period


@pytest.fixture(scope="module")
def sample():
    return load_dataset(SAMPLE)


@pytest.fixture(scope="module")
def card(sample):
    return build_scorecard(sample, "2017/18 Q1", ["Adult Social Care"])


def row_of(card: pd.DataFrame, measure_id: str) -> pd.Series:
    return card.set_index("measure_id", drop=False).loc[measure_id]


def test_measure_section_shows_figures_reason_and_commentary(card) -> None:
    """ASCOF-2D: 77.4% against 80% (-2.6 points), Amber, declining from 80.2%."""
    html = measure_section(row_of(card, "ASCOF-2D"), commentary="New provider in *April*.")
    assert '<h3 id="ascof-2d">ASCOF-2D: % of people who had no need for ongoing services' in html
    assert '<span class="perfnb-badge rag-amber">Amber</span>' in html
    for cell in ("77.4%", "80%", "-2.6 pts", "\u25bc Declining", "Higher is better"):
        assert f"<td>{cell}</td>" in html
    assert "Amber: within 5% of target (-2.6 points, -3.3% of target)" in html
    assert "New provider in <em>April</em>." in html
    assert "Commentary needed" not in html


def test_measure_section_flags_missing_commentary_and_escapes_data(card) -> None:
    row = row_of(card, "ASCOF-2D").copy()
    row["name"] = "<img src=x onerror=alert(1)>"
    html = measure_section(row, needs_commentary="no commentary")
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<strong>Commentary needed:</strong> this Amber measure has no commentary." in html


def test_measure_section_marks_figures_and_shows_the_latest_position(card) -> None:
    """ASCOF-2D made provisional, with a latest figure for August 2017 of 78.4% against 80%
    (-1.6 points), revised: both marked, the latest under its month's heading, the key in the
    footer under the figures' two columns (label and value), the direction's reason under the
    rating's; the same row final and with no latest figure has neither."""
    row = row_of(card, "ASCOF-2D").copy()
    row["status"] = "provisional"
    row["latest_period"] = "2017-08"
    row["latest_value"] = 78.4
    row["latest_target"] = 80.0
    row["latest_variance_pp"] = -1.6
    row["latest_variance_pct"] = -2.0
    row["latest_status"] = "revised"
    row["direction_reason"] = "Declining: 77.4% against <80.2%>; the figure is provisional"
    html = measure_section(row)
    assert '<p class="perfnb-reason">Declining: 77.4% against &lt;80.2%&gt;; the figure' in html
    assert "<td>77.4%\u00a0[p]</td>" in html
    assert '<tr><th scope="row">Latest (Aug 2017)</th><td>78.4%' in html
    assert "<td>78.4%\u00a0[r] (-1.6 pts)</td>" in html
    assert (
        '<tfoot><tr><td class="perfnb-key" colspan="2">Key: [p] provisional; [r] revised.</td>'
        "</tr></tfoot>" in html
    )
    final = row_of(card, "ASCOF-2D").copy()
    final["status"] = "final"
    final["latest_period"] = ""
    html = measure_section(final)
    assert "Latest" not in html and "<tfoot" not in html and "[" not in html


def test_theme_section_heading_starts_a_page(card) -> None:
    html = theme_section("Delay need", ["<p>x</p>"])
    assert html.startswith(
        '<section class="perfnb-theme"><h2 id="theme-delay-need">Delay need</h2>'
    )


def test_a_long_theme_comes_in_parts_under_its_one_heading(sample, monkeypatch) -> None:
    """A theme of more measures than MEASURES_PER_PART is displayed in parts of that many: the
    first under the theme's heading, the rest with none, every measure once and in order, and
    the same tables and charts published as when each theme is one part."""
    report = ServiceReport.build(sample, "2017/18 Q1", "Adult Social Care")
    whole = list(report.theme_sections())
    monkeypatch.setattr(service_page, "MEASURES_PER_PART", 2)
    parts = list(report.theme_sections())
    card = report.card
    # worked out from the card: each theme's measures, in the card's order, two to a part
    expected: list[tuple[str, list[str]]] = []
    for theme in dict.fromkeys(card["theme"].replace("", "Other measures")):
        ids = list(card.loc[card["theme"].replace("", "Other measures") == theme, "measure_id"])
        expected += [(theme, ids[at : at + 2]) for at in range(0, len(ids), 2)]
    assert len(whole) == len(dict.fromkeys(theme for theme, _ in expected)) < len(parts)
    assert len(parts) == len(expected)
    seen = set()
    for part, (theme, ids) in zip(parts, expected, strict=True):
        html = part.html
        if theme in seen:
            assert html.startswith('<section class="perfnb-theme-continued">')
            assert "<h2" not in html and 'perfnb-theme"' not in html
        else:
            assert html.startswith(
                f'<section class="perfnb-theme"><h2 id="theme-{slugify(theme)}">'
            )
            seen.add(theme)
        assert re.findall(r'<section class="perfnb-measure" id="measure-([^"]+)"', html) == [
            slugify(i) for i in ids
        ]
    names = [name for part in whole for item in part.shown for name in item.exhibit().files]
    assert names == [name for part in parts for item in part.shown for name in item.exhibit().files]


def test_a_themes_later_part_starts_no_page_in_the_word_file() -> None:
    """The Word file starts each theme on a new page; a theme's later part does not."""
    from perfnb.pages.word import word_document

    measure = '<section class="perfnb-measure"><h3 id="m-{0}">M{0}: Measure</h3><p>x</p></section>'
    html = "".join(
        [
            theme_section("Prevent need", [measure.format(1)]),
            theme_section("Prevent need", [measure.format(2)], continued=True),
            theme_section("Delay need", [measure.format(3)]),
        ]
    )
    page = f"<html><body><h2>Summary</h2><p>Page 1.</p>{html}</body></html>"
    document = word_document(page, lambda name: None)
    breaks = {
        p.text: bool(p.paragraph_format.page_break_before)
        for p in document.paragraphs
        if p.style.name.startswith("Heading")
    }
    assert breaks == {
        "Summary": False,
        "Prevent need": True,
        "M1: Measure": False,
        "M2: Measure": False,
        "Delay need": True,
        "M3: Measure": False,
    }


def test_rag_counts_match_seed_004(card) -> None:
    """Seed 004's Adult Social Care column: 9 G, 6 A, 6 N/A, of which 3 are surveys not yet
    out (ASCOF-3D1, 1I1 and 4B, due May-18), which perfnb calls Pending."""
    counts = rag_counts(card)
    assert counts == {"Red": 0, "Amber": 6, "Green": 9, "N/A": 3, "Pending": 3}
    html = rag_counts_html(counts)
    assert '<span class="perfnb-badge rag-red">Red 0</span>' in html


def test_contents_lists_sections_and_measures() -> None:
    """h2 headings become the contents, h3 nested under them; nbconvert's pilcrow is left out."""
    page = (
        '<body><header class="perfnb-title"><h1>T</h1></header>'
        '<h2 id="Summary">Summary<a class="anchor-link" href="#Summary">\u00b6</a></h2>'
        '<h2 id="theme-a">Prevent &amp; reduce</h2><h3 id="m1">M1: One</h3><h3 id="m2">M2</h3>'
        '<h2 id="end">End</h2><h2>No id</h2></body>'
    )
    found = headings(page)
    assert [(h.level, h.anchor, h.text) for h in found] == [
        (2, "Summary", "Summary"),
        (2, "theme-a", "Prevent & reduce"),
        (3, "m1", "M1: One"),
        (3, "m2", "M2"),
        (2, "end", "End"),
    ]
    html = add_contents(page)
    nav = html[html.index("<nav") : html.index("</nav>")]
    assert html.index("<nav") == html.index("</header>") + len("</header>")
    assert (
        '<li><a href="#theme-a">Prevent &amp; reduce</a><ol><li><a href="#m1">M1: One</a></li>'
        in nav
    )
    assert add_contents("<body><p>no headings</p></body>") == "<body><p>no headings</p></body>"


def test_recent_and_year_periods() -> None:
    assert [p.label for p in recent_periods(parse_period("2017/18 Q1"), 3)] == [
        "2016/17 Q3",
        "2016/17 Q4",
        "2017/18 Q1",
    ]
    assert [p.label for p in year_periods(parse_period("2012-10"))][:2] == ["2012-04", "2012-05"]
    assert len(year_periods(parse_period("2012/13 Q2"))) == 4


def test_trend_history_one_row_per_figure(sample) -> None:
    """Quarterly measures: the last eight quarters; annual surveys: each year once, from the
    first with a figure (ASCOF-3D1: 72% in 2015/16, 70% in 2016/17, 2017/18 due May-18)."""
    history = trend_history(sample, parse_period("2017/18 Q1"), ["Adult Social Care"])
    quarterly = history[history["measure_id"] == "ASCOF-2D"]
    assert quarterly["period"].tolist() == [
        p.label for p in recent_periods(parse_period("2017/18 Q1"), 8)
    ]
    assert quarterly["value"].iloc[-1] == pytest.approx(77.4)
    survey = history[history["measure_id"] == "ASCOF-3D1"]
    assert survey["period"].tolist() == ["2015/16", "2016/17", "2017/18"]
    assert survey["value"].tolist()[:2] == [72.0, 70.0]
    assert survey["rag"].iloc[-1] == "Pending"
    # the carers' survey is every other year: 2015/16 keeps its place on the axis, blank
    carers = history[history["measure_id"] == "ASCOF-3D2"]
    assert carers["period"].tolist() == ["2014/15", "2015/16", "2016/17", "2017/18"]
    values = carers["value"].tolist()
    assert values[0] == 65.2 and pd.isna(values[1]) and values[2] == 63.5
    assert carers["note"].iloc[1] == "No figure for 2015/16"


def test_year_to_date_history_stops_at_the_period(sample) -> None:
    """Help Direct contacts 2012/13 at Q2: actuals 8,017 and 17,135, nothing after; the target
    profiled to each quarter end runs to 38,000."""
    year = year_to_date_history(sample, parse_period("2012/13 Q2"), ["Help Direct"])
    contacts = year[year["measure_id"] == "HD-CONTACTS"]
    assert contacts["ytd_value"].tolist()[:2] == [8017.0, 17135.0]
    assert contacts["ytd_value"].iloc[2:].isna().all()
    assert contacts["target"].tolist() == [9500.0, 19000.0, 28500.0, 38000.0]


def test_a_ytd_measure_gets_the_charts_its_figures_suit(tmp_path) -> None:
    """A count reported cumulatively (ytd) is a running total: its year to date against target,
    and no trend, as it has only two quarters' own figures (Q1's 120 and Q2's 260 - 120 = 140;
    2021/22 Q4's own figure needs Q3's, which is missing), fewer than a trend needs (three); a
    collection rate (a ytd percentage) only its trend. Its section shows the target Q2 was
    rated against, 56.52%, with no year-end target set."""
    from test_charts import YTD

    data = load_dataset(write_dataset(tmp_path / "ytd", YTD))
    report = ServiceReport.build(data, "2022/23 Q2", "Finance")
    assert [c.name for c in report.measure_charts("HOMES")] == ["cumulative-homes-2022-23"]
    assert [c.name for c in report.measure_charts("NNDR")] == ["trend-nndr"]
    html = measure_section(row_of(report.card, "NNDR"))
    assert "<td>None set</td>" in html and "<td>56.52%</td>" in html


def test_each_service_report_shows_its_own_summary(tmp_path) -> None:
    """A ``## Summary: Care`` is Care's report's summary; Help Desk's shows the period's."""
    from perfnb.testing import tiny_dataset

    folder = tiny_dataset(tmp_path / "data")
    (folder / "commentary").mkdir()
    (folder / "commentary" / "2017-18-Q1.md").write_text(
        "## Summary\n\nA quiet quarter everywhere.\n\n## Summary: Care\n\nTwo homes closed.\n",
        encoding="utf-8",
    )
    data = load_dataset(folder)
    care = ServiceReport.build(data, "2017/18 Q1", "Care").summary().html
    assert "Two homes closed." in care and "quiet quarter" not in care
    desk = ServiceReport.build(data, "2017/18 Q1", "Help Desk").summary().html
    assert "A quiet quarter everywhere." in desk and "homes" not in desk


def test_the_title_block_gives_the_day_the_run_produced_it(monkeypatch) -> None:
    """Under perfnb run the title block's date is the run's (the footer's), not the kernel's
    clock: a run started at 23:59 on 31 March says 31 March however long it takes."""
    from types import SimpleNamespace

    from perfnb.pages.parts import PRODUCED_VARIABLE, title_block
    from perfnb.periods import parse_period

    council = SimpleNamespace(council="Sample Council")
    monkeypatch.setenv(PRODUCED_VARIABLE, "2024-03-31T23:59")
    block = title_block(council, parse_period("2023/24 Q4"), "Care").data
    assert "Produced 31 March 2024." in block
    monkeypatch.setenv(PRODUCED_VARIABLE, "not a time")  # never in the way of a report
    assert "Produced " in title_block(council, parse_period("2023/24 Q4"), "Care").data
