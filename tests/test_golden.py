"""``make report`` makes the same files as when the golden record was made (before issue 17
reshaped the package): every output, byte for byte where it is byte for byte, and otherwise with
only times, temporary paths and locations masked (``tests/golden.py``)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import golden
import pytest


@pytest.fixture(scope="module")
def make_report(tmp_path_factory) -> Path:
    """The output folder of ``make report``'s four runs, built once for this module."""
    out = tmp_path_factory.mktemp("golden") / "out"
    golden.build_outputs(out)
    return out


def test_make_report_makes_the_recorded_files(make_report) -> None:
    """Same files, same contents; a difference lists each file that changed, came or went."""
    recorded = json.loads(golden.RECORD.read_text(encoding="utf-8"))
    here = golden.environment()
    if here != recorded["environment"]:
        changed = {k: (recorded["environment"].get(k), v) for k, v in here.items()}
        changed = {k: v for k, v in changed.items() if v[0] != v[1]}
        pytest.skip(
            f"recorded with other versions or fonts {changed}: record again (tests/golden.py), "
            "or for the font install the fonts (make test does) and remove matplotlib's font "
            "cache if it was made before them (matplotlib.get_cachedir())"
        )
    made = golden.digests(make_report)
    expected = recorded["files"]
    problems = [
        f"changed: {name}" for name in sorted(made) if expected.get(name, made[name]) != made[name]
    ]
    problems += [f"missing: {name}" for name in sorted(set(expected) - set(made))]
    problems += [f"new: {name}" for name in sorted(set(made) - set(expected))]
    assert problems == [], "\n".join(problems)


def test_the_golden_masks_only_what_changes_between_runs(tmp_path) -> None:
    """The masks hide times, temporary folders and locations, and nothing else: a changed
    figure in a report, a chart's byte or a manifest's status is still a difference."""
    out = tmp_path / "out"
    page = out / "2017-18-Q1" / "card.html"
    page.parent.mkdir(parents=True)
    page.write_text(f"<dd>06 December 2026 02:07 by perfnb</dd><p>{out}/x 41.2%</p>")
    first = golden.digest(page, out)
    page.write_text(f"<dd>07 January 2027 11:59 by perfnb</dd><p>{out}/x 41.2%</p>")
    assert golden.digest(page, out) == first
    page.write_text(f"<dd>07 January 2027 11:59 by perfnb</dd><p>{out}/x 41.3%</p>")
    assert golden.digest(page, out) != first
    manifest = out / "2017-18-Q1" / "manifest.json"
    entry = {"key": "card", "status": "ok", "seconds": 1.5, "build": "abc"}
    manifest.write_text(json.dumps({"started": "t1", "reports": [entry]}))
    first = golden.digest(manifest, out)
    manifest.write_text(json.dumps({"started": "t2", "reports": [{**entry, "seconds": 9.0}]}))
    assert golden.digest(manifest, out) == first
    manifest.write_text(json.dumps({"started": "t2", "reports": [{**entry, "status": "failed"}]}))
    assert golden.digest(manifest, out) != first
    chart = out / "2017-18-Q1" / "chart.png"
    chart.write_bytes(b"\x89PNG1")
    first = golden.digest(chart, out)
    chart.write_bytes(b"\x89PNG2")
    assert golden.digest(chart, out) != first


def test_the_record_does_not_depend_on_the_day(tmp_path) -> None:
    """A report made on another day (its title block's date, its footer's time) digests the
    same: the record holds on any day it is checked."""
    page = tmp_path / "report.html"
    digests = []
    for day in (
        "Produced 06 December 2026. Built 06 December 2026 02:07",
        "Produced 11 January 2027. Built 11 January 2027 23:59",
    ):
        page.write_text(f"<p>{day}</p>", encoding="utf-8")
        digests.append(golden.digest(page, tmp_path))
    assert digests[0] == digests[1]
    page.write_text("<p>Produced 06 December 2026. Built by a person</p>", encoding="utf-8")
    assert golden.digest(page, tmp_path) != digests[0]  # the rest of the text still counts


def test_every_chart_of_every_report_is_published(make_report) -> None:
    """Each chart a report shows is its own SVG under charts/<service>/ (and no PNG: make
    report asks for none), listed in the period's manifest for that report: none missing, none
    overwritten by another of its name (both of a service's XmR charts were saved as
    upl.png)."""
    reports = 0
    for manifest_path in sorted(make_report.glob("*/manifest.json")):
        folder = manifest_path.parent
        for report in json.loads(manifest_path.read_text(encoding="utf-8"))["reports"]:
            page = (folder / report["html"]).read_text(encoding="utf-8")
            shown = len(re.findall(r'<figure\b[^>]*\bclass="perfnb-chart"', page))
            charts = [f for f in report["files"] if f.startswith("charts/")]
            svgs = sorted(f for f in charts if f.endswith(".svg"))
            assert len(svgs) == shown, (report["key"], shown, svgs)
            assert svgs == sorted(charts)  # no PNG
            assert all((folder / f).is_file() for f in charts), report["key"]
            reports += 1
    assert reports == 7  # 3 + 2 + 1 + 1 reports in make report's four runs
