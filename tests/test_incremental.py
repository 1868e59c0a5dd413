"""The incremental build covers what a report wrote: each published file's SHA-256 is in the
manifest, and a report whose page, notebook, table, chart or other format is missing or was
changed since its build wrote it is built again; one whose files are as written is skipped."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from test_runner import PARAMS, make_notebook

from perfnb import run_reports
from perfnb.run.manifest import merge_manifest, up_to_date
from perfnb.run.results import JobResult

# a report that shows a table and a chart, as the real notebooks do
CELL = (
    "from IPython.display import display\n"
    "import perfnb\n"
    "report = perfnb.ServiceReport.build(perfnb.load_dataset(data_dir), period, service)\n"
    "display(report.scorecard_table())\n"
    "display(report.rag_summary_chart())"
)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _reports(folder: Path) -> dict[str, dict]:
    manifest = json.loads((folder / "manifest.json").read_text())
    return {r["key"]: r for r in manifest["reports"]}


def test_a_tampered_table_rebuilds_its_report_and_restores_it(tiny, tmp_path) -> None:
    """A what-if in JupyterLab overwrote Help Desk's scorecard.csv after the run: the next run
    rebuilds Help Desk's report (ok, not skipped), which writes the table back as the page
    shows it; Care's report, untouched, is skipped."""
    notebooks = tmp_path / "nb"
    make_notebook(notebooks, "card", CELL, params=PARAMS)
    data, out = tiny(), tmp_path / "out"
    first = run_reports(None, data, out, notebooks_dir=notebooks, workers=1)
    assert first.ok, first.summary()
    folder = first.folder
    reports = _reports(folder)
    entry = reports["card-help-desk"]
    table = folder / "tables" / "help-desk" / "scorecard.csv"
    assert "tables/help-desk/scorecard.csv" in entry["files"]
    # every file the report published, with its SHA-256 as written
    published = {entry["html"], entry["ipynb"], *entry["files"]}
    assert set(entry["hashes"]) == published
    assert all(entry["hashes"][name] == _sha256(folder / name) for name in published)
    assert any(name.startswith("charts/") for name in published)
    job = {j.key: j for j in first.jobs}["card-help-desk"]
    assert job.hashes == entry["hashes"]  # the run's result says it too

    written = table.read_bytes()
    table.write_text(written.decode("utf-8-sig").replace("Red", "Amber") + "what-if\n")
    again = run_reports(None, data, out, notebooks_dir=notebooks, workers=1)
    assert again.ok, again.summary()
    assert {j.service: j.status for j in again.jobs} == {"Help Desk": "ok", "Care": "skipped"}
    assert table.read_bytes() == written
    assert _reports(folder)["card-care"] == reports["card-care"]  # its entry stands
    rebuilt = _reports(folder)["card-help-desk"]["hashes"]
    assert rebuilt["tables/help-desk/scorecard.csv"] == _sha256(table)

    third = run_reports(None, data, out, notebooks_dir=notebooks, workers=1)
    assert [j.status for j in third.jobs] == ["skipped", "skipped"]


def test_a_report_built_without_hashes_is_rebuilt_once(tiny, tmp_path) -> None:
    """A manifest written by an older perfnb (no hashes) still loads: each of its reports is
    built once more, which records its hashes, and then skipped."""
    notebooks = tmp_path / "nb"
    make_notebook(notebooks, "card", "print(service)")
    data, out = tiny(), tmp_path / "out"
    folder = run_reports(None, data, out, notebooks_dir=notebooks, workers=1).folder
    manifest = json.loads((folder / "manifest.json").read_text())
    for report in manifest["reports"]:
        del report["hashes"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    again = run_reports(None, data, out, notebooks_dir=notebooks, workers=1)
    assert [j.status for j in again.jobs] == ["ok", "ok"]
    assert all(r["hashes"] for r in _reports(folder).values())
    third = run_reports(None, data, out, notebooks_dir=notebooks, workers=1)
    assert [j.status for j in third.jobs] == ["skipped", "skipped"]


def _entry(folder: Path, files: dict[str, bytes]) -> dict:
    """A good report's manifest entry over ``files`` (written here), as a run records it."""
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    result = JobResult(
        "card",
        "Care",
        "ok",
        1.0,
        html="card-care.html",
        ipynb="card-care.ipynb",
        files=[n for n in files if n.startswith(("tables/", "charts/"))],
        formats=[n for n in files if n.endswith((".pdf", ".docx"))],
        build="b",
    )
    return merge_manifest(folder, {"started": "now"}, [result])["reports"][0]


def test_every_published_file_is_checked_formats_included(tmp_path) -> None:
    """The page, the notebook, each table and chart and the PDF and Word files are hashed; any
    one of them changed or gone makes the report out of date, as does another build."""
    entry = _entry(
        tmp_path,
        {
            "card-care.html": b"<html>",
            "card-care.ipynb": b"{}",
            "tables/care/scorecard.csv": b"a,b\n",
            "charts/care/rag.png": b"\x89PNG",
            "card-care.pdf": b"%PDF",
            "card-care.docx": b"PK",
        },
    )
    assert set(entry["hashes"]) == {
        "card-care.html",
        "card-care.ipynb",
        "tables/care/scorecard.csv",
        "charts/care/rag.png",
        "card-care.pdf",
        "card-care.docx",
    }
    assert up_to_date(tmp_path, entry, "b") == entry
    assert up_to_date(tmp_path, entry, "another build") is None
    for name in entry["hashes"]:
        kept = (tmp_path / name).read_bytes()
        (tmp_path / name).write_bytes(kept + b" ")
        assert up_to_date(tmp_path, entry, "b") is None, name
        (tmp_path / name).unlink()
        assert up_to_date(tmp_path, entry, "b") is None, name
        (tmp_path / name).write_bytes(kept)
        assert up_to_date(tmp_path, entry, "b") == entry
    # a file the entry lists but has no hash for (a hand-edited manifest): rebuilt
    assert up_to_date(tmp_path, {**entry, "files": [*entry["files"], "x.csv"]}, "b") is None


def test_a_hash_does_not_follow_a_path_out_of_the_folder(tmp_path) -> None:
    """A manifest's path is data: one that leads out of the period folder is neither read nor
    trusted, so the report is built again."""
    folder = tmp_path / "period"
    folder.mkdir()
    (tmp_path / "secret.csv").write_text("x")
    entry = _entry(folder, {"card-care.html": b"<html>", "card-care.ipynb": b"{}"})
    outside = {
        **entry,
        "files": ["../secret.csv"],
        "hashes": {**entry["hashes"], "../secret.csv": _sha256(tmp_path / "secret.csv")},
    }
    assert up_to_date(folder, outside, "b") is None
    assert up_to_date(folder, entry, "b") == entry
