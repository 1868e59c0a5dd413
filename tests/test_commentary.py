"""Commentary files: parsing, safe rendering, drafts from the figures, scaffolding that never
changes a byte the analyst wrote, and the Red and Amber measures still without commentary."""

from __future__ import annotations

import os
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from conftest import SAMPLE, write_dataset
from perfnb.commentary import (
    DRAFT_MARKER,
    Commentary,
    CommentaryError,
    commentary_path,
    commentary_problems,
    draft_commentary,
    load_commentary,
    missing_commentary,
    parse_commentary,
    scaffold_commentary,
)
from perfnb.commentary_format import draft_marker
from perfnb.files import replace_if_unchanged
from perfnb.loader import load_dataset
from perfnb.markup import escape_text, render_markdown
from perfnb.periods import parse_period
from perfnb.scorecard import build_scorecard, services_with_figures

Q1 = parse_period("2017/18 Q1")


@pytest.fixture(scope="module")
def sample_card() -> pd.DataFrame:
    """The sample's scorecard at 2017/18 Q1 for seed 004's two services (Leicestershire's)."""
    card = build_scorecard(load_dataset(SAMPLE), Q1)
    seed_004 = ["Adult Social Care", "Communities and Wellbeing"]
    assert set(seed_004) <= set(services_with_figures(card))
    return card[card["service"].isin(seed_004)].reset_index(drop=True)


def _row(card: pd.DataFrame, measure_id: str) -> pd.Series:
    return card.loc[card["measure_id"] == measure_id].iloc[0]


# -- parsing ---------------------------------------------------------------------------------


def test_parse_summary_sections_and_preamble() -> None:
    """Preamble, summary and sections in file order; blank lines around a body are dropped."""
    text = (
        "# Commentary\n\nnotes to self\n\n## Summary\n\nA quiet quarter.\n\n"
        "## ASCOF-2D\n\nReablement **dipped**.\n\n### Why\n\nA new provider.\n\n"
        "## LIB-VISITS\n"
    )
    parsed = parse_commentary(text)
    assert parsed.preamble == "# Commentary\n\nnotes to self"
    assert parsed.summary == "A quiet quarter."
    assert list(parsed.sections) == ["ASCOF-2D", "LIB-VISITS"]
    assert parsed.sections["ASCOF-2D"] == "Reablement **dipped**.\n\n### Why\n\nA new provider."
    assert parsed.sections["LIB-VISITS"] == ""
    assert parsed.headings == (("Summary", 5), ("ASCOF-2D", 9), ("LIB-VISITS", 17))
    assert parsed.drafts == frozenset()
    assert parsed.problems == ()


def test_only_a_top_level_double_hash_starts_a_section() -> None:
    """### headings, ## in fenced code (``` or ~~~, longer fences), ## in an HTML comment
    block, an indented ## and ##word are all part of the section."""
    body = (
        "### Sub-heading\n"
        "```\n## not a section\n```\n"
        "````md\n```\n## still code\n```\n````\n"
        "~~~\n## tilde code\n~~~\n"
        "<!--\n## commented out\n-->\n"
        " ## indented\n"
        "##no-space\n"
        "last line"
    )
    parsed = parse_commentary(f"## M1\n{body}\n## M2\nx")
    assert list(parsed.sections) == ["M1", "M2"]
    assert parsed.sections["M1"] == body


def test_heading_ids_ignore_surrounding_spaces_and_closing_hashes() -> None:
    """`##   M1   ` and `## M2 ##` are M1 and M2; `## Summary` matches in any case."""
    parsed = parse_commentary("##   M1   \none\n## M2 ##\ntwo\n## SUMMARY\nall\n")
    assert parsed.sections == {"M1": "one", "M2": "two"}
    assert parsed.summary == "all"


def test_duplicate_headings_are_joined_not_dropped() -> None:
    """Both bodies are kept, in file order, and the repetition is warned about."""
    parsed = parse_commentary("## M1\nfirst\n## M2\nother\n## M1\nsecond\n")
    assert parsed.sections["M1"] == "first\n\nsecond"
    assert parsed.duplicates == ["M1"]
    assert commentary_problems(parsed, ["M1", "M2"], "c.md") == [
        "## M1 appears 2 times in c.md (lines 1, 5); the sections are shown one after the "
        "other: merge them into one"
    ]


def test_bom_and_crlf_are_tolerated() -> None:
    """A BOM and Windows line endings read like plain UTF-8."""
    parsed = parse_commentary(
        "\ufeff## Summary\r\nAll well.\r\n## M1\r\nLine one  \r\nline two\r\n"
    )
    assert parsed.summary == "All well."
    assert parsed.sections == {"M1": "Line one  \nline two"}


def test_unclosed_code_block_is_reported() -> None:
    """A fence never closed swallows what follows: the problem says where it opened."""
    parsed = parse_commentary("## M1\n```\ncode\n## M2\ntext\n")
    assert list(parsed.sections) == ["M1"]
    assert parsed.unclosed == "```"
    assert parsed.problems == (
        "the code block opened at line 2 (in ## M1) is never closed, so everything after it is "
        "read as part of it; close it with a line ```",
    )


