"""The printed report, as a committee gets it: ``perfnb run --format html,pdf`` on the sample's
Adult Social Care report of 2017/18 Q1 (Leicestershire's scorecard, 21 measures), the PDF
printed by headless Chromium, read back with poppler (pdfinfo, pdftotext, pdftoppm).

Page 1 tells the story, the report is at most 14 A4 pages, every page has the running footer,
no page ends with a heading, caption or table header without what follows it, no page but the
last is under a quarter full, and the PDF has bookmarks. Page 1 is kept as a PNG in
``$PERFNB_BROWSER_ARTIFACTS`` to be looked at. Skipped without Chromium and poppler, except in
CI, where ``make test`` installs them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import NOTEBOOKS, SAMPLE
from perfnb import run_reports
from perfnb.pages.contents import headings

NEEDED = ("chromium", "pdfinfo", "pdftotext", "pdftoppm")
if not all(shutil.which(p) for p in NEEDED) and not os.environ.get("CI"):
    pytest.skip(
        "Chromium and poppler are needed (make test installs them)", allow_module_level=True
    )

FOOTER = "Sample Council - Adult Social Care - 2017/18 Q1"
MAX_PAGES = 14  # the goal for this report


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[str]]:
    """The report's PDF, its HTML and the text of each printed page."""
    root = tmp_path_factory.mktemp("print")
    result = run_reports(
        "2017/18 Q1",
        SAMPLE,
        root / "output",
        services=["Adult Social Care"],
        notebooks=["scorecard"],
        notebooks_dir=NOTEBOOKS,
        workers=1,
        formats=("html", "pdf"),
    )
    assert result.ok, result.summary()
    pdf = result.folder / "scorecard-adult-social-care.pdf"
    assert result.jobs[0].formats == ["scorecard-adult-social-care.pdf"]
    html = (result.folder / "scorecard-adult-social-care.html").read_text(encoding="utf-8")
    count = _page_count(pdf)
    pages = [
        subprocess.run(
            ["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for n in range(1, count + 1)
    ]
    artifacts = os.environ.get("PERFNB_BROWSER_ARTIFACTS")
    if artifacts:
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        shutil.copy(pdf, Path(artifacts) / "printed-report.pdf")
        first = str(Path(artifacts) / "printed-page-1")
        subprocess.run(
            ["pdftoppm", "-r", "70", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf), first],
            check=True,
        )
    return pdf, html, pages


def _page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))


def _body_lines(page: str) -> list[str]:
    """A page's lines of text above its running footer."""
    lines = [" ".join(line.split()) for line in page.splitlines() if line.strip()]
    return [line for line in lines if not line.startswith(FOOTER)]


def test_the_report_prints_on_at_most_fourteen_a4_pages(printed) -> None:
    pdf, _, pages = printed
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "(A4)" in info
    assert len(pages) <= MAX_PAGES


def test_page_one_tells_the_story_and_the_contents_follow(printed) -> None:
    """Title, council and period; the counts; what moved since 2016/17 Q4; key messages with
    the facts from the numbers; the top exceptions; and no contents (they start page 2)."""
    _, _, pages = printed
    first = " ".join(_body_lines(pages[0]))
    for said in (
        "Sample Council",
        "Adult Social Care: performance report",
        "2017/18 Quarter 1",
        "21 measures: Red 0 Amber 6 Green 9 N/A 3 Pending 3",
        "Since 2016/17 Q4:",
        "Key messages",
        "Furthest short of target",
        "Top exceptions",
        "ASCOF-2A1",
    ):
        assert said in first, said
    assert "Contents" not in first
    assert "Contents" in " ".join(_body_lines(pages[1]))


def test_every_page_has_the_running_footer(printed) -> None:
    """Council, report and period on the left, Page n of N on the right, on every page."""
    _, _, pages = printed
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        footer = [line for line in page.splitlines() if FOOTER in line]
        assert footer, f"page {number} has no footer"
        assert f"Page {number} of {total}" in footer[-1]


def test_no_page_ends_with_a_heading_caption_or_table_header(printed) -> None:
    """The last line of each page but the last is none of the report's headings (or the end
    of one that wrapped), no table's caption and not a row of column headings alone."""
    _, html, pages = printed
    titles = [h.text for h in headings(html, levels=(2, 3))]
    captions = [" ".join(c.split()) for c in re.findall(r"<caption[^>]*>(.*?)</caption>", html)]
    header_words = set()
    for head in re.findall(r"<thead>(.*?)</thead>", html, re.S):
        header_words |= set(re.sub(r"<[^>]+>", " ", head).split())
    for number, page in enumerate(pages[:-1], start=1):
        last = _body_lines(page)[-1]
        assert not any(t.endswith(last) or t == last for t in titles), (number, last)
        assert last not in captions, (number, last)
        assert not set(last.split()) <= header_words, (number, last)


def test_no_page_but_the_last_is_under_a_quarter_full(printed, tmp_path) -> None:
    """How far down each page its lowest mark reaches (above the footer), from the page
    drawn at 30 dpi in grey: at least a quarter of the page for every page but the last."""
    from PIL import Image

    pdf, _, pages = printed
    subprocess.run(["pdftoppm", "-r", "30", "-gray", "-png", str(pdf), str(tmp_path / "p")])
    drawn = sorted(tmp_path.glob("p-*.png"))
    assert len(drawn) == len(pages)
    for number, path in enumerate(drawn[:-1], start=1):
        with Image.open(path) as opened:
            image = opened.convert("L")
            width, height = image.size
            pixels = image.load()
            body = int(height * 0.94)  # the footer sits in the bottom margin
            lowest = max(
                (y for y in range(body) if any(pixels[x, y] < 200 for x in range(width))),
                default=0,
            )
        assert lowest / body >= 0.25, f"page {number} is {lowest / body:.0%} full"


def test_the_pdf_has_bookmarks_and_a_title(printed) -> None:
    """Chromium's document outline (from the headings) and the page's title."""
    pdf, _, _ = printed
    assert b"/Outlines" in pdf.read_bytes()
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert f"Title:           {FOOTER}" in info
