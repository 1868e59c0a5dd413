"""The exported report in a real browser: Debian's Chromium, driven by Playwright.

Builds the sample's Adult Social Care report for 2017/18 Q1 with commentary that includes
hostile markup, opens it offline in headless Chromium, and checks what a reader sees: no console
errors and no network requests, RAG cells with their words and colours, charts with alt text,
the commentary (its markdown rendered, its scripts dead), the contents, and an A4 print. The
screenshot and PDF are kept in ``$PERFNB_BROWSER_ARTIFACTS`` (``make test``:
``output/browser-test``) to be looked at.

Skipped when Chromium is not installed, except in CI (``CI`` set), where it must be:
``make test`` installs it (``tools/install-chromium``).
"""

from __future__ import annotations

import os
import re
import shutil
from itertools import pairwise
from pathlib import Path

import pytest

from conftest import NOTEBOOKS, SAMPLE
from perfnb import run_reports
from perfnb.palette import ACTION_STYLES, RAG_STYLES

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and not os.environ.get("CI"):
    pytest.skip("Chromium is not installed (make test installs it)", allow_module_level=True)

# the flags this machine's closed network needs (no background connections to Google)
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

COMMENTARY = """\
## Summary

Reablement dipped in **Quarter 1**; see ASCOF-2D.

## ASCOF-2D

The new reablement provider started in *April*; outcomes fell to 77.4%.

- Weekly review with the provider
- [Reablement strategy](https://www.leicestershire.gov.uk/)

<script>window.__pwned = "script";</script>
<img src="x" onerror="window.__pwned = 'onerror'">
[click me](javascript:window.__pwned='link')
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Adult Social Care report for 2017/18 Q1, built with hostile commentary."""
    root = tmp_path_factory.mktemp("browser")
    data = root / "data"
    shutil.copytree(SAMPLE, data, ignore=shutil.ignore_patterns("commentary"))
    (data / "commentary").mkdir()
    (data / "commentary" / "2017-18-Q1.md").write_text(COMMENTARY, encoding="utf-8")
    result = run_reports(
        "2017/18 Q1",
        data,
        root / "output",
        services=["Adult Social Care"],
        notebooks=["scorecard"],
        notebooks_dir=NOTEBOOKS,
    )
    assert result.ok, result.summary()
    return result.folder / "scorecard-adult-social-care.html"


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("PERFNB_BROWSER_ARTIFACTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (Debian's), driven by Playwright, for the module's pages."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def page(browser, report: Path):
    """The report open in headless Chromium, with what it logged and requested."""
    context = browser.new_context(viewport={"width": 1280, "height": 1600})
    tab = context.new_page()
    tab.console_errors = []
    tab.page_errors = []
    tab.requests = []
    tab.on("console", lambda m: m.type == "error" and tab.console_errors.append(m.text))
    tab.on("pageerror", lambda e: tab.page_errors.append(str(e)))
    tab.on("request", lambda r: tab.requests.append(r.url))
    tab.goto(report.as_uri(), wait_until="load")
    yield tab
    context.close()


def test_no_console_errors_and_nothing_fetched(page) -> None:
    """The page opens offline: no errors logged, nothing requested but the file itself."""
    assert page.console_errors == []
    assert page.page_errors == []
    fetched = [u for u in page.requests if not u.startswith(("file://", "data:"))]
    assert fetched == []
    assert page.evaluate("document.documentElement.lang") == "en"


def test_rag_cells_show_their_word_and_colour(page) -> None:
    """Amber cells read Amber on the palette's amber: colour never stands alone."""
    cells = page.locator("td.rag-amber")
    assert cells.count() >= 6
    first = cells.first
    assert first.is_visible()
    assert first.inner_text().strip() == "Amber"
    rgb = first.evaluate("e => getComputedStyle(e).backgroundColor")
    fill = RAG_STYLES["Amber"].fill
    expected = tuple(int(fill[i : i + 2], 16) for i in (1, 3, 5))
    assert tuple(map(int, re.findall(r"\d+", rgb))) == expected


def test_charts_are_loaded_images_with_alt_text(page) -> None:
    """Every chart image has decoded and carries a description."""
    images = page.locator("figure.perfnb-chart img")
    assert images.count() >= 15
    for i in range(images.count()):
        image = images.nth(i)
        assert image.evaluate("e => e.complete && e.naturalWidth > 0")
        assert len(image.get_attribute("alt") or "") > 20
    assert images.first.is_visible()


def test_commentary_rendered_and_hostile_markup_dead(page) -> None:
    """The analyst's markdown is rendered; the script, handler and javascript: link are not."""
    commentary = page.locator("#measure-ascof-2d .perfnb-commentary")
    assert commentary.is_visible()
    assert "The new reablement provider started in April" in commentary.inner_text()
    assert commentary.locator("em").inner_text() == "April"
    assert commentary.locator("li").count() == 2
    assert page.evaluate("window.__pwned === undefined")
    assert "onerror" not in page.content()
    assert page.locator("[onerror], [onload], [onclick]").count() == 0
    # the javascript: link is left as its text, with no link
    assert page.locator("a[href^='javascript' i]").count() == 0
    assert page.locator("script").count() == 0
    assert "Reablement dipped in" in page.locator(".perfnb-commentary").first.inner_text()


def test_contents_and_headings_in_order(page) -> None:
    """A contents list links to each section; heading levels never skip (h1, h2, h3)."""
    links = page.locator("nav.perfnb-contents a")
    texts = [links.nth(i).inner_text() for i in range(links.count())]
    for section in ("Summary", "Exceptions", "Scorecard", "Prevent need", "Delay need"):
        assert section in texts
    levels = page.evaluate(
        "[...document.querySelectorAll('h1,h2,h3,h4')].map(h => Number(h.tagName[1]))"
    )
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in pairwise(levels))
    assert page.locator("th[scope], thead th").count() > 0