def test_unknown_ids_and_empty_headings_are_warned_about() -> None:
    """The warning names the heading, the file and the catalogue, and suggests a near id."""
    parsed = parse_commentary("## ASCOF-9Z\nx\n## ascof-2d\ny\n## \nz\n## Summary\ns\n")
    path = Path("data/sample/commentary/2017-18-Q1.md")
    assert commentary_problems(parsed, ["ASCOF-2D", "M1"], path) == [
        "## ASCOF-9Z in data/sample/commentary/2017-18-Q1.md is not a measure of measures.csv "
        "(line 1); its text is not shown in any report",
        "## ascof-2d in data/sample/commentary/2017-18-Q1.md is not a measure of measures.csv "
        "(line 3); its text is not shown in any report: did you mean ASCOF-2D?",
        "a ## heading without a measure id in data/sample/commentary/2017-18-Q1.md (line 5); "
        "its text is not shown: write the measure id after ##",
    ]


def test_commentary_path_uses_the_period_slug() -> None:
    """<data>/commentary/<slug>.md for each kind of period."""
    assert commentary_path("data/x", parse_period("2017/18 Q1")) == Path(
        "data/x/commentary/2017-18-Q1.md"
    )
    assert commentary_path(Path("d"), parse_period("2017-10")) == Path("d/commentary/2017-10.md")
    assert commentary_path("d", parse_period("2011/12")) == Path("d/commentary/2011-12-FY.md")


def test_load_missing_file_is_empty(tmp_path: Path) -> None:
    """No file: no summary, no sections, nothing drafted."""
    loaded = load_commentary(tmp_path, Q1)
    assert loaded == Commentary()
    assert loaded.summary is None and not loaded.sections


def test_load_reads_bom_crlf(tmp_path: Path) -> None:
    """The file saved by Notepad (BOM, CRLF) is read as written."""
    path = commentary_path(tmp_path, Q1)
    path.parent.mkdir()
    path.write_bytes("\ufeff## M1\r\nCost £1,200 \u2013 café\r\n".encode())
    assert load_commentary(tmp_path, Q1).sections == {"M1": "Cost £1,200 \u2013 café"}


def test_load_non_utf8_names_the_file(tmp_path: Path) -> None:
    """A Windows-1252 file is refused with its name, the byte and its line."""
    path = commentary_path(tmp_path, Q1)
    path.parent.mkdir()
    path.write_bytes("## M1\nCost \u00a31,200\n".encode("cp1252"))
    with pytest.raises(CommentaryError) as error:
        load_commentary(tmp_path, Q1)
    assert str(error.value) == (
        f"{path} is not UTF-8 text (byte 0xa3 on line 2); save it with the encoding UTF-8 and "
        "run again"
    )


# -- rendering -------------------------------------------------------------------------------

ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"href", "title", "rel", "start", "style"}


