"""Page 1's story: the facts perfnb states from the numbers (perfnb.story) and how the page
words them (perfnb.pages.story). Every expected value is worked out by hand from the rows."""

from __future__ import annotations

import math

import pandas as pd

from perfnb.output_formats import parse_formats
from perfnb.pages.contents import add_contents
from perfnb.pages.story import changes_sentence, story_fragment
from perfnb.run.export import css_string
from perfnb.story import biggest_shortfalls, forecast_misses, story, turned_red

NAN = math.nan


def _card() -> pd.DataFrame:
    """Six measures. A: higher is better, 80 against 100 (-20% of target), Red, was Green.
    B: lower is better, 12 against 10 (+20%), Amber, was Amber. C: higher, 99 against 100
    (-1%), Amber, was Red. D: Green, above target (+5%). E: a band measure outside its band
    (+3%), Amber, not rated before. F: Pending."""
    rows = [
        # id, rag, direction, polarity, variance_pct, forecast, method, annual target
        ("A", "Red", "declining", "high", -20.0, 70.0, "run rate", 100.0),
        ("B", "Amber", "declining", "low", 20.0, 11.0, "run rate", 10.0),
        ("C", "Amber", "improving", "high", -1.0, 99.0, "latest figure", 100.0),
        ("D", "Green", "stable", "high", 5.0, 120.0, "run rate", 100.0),
        ("E", "Amber", "stable", "band", 3.0, NAN, "", NAN),
        ("F", "Pending", "", "high", NAN, NAN, "", 50.0),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "measure_id",
            "rag",
            "direction",
            "polarity",
            "variance_pct",
            "forecast",
            "forecast_method",
            "annual_target",
        ],
    )
    return frame.assign(name=[f"Measure {m}" for m in frame["measure_id"]], decimals=0)


def _previous() -> pd.DataFrame:
    """The engine's rows of 2016/17 Q4: E, a band measure, had no band (so no rating)."""
    return pd.DataFrame(
        {
            "measure_id": ["A", "B", "C", "D", "E"],
            "rag": ["Green", "Amber", "Red", "Green", "N/A"],
            "period": "2016/17 Q4",
            "polarity": ["high", "low", "high", "high", "band"],
            "target": [100.0, 10.0, 100.0, 100.0, NAN],
            "band_low": NAN,
            "band_high": NAN,
            "note": "",
        }
    )


def test_turned_red_is_red_now_and_amber_or_green_before() -> None:
    """A was Green and is Red; nothing else is Red."""
    assert list(turned_red(_card(), _previous())["measure_id"]) == ["A"]
    assert turned_red(_card(), None).empty  # nothing known before: nothing turned


def test_biggest_shortfalls_rank_by_share_of_target_on_the_wrong_side() -> None:
    """A is 20% below a higher-is-better target and B 20% above a lower-is-better one (both
    short by 20%, catalogue order kept); E is 3% outside its band; C 1% short. D is Green and
    F has no figure: neither is a shortfall."""
    assert list(biggest_shortfalls(_card(), count=3)["measure_id"]) == ["A", "B", "E"]
    assert list(biggest_shortfalls(_card(), count=10)["measure_id"]) == ["A", "B", "E", "C"]


def test_forecast_misses_are_projections_short_of_the_annual_target() -> None:
    """A's 70 misses 100 (higher is better); B's 11 misses 10 (lower is better); C's 99 is the
    latest figure carried forward, not a projection; D's 120 beats 100."""
    assert list(forecast_misses(_card())["measure_id"]) == ["A", "B"]


def test_story_counts_directions_and_rating_changes() -> None:
    """Directions: C improving; A, B declining; D, E stable. Ratings: A Green to Red (worse),
    C Red to Amber (better); E rated now, N/A before."""
    told = story(_card(), _previous(), "2016/17 Q4")
    assert (told.improving, told.declining, told.stable) == (1, 2, 2)
    assert (told.rated_better, told.rated_worse, told.not_rated_before) == (1, 1, 1)
    assert told.changed_rating == 2
    # exceptions: Red first, then the Ambers in catalogue order
    assert list(told.top_exceptions["measure_id"]) == ["A", "B", "C", "E"]
    assert changes_sentence(told) == (
        "Since 2016/17 Q4: 1 improving, 2 declining and 2 stable by direction of travel; "
        "2 ratings changed (1 better, 1 worse); 1 measure rated now had no rating then."
    )


def test_page_one_of_the_sample_states_its_facts() -> None:
    """The sample's Adult Social Care, 2017/18 Q1 (Leicestershire's published scorecard): 21
    measures; no rating was Red, Amber or Green in 2016/17 Q4 (no targets then), so none turned
    Red; ASCOF-2A1 (lower is better) is 10.1 per 100,000 against 6.1, 4.0 / 6.1 = 65.6% over,
    the furthest short, and its full-year forecast 10.1 misses the year's 6.1."""
    from perfnb import ServiceReport, load_dataset

    report = ServiceReport.build(load_dataset("data/sample"), "2017/18 Q1", "Adult Social Care")
    html = report.summary().html
    assert "21 measures:" in html
    assert "No measure turned Red since 2016/17 Q4." in html
    shortfalls = html[html.index("Furthest short of target") :]
    assert shortfalls.index("ASCOF-2A1") < shortfalls.index("</li>")
    assert "(variance +65.6%)" in shortfalls
    assert "Forecast to miss the year-end target" in html
    assert "(forecast 10.1 against 6.1)" in html
    assert "No summary has been written for this period." in html  # the sample has none
    assert "<strong>Commentary needed</strong> for 6 Red or Amber measures:" in html


def test_page_one_shows_the_written_summary() -> None:
    """A summary that was written is shown in place of the muted line."""
    told = story(_card().iloc[:0], None, "2016/17 Q4")
    html = story_fragment(told, {}, "<p>A hard quarter.</p>").html
    assert '<div class="perfnb-commentary"><p>A hard quarter.</p></div>' in html
    assert "No summary has been written" not in html
    assert "No measure turned Red since 2016/17 Q4." in html


def test_contents_follow_the_story_whatever_the_order_of_its_attributes() -> None:
    """nbconvert may write the story's attributes sorted; the contents still come after it."""
    page = (
        '<body><header class="perfnb-title"><h1>T</h1></header>'
        '<section aria-label="Summary" class="perfnb-story"><p>story</p></section>'
        '<h2 id="exceptions">Exceptions</h2></body>'
    )
    html = add_contents(page)
    assert html.index("story") < html.index("perfnb-contents") < html.index('id="exceptions"')


def test_css_string_keeps_a_title_inside_its_quotes() -> None:
    """Quotes, a backslash and angle brackets become CSS escapes (hex code and a space)."""
    assert css_string('Council "A" </style>\\') == '"Council \\22 A\\22  \\3C /style\\3E \\5C "'


def test_formats_are_checked_and_always_include_the_page() -> None:
    assert parse_formats("pdf, DOCX") == ("html", "pdf", "docx")
    assert parse_formats(["html"]) == ("html",)
    try:
        parse_formats("html,epub")
    except ValueError as exc:
        assert "'epub' is not a report format" in str(exc)
    else:
        raise AssertionError("epub was accepted")