def test_screenshot_and_a4_print(page, artifacts: Path) -> None:
    """A full-page screenshot and an A4 PDF with backgrounds (RAG colours) are written."""
    screenshot = artifacts / "report.png"
    pdf = artifacts / "report.pdf"
    page.screenshot(path=str(screenshot), full_page=True)
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="A4", print_background=True, prefer_css_page_size=True)
    assert screenshot.stat().st_size > 50_000
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    # a title page with contents, then a page for each of the four themes at least
    assert pages >= 5
    # A4 portrait (595 x 842 points), and landscape pages for the scorecard's many columns
    sizes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    shapes = {"portrait" if float(w) < float(h) else "landscape" for w, h in sizes}
    assert shapes == {"portrait", "landscape"}
    assert {round(float(min(w, h, key=float))) for w, h in sizes} == {595}
    page.emulate_media(media="screen")


def test_markers_have_their_key_on_screen_and_in_print(page) -> None:
    """The sample's made-up figures (2016/17 Q1, status illustrative) are marked [i] in the
    scorecard, kept on the line of their figure, and each table that has one shows the key in
    its footer, on screen and in print (a footer group, which Chromium repeats on each page)."""
    # ASCOF-2D's same quarter last year, made up
    row = page.locator("table.perfnb-scorecard tr", has_text="ASCOF-2D")
    assert row.locator("td", has_text="(2016/17 Q1)").inner_text() == "79.4%\u00a0[i] (2016/17 Q1)"
    keys = page.locator("table.perfnb-scorecard tfoot td.perfnb-key")
    assert keys.count() >= 1
    assert keys.first.inner_text().strip() == "Key: [i] illustrative (not published)."
    # every scorecard table with a marker has its key; none without
    tables = page.evaluate(
        """() => Array.from(document.querySelectorAll('table.perfnb-scorecard')).map(t => ({
               marked: /\\[i\\]/.test(t.tBodies[0].innerText),
               key: t.querySelector('tfoot td.perfnb-key') !== null}))"""
    )
    assert tables and all(t["marked"] == t["key"] for t in tables)
    page.emulate_media(media="print")
    try:
        assert keys.first.is_visible()
        footer = keys.first.locator("xpath=../..")
        assert footer.evaluate("e => getComputedStyle(e).display") == "table-footer-group"
        box = keys.first.bounding_box()
        assert box is not None and box["height"] > 5
    finally:
        page.emulate_media(media="screen")


# A4's 210 mm less 12 mm margins is 186 mm, 703 CSS pixels; landscape 273 mm, 1032
PRINTED_WIDTHS = [
    (703, "table.perfnb-table:not(.perfnb-wide table)"),
    (1032, ".perfnb-wide table.perfnb-table"),
]


def printed_tables(page, width: int, tables: str) -> list[dict]:
    """Each table matching ``tables`` laid out for print on a page ``width`` pixels wide: its
    width, the room it has, and the headings that break inside a word."""
    page.set_viewport_size({"width": width, "height": 1600})
    page.emulate_media(media="print")
    try:
        return page.evaluate(
            """(selector) => Array.from(document.querySelectorAll(selector)).map(t => ({
                   name: t.className,
                   width: t.getBoundingClientRect().width,
                   room: document.documentElement.clientWidth,
                   broken: Array.from(t.querySelectorAll('thead th')).filter(th => {
                       const range = document.createRange();
                       range.selectNodeContents(th);
                       const lines = new Set(Array.from(range.getClientRects()).map(r => r.top));
                       const words = th.textContent.trim().split(/[\\s-]+/).length;  // or a hyphen
                       return lines.size > words;
                   }).map(th => th.textContent)}))""",
            tables,
        )
    finally:
        page.set_viewport_size({"width": 1280, "height": 1600})
        page.emulate_media(media="screen")