class _Audit(HTMLParser):
    """Collects every tag, attribute and comment of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += attrs

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def _assert_safe(html: str) -> None:
    audit = _Audit()
    audit.feed(html)
    assert set(audit.tags) <= ALLOWED_TAGS, html
    assert {name for name, _ in audit.attributes} <= ALLOWED_ATTRIBUTES, html
    for name, value in audit.attributes:
        if name == "href":
            assert value and value.split(":", 1)[0].lower() in ("http", "https", "mailto"), html
        if name == "style":
            assert value == "" or (value.startswith("text-align:") and ";" not in value), html
        for word in ("javascript", "vbscript", "data:", "expression", "url("):
            assert word not in (value or "").lower(), html
    assert not audit.comments, html
    lowered = html.lower()
    for word in ("<script", "<svg", "<iframe", "<style", "onerror", "onload", "onclick"):
        assert word not in lowered, html


HOSTILE = [
    ("<script>alert(1)</script>", ""),
    ("<img src=x onerror=alert(1)>", ""),
    ("[click](javascript:alert(1))", "<p>click</p>"),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', '<p><a rel="noopener noreferrer">x</a></p>'),
    ("<svg onload=alert(1)><circle/></svg>", "<p></p>"),
    ('<iframe src="https://evil.example">inner</iframe>after', "after"),
    ("<style>body { display: none }</style>text", "text"),
    ("[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "<p>data</p>"),
    ("[ent](&#106;avascript:alert(1))", "<p>ent</p>"),
    ('<a href="&#106;avascript:alert(1)">ent</a>', '<p><a rel="noopener noreferrer">ent</a></p>'),
    (
        '<a href="&#x6A;avascript&colon;alert(1)">hex</a>',
        '<p><a rel="noopener noreferrer">hex</a></p>',
    ),
    ("[pct](%6Aavascript:alert(1))", "<p>pct</p>"),
    ("[tab](java\tscript:alert(1))", None),
    ("[vb](vbscript:msgbox(1))", "<p>vb</p>"),
    ('<div onclick="alert(1)">kept text</div>', "kept text"),
    ('<p onmouseover="alert(1)">para</p>', "<p>para</p>"),
    ("<scr<script>ipt>alert(1)</script>", "<p>&lt;scr</p>"),
    ('<a href="https://ok.example" onclick="alert(1)" target="_blank">ok</a>', None),
    ("<object data=x></object><embed src=x><form action=x><input></form>", None),
    ("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", None),
    ('<table><tr><td style="background:url(javascript:alert(1))">c</td></tr></table>', None),
    ("![x](javascript:alert(1))", "<p>x</p>"),
    ("<!-- a comment --><b>bold tag</b>", None),
]


@pytest.mark.parametrize(("source", "expected"), HOSTILE, ids=[h[0][:30] for h in HOSTILE])
def test_hostile_markup_never_survives(source: str, expected: str | None) -> None:
    """Scripts, handlers, frames, styles and unsafe links are gone; where the result is known
    exactly it is checked too."""
    html = render_markdown(source)
    _assert_safe(html)
    if expected is not None:
        assert html == expected


def test_markdown_formatting_works() -> None:
    """Bold, italics, lists, https and mailto links (rel noopener), code, quotes, tables and
    headings (# demoted to h3) all render."""
    source = (
        "**bold** *em* `x < y`\n\n- one\n- two\n\n1. first\n\n"
        '[paper](https://example.org/p.pdf "Board paper") and [mail](mailto:a@b.example)\n\n'
        "> quoted\n\n# Big\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n---\n\n~~old~~"
    )
    html = render_markdown(source)
    _assert_safe(html)
    assert "<p><strong>bold</strong> <em>em</em> <code>x &lt; y</code></p>" in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert "<ol>\n<li>first</li>\n</ol>" in html
    assert (
        '<a href="https://example.org/p.pdf" title="Board paper" rel="noopener noreferrer">'
        "paper</a>"
    ) in html
    assert '<a href="mailto:a@b.example" rel="noopener noreferrer">mail</a>' in html
    assert "<blockquote>\n<p>quoted</p>\n</blockquote>" in html
    assert "<h3>Big</h3>" in html
    assert '<th style="text-align:left">a</th>' in html
    assert '<td style="text-align:right">2</td>' in html
    assert "<hr>" in html and "<del>old</del>" in html


def test_draft_marker_never_reaches_html() -> None:
    """The marker and the name line are comments: stripped."""
    text = "<!-- M1: Contacts -->\n" + DRAFT_MARKER.format(fingerprint="0" * 12) + "\nA draft."
    assert render_markdown(text) == "<p>A draft.</p>"
    assert render_markdown(None) == "" and render_markdown(float("nan")) == ""


def test_escape_text() -> None:
    """Names, notes and reasons from data are plain text in HTML."""
    assert escape_text('<b>A&E "waits"</b>') == "&lt;b&gt;A&amp;E &quot;waits&quot;&lt;/b&gt;"
    assert escape_text(None) == "" and escape_text(float("nan")) == ""
    assert escape_text(12) == "12"


# -- drafts ----------------------------------------------------------------------------------
# The expected sentences are worked out by hand from data/sample (values.csv, targets.csv and
# measures.csv) following docs/method.md; the arithmetic is in each comment.


def test_draft_days_no_target(sample_card: pd.DataFrame) -> None:
    """DTOC-ASC: 780 against the 2016/17 average (700 + 731 + 752 + 793) / 4 = 744; lower is
    better, (780 - 744) / 744 = +4.84%, so 4.8% worse; the target is TBC, so it is N/A."""
    assert draft_commentary(_row(sample_card, "DTOC-ASC")) == (
        "Delayed transfers of care attributable to ASC only (total days in the quarter): "
        "780 days, 4.8% worse than 2016/17 average (744 days); no target set (TBC)."
    )


def test_draft_percentage_below_target(sample_card: pd.DataFrame) -> None:
    """ASCOF-2D: 77.4% against 80.2% at 2016/17 Q4 is 2.8 points worse; 77.4 - 80 = -2.6 points;
    amber_within 5% of 80 = 4 points, so Amber."""
    assert draft_commentary(_row(sample_card, "ASCOF-2D")) == (
        "% of people who had no need for ongoing services following reablement: 77.4%, "
        "2.8 points worse than 2016/17 Q4 (80.2%); 2.6 points below the target of 80%. "
        "Rated Amber: within 5% of target."
    )


def test_draft_count_against_profiled_target(sample_card: pd.DataFrame) -> None:
    """LIB-VISITS: 238,200 against 262,100 in 2016/17 Q1 (dot_basis last_year) is -9.12%; the
    target 1,000,000 x 3/12 = 250,000, and (238,200 - 250,000) / 250,000 = -4.72%."""
    assert draft_commentary(_row(sample_card, "LIB-VISITS")) == (
        "Total council funded library visits: 238,200, 9.1% worse than 2016/17 Q1 (262,100); "
        "4.7% below the year-to-date target of 250,000. Rated Amber: within 10% of target."
    )


def test_draft_rate_on_forecast(sample_card: pd.DataFrame) -> None:
    """ASCOF-2A1: the forecast 10.1 against 2016/17's 1.7 + 1.9 + 1.6 + 1.9 = 7.1 is +42.25%;
    against the target 6.1 it is +65.57%; the base of 11 caps Red at Amber."""
    assert draft_commentary(_row(sample_card, "ASCOF-2A1")) == (
        "Permanent admissions to care (aged 18-64) per 100,000 population: 10.1 per 100,000 "
        "(full year forecast), 42.3% worse than 2016/17 outturn (7.1 per 100,000); 65.6% above the "
        "year-end target of 6.1 per 100,000. Rated Amber: year-end forecast more than 5% from "
        "target; capped at Amber because the base (11) is below 20 (small numbers)."
    )


def test_draft_annual_measure_from_an_earlier_year(sample_card: pd.DataFrame) -> None:
    """LALS-SUCCESS: no 2017/18 row, so 2016/17's 96% (note Academic year 16/17), 4 points
    better than 2015/16's 92%, 11 points above the 2017/18 target of 85%."""
    assert draft_commentary(_row(sample_card, "LALS-SUCCESS")) == (
        "LALS success rate (adult learning): 96% for 2016/17 (Academic year 16/17), 4 points "
        "better than 2015/16 (92%); 11 points above the target of 85%. "
        "Rated Green: meets or beats target."
    )


def test_draft_band(sample_card: pd.DataFrame) -> None:
    """SEQ-MEET: 10.9% against 9.0% is 1.9 points higher; 10.9 - 9 = 1.9 points above the band
    5-9%, within the default 2 points, so Amber."""
    assert draft_commentary(_row(sample_card, "SEQ-MEET")) == (
        "% of sequels that 'Meet Need': 10.9%, 1.9 points higher than 2016/17 Q4 (9.0%); "
        "1.9 points above the target band of 5 to 9%. Rated Amber: within 2 points of the band "
        "5 to 9%."
    )
    assert draft_commentary(_row(sample_card, "SEQ-PREVENT")) == (
        "% of sequels that 'Prevent Need': 62%, 4 points higher than 2016/17 Q4 (58%); inside "
        "the target band of 59 to 63%. Rated Green: inside the band 59 to 63%."
    )


def test_draft_no_aim(sample_card: pd.DataFrame) -> None:
    """LIB-COMMUNITY-ISSUES: 83,800 against 98,800 is -15.18%: lower, not worse."""
    assert draft_commentary(_row(sample_card, "LIB-COMMUNITY-ISSUES")) == (
        "Total community library issues: 83,800, 15.2% lower than 2016/17 Q1 (98,800); not "
        "rated, as neither higher nor lower is better."
    )


def test_draft_pending(sample_card: pd.DataFrame) -> None:
    """ASCOF-3D1: the 2017/18 survey is due May-18; 2016/17 was 70%; the target is 71%."""
    assert draft_commentary(_row(sample_card, "ASCOF-3D1")) == (
        "% of service users who find it easy to find information: figure not yet available "
        "(Due May-18). The last figure was 70% (2016/17); the target is 71%."
    )
    assert draft_commentary(_row(sample_card, "ASCOF-3D2")) == (
        "% of carers who find it easy to find information: figure not yet available (Next "
        "survey due 2018/19). The last figure was 63.5% (2016/17); no target set (N/A: next "
        "survey due 2018/19)."
    )


def test_draft_year_to_date_in_q2() -> None:
    """HD-CONTACTS at 2012/13 Q2: 8,017 + 9,118 = 17,135 against 7,200 + 8,900 = 16,100 a year
    earlier (+6.43%); target 38,000 x 6/12 = 19,000, so -9.82%: Red beyond the default 5%."""
    card = build_scorecard(load_dataset(SAMPLE), "2012/13 Q2", ["Help Direct"])
    assert draft_commentary(_row(card, "HD-CONTACTS")) == (
        "The number of contacts to Help Direct: 17,135 year to date, 6.4% better than "
        "2011/12 Q2 year to date (16,100); 9.8% below the year-to-date target of 19,000. "
        "Rated Red: more than 5% from target."
    )


def test_draft_compared_on_the_periods_own_figures(tmp_path: Path) -> None:
    """A collection rate (ytd) compared with the previous quarter on each quarter's own figure:
    the year to date with its target first (57.0 - 56.52 = 0.48, "0.5 points"; Q2's own
    target, as targets.csv gives it), then Q2 alone, 57 - 31 = 26.0, against Q1 alone, 31.0:
    5.0 points worse. At Q1 the year to date is Q1's own figure, 31.0 - 30.97 = 0.03 points
    above 30.97%, "just", and 31.0 - 15.0 = 16.0 points better than 2021/22 Q4 alone (95 - 80
    = 15.0)."""
    from test_tables import COUNCIL

    data = load_dataset(write_dataset(tmp_path / "council", COUNCIL))
    q2 = build_scorecard(data, "2022/23 Q2")
    assert draft_commentary(_row(q2, "NNDR")) == (
        "Business rates collected: 57.0% year to date, 0.5 points above the year-to-date target "
        "of 56.52%; 26.0% in 2022/23 Q2 alone, 5.0 points worse than 2022/23 Q1 alone (31.0%). "
        "Rated Green: meets or beats target."
    )
    q1 = build_scorecard(data, "2022/23 Q1")
    assert draft_commentary(_row(q1, "NNDR")) == (
        "Business rates collected: 31.0%, 16.0 points better than 2021/22 Q4 alone (15.0%); "
        "just above the year-to-date target of 30.97%. Rated Green: meets or beats target."
    )
    # a snapshot (last) compared as printed, against Q2's own band of 60 to 65%
    assert draft_commentary(_row(q2, "BAND")) == (
        "Reviews in band: 62%, 4 points higher than 2022/23 Q1 (58%); inside the target band "
        "of 60 to 65%. Rated Green: inside the band 60 to 65%."
    )


def test_drafts_for_counts_on_target_and_markdown_in_names(tmp_path: Path) -> None:
    """The count behind a percentage, "the same as", "on target", a zero baseline and target,
    "1 point", and a name full of markdown and HTML written so it shows as spelt."""
    folder = write_dataset(
        tmp_path / "data",
        {
            "measures.csv": (
                "measure_id,name,service,theme,framework,unit,polarity,aggregation,frequency,"
                "decimals\n"
                "P1,Reviews on time,Care,Access,Local,percent,high,last,quarterly,1\n"
                "P2,Days waiting,Care,Access,Local,days,low,last,quarterly,0\n"
                "P3,Complaints,Care,Access,Local,count,low,sum,quarterly,0\n"
                "P4,## <b>Bold</b> not_a *heading*,Care,Access,Local,percent,high,last,"
                "quarterly,0\n"
            ),
            "values.csv": (
                "measure_id,period,value,numerator,denominator\n"
                "P1,2016/17 Q4,35.7,100,280\nP1,2017/18 Q1,37.1,112,302\n"
                "P2,2016/17 Q4,10,,\nP2,2017/18 Q1,10,,\n"
                "P3,2016/17 Q1,0,,\nP3,2016/17 Q2,0,,\nP3,2016/17 Q3,0,,\nP3,2016/17 Q4,0,,\n"
                "P3,2017/18 Q1,3,,\n"
                "P4,2016/17 Q4,50,,\nP4,2017/18 Q1,51,,\n"
            ),
            "targets.csv": (
                "measure_id,year,target\nP1,2017/18,35\nP2,2017/18,10\nP3,2017/18,0\n"
                "P4,2017/18,50\n"
            ),
        },
    )
    card = build_scorecard(load_dataset(folder), Q1)
    drafts = [draft_commentary(row) for _, row in card.iterrows()]
    assert drafts == [
        "Reviews on time: 37.1% (112 of 302), 1.4 points better than 2016/17 Q4 (35.7%); "
        "2.1 points above the target of 35%. Rated Green: meets or beats target.",
        "Days waiting: 10 days, the same as 2016/17 Q4 (10 days); on target (10 days). "
        "Rated Green: meets or beats target.",
        "Complaints: 3, 3 higher than 2016/17 Q1 (0); 3 above the target of 0. "
        "Rated Red: more than 5% from target.",
        "\\## \\<b\\>Bold\\</b\\> not\\_a \\*heading\\*: 51%, 1 point better than 2016/17 Q4 "
        "(50%); 1 point above the target of 50%. Rated Green: meets or beats target.",
    ]
    html = render_markdown(drafts[3])
    _assert_safe(html)
    assert html.startswith("<p>## &lt;b&gt;Bold&lt;/b&gt; not_a *heading*: 51%")
    # in a file, the name cannot start a section of its own
    path = tmp_path / "c.md"
    assert scaffold_commentary(card, path) == ["Summary: Care", "P1", "P2", "P3", "P4"]
    assert list(load_commentary_file(path).sections) == ["P1", "P2", "P3", "P4"]


def test_draft_keeps_an_override_reason_whole(tmp_path: Path) -> None:
    """An officer's reason is quoted as written, with the computed rating."""
    folder = tmp_path / "sample"
    # without the sample's own commentary files: the tests start from none
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("commentary"))
    (folder / "overrides.csv").write_text(
        "measure_id,period,rag,reason,by\n"
        "ASCOF-2D,2017/18 Q1,g,New provider (3% of cases); recovered in July,Head of Service\n",
        encoding="utf-8",
    )
    card = build_scorecard(load_dataset(folder), Q1, ["Adult Social Care"])
    assert draft_commentary(_row(card, "ASCOF-2D")).endswith(
        "2.6 points below the target of 80%. Rated Green: overridden by Head of Service: New "
        "provider (3% of cases); recovered in July (computed Amber: within 5% of target (-2.6 "
        "points, -3.3% of target))."
    )


