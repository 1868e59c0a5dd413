"""Accessibility of every page perfnb builds: WCAG 2.2 A and AA, checked by axe-core in Chromium.

Builds the sample's reports of the periods ``make report`` builds (2017/18 Q1, 2012/13 Q2,
2009/10 Q2 and 2003-10) into a temporary folder once, opens each period's ``index.html`` and
every report page offline in Debian's headless Chromium (Playwright), on a desktop and on a
phone-sized screen, and runs axe-core (bundled by ``axe-playwright-python``) with the WCAG 2.0,
2.1 and 2.2 A and AA rules alone. A page passes with no violation; the failure message names
each rule, its impact, and the first elements it failed with their HTML. The cover's other
states (a failed report, its last good one, stale data, measures without commentary, several
formats) are checked on a page rendered from a hand-made manifest. With
``$PERFNB_BROWSER_ARTIFACTS`` set, axe's results are kept there, one
``accessibility-<page>.json`` per page checked.

Skipped when Chromium is not installed, except in CI (``CI`` set), where it must be.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import NOTEBOOKS, SAMPLE
from perfnb import load_dataset
from perfnb.pages.index import render_index
from perfnb.periods import Period
from perfnb.run.runner import run_periods

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

# the sample's periods that `make report` builds, each with its folder's name
PERIODS = {
    "2017/18 Q1": "2017-18-Q1",
    "2012/13 Q2": "2012-13-Q2",
    "2009/10 Q2": "2009-10-Q2",
    "2003-10": "2003-10",
}
VIEWPORTS = {
    "desktop": {"width": 1280, "height": 1600},
    "phone": {"width": 375, "height": 812},
}
# WCAG 2.0, 2.1 and 2.2, levels A and AA: no best practices, no AAA
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
# a report page embeds its charts as base64 images: loading and checking one takes seconds on a
# busy 2-core machine, so the limits are generous (milliseconds)
PAGE_TIMEOUT = 180_000
SHOWN_NODES = 3  # the elements named for each rule a page fails
SNIPPET = 240  # characters of each element's HTML


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder with the sample's reports of the four periods, built once."""
    out = tmp_path_factory.mktemp("accessibility") / "output"
    results = run_periods(list(PERIODS), SAMPLE, out, notebooks_dir=NOTEBOOKS, formats=["html"])
    for result in results:
        assert result.ok, result.summary()
    return out


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("PERFNB_BROWSER_ARTIFACTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("axe-results")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def axe():
    """axe-core, as axe-playwright-python bundles it."""
    sync_playwright = pytest.importorskip("axe_playwright_python.sync_playwright")
    return sync_playwright.Axe()


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (Debian's), driven by Playwright, for the module's pages."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module", params=list(VIEWPORTS))
def context(request, browser):
    """A browser context (a window) of the desktop's size or a phone's."""
    window = browser.new_context(viewport=VIEWPORTS[request.param])
    window.set_default_timeout(PAGE_TIMEOUT)
    window.set_default_navigation_timeout(PAGE_TIMEOUT)
    window.viewport_name = request.param
    yield window
    window.close()


def check_page(context, axe, path: Path, name: str, artifacts: Path) -> list[str]:
    """axe's WCAG 2.2 A and AA violations on the page at ``path``, one line each rule with its
    first elements; its results are written to ``artifacts`` as accessibility-<name>.json."""
    tab = context.new_page()
    try:
        tab.goto(path.as_uri(), wait_until="load")
        results = axe.run(tab, options=AXE_OPTIONS).response
    finally:
        tab.close()
    file_name = f"accessibility-{name}-{context.viewport_name}.json"
    (artifacts / file_name).write_text(json.dumps(results, indent=2), encoding="utf-8")
    return [describe(name, violation) for violation in results["violations"]]


def describe(name: str, violation: dict) -> str:
    """One violation: the page, the rule and its impact, and the first elements that fail it,
    each by its selector and its HTML."""
    nodes = violation["nodes"]
    lines = [
        f"{name}: {violation['id']} ({violation['impact']}), {len(nodes)} element(s): "
        f"{violation['help']}"
    ]
    for node in nodes[:SHOWN_NODES]:
        target = " ".join(str(t) for t in node["target"])
        html = " ".join(node["html"].split())
        lines.append(f"    {target}: {html[:SNIPPET]}")
    if len(nodes) > SHOWN_NODES:
        lines.append(f"    ... and {len(nodes) - SHOWN_NODES} more")
    return "\n".join(lines)


@pytest.mark.parametrize("period", list(PERIODS))
def test_every_page_of_a_period_meets_wcag_22_aa(
    period: str, built: Path, context, axe, artifacts: Path
) -> None:
    """The period's index.html and each of its report pages: no WCAG 2.2 A or AA violation."""
    folder = built / PERIODS[period]
    pages = sorted(folder.rglob("*.html"))
    assert folder / "index.html" in pages
    assert len(pages) >= 2, f"no report page in {folder}"
    problems: list[str] = []
    for path in pages:
        name = f"{folder.name}-{path.relative_to(folder).with_suffix('')}".replace(os.sep, "-")
        problems += check_page(context, axe, path, name, artifacts)
    assert not problems, (
        f"{len(problems)} WCAG 2.2 A/AA violation(s) on {context.viewport_name}:\n"
        + "\n".join(problems)
    )


# the cover's states the sample never reaches: a failed report linking its last good page, one
# never built, one built from other data (stale), measures without commentary, three formats
COVER_REPORTS = [
    {
        "key": "scorecard-adult-social-care",
        "notebook": "scorecard",
        "service": "Adult Social Care",
        "status": "ok",
        "html": "scorecard-adult-social-care.html",
        "formats": ["scorecard-adult-social-care.pdf", "scorecard-adult-social-care.docx"],
        "finished": "2017-07-01T09:00:00+00:00",
        "rag_counts": {"Red": 2, "Amber": 6, "Green": 11, "N/A": 1},
        "without_commentary": ["ASCOF-2D", "ASCOF-1C1A"],
        "changes": {"improving": 3, "declining": 7, "stable": 6, "better": 1, "worse": 2},
        "run": {"inputs": {"values.csv": "old"}, "data_dir": "data/old"},
    },
    {
        "key": "actions-adult-social-care",
        "notebook": "actions",
        "kind": "actions",
        "service": "Adult Social Care",
        "status": "ok",
        "html": "actions-adult-social-care.html",
        "finished": "2017-07-01T09:01:00+00:00",
        "rag_counts": {"Overdue": 1, "At risk": 2, "On track": 4, "Completed": 3, "Cancelled": 1},
        "run": {"inputs": {"values.csv": "new"}, "data_dir": "data/sample"},
    },
    {
        "key": "scorecard-help-direct",
        "notebook": "scorecard",
        "service": "Help Direct",
        "status": "failed",
        "ipynb": "scorecard-help-direct.ipynb",
        "error": "KeyError: 'HD-CONTACTS'",
        "cell": 4,
        "finished": "2017-07-01T09:02:00+00:00",
        "last_good": {
            "html": "scorecard-help-direct.html",
            "finished": "2017-06-01T09:00:00+00:00",
        },
        "run": {"inputs": {"values.csv": "new"}, "data_dir": "data/sample"},
    },
    {
        "key": "scorecard-libraries",
        "notebook": "scorecard",
        "service": "Libraries",
        "status": "failed",
    },
]


def test_cover_in_every_state_meets_wcag_22_aa(
    tmp_path: Path, context, axe, artifacts: Path
) -> None:
    """The cover with failed, stale and unfinished reports: no WCAG 2.2 A or AA violation."""
    html = render_index(
        load_dataset(SAMPLE),
        Period("quarter", 2017, 1),
        COVER_REPORTS,
        current={"inputs": {"values.csv": "new"}, "data_dir": "data/sample"},
        tables=("scorecard.csv", "actions.csv"),
    )
    for state in ("Not built", "last good", "Built from other data", "without commentary", "PDF"):
        assert state in html
    page = tmp_path / "index.html"
    page.write_text(html, encoding="utf-8")
    problems = check_page(context, axe, page, "cover-states", artifacts)
    assert not problems, (
        f"{len(problems)} WCAG 2.2 A/AA violation(s) on {context.viewport_name}:\n"
        + "\n".join(problems)
    )
