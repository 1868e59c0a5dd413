"""``make report`` makes the same files as when the golden record was made (before issue 17
reshaped the package): every output, byte for byte where it is byte for byte, and otherwise with
only times, temporary paths and locations masked (``tests/golden.py``)."""

from __future__ import annotations

import json

import golden
import pytest


def test_make_report_makes_the_recorded_files(tmp_path) -> None:
    """Same files, same contents; a difference lists each file that changed, came or went."""
    recorded = json.loads(golden.RECORD.read_text(encoding="utf-8"))
    here = golden.environment()
    if here != recorded["environment"]:
        changed = {k: (recorded["environment"].get(k), v) for k, v in here.items()}
        changed = {k: v for k, v in changed.items() if v[0] != v[1]}
        pytest.skip(f"recorded with other versions {changed}: record again (tests/golden.py)")
    out = tmp_path / "out"
    golden.build_outputs(out)
    made = golden.digests(out)
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