def load_commentary_file(path: Path) -> Commentary:
    """Parses a commentary file at any path."""
    return parse_commentary(path.read_text(encoding="utf-8-sig"))


# -- scaffolding -----------------------------------------------------------------------------


def test_scaffold_new_file(tmp_path: Path, sample_card: pd.DataFrame) -> None:
    """A preamble, a summary of each service's own and one drafted section per measure in
    catalogue order; all drafts; a second run adds nothing and leaves the bytes alone."""
    path = commentary_path(tmp_path, Q1)
    ids = list(sample_card["measure_id"])
    summaries = ["Summary: Adult Social Care", "Summary: Communities and Wellbeing"]
    assert scaffold_commentary(sample_card, path) == [*summaries, *ids]
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Commentary: 2017/18 Q1\n\n<!-- ")
    parsed = parse_commentary(text)
    assert [h for h, _ in parsed.headings] == [*summaries, *ids]
    assert parsed.drafts == frozenset(ids) and parsed.summary is None
    assert parsed.service_summary_drafts == {"Adult Social Care", "Communities and Wellbeing"}
    # docs/method.md section 10: 22 rated (14 Green, 8 Amber), 3 surveys pending, 5 N/A; of
    # them Adult Social Care's 21 measures are 6 Amber, 9 Green, 3 pending and 3 N/A (seed
    # 004's pages, tests/test_runner.py), so Communities and Wellbeing's 9 are the rest
    assert parsed.service_summaries["Adult Social Care"].endswith(
        "2017/18 Q1: 21 measures: 6 Amber, 9 Green, 3 Pending and 3 N/A."
    )
    assert parsed.service_summaries["Communities and Wellbeing"].endswith(
        "2017/18 Q1: 9 measures: 2 Amber, 5 Green and 2 N/A."
    )
    assert parsed.sections["DTOC-ASC"] == (
        "<!-- DTOC-ASC: Delayed transfers of care attributable to ASC only (total days in the "
        "quarter) -->\n"
        f"{_marker_line(parsed.sections['DTOC-ASC'])}\n"
        "Delayed transfers of care attributable to ASC only (total days in the quarter): 780 "
        "days, 4.8% worse than 2016/17 average (744 days); no target set (TBC)."
    )
    before = path.read_bytes()
    assert scaffold_commentary(sample_card, path) == []
    assert path.read_bytes() == before


