"""The one RAG palette: readable text, told apart without colour, one style per rating."""

from __future__ import annotations

from itertools import combinations

import pandas as pd
import pytest

from perfnb.actions import ACTION_RAGS
from perfnb.palette import (
    ACTION_STYLES,
    RAG_STYLES,
    STATUS_MARKERS,
    STATUS_WORDS,
    contrast_ratio,
    marked_statuses,
    rag_css,
    rag_style,
    relative_luminance,
    status_key,
    status_key_line,
    status_marker,
    unbroken_markers,
    with_marker,
)


def test_wcag_reference_values() -> None:
    """Black on white is 21:1; the same colour is 1:1; WCAG's own example #777 on white 4.48."""
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#B2182B", "#B2182B") == pytest.approx(1.0)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    assert relative_luminance("#FFFFFF") == pytest.approx(1.0)


@pytest.mark.parametrize("rating", list(RAG_STYLES))
def test_text_on_each_fill_meets_wcag_aa(rating: str) -> None:
    """The word in a RAG cell has at least 4.5:1 contrast with its fill (WCAG AA)."""
    style = RAG_STYLES[rating]
    assert contrast_ratio(style.text, style.fill) >= 4.5


@pytest.mark.parametrize(("first", "second"), list(combinations(["Red", "Amber", "Green"], 2)))
def test_ratings_differ_in_lightness(first: str, second: str) -> None:
    """Red, Amber and Green differ in lightness (contrast 1.5:1 or more between any two), so
    they stay apart in greyscale print and for readers who cannot tell red from green."""
    assert contrast_ratio(RAG_STYLES[first].fill, RAG_STYLES[second].fill) >= 1.5


def test_each_rating_has_its_own_word_letter_marker_and_hatch() -> None:
    """Nothing rests on colour alone: words, letters, markers and hatches are all distinct."""
    rated = [RAG_STYLES[r] for r in ("Red", "Amber", "Green", "N/A")]
    for attribute in ("label", "letter", "marker", "hatch", "css_class"):
        values = [getattr(s, attribute) for s in rated]
        assert len(set(values)) == len(values), attribute
    assert [RAG_STYLES[r].letter for r in ("Red", "Amber", "Green")] == ["R", "A", "G"]


def test_unknown_rating_is_drawn_as_na_and_css_names_every_class() -> None:
    assert rag_style("") is RAG_STYLES["N/A"]
    css = rag_css()
    for style in RAG_STYLES.values():
        assert f".{style.css_class} {{ background-color: {style.fill}" in css


@pytest.mark.parametrize("rating", list(ACTION_STYLES))
def test_action_ratings_text_meets_wcag_aa(rating: str) -> None:
    """The word in an action's rating cell has at least 4.5:1 contrast with its fill."""
    style = ACTION_STYLES[rating]
    assert contrast_ratio(style.text, style.fill) >= 4.5


def test_action_ratings_are_told_apart_without_colour() -> None:
    """Every action rating has its own word, class and marker, one style for each rating the
    engine gives; two drawn with the same hatching differ in lightness (1.5:1 or more)."""
    assert list(ACTION_STYLES) == list(ACTION_RAGS)
    styles = list(ACTION_STYLES.values())
    for attribute in ("label", "letter", "marker", "css_class"):
        values = [getattr(s, attribute) for s in styles]
        assert len(set(values)) == len(values), attribute
    for first, second in combinations(styles, 2):
        if first.hatch == second.hatch:
            assert contrast_ratio(first.fill, second.fill) >= 1.5, (first.label, second.label)
    css = rag_css()
    assert all(f".{s.css_class} {{" in css for s in styles)


# -- figures that are not final ----------------------------------------------------------------


def test_every_status_but_final_has_a_gss_marker() -> None:
    """values.csv's statuses: final has no marker, the rest the GSS shorthand."""
    from perfnb.contract import STATUSES

    assert set(STATUSES) == {"final", *STATUS_MARKERS}
    assert STATUS_MARKERS == {
        "provisional": "[p]",
        "revised": "[r]",
        "estimated": "[e]",
        "illustrative": "[i]",
    }
    assert set(STATUS_WORDS) == set(STATUS_MARKERS)


@pytest.mark.parametrize(
    ("status", "marker"),
    [
        ("provisional", "[p]"),
        ("Revised", "[r]"),
        (" estimated ", "[e]"),
        ("illustrative", "[i]"),
        ("final", ""),
        ("", ""),
        (None, ""),
        (float("nan"), ""),
        (pd.NA, ""),
    ],
)
def test_status_marker(status, marker: str) -> None:
    """Case and spaces do not matter; final, blank and missing have no marker."""
    assert status_marker(status) == marker


def test_unknown_status_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown figure status 'draft': expected one of final"):
        status_marker("draft")


def test_marker_follows_the_figure_and_a_blank_stays_blank() -> None:
    assert with_marker("77.4%", "provisional") == "77.4% [p]"
    assert with_marker("77.4%", "final") == "77.4%"
    assert with_marker("", "provisional") == ""
    # on the page, a no-break space keeps the marker with its figure in a narrow column
    assert unbroken_markers("16,100 [i] (2011/12 Q2)") == "16,100\u00a0[i] (2011/12 Q2)"
    assert unbroken_markers("Note [x] 5") == "Note [x] 5"
    assert unbroken_markers(5.0) == 5.0


def test_the_key_in_one_order_with_the_same_words() -> None:
    """The key lists each status once, [p] [r] [e] [i], whatever order the figures come in."""
    assert status_key(["illustrative", "provisional", "illustrative", "", "final"]) == (
        "[p] provisional; [i] illustrative (not published)"
    )
    assert status_key_line(["revised"]) == "Key: [r] revised."
    assert status_key_line(["final", ""]) == ""
    texts = ["80% [i] (2016/17 Q1)", "77.4%", "Oct 2017: 70% [p] (-5 pts)", "[e]"]
    assert marked_statuses(texts) == ["provisional", "estimated", "illustrative"]
    assert marked_statuses(["77.4%", "Description [x]"]) == []