@pytest.mark.parametrize(("width", "tables"), PRINTED_WIDTHS)
def test_printed_tables_fit_the_page(page, width: int, tables: str) -> None:
    """In print, every table fits the width of its page (portrait, or landscape for wide
    ones): nothing is cut off at the right edge, and no heading breaks inside a word."""
    found = printed_tables(page, width, tables)
    assert found
    for table in found:
        assert table["width"] <= table["room"], table
        assert table["broken"] == [], table


# -- the action plan report ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def action_page(browser, tmp_path_factory: pytest.TempPathFactory):
    """Sefton's action plan for 2009/10 Q2 (seed 001) open in headless Chromium."""
    root = tmp_path_factory.mktemp("actions")
    result = run_reports("2009/10 Q2", SAMPLE, root, notebooks_dir=NOTEBOOKS)
    assert result.ok, result.summary()
    context = browser.new_context(viewport={"width": 1280, "height": 1600})
    tab = context.new_page()
    tab.problems = []
    tab.on("console", lambda m: m.type == "error" and tab.problems.append(m.text))
    tab.on("pageerror", lambda e: tab.problems.append(str(e)))
    tab.on(
        "request",
        lambda r: r.url.startswith(("file://", "data:")) or tab.problems.append(r.url),
    )
    tab.goto((result.folder / "actions-health-and-social-care.html").as_uri())
    yield tab
    context.close()


def test_action_plan_reads_and_prints(action_page, artifacts: Path) -> None:
    """Offline and error-free; the overdue action's rating reads Overdue on the Red fill; the
    35 highlighted cells are drawn (14 deadlines passed, 4 actions behind, 17 statuses the
    rating disputes); every table fits its printed page; screenshot and PDF kept."""
    assert action_page.problems == []
    overdue = action_page.locator("td.action-overdue")
    assert overdue.count() >= 2  # the action table and the reasons table
    assert overdue.first.inner_text().strip() == "Overdue"
    rgb = overdue.first.evaluate("e => getComputedStyle(e).backgroundColor")
    fill = ACTION_STYLES["Overdue"].fill
    assert tuple(map(int, re.findall(r"\d+", rgb))) == tuple(
        int(fill[i : i + 2], 16) for i in (1, 3, 5)
    )
    assert action_page.locator(".perfnb-actions td.flag").count() == 35
    image = action_page.locator("figure.perfnb-chart img")
    assert image.count() == 1 and image.evaluate("e => e.complete && e.naturalWidth > 0")
    for width, tables in PRINTED_WIDTHS:
        for table in printed_tables(action_page, width, tables):
            assert table["width"] <= table["room"], table
            assert table["broken"] == [], table
    action_page.screenshot(path=str(artifacts / "actions.png"), full_page=True)
    action_page.emulate_media(media="print")
    action_page.pdf(
        path=str(artifacts / "actions.pdf"),
        format="A4",
        print_background=True,
        prefer_css_page_size=True,
    )
    action_page.emulate_media(media="screen")


# -- SPC in the report -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spc_page(browser, tmp_path_factory: pytest.TempPathFactory):
    """Urgent and Emergency Care for 2017/18 Q1: A&E's 15 months, with XmR charts."""
    root = tmp_path_factory.mktemp("spc")
    result = run_reports(
        "2017/18 Q1",
        SAMPLE,
        root,
        services=["Urgent and Emergency Care"],
        notebooks=["scorecard"],
        notebooks_dir=NOTEBOOKS,
    )
    assert result.ok, result.summary()
    context = browser.new_context(viewport={"width": 1280, "height": 1600})
    tab = context.new_page()
    tab.problems = []
    tab.on("console", lambda m: m.type == "error" and tab.problems.append(m.text))
    tab.on("pageerror", lambda e: tab.problems.append(str(e)))
    tab.goto((result.folder / "scorecard-urgent-and-emergency-care.html").as_uri())
    yield tab
    context.close()


def test_spc_icons_and_charts_show_and_print(spc_page, artifacts: Path) -> None:
    """The scorecard's three SPC icons are drawn rings beside their words; both XmR charts
    load with alt text; every table fits its printed page."""
    assert spc_page.problems == []
    icons = spc_page.locator("table.perfnb-scorecard span.perfnb-icon")
    assert icons.count() == 3  # two variation icons, one assurance
    ring = icons.first.evaluate("e => getComputedStyle(e).borderTopLeftRadius")
    assert ring == "50%"
    cell = icons.first.locator("xpath=..").inner_text()
    assert cell.endswith("Common cause")
    charts = spc_page.locator("figure.perfnb-chart img[alt^='SPC chart:']")
    assert charts.count() == 2
    assert charts.first.evaluate("e => e.complete && e.naturalWidth > 0")
    for width, tables in PRINTED_WIDTHS:
        for table in printed_tables(spc_page, width, tables):
            assert table["width"] <= table["room"], table
            assert table["broken"] == [], table
    spc_page.screenshot(path=str(artifacts / "spc.png"), full_page=True)