def _marker_line(body: str) -> str:
    line = next(line for line in body.splitlines() if line.startswith("<!-- perfnb draft "))
    assert line == DRAFT_MARKER.format(fingerprint=line.split()[3].rstrip(":"))
    return line


def test_scaffold_keeps_every_existing_byte(tmp_path: Path, sample_card: pd.DataFrame) -> None:
    """CRLF endings, trailing spaces, no final newline, a pound sign, en dash and accents, odd
    markdown: the original bytes are an exact prefix, sections already there are not repeated,
    and the new ones continue the file's CRLF endings."""
    path = commentary_path(tmp_path, Q1)
    path.parent.mkdir(parents=True)
    original = (
        "\ufeffPreamble with trailing spaces   \r\n"
        "## ASCOF-2D  \r\n"
        "Spend £1,200 \u2013 café **bold *nested** oops*  \r\n"
        "<div>raw html</div>\r\n"
        "```\r\n## LIB-VISITS (in code, not a section)\r\n```\r\n"
        "## SEQ-MEET\r\n"
        "   \t\r\n"
        "no final newline: ñ ✓"
    ).encode()
    path.write_bytes(original)
    added = scaffold_commentary(sample_card, path)
    after = path.read_bytes()
    assert after.startswith(original)
    assert added == ["Summary: Adult Social Care", "Summary: Communities and Wellbeing"] + [
        m for m in sample_card["measure_id"] if m not in ("ASCOF-2D", "SEQ-MEET")
    ]
    tail = after[len(original) :]
    assert tail.startswith(b"\r\n\r\n## Summary: Adult Social Care\r\n")
    assert b"\n" not in tail.replace(b"\r\n", b"")
    parsed = parse_commentary(after.decode("utf-8-sig"))
    assert parsed.sections["ASCOF-2D"].startswith("Spend £1,200 \u2013 café")
    assert parsed.sections["SEQ-MEET"] == "no final newline: ñ ✓"
    assert "LIB-VISITS" in parsed.sections  # the real one, added at the end
    assert "ASCOF-2D" not in parsed.drafts and "SEQ-MEET" not in parsed.drafts
    assert scaffold_commentary(sample_card, path) == []
    assert path.read_bytes() == after


