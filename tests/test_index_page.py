"""render_index on a tiny hand-made manifest: what a reader sees in the period's index.html."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from perfnb import load_dataset
from perfnb.pages.index import render_index
from perfnb.periods import Period

SCRIPT = "<script>alert(1)</script>"
REPORTS = [
    {
        "key": "report-help-desk",
        "notebook": "report",
        "service": "Help Desk",
        "status": "ok",
        "html": "report-help-desk.html",
        "finished": "2026-11-22T15:35:34+00:00",
        "rag_counts": {"Red": 1, "Amber": 2, "Green": 3},
    },
    {
        "key": "report-care",
        "notebook": "report",
        "service": "Care",
        "status": "failed",
        "ipynb": "report-care.ipynb",
        "error": "KeyError: 'M3'",
        "cell": 4,
        "finished": "2026-11-22T15:36:00+00:00",
        "last_good": {"html": "report-care.html", "finished": "2026-11-01T09:05:00+00:00"},
    },
    {"key": "report-a-b", "notebook": "report", "service": "A & B", "status": "failed"},
    {
        "key": "report-script",
        "notebook": "report",
        "service": SCRIPT,
        "status": "ok",
        "html": "report-script.html",
        "rag_counts": {"Green": 7},
    },
]


class Page(HTMLParser):
    """The page as a reader sees it: its tags, its links (href, text) and the body rows of
    its two tables: the reports (``cells``) and how they were built (``built``)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[tuple[str, str]] = []
        self.tables: list[list[list[str]]] = []
        self._link: list[str] | None = None
        self._in_cell = False
        self._in_body = False
        self.html = html
        self.feed(html)
        self.rows = self.tables[0]
        self.cells = {row[0]: [" ".join(c.split()) for c in row] for row in self.rows if row}
        self.built = {row[0]: [" ".join(c.split()) for c in row] for row in self.tables[1]}

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)
        if tag == "table":
            self.tables.append([])
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self._in_body:
            self.tables[-1][-1].append("")
            self._in_cell = True
        elif tag == "a":
            self._link = [dict(attrs)["href"], ""]
        elif tag == "br" and self._in_cell:
            self.tables[-1][-1][-1] += " "

    def handle_endtag(self, tag) -> None:
        if tag == "a" and self._link is not None:
            self.links.append((self._link[0], self._link[1]))
            self._link = None
        elif tag in ("td", "th"):
            self._in_cell = False
        elif tag == "tbody":
            self._in_body = False

    def handle_data(self, data) -> None:
        if self._in_cell:
            self.tables[-1][-1][-1] += data
        if self._link is not None:
            self._link[1] += data


@pytest.fixture
def page(tiny) -> Page:
    folder = tiny()
    (folder / "dataset.toml").write_text('council = "Smith & Jones"\n', encoding="utf-8")
    html = render_index(load_dataset(folder), Period("quarter", 2017, 1), REPORTS)
    return Page(html)


def test_each_report_is_linked_by_its_file_name(page) -> None:
    """Built reports, and the failed one with a last good version, link their html files."""
    assert ("report-help-desk.html", "Help Desk") in page.links
    assert ("report-script.html", SCRIPT) in page.links
    assert ("report-care.html", "Care") in page.links  # its last good one
    assert not [text for _, text in page.links if text == "A & B"]  # nothing to link to


def test_rows_sorted_by_service_and_counts_shown(page) -> None:
    """Rows in service order ('<' sorts before 'A'), each with its R/A/G counts and its page;
    the build details give the status and when it finished."""
    assert [row[0] for row in page.rows if row] == [SCRIPT, "A & B", "Care", "Help Desk"]
    desk = page.cells["Help Desk"]
    assert desk[1] == "Performance report"
    assert desk[2] == "Red 1 Amber 2 Green 3"
    assert desk[4] == "Web page"
    assert page.built["Help Desk"][2] == "Built"
    assert page.built["Help Desk"][3] == "22 Nov 2026 15:35"
    assert page.cells[SCRIPT][2] == "Green 7"
    assert page.cells["A & B"][2] == ""  # no counts


def test_failed_report_is_marked_with_its_last_good_version(page) -> None:
    """A failed report says Failed with its error and cell, and when the last good was built."""
    assert page.built["Care"][2] == (
        "Failed: KeyError: 'M3' (cell 4) executed notebook "
        "The report linked is the last good one, built 01 Nov 2026 09:05."
    )
    assert page.cells["Care"][4] == (
        "Web page Not built: the page linked is the last good one, built 01 Nov 2026 09:05"
    )
    assert ("report-care.ipynb", "executed notebook") in page.links
    assert page.built["A & B"][2] == "Failed:"  # no error, cell nor notebook recorded


def test_every_format_built_is_linked_with_the_changes_since_the_period_before(tiny) -> None:
    """A report built as HTML, PDF and Word links all three; its changes are worded."""
    report = {
        **REPORTS[0],
        "formats": ["report-help-desk.pdf", "report-help-desk.docx"],
        "changes": {"improving": 3, "declining": 1, "stable": 2, "better": 1, "worse": 0},
    }
    page = Page(render_index(load_dataset(tiny()), Period("quarter", 2017, 1), [report]))
    assert (
        page.cells["Help Desk"][3]
        == "3 improving, 1 declining, 2 stable; ratings 1 better, 0 worse"
    )
    assert [link for link in page.links if link[0].startswith("report-help-desk")] == [
        ("report-help-desk.html", "Help Desk"),
        ("report-help-desk.html", "Web page"),
        ("report-help-desk.pdf", "PDF"),
        ("report-help-desk.docx", "Word"),
    ]
    assert "Since 2016/17 Q4" in page.html


def test_text_from_data_is_escaped_not_live(page) -> None:
    """A service named like a script tag, and '&' in names, reach the reader as plain text."""
    assert "script" not in page.tags
    assert page.cells[SCRIPT][0] == SCRIPT
    assert "A & B" in page.cells
    html = page.html
    assert SCRIPT not in html and "A & B" not in html and "Smith & Jones" not in html
    assert '<p class="council">Smith &amp; Jones</p>' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_tables_and_manifest_are_linked(page) -> None:
    """The default tables link scorecard.csv; manifest.json is always linked."""
    assert ("scorecard.csv", "scorecard.csv") in page.links
    assert ("manifest.json", "manifest.json") in page.links
    assert "actions.csv" not in [href for href, _ in page.links]