def test_scaffold_refuses_a_file_ending_in_an_open_code_block(
    tmp_path: Path, sample_card: pd.DataFrame
) -> None:
    """Sections appended inside an unclosed fence would vanish: refuse, write nothing."""
    path = tmp_path / "c.md"
    path.write_text("## ASCOF-2D\n```\ncode\n", encoding="utf-8")
    with pytest.raises(CommentaryError, match=r"cannot add sections to .*c\.md: the code block"):
        scaffold_commentary(sample_card, path)
    assert path.read_text(encoding="utf-8") == "## ASCOF-2D\n```\ncode\n"


def test_scaffold_refuses_non_utf8(tmp_path: Path, sample_card: pd.DataFrame) -> None:
    """A Windows-1252 file is left as it is."""
    path = tmp_path / "c.md"
    path.write_bytes(b"## ASCOF-2D\n\x93quoted\x94\n")
    with pytest.raises(CommentaryError, match="is not UTF-8 text"):
        scaffold_commentary(sample_card, path)
    assert path.read_bytes() == b"## ASCOF-2D\n\x93quoted\x94\n"


def test_scaffold_keeps_file_mode(tmp_path: Path, sample_card: pd.DataFrame) -> None:
    """An existing file keeps its permissions; no temporary file is left behind."""
    path = tmp_path / "c.md"
    path.write_text("## Summary\nx\n", encoding="utf-8")
    os.chmod(path, 0o640)
    scaffold_commentary(sample_card.head(2), path)
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["c.md"]


def test_replace_refuses_when_the_file_changed(tmp_path: Path) -> None:
    """If the analyst saves between read and write, their save wins and nothing is written."""
    path = tmp_path / "c.md"
    path.write_bytes(b"saved by the editor")
    assert not replace_if_unchanged(path, b"what perfnb read", b"what perfnb read + more")
    assert path.read_bytes() == b"saved by the editor"
    assert not replace_if_unchanged(tmp_path / "new.md", b"x", b"y")
    assert not (tmp_path / "new.md").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["c.md"]


# -- drafts detected, commentary missing -----------------------------------------------------


def test_draft_detection(tmp_path: Path, sample_card: pd.DataFrame) -> None:
    """Re-wrapping a draft keeps it a draft; editing a word, adding a line or deleting the
    marker makes it the analyst's."""
    path = tmp_path / "c.md"
    scaffold_commentary(sample_card, path)
    text = path.read_text(encoding="utf-8")
    draft = parse_commentary(text).sections["ASCOF-2D"].splitlines()[-1]

    def edited(new: str) -> Commentary:
        return parse_commentary(text.replace(draft, new))

    assert "ASCOF-2D" in edited(draft.replace(", ", ",\n   ")).drafts
    assert "ASCOF-2D" not in edited(draft.replace("worse", "lower")).drafts
    assert "ASCOF-2D" not in edited(draft + "\n\nA new provider started in April.").drafts
    marker = _marker_line(parse_commentary(text).sections["ASCOF-2D"])
    unmarked = parse_commentary(text.replace(marker + "\n", "", 1))
    assert "ASCOF-2D" not in unmarked.drafts and unmarked.has_commentary("ASCOF-2D")


def test_missing_commentary_on_the_sample(tmp_path: Path, sample_card: pd.DataFrame) -> None:
    """Red and Amber measures with no section, an empty one or only the draft are listed."""
    red_amber = list(sample_card.loc[sample_card["rag"].isin(["Red", "Amber"]), "measure_id"])
    assert red_amber == [
        "LIB-VISITS",
        "LIB-CHILD-ISSUES",
        "ASCOF-2D",
        "ASCOF-2B1",
        "ASCOF-2A1",
        "SEQ-MEET",
        "ASCOF-1C1A",
        "ASCOF-1C2B",
    ]
    none = missing_commentary(sample_card, Commentary())
    assert list(none.columns) == ["measure_id", "name", "rag", "problem"]
    assert list(none["measure_id"]) == red_amber
    assert set(none["problem"]) == {"no commentary"}
    assert none.loc[0, "name"] == "Total council funded library visits"

    path = tmp_path / "c.md"
    scaffold_commentary(sample_card, path)
    drafted = missing_commentary(sample_card, load_commentary_file(path))
    assert list(drafted["measure_id"]) == red_amber
    assert set(drafted["problem"]) == {"only the generated draft"}

    text = path.read_text(encoding="utf-8")
    text = text.replace("## ASCOF-2D\n", "## ASCOF-2D\nA new provider.\n", 1)
    text = text.replace("## SEQ-MEET\n", "## SEQ-MEET\n<!-- only a comment -->\n## X\n", 1)
    left = missing_commentary(sample_card, parse_commentary(text))
    assert "ASCOF-2D" not in list(left["measure_id"])
    assert left.set_index("measure_id").loc["SEQ-MEET", "problem"] == "no commentary"
    assert len(left) == len(red_amber) - 1


# -- the round trip --------------------------------------------------------------------------


def test_round_trip_scaffold_edit_rerun_edit(tmp_path: Path, sample_card: pd.DataFrame) -> None:
    """Scaffold, replace a draft with analyst text (hostile markup included), scaffold again
    (nothing lost, nothing added), render (text shown, markup neutralised), edit again."""
    data_dir = tmp_path / "data"
    path = commentary_path(data_dir, Q1)
    assert len(scaffold_commentary(sample_card, path)) == len(sample_card) + 2  # 2 summaries

    text = path.read_text(encoding="utf-8")
    body = load_commentary(data_dir, Q1).sections["ASCOF-2D"]
    analyst = (
        "The new provider's **first quarter**; see [the plan](https://example.org/plan).\n\n"
        "<script>alert('x')</script>\n\n"
        "<img src=x onerror=alert(1)> then [bad](javascript:alert(1)) and "
        "<a href='JaVaScRiPt:alert(2)' onclick='alert(3)'>worse</a>\n\n"
        "- July: 79%\n- August: 80%"
    )
    path.write_text(text.replace(body, analyst), encoding="utf-8")
    edited = path.read_bytes()

    assert scaffold_commentary(sample_card, path) == []
    assert path.read_bytes() == edited
    loaded = load_commentary(data_dir, Q1)
    assert loaded.sections["ASCOF-2D"] == analyst
    assert "ASCOF-2D" not in loaded.drafts
    assert "ASCOF-2D" not in list(missing_commentary(sample_card, loaded)["measure_id"])

    html = loaded.html("ASCOF-2D")
    _assert_safe(html)
    assert html == (
        "<p>The new provider's <strong>first quarter</strong>; see "
        '<a href="https://example.org/plan" rel="noopener noreferrer">the plan</a>.</p>\n'
        "\n\n"  # where the script was
        '<p> then bad and <a rel="noopener noreferrer">worse</a></p>\n'
        "<ul>\n<li>July: 79%</li>\n<li>August: 80%</li>\n</ul>"
    )

    again = edited.decode("utf-8").replace("- August: 80%", "- August: 80%\n- September: 81%")
    again = again.replace("## LIB-VISITS\n", "## LIB-VISITS\nSeasonal dip.\n", 1)
    path.write_text(again, encoding="utf-8")
    assert scaffold_commentary(sample_card, path) == []
    final = load_commentary(data_dir, Q1)
    assert final.sections["ASCOF-2D"] == analyst + "\n- September: 81%"
    assert final.sections["LIB-VISITS"].startswith("Seasonal dip.\n\n<!-- LIB-VISITS:")
    assert "LIB-VISITS" not in final.drafts
    assert path.read_text(encoding="utf-8") == again
    # a measure added to the catalogue later gets its section at the end, nothing else moves
    extra = sample_card.head(1).assign(measure_id="NEW-1", name="A new measure")
    assert scaffold_commentary(pd.concat([sample_card, extra]), path) == ["NEW-1"]
    assert path.read_text(encoding="utf-8").startswith(again)


# -- a summary for each service ----------------------------------------------------------------


def test_a_service_reads_its_own_summary() -> None:
    """``## Summary: <service>`` is that service's summary, matched by name in any case or by
    slug; a service without one reads the period's ``## Summary``."""
    parsed = parse_commentary(
        "## Summary\n\nA quiet quarter.\n\n## Summary: Help Desk\n\nCalls rose 8%.\n\n"
        "## summary:care\n\nTwo homes closed.\n\n## M1\n\nOn track.\n"
    )
    assert parsed.summary == "A quiet quarter."
    assert dict(parsed.service_summaries) == {
        "Help Desk": "Calls rose 8%.",
        "care": "Two homes closed.",
    }
    assert list(parsed.sections) == ["M1"]  # a service's summary is no measure's section
    assert parsed.for_service("Help Desk").summary == "Calls rose 8%."
    assert parsed.for_service("help-desk").summary == "Calls rose 8%."
    assert parsed.for_service("Care").summary == "Two homes closed."
    assert parsed.for_service("Parks").summary == "A quiet quarter."
    assert parsed.for_service("Help Desk").sections == parsed.sections


def test_an_untouched_service_draft_does_not_hide_the_period_summary() -> None:
    """A service summary still holding perfnb's draft gives way to a period summary an analyst
    wrote; with none written, the service's draft stands (and is not published as written)."""
    draft = "2017/18 Q1: 2 measures: 1 Amber and 1 Green."
    drafted = f"## Summary: Help Desk\n\n{draft_marker(draft)}\n{draft}\n"
    written = parse_commentary(f"## Summary\n\nA quiet quarter.\n\n{drafted}")
    assert written.service_summary_drafts == {"Help Desk"}
    assert written.for_service("Help Desk").summary == "A quiet quarter."
    alone = parse_commentary(drafted).for_service("Help Desk")
    assert alone.summary_is_draft and alone.summary.endswith(draft)


def test_a_summary_for_no_service_is_warned() -> None:
    """``## Summary: Parks`` where no service is called Parks: its text would show nowhere."""
    parsed = parse_commentary("## Summary: Parks\n\nx\n\n## Summary: help desk\n\ny\n")
    problems = commentary_problems(parsed, ["M1"], "c.md", services=["Help Desk", "Care"])
    assert problems == [
        "## Summary: Parks in c.md names no service of measures.csv (line 1); its summary is "
        "not shown in any report (the services: Help Desk, Care)"
    ]
