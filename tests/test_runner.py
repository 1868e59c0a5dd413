"""The runner end to end: real notebooks executed by papermill and exported by nbconvert."""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from conftest import NOTEBOOKS, SAMPLE
from perfnb import RunError, run_reports
from perfnb.run import OutputUnwritable, check_notebook, parse_parameter

PARAMS = 'period = "2017/18 Q1"\nservice = "Help Desk"\ndata_dir = "data"\noutput_dir = "out"'


def make_notebook(folder: Path, name: str, *cells: str, params: str = PARAMS) -> Path:
    """Writes a small report notebook: a parameters cell, then ``cells`` as code."""
    nb = new_notebook(
        cells=[
            new_code_cell(params, metadata={"tags": ["parameters"]}),
            *(new_code_cell(c) for c in cells),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    """One run of the real notebooks over the sample data's latest period."""
    out = tmp_path_factory.mktemp("output")
    result = run_reports(data_dir=SAMPLE, out_dir=out, notebooks_dir=NOTEBOOKS, workers=1)
    return result, out / "2017-18-Q1"


def test_sample_run_builds_every_service(sample_run) -> None:
    """The latest period is 2017/18 Q1 and the three services with figures get a report."""
    result, folder = sample_run
    assert result.ok, result.summary()
    assert result.period.label == "2017/18 Q1"
    assert [(j.notebook, j.service) for j in result.jobs] == [
        ("scorecard", "Adult Social Care"),
        ("scorecard", "Communities and Wellbeing"),
        ("scorecard", "Urgent and Emergency Care"),
    ]
    for stem in ("scorecard-adult-social-care", "scorecard-communities-and-wellbeing"):
        assert (folder / f"{stem}.html").stat().st_size > 0
        assert nbformat.read(folder / f"{stem}.ipynb", as_version=4).cells


def test_report_html_has_no_code_and_shows_the_data(sample_run) -> None:
    """The exported page has the figures and notes, and no code, prompts or CDN scripts."""
    _, folder = sample_run
    html = (folder / "scorecard-adult-social-care.html").read_text()
    assert "Adult Social Care: performance report" in html
    assert "2017/18 Quarter 1 (April to June 2017)" in html
    assert "Due May-18" in html and "77.4%" in html
    for absent in (
        "import perfnb",
        'class="jp-CodeMirrorEditor',
        'class="highlight',
        "injected-parameters",
        "In&nbsp;[",
        "cdnjs",
        "require.min.js",
        "papermill-error",
    ):
        assert absent not in html, absent


def test_report_html_carries_provenance(sample_run) -> None:
    """The page's one-line footer gives the parameters and perfnb's version and points to
    manifest.json, which holds each data file's SHA-256 (no page of hashes in the report)."""
    _, folder = sample_run
    html = (folder / "scorecard-communities-and-wellbeing.html").read_text()
    digest = hashlib.sha256((SAMPLE / "values.csv").read_bytes()).hexdigest()
    assert digest not in html
    assert "service Communities and Wellbeing" in html
    assert "<code>manifest.json</code>" in html
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["reports"][0]["run"]["inputs"]["values.csv"] == digest


def test_index_links_every_report(sample_run) -> None:
    """index.html links both reports and the scorecard CSV."""
    _, folder = sample_run
    html = (folder / "index.html").read_text()
    assert 'href="scorecard-adult-social-care.html"' in html
    assert 'href="scorecard-communities-and-wellbeing.html"' in html
    assert 'href="scorecard.csv"' in html
    assert "Sample Council" in html


def test_scorecard_csv(sample_run) -> None:
    """scorecard.csv has a row per measure of the period's services, with the contract columns."""
    _, folder = sample_run
    card = pd.read_csv(folder / "scorecard.csv")
    for column in (
        "measure_id",
        "name",
        "service",
        "theme",
        "period",
        "value",
        "target",
        "unit",
        "polarity",
    ):
        assert column in card.columns
    # 34 measures less Help Direct's two, which have no 2017/18 figures
    assert len(card) == 32
    row = card.set_index("measure_id").loc["ASCOF-2D"]
    assert (row["value"], row["target"], row["period"]) == (77.4, 80.0, "2017/18 Q1")


def test_manifest_records_inputs_versions_and_jobs(sample_run) -> None:
    """manifest.json: parameters, input hashes, versions, start/end and status per notebook."""
    _, folder = sample_run
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["period"] == "2017/18 Q1"
    assert (
        manifest["inputs"]["measures.csv"]
        == hashlib.sha256((SAMPLE / "measures.csv").read_bytes()).hexdigest()
    )
    assert {"perfnb", "pandas", "papermill", "nbconvert"} <= set(manifest["versions"])
    assert manifest["started"] <= manifest["finished"]
    report = next(r for r in manifest["reports"] if r["service"] == "Adult Social Care")
    assert report["status"] == "ok" and report["html"] == "scorecard-adult-social-care.html"
    assert report["started"] <= report["finished"]


def test_no_temporary_files_left(sample_run) -> None:
    """Work folders and temporary files are gone once the run ends."""
    _, folder = sample_run
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == []


def test_small_fixture_run(tiny, tmp_path) -> None:
    """The real scorecard notebook runs on a tiny data set, per service, for a named period."""
    result = run_reports(
        "2017-18-Q1", tiny(), tmp_path / "out", notebooks_dir=NOTEBOOKS, services=["Care"]
    )
    assert result.ok, result.summary()
    html = (tmp_path / "out" / "2017-18-Q1" / "scorecard-care.html").read_text()
    assert "Share of sequels" in html and "10 to 14%" in html
    assert '<header class="perfnb-title"><h1>' in html  # no dataset.toml: no empty council line
    index = (tmp_path / "out" / "2017-18-Q1" / "index.html").read_text()
    assert "<h1>Performance reports</h1>" in index


def test_failing_notebook_is_reported_and_others_still_run(tiny, tmp_path) -> None:
    """A notebook that raises: its cell and error are reported, the good one is still built."""
    notebooks = tmp_path / "nbs"
    make_notebook(notebooks, "good", "print('fine')")
    make_notebook(notebooks, "bad", "x = 1", "raise ValueError('boom in the data')")
    result = run_reports(
        None, tiny(), tmp_path / "out", notebooks_dir=notebooks, services=["Help Desk"]
    )
    by_name = {job.notebook: job for job in result.jobs}
    assert not result.ok
    assert by_name["good"].status == "ok"
    bad = by_name["bad"]
    assert (bad.status, bad.cell, bad.error) == ("failed", 3, "ValueError: boom in the data")
    folder = tmp_path / "out" / "2017-18-Q1"
    assert (folder / "bad-help-desk.failed.ipynb").exists()
    assert not (folder / "bad-help-desk.html").exists()
    summary = result.summary()
    assert "bad       Help Desk  failed" in summary
    assert "cell 3: ValueError: boom in the data" in summary
    assert "1 of 2 report(s) built" in summary
    index = (folder / "index.html").read_text()
    assert "Failed" in index and 'href="good-help-desk.html"' in index


def test_failed_run_never_overwrites_a_good_report(tiny, tmp_path) -> None:
    """A report that built once and then fails keeps its last good HTML untouched."""
    notebooks = tmp_path / "nbs"
    path = make_notebook(notebooks, "flaky", "print('first version')")
    data = tiny()
    assert run_reports(None, data, tmp_path / "out", notebooks_dir=notebooks).ok
    html = tmp_path / "out" / "2017-18-Q1" / "flaky-help-desk.html"
    before = html.read_bytes()
    make_notebook(notebooks, "flaky", "raise RuntimeError('second version breaks')")
    result = run_reports(
        None, data, tmp_path / "out", notebooks_dir=notebooks, services=["Help Desk"]
    )
    assert not result.ok
    assert html.read_bytes() == before
    assert path.exists()
    index = (tmp_path / "out" / "2017-18-Q1" / "index.html").read_text()
    assert 'href="flaky-help-desk.html"' in index
    assert "The report linked is the last good one, built" in index
    manifest = json.loads((tmp_path / "out" / "2017-18-Q1" / "manifest.json").read_text())
    entry = next(r for r in manifest["reports"] if r["key"] == "flaky-help-desk")
    assert entry["status"] == "failed" and entry["last_good"]["html"] == "flaky-help-desk.html"


def test_parameters_are_passed_and_checked(tiny, tmp_path) -> None:
    """Extra -p parameters reach the notebook; an undeclared one stops the run before it starts."""
    notebooks = tmp_path / "nbs"
    make_notebook(
        notebooks, "echo", "assert colour == 'red', colour", params=PARAMS + '\ncolour = "blue"'
    )
    data = tiny()
    assert run_reports(
        None,
        data,
        tmp_path / "out",
        notebooks_dir=notebooks,
        services=["Care"],
        parameters={"colour": "red"},
    ).ok
    with pytest.raises(RunError) as caught:
        run_reports(
            None, data, tmp_path / "out2", notebooks_dir=notebooks, parameters={"flavour": "red"}
        )
    assert (
        "'flavour' is not a parameter of this notebook; it declares period, service, "
        "data_dir, output_dir, colour" in str(caught.value)
    )
    assert not (tmp_path / "out2").exists()


def test_missing_required_parameter_is_an_error(tiny, tmp_path) -> None:
    """A notebook whose parameters cell lacks 'service' is refused before anything runs."""
    path = make_notebook(
        tmp_path / "nbs", "partial", "pass", params='period = "x"\ndata_dir = "d"\noutput_dir = "o"'
    )
    assert check_notebook(path) == [
        f"{path}: the parameters cell does not declare 'service' (perfnb passes period, "
        "service, data_dir, output_dir)"
    ]
    with pytest.raises(RunError):
        run_reports(None, tiny(), tmp_path / "out", notebooks_dir=tmp_path / "nbs")
    assert not (tmp_path / "out").exists()


def test_notebook_without_parameters_cell(tmp_path) -> None:
    """No cell tagged 'parameters' is an error, not papermill's warning."""
    nb = new_notebook(cells=[new_markdown_cell("# Hello"), new_code_cell("1")])
    path = tmp_path / "plain.ipynb"
    nbformat.write(nb, path)
    assert check_notebook(path) == [
        f"{path}: no cell is tagged 'parameters'; perfnb passes period, service, data_dir, "
        "output_dir into that cell"
    ]


def test_unknown_service_and_notebook(tmp_path) -> None:
    """Asking for a service or notebook that does not exist lists the ones that do."""
    with pytest.raises(RunError) as caught:
        run_reports(None, SAMPLE, tmp_path, notebooks_dir=NOTEBOOKS, services=["Parks"])
    assert str(caught.value) == (
        f"no service named 'Parks' in {SAMPLE}/measures.csv or actions.csv; there are: Adult "
        "Social Care, Communities and Wellbeing, Help Direct, Urgent and Emergency Care, Health "
        "and Social Care, Social Care and Strategic Housing"
    )
    with pytest.raises(RunError) as caught:
        run_reports(None, SAMPLE, tmp_path, notebooks_dir=NOTEBOOKS, notebooks=["nope"])
    assert str(caught.value) == (
        f"no notebook named nope in {NOTEBOOKS}; there are: actions, scorecard"
    )


def test_period_with_no_figures(tmp_path) -> None:
    """A period no service reports in is refused, naming the latest period that has data."""
    with pytest.raises(RunError) as caught:
        run_reports("2020/21 Q1", SAMPLE, tmp_path, notebooks_dir=NOTEBOOKS)
    assert str(caught.value) == (
        f"no service has figures or an action plan for 2020/21 Q1 in {SAMPLE}; the latest period "
        "with data is 2017/18 Q1"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("colour=red", ("colour", "red")),
        ("n=3", ("n", 3)),
        ("flag=True", ("flag", True)),
        ("label=2017/18 Q1", ("label", "2017/18 Q1")),
        ("x=", ("x", "")),
    ],
)
def test_parse_parameter(text, expected) -> None:
    """-p name=value gives Python literals where they parse, text otherwise."""
    assert parse_parameter(text) == expected


def test_parse_parameter_rejects_bad_forms() -> None:
    """A parameter without '=' or with a non-identifier name is refused."""
    for text in ("colour", "1x=3", "=3"):
        with pytest.raises(RunError):
            parse_parameter(text)


def test_services_by_slug(tiny, tmp_path) -> None:
    """--service accepts a service's slug as well as its name."""
    notebooks = tmp_path / "nbs"
    make_notebook(notebooks, "plain", "pass")
    result = run_reports(
        None, tiny(), tmp_path / "out", notebooks_dir=notebooks, services=["help-desk", "Care"]
    )
    assert [job.service for job in result.jobs] == ["Help Desk", "Care"]


def test_interrupted_export_leaves_the_good_report(tiny, tmp_path, monkeypatch) -> None:
    """Ctrl-C while a report is being exported: the last good HTML stays, no temp files remain."""
    import perfnb.run.job

    notebooks = tmp_path / "nbs"
    make_notebook(notebooks, "steady", "print('v1')")
    data = tiny()
    assert run_reports(None, data, tmp_path / "out", notebooks_dir=notebooks).ok
    folder = tmp_path / "out" / "2017-18-Q1"
    before = (folder / "steady-help-desk.html").read_bytes()

    def interrupted(nb):
        raise KeyboardInterrupt

    monkeypatch.setattr(perfnb.run.job, "export_html", interrupted)
    with pytest.raises(KeyboardInterrupt):  # here, one job at a time: the patch is in this process
        run_reports(None, data, tmp_path / "out", notebooks_dir=notebooks, workers=1, force=True)
    assert (folder / "steady-help-desk.html").read_bytes() == before
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []


def test_a_very_big_notebook_is_exported_by_a_process_of_its_own(
    tiny, tmp_path, monkeypatch
) -> None:
    """A notebook over ``APART_BYTES`` is exported by another Python process (here the export
    in this process fails, and the report is still built), into the same page, byte for byte,
    as the export in the run's process gives."""
    import perfnb.run.export
    import perfnb.run.job

    notebooks = tmp_path / "nbs"
    make_notebook(notebooks, "steady", "print('a figure')")
    data = tiny()
    assert run_reports(None, data, tmp_path / "here", notebooks_dir=notebooks).ok
    here = (tmp_path / "here" / "2017-18-Q1" / "steady-help-desk.html").read_bytes()

    def not_here(nb):
        raise AssertionError("exported in the run's process")

    monkeypatch.setattr(perfnb.run.job, "export_html", not_here)
    monkeypatch.setattr(perfnb.run.export, "APART_BYTES", 0)
    done = run_reports(None, data, tmp_path / "apart", notebooks_dir=notebooks, workers=1)
    assert done.ok, [r.error for r in done.results]
    apart = (tmp_path / "apart" / "2017-18-Q1" / "steady-help-desk.html").read_bytes()
    assert _masked(apart) == _masked(here) and b"a figure" in apart


def _masked(page: bytes) -> bytes:
    """A page without what differs between two runs: the time it was produced."""
    return re.sub(rb"\d{2} [A-Z][a-z]+ \d{4} \d{2}:\d{2}", b"<when>", page)


def test_report_names_must_not_collide(tiny, tmp_path) -> None:
    """Notebook 'a' for 'Help Desk' and 'a-help' for 'Desk' would both be a-help-desk.html."""
    notebooks = tmp_path / "nbs"
    make_notebook(notebooks, "a", "pass")
    make_notebook(notebooks, "a-help", "pass")
    data = tiny(measures=[("Share of sequels,Care,", "Share of sequels,Desk,")])
    with pytest.raises(RunError) as caught:
        run_reports(None, data, tmp_path / "out", notebooks_dir=notebooks)
    assert str(caught.value) == (
        "a.ipynb for Help Desk and a-help.ipynb for Desk would both write a-help-desk.html; "
        "rename the notebook or the service"
    )
    assert not (tmp_path / "out").exists()


def test_output_folder_that_is_a_file(tiny, tmp_path) -> None:
    """--out naming a file is a clear error, not a NotADirectoryError traceback."""
    notebooks = tmp_path / "nbs"
    make_notebook(notebooks, "plain", "pass")
    blocker = tmp_path / "out"
    blocker.write_text("not a folder")
    with pytest.raises(OutputUnwritable) as caught:
        run_reports(None, tiny(), blocker, notebooks_dir=notebooks)
    assert str(caught.value) == f"cannot write {blocker}/2017-18-Q1: Not a directory"


def test_damaged_notebook_is_named(tiny, tmp_path) -> None:
    """A notebook that is not valid JSON stops the run before it starts, named."""
    notebooks = tmp_path / "nbs"
    make_notebook(notebooks, "plain", "pass")
    (notebooks / "draft.ipynb").write_text("{ not json")
    with pytest.raises(RunError) as caught:
        run_reports(None, tiny(), tmp_path / "out", notebooks_dir=notebooks)
    assert f"{notebooks / 'draft.ipynb'}: is not a readable notebook (" in str(caught.value)


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_notebook_runs_as_it_is_with_its_defaults(path, tmp_path) -> None:
    """Opened in JupyterLab and run unchanged, each notebook works on the sample data."""
    import papermill

    from perfnb.run.kernel import CurrentPythonKernelManager

    executed = tmp_path / path.name
    papermill.execute_notebook(
        str(path),
        str(executed),
        kernel_name="python3",
        kernel_manager_class=CurrentPythonKernelManager,
        progress_bar=False,
        cwd=str(path.parent),
    )
    nb = nbformat.read(executed, as_version=4)
    assert all(
        c.metadata.papermill.status == "completed" for c in nb.cells if c.cell_type == "code"
    )


def test_service_without_figures_is_warned_about(tmp_path) -> None:
    """Asking for a service with nothing in the period builds it, but says so loudly."""
    lines: list[str] = []
    result = run_reports(
        "2017/18 Q1",
        SAMPLE,
        tmp_path,
        notebooks_dir=NOTEBOOKS,
        services=["Help Direct"],
        echo=lines.append,
    )
    assert lines[0] == (
        "warning: Help Direct has no action update for 2017/18 Q1 in any of its 9 actions; its "
        "action plan report shows them as they last stood"
    )
    assert (
        "warning: Help Direct has no figure for 2017/18 Q1 in any of its 2 measures; its "
        "report shows every measure as pending"
    ) in lines
    scorecard = next(job for job in result.jobs if job.notebook == "scorecard")
    assert (scorecard.measures, scorecard.with_figures) == (2, 0)


def test_year_with_no_figures_of_its_own_is_refused(tmp_path) -> None:
    """--period 2017/18 before the year's figures exist: refused, not a blank 'ok' report."""
    with pytest.raises(RunError) as caught:
        run_reports("2017/18", SAMPLE, tmp_path, notebooks_dir=NOTEBOOKS)
    assert str(caught.value) == (
        f"no service has figures or an action plan for 2017/18 in {SAMPLE}; the latest period "
        "with data is 2017/18 Q1"
    )


def test_published_footer_has_no_local_paths(sample_run) -> None:
    """The report shows the data set by name, not the output folder or absolute paths."""
    _, folder = sample_run
    html = (folder / "scorecard-adult-social-care.html").read_text()
    footer = html[html.index('class="perfnb-provenance"') :]
    assert "output_dir" not in footer and str(folder.parent) not in footer
    assert "data set data/sample" in footer or "data set sample" in footer


def test_scorecard_csv_opens_in_excel(sample_run) -> None:
    """scorecard.csv starts with a UTF-8 byte-order mark, so Excel reads £ and dashes."""
    _, folder = sample_run
    assert (folder / "scorecard.csv").read_bytes()[:3] == b"\xef\xbb\xbf"


def test_reports_built_from_other_data_are_marked(tiny, tmp_path) -> None:
    """After the data changes, a report not rebuilt is flagged in the index, with the command."""
    notebooks = tmp_path / "nbs"
    make_notebook(notebooks, "plain", "pass")
    data = tiny()
    assert run_reports(None, data, tmp_path / "out", notebooks_dir=notebooks).ok
    index = tmp_path / "out" / "2017-18-Q1" / "index.html"
    assert "Built from other data" not in index.read_text()
    values = data / "values.csv"
    values.write_text(values.read_text().replace("M1,2017/18 Q1,100,", "M1,2017/18 Q1,101,"))
    assert run_reports(None, data, tmp_path / "out", notebooks_dir=notebooks, services=["Care"]).ok
    html = index.read_text()
    assert html.count("Built from other data than the latest run") == 1
    assert '--service "Help Desk"</code>' in html


def test_own_options_cannot_be_passed_with_p(tmp_path) -> None:
    """-p period=... is refused, naming the option that sets it."""
    with pytest.raises(RunError) as caught:
        run_reports(None, SAMPLE, tmp_path, notebooks_dir=NOTEBOOKS, parameters={"period": "x"})
    assert str(caught.value) == "period is set with --period, not -p"


# -- what a report writes beside itself -------------------------------------------------------


def test_sample_run_writes_tables_and_charts(sample_run) -> None:
    """Each report's tables are CSV in tables/<service>/ and its charts SVG in
    charts/<service>/ (no PNG unless asked for); the manifest lists them; the index shows R/A/G
    counts."""
    result, folder = sample_run
    tables = folder / "tables" / "adult-social-care"
    assert sorted(p.name for p in tables.iterdir()) == [
        "exceptions.csv",
        "rag-reasons.csv",
        "scorecard.csv",
        "top-exceptions.csv",
        "variance.csv",
    ]
    charts = folder / "charts" / "adult-social-care"
    assert (charts / "trend-ascof-2d.svg").exists()
    assert not list(charts.glob("*.png"))
    job = next(j for j in result.jobs if j.service == "Adult Social Care")
    assert "charts/adult-social-care/trend-ascof-2d.svg" in job.files
    # a typical service report, 21 measures with 19 charts embedded as SVG, is under 1 MB
    page = (folder / "scorecard-adult-social-care.html").read_text(encoding="utf-8")
    assert len(page.encode("utf-8")) < 1_000_000
    assert page.count('src="data:image/svg+xml,') >= 18
    # the sample's Adult Social Care for 2017/18 Q1: 6 Amber, 9 Green, 3 N/A and 3 pending
    # surveys, no Red (tests/test_engine.py checks each rating against seed 004)
    assert job.rag_counts == {"Red": 0, "Amber": 6, "Green": 9, "N/A": 3, "Pending": 3}
    index = (folder / "index.html").read_text()
    assert '<span class="perfnb-badge rag-amber">Amber 6</span>' in index
    assert "6 Red or Amber measure(s) without commentary" in index


def test_stale_charts_of_a_report_are_removed(tiny, tmp_path) -> None:
    """A rebuilt report's charts replace its old ones; files it no longer writes are deleted,
    other reports' files are left alone. What a report displays is published, and the kernel
    writes none of it (its output folder is never made)."""
    notebooks = tmp_path / "nbs"
    cell = (
        "import os\n"
        "from IPython.display import display\n"
        "import perfnb\n"
        "report = perfnb.ServiceReport.build(perfnb.load_dataset(data_dir), period, service)\n"
        "display(report.rag_summary_chart())\n"
        "if EXTRA:\n"
        "    display(report.scorecard_table())\n"
        "assert not os.path.exists(output_dir), 'the kernel wrote into its output folder'"
    )
    make_notebook(notebooks, "extra", cell, params=PARAMS + "\nEXTRA = True")
    data = tiny()
    out = tmp_path / "out"
    first = run_reports(None, data, out, notebooks_dir=notebooks, services=["Help Desk"])
    assert first.ok, first.summary()
    folder = out / "2017-18-Q1"
    other = folder / "tables" / "someone-else.csv"
    other.write_text("kept")
    assert (folder / "tables" / "help-desk" / "scorecard.csv").exists()
    # the files travelled in the display data, and were taken out before the notebook was saved
    assert (
        "application/vnd.perfnb.exhibits+json" not in (folder / "extra-help-desk.ipynb").read_text()
    )
    again = run_reports(
        None,
        data,
        out,
        notebooks_dir=notebooks,
        services=["Help Desk"],
        parameters={"EXTRA": False},
    )
    assert again.ok, again.summary()
    assert not (folder / "tables" / "help-desk" / "scorecard.csv").exists()
    assert (folder / "charts" / "help-desk" / "rag-summary-help-desk-2017-18-q1.svg").exists()
    assert other.read_text() == "kept"


def test_chart_pngs_are_published_only_when_asked(tiny, tmp_path, monkeypatch) -> None:
    """Each chart is published as SVG; ``png`` (--png) adds its 300 dpi PNG, listed and hashed
    in the manifest, and rebuilds a report built without; the next run without it removes the
    PNG. The shell's PERFNB_CHART_PNG never reaches a kernel: the run says which."""
    from PIL import Image

    monkeypatch.setenv("PERFNB_CHART_PNG", "1")
    notebooks = tmp_path / "nbs"
    cell = (
        "import perfnb\n"
        "report = perfnb.ServiceReport.build(perfnb.load_dataset(data_dir), period, service)\n"
        "report.rag_summary_chart()"
    )
    make_notebook(notebooks, "chart", cell)
    data, out = tiny(), tmp_path / "out"
    folder = out / "2017-18-Q1"
    name = "charts/help-desk/rag-summary-help-desk-2017-18-q1"

    def run(**options: object):
        result = run_reports(
            None, data, out, notebooks_dir=notebooks, services=["Help Desk"], **options
        )
        assert result.ok, result.summary()
        (job,) = result.jobs
        assert job.status == "ok"  # built, not skipped as unchanged
        entry = json.loads((folder / "manifest.json").read_text())["reports"][0]
        return job, entry

    job, entry = run()
    assert [f for f in job.files if f.startswith("charts/")] == [f"{name}.svg"]
    assert not (folder / f"{name}.png").exists()
    svg = (folder / f"{name}.svg").read_bytes()
    job, entry = run(png=True)
    assert [f for f in job.files if f.startswith("charts/")] == [f"{name}.png", f"{name}.svg"]
    with Image.open(folder / f"{name}.png") as image:
        assert [round(v) for v in image.info["dpi"]] == [300, 300]
        assert image.width == 2250  # 7.5 inches at 300 dpi
    assert (
        entry["hashes"][f"{name}.png"]
        == hashlib.sha256((folder / f"{name}.png").read_bytes()).hexdigest()
    )
    assert (folder / f"{name}.svg").read_bytes() == svg  # laid out the same, PNG or not
    job, entry = run()
    assert not (folder / f"{name}.png").exists()
    assert f"{name}.png" not in entry["files"] and f"{name}.png" not in entry["hashes"]


def test_failed_report_publishes_no_tables_or_charts(tiny, tmp_path) -> None:
    """A notebook that saves a table and then fails leaves nothing in tables/."""
    notebooks = tmp_path / "nbs"
    make_notebook(
        notebooks,
        "broken",
        "import perfnb\n"
        "report = perfnb.ServiceReport.build(perfnb.load_dataset(data_dir), period, service)\n"
        "report.scorecard_table()",
        "raise RuntimeError('after the table')",
    )
    result = run_reports(None, tiny(), tmp_path / "out", notebooks_dir=notebooks)
    assert not result.ok
    assert not (tmp_path / "out" / "2017-18-Q1" / "tables").exists()


def test_red_and_amber_without_commentary_are_warned(tmp_path) -> None:
    """perfnb run names each Red or Amber measure that has no commentary, or only the draft."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data, ignore=shutil.ignore_patterns("commentary"))
    (data / "commentary").mkdir()
    (data / "commentary" / "2017-18-Q1.md").write_text(
        "## LIB-VISITS\n\nVisits fell while two libraries were closed for refurbishment.\n"
        "\n## NOT-A-MEASURE\n\nStray.\n",
        encoding="utf-8",
    )
    lines: list[str] = []
    result = run_reports(
        "2017/18 Q1",
        data,
        tmp_path / "out",
        services=["Communities and Wellbeing"],
        notebooks_dir=NOTEBOOKS,
        echo=lines.append,
    )
    assert result.ok, result.summary()
    warned = [line for line in lines if "has no commentary" in line]
    assert warned == [
        "warning: Communities and Wellbeing: LIB-CHILD-ISSUES is Amber and has no commentary"
    ]
    assert any("NOT-A-MEASURE" in line for line in lines)
    html = (result.folder / "scorecard-communities-and-wellbeing.html").read_text()
    assert "Visits fell while two libraries were closed for refurbishment." in html
    manifest = json.loads((result.folder / "manifest.json").read_text())
    assert "commentary/2017-18-Q1.md" in manifest["reports"][0]["run"]["inputs"]


def test_kernel_stderr_stays_off_the_terminal_and_names_a_dead_kernel(tiny, tmp_path, capfd):
    """What the kernel process writes to its own stderr (ipykernel's log) goes to the job's
    log, not the terminal; when the kernel dies, its last words are in the error."""
    notebooks = tmp_path / "nbs"
    make_notebook(notebooks, "noisy", "import os\nos.write(2, b'kernel noise on fd 2\\n')")
    make_notebook(notebooks, "dies", "import os\nos.write(2, b'dying words\\n')\nos._exit(3)")
    result = run_reports(
        None, tiny(), tmp_path / "out", notebooks_dir=notebooks, services=["Help Desk"]
    )
    by_name = {job.notebook: job for job in result.jobs}
    assert by_name["noisy"].status == "ok"
    assert by_name["dies"].status == "failed"
    assert "dying words" in by_name["dies"].error
    captured = capfd.readouterr()
    assert "kernel noise" not in captured.err + captured.out
    assert "dying words" not in captured.err


# -- action plans ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def help_direct_run(tmp_path_factory):
    """Help Direct at 2012/13 Q2: its scorecard, and seed 000's recovery plan."""
    out = tmp_path_factory.mktemp("output")
    result = run_reports("2012/13 Q2", SAMPLE, out, notebooks_dir=NOTEBOOKS)
    return result, out / "2012-13-Q2"


def test_each_notebook_runs_for_the_services_it_reports_on(help_direct_run) -> None:
    """Help Direct has figures and an action plan at 2012/13 Q2: both notebooks run for it."""
    result, folder = help_direct_run
    assert result.ok, result.summary()
    assert [(j.notebook, j.service, j.kind) for j in result.jobs] == [
        ("actions", "Help Direct", "actions"),
        ("scorecard", "Help Direct", "measures"),
    ]
    actions_job = result.jobs[0]
    assert actions_job.rag_counts == {"At risk": 1, "On track": 4, "Completed": 3, "Cancelled": 1}
    assert "tables/help-direct/actions.csv" in actions_job.files
    assert "charts/help-direct/action-progress-help-direct-2012-13-q2.svg" in actions_job.files
    html = (folder / "actions-help-direct.html").read_text(encoding="utf-8")
    assert "Help Direct: action plan" in html
    assert "HD-CONTACTS (Red); HD-ISSUES (Red)" in html
    assert "<pre" not in html and "import perfnb" not in html  # no code


def test_actions_csv_one_row_per_action(help_direct_run) -> None:
    """output/<period>/actions.csv: the issue's columns first, one row per action, opening in
    Excel (UTF-8 with a byte-order mark); HD-RP-04 worked by hand: 92 of 274 days."""
    from perfnb.actions import ACTION_COLUMNS

    _, folder = help_direct_run
    raw = (folder / "actions.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(folder / "actions.csv", encoding="utf-8-sig", keep_default_na=False)
    assert tuple(table.columns[: len(ACTION_COLUMNS)]) == ACTION_COLUMNS
    assert table["action_id"].tolist() == [f"HD-RP-0{n}" for n in range(1, 10)]
    row = table.set_index("action_id").loc["HD-RP-04"]
    assert (row["status"], row["pct_complete"], row["expected_pct"], row["slippage"]) == (
        "Not started",
        "",
        "33.6",
        "33.6",
    )
    assert (row["rag"], row["overdue"], row["due_soon"]) == ("At risk", False, False)
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert '<a href="actions.csv">actions.csv</a>' in index
    assert '<a href="scorecard.csv">scorecard.csv</a>' in index
    assert '<a href="actions-help-direct.html">Help Direct</a>' in index
    assert '<span class="perfnb-badge action-at-risk">At risk 1</span>' in index
    assert "<td>Action plan</td>" in index and "<td>actions.ipynb</td>" in index
    assert "<td>Performance report</td>" in index and "<td>scorecard.ipynb</td>" in index


def test_action_only_period_and_service(tmp_path) -> None:
    """Sefton's 2009/10 Q2 has actions and no figures: only the action plan runs, and no
    scorecard.csv is written; a measures notebook asked for an action-only service is refused."""
    result = run_reports("2009/10 Q2", SAMPLE, tmp_path, notebooks_dir=NOTEBOOKS)
    assert result.ok, result.summary()
    assert [(j.notebook, j.service) for j in result.jobs] == [("actions", "Health and Social Care")]
    # seed 001's 21 actions and 43 activities (tests/test_action_report.py works them out)
    assert result.jobs[0].rag_counts == {
        "Overdue": 14,
        "At risk": 3,
        "On track": 43,
        "Completed": 4,
    }
    folder = tmp_path / "2009-10-Q2"
    assert not (folder / "scorecard.csv").exists()
    table = pd.read_csv(folder / "actions.csv", encoding="utf-8-sig")
    assert len(table) == 21 + 43
    overdue = table.loc[table["overdue"], "action_id"].tolist()
    assert len(overdue) == 14 and "DSP-HSC-AP-09" in overdue
    assert "scorecard.csv" not in (folder / "index.html").read_text(encoding="utf-8")
    with pytest.raises(RunError) as caught:
        run_reports(
            "2009/10 Q2",
            SAMPLE,
            tmp_path,
            notebooks_dir=NOTEBOOKS,
            notebooks=["scorecard"],
            services=["health-and-social-care"],
        )
    assert str(caught.value) == (
        "none of the notebooks (scorecard) reports on 'health-and-social-care': measures "
        "notebooks are run for services with measures, actions notebooks for services with "
        "actions"
    )


def test_unknown_report_kind_is_named(tmp_path) -> None:
    notebooks = tmp_path / "nb"
    path = make_notebook(notebooks, "odd", "pass")
    nb = nbformat.read(path, as_version=4)
    nb.metadata["perfnb"] = {"report": "risks"}
    nbformat.write(nb, path)
    with pytest.raises(RunError) as caught:
        run_reports(None, SAMPLE, tmp_path / "out", notebooks_dir=notebooks)
    assert str(caught.value) == (
        f"{path}: its metadata says it reports on 'risks'; perfnb knows measures, actions"
    )


def test_named_service_keeps_every_plan_in_actions_csv(tmp_path) -> None:
    """Naming one service still writes every plan of the period into actions.csv, as
    scorecard.csv keeps every measure: Sefton's 21 actions and 43 activities beside Help
    Direct's 9."""
    lines: list[str] = []
    result = run_reports(
        "2009/10 Q2",
        SAMPLE,
        tmp_path,
        notebooks_dir=NOTEBOOKS,
        notebooks=["actions"],
        services=["Help Direct"],
        echo=lines.append,
    )
    assert [(j.notebook, j.service) for j in result.jobs] == [("actions", "Help Direct")]
    table = pd.read_csv(tmp_path / "2009-10-Q2" / "actions.csv", encoding="utf-8-sig")
    assert table["service"].value_counts().to_dict() == {
        "Health and Social Care": 21 + 43,
        "Help Direct": 9,
    }
    assert not (tmp_path / "2009-10-Q2" / "scorecard.csv").exists()


def test_plan_without_updates_or_starts(tiny, tmp_path) -> None:
    """actions.csv with no action_updates.csv and no start: the scorecard runs as before, and
    the plan's own notebook runs when asked for."""
    data = tiny(
        actions="action_id,title,service,lead_officer,deadline\nA1,Do it,Help Desk,,March 2018\n"
    )
    notebooks = tmp_path / "nb"
    make_notebook(notebooks, "card", "pass")
    plan = make_notebook(notebooks, "plan", "pass")
    nb = nbformat.read(plan, as_version=4)
    nb.metadata["perfnb"] = {"report": "actions"}
    nbformat.write(nb, plan)
    result = run_reports(
        "2017/18 Q1", data, tmp_path / "out", notebooks_dir=notebooks, services=["Help Desk"]
    )
    assert result.ok, result.summary()
    assert [(j.notebook, j.kind) for j in result.jobs] == [
        ("card", "measures"),
        ("plan", "actions"),
    ]
    table = pd.read_csv(tmp_path / "out" / "2017-18-Q1" / "actions.csv", encoding="utf-8-sig")
    assert table[["action_id", "rag"]].values.tolist() == [["A1", "At risk"]]


# -- many at once --------------------------------------------------------------------------------


def test_parallel_run_writes_what_a_serial_run_writes(sample_run, tmp_path, run_temporary) -> None:
    """Two worker processes build the same three reports as one after another: every table and
    chart byte for byte, scorecard.csv too, and the same HTML but for the time it was made; the
    kernels' socket folders (in the run's temporary folder) are removed."""
    import re

    _, serial = sample_run
    result = run_reports(data_dir=SAMPLE, out_dir=tmp_path, notebooks_dir=NOTEBOOKS, workers=2)
    assert result.ok, result.summary()
    assert [j.service for j in result.jobs] == [
        "Adult Social Care",
        "Communities and Wellbeing",
        "Urgent and Emergency Care",
    ]
    parallel = tmp_path / "2017-18-Q1"

    def files(folder: Path) -> dict[str, bytes]:
        return {
            p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and p.suffix in (".csv", ".svg", ".png", ".html")
        }

    ours, theirs = files(parallel), files(serial)
    assert sorted(ours) == sorted(theirs)
    clock = re.compile(rb"\d{1,2}:\d{2}(:\d{2})?|\d{4}-\d{2}-\d{2}T[\d:+]+")
    for name, data in ours.items():
        if name.endswith(".html"):
            assert clock.sub(b"", data) == clock.sub(b"", theirs[name]), name
        else:
            assert data == theirs[name], name
    assert not list(run_temporary.glob("perfnb-*"))  # socket folders removed


def test_workers_must_be_one_or_more(tmp_path) -> None:
    with pytest.raises(RunError, match="--workers must be 1 or more, not 0"):
        run_reports(None, SAMPLE, tmp_path, notebooks_dir=NOTEBOOKS, workers=0)
    assert not any(tmp_path.iterdir())


def test_year_quarters_of_the_sample() -> None:
    """--year gives the year's quarters that have figures: all four of 2016/17; only Q1 of
    2017/18 (its year row, the surveys' 2017/18, is not a quarter)."""
    from perfnb.loader import load_dataset
    from perfnb.run import year_quarters

    data = load_dataset(SAMPLE)
    assert [q.label for q in year_quarters("2016/17", data)] == [
        "2016/17 Q1",
        "2016/17 Q2",
        "2016/17 Q3",
        "2016/17 Q4",
    ]
    assert [q.label for q in year_quarters("2017/18", data)] == ["2017/18 Q1"]
    with pytest.raises(RunError, match="--year takes a financial year such as 2017/18"):
        year_quarters("2017/18 Q1", data)
    with pytest.raises(RunError, match="no figure in 2020/21"):
        year_quarters("2020/21", data)


def test_several_periods_in_one_run(tiny, tmp_path) -> None:
    """Two quarters' jobs share one pool; each quarter gets its own folder, manifest and index,
    and a period that cannot be run stops the run before anything is written."""
    from perfnb.run import run_periods

    notebooks = tmp_path / "nb"
    make_notebook(notebooks, "card", "print(period, service)")
    data = tiny(values=[("", "M1,2017/18 Q2,120,"), ("", "M3,2017/18 Q2,11,")])
    results = run_periods(
        ["2017/18 Q1", "2017-18-Q2", "2017/18 Q1"],
        data,
        tmp_path / "out",
        notebooks_dir=notebooks,
        workers=2,
    )
    assert [r.period.label for r in results] == ["2017/18 Q1", "2017/18 Q2"]
    for result in results:
        assert result.ok, result.summary()
        manifest = json.loads((result.folder / "manifest.json").read_text())
        assert manifest["period"] == result.period.label
        assert (result.folder / "index.html").exists()
    assert [j.service for j in results[1].jobs] == ["Help Desk", "Care"]
    with pytest.raises(RunError, match="no service has figures for 2020/21 Q1"):
        run_periods(["2017/18 Q1", "2020/21 Q1"], data, tmp_path / "other", notebooks_dir=notebooks)
    first = tmp_path / "other" / "2017-18-Q1"
    assert not first.exists() or not any(first.iterdir())  # planned, but nothing written


# -- incremental ----------------------------------------------------------------------------------


def test_unchanged_reports_are_skipped_and_force_rebuilds(tiny, tmp_path) -> None:
    """A second run with nothing changed builds nothing: the reports, their times and the
    manifest's record of what they were built from stand. A change to the data, to the
    notebook, or a report's file gone, rebuilds what it touches; --force rebuilds all."""
    notebooks = tmp_path / "nb"
    path = make_notebook(notebooks, "card", "print(period, service)")
    data = tiny()
    out = tmp_path / "out"
    first = run_reports(None, data, out, notebooks_dir=notebooks, workers=1)
    folder = first.folder
    assert [j.status for j in first.jobs] == ["ok", "ok"]
    manifest = json.loads((folder / "manifest.json").read_text())
    builds = {r["key"]: r["build"] for r in manifest["reports"]}
    assert all(len(b) == 64 for b in builds.values())
    html = (folder / "card-help-desk.html").read_bytes()

    again = run_reports(None, data, out, notebooks_dir=notebooks, workers=1)
    assert [j.status for j in again.jobs] == ["skipped", "skipped"] and again.ok
    assert "0 of 2 report(s) built" in again.summary()
    assert (folder / "card-help-desk.html").read_bytes() == html
    assert json.loads((folder / "manifest.json").read_text())["reports"] == manifest["reports"]

    (folder / "card-care.html").unlink()  # a report's page gone: rebuilt, the other not
    assert [j.status for j in run_reports(None, data, out, notebooks_dir=notebooks).jobs] == [
        "skipped",
        "ok",
    ]
    values = data / "values.csv"
    values.write_text(values.read_text().replace("M1,2017/18 Q1,100,", "M1,2017/18 Q1,101,"))
    assert {j.status for j in run_reports(None, data, out, notebooks_dir=notebooks).jobs} == {"ok"}

    path.write_text(path.read_text().replace("print(period, service)", "print(service)"))
    assert {j.status for j in run_reports(None, data, out, notebooks_dir=notebooks).jobs} == {"ok"}
    forced = run_reports(None, data, out, notebooks_dir=notebooks, force=True)
    assert [j.status for j in forced.jobs] == ["ok", "ok"]


def test_progress_bar_or_plain_lines(tiny, tmp_path, capfd) -> None:
    """With progress (a terminal), a bar counts the reports done; without (a log, CI), each
    job has a plain line when it starts and when it ends."""
    notebooks = tmp_path / "nb"
    make_notebook(notebooks, "card", "pass")
    data = tiny()
    lines: list[str] = []
    run_reports(None, data, tmp_path / "a", notebooks_dir=notebooks, workers=1, echo=lines.append)
    assert "running card.ipynb for Help Desk (2017/18 Q1)" in lines
    assert any(line.startswith("  card for Care (2017/18 Q1): ok in ") for line in lines)
    capfd.readouterr()
    run_reports(None, data, tmp_path / "b", notebooks_dir=notebooks, workers=1, progress=True)
    err = capfd.readouterr().err
    assert "reports: 100%" in err and "2/2" in err


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_bar_shows_the_running_cell(tiny, tmp_path, capfd, workers) -> None:
    """The bar names each running report and the cell it is at (``cell 3/4``: the parameters
    cell, papermill's, and two of the analyst's), here and from a pool's workers."""
    notebooks = tmp_path / "nb"
    make_notebook(notebooks, "card", "import time\ntime.sleep(1.5)", "time.sleep(1.5)")
    capfd.readouterr()
    result = run_reports(
        None, tiny(), tmp_path / "out", notebooks_dir=notebooks, workers=workers, progress=True
    )
    assert result.ok, result.summary()
    err = capfd.readouterr().err
    for service in ("help-desk", "care"):
        assert f"card-{service} cell 3/4" in err and f"card-{service} cell 4/4" in err, err


def test_jobs_on_a_dask_cluster(tiny, tmp_path, monkeypatch) -> None:
    """A real Dask LocalCluster (two worker processes) runs the jobs through its executor, as
    perfnb run --dask-scheduler does: the same reports as a local run. The run is given
    relative paths from a folder other than the workers' (they started before the chdir, as a
    cluster's workers start in folders of their own): every path a job carries is absolute."""
    distributed = pytest.importorskip("distributed")
    project = tmp_path / "project"
    make_notebook(project / "nb", "card", "import os; print(service, os.getpid())")
    tiny()  # tmp_path / "data"
    (tmp_path / "data").rename(project / "data")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        workers_at = set(client.run(os.getcwd).values())
        monkeypatch.chdir(project)
        assert workers_at and str(project) not in workers_at  # relative paths lead elsewhere there
        result = run_reports(
            None, "data", "out", notebooks_dir="nb", executor=client.get_executor(pure=False)
        )
        assert client.status == "running"  # perfnb does not shut down a cluster it was given
    assert result.ok, result.summary()
    assert [(j.service, j.status) for j in result.jobs] == [("Help Desk", "ok"), ("Care", "ok")]
    assert result.folder == project / "out" / "2017-18-Q1"
    for job in result.jobs:
        assert (result.folder / job.html).exists()
        assert job.warnings == []  # fresh kernels at the first try: a Dask worker is a daemon


def test_a_report_over_its_time_is_stopped_and_the_others_built(tiny, tmp_path) -> None:
    """--timeout: the report that sleeps for an hour is stopped at the timeout and marked
    failed with the reason; its kernel is killed; the quick one is built. The timeout is
    measured against this machine (ten times what the quick report took alone, and at least
    30 s), so a busy machine does not fail the quick one (two reports at once on a loaded
    2-core machine took more than four times one alone)."""
    import time as clock

    notebooks = tmp_path / "nb"
    make_notebook(
        notebooks,
        "card",
        "import time\nif service == 'Care':\n    time.sleep(3600)\nprint('done')",
    )
    data = tiny()
    started = clock.perf_counter()
    alone = run_reports(
        None, data, tmp_path / "alone", notebooks_dir=notebooks, services=["Help Desk"]
    )
    assert alone.ok, alone.summary()
    timeout = round(max(30.0, 10 * (clock.perf_counter() - started)))
    started = clock.perf_counter()
    result = run_reports(None, data, tmp_path / "out", notebooks_dir=notebooks, timeout=timeout)
    assert clock.perf_counter() - started < timeout + 120  # not the hour
    jobs = {j.service: j for j in result.jobs}
    assert jobs["Help Desk"].status == "ok", jobs["Help Desk"].error
    assert jobs["Care"].status == "failed"
    assert f"took longer than {timeout:g} s (--timeout) and was stopped" in jobs["Care"].error
    assert not result.ok


def test_a_kernel_that_dies_on_start_is_started_again(tiny, tmp_path, monkeypatch) -> None:
    """The first kernel of a job fails to start: the job starts one more and is built, saying
    so; a kernel that never starts fails the job after the second try."""
    from perfnb.run.kernel import CurrentPythonKernelManager

    original = CurrentPythonKernelManager._async_launch_kernel
    starts: list[int] = []

    async def flaky(self, kernel_cmd, **kw):
        starts.append(1)
        if len(starts) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return await original(self, kernel_cmd, **kw)

    monkeypatch.setattr(CurrentPythonKernelManager, "_async_launch_kernel", flaky)
    notebooks = tmp_path / "nb"
    make_notebook(notebooks, "card", "print('hello')")
    data = tiny(measures=[("M3,Share of sequels,Care,", "M3,Share of sequels,Help Desk,")])
    result = run_reports(None, data, tmp_path / "out", notebooks_dir=notebooks, workers=1)
    assert result.ok, result.summary()
    assert len(starts) == 2
    assert any("the kernel failed to start" in w for w in result.jobs[0].warnings)

    async def dead(self, kernel_cmd, **kw):
        raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr(CurrentPythonKernelManager, "_async_launch_kernel", dead)
    again = run_reports(None, data, tmp_path / "out2", notebooks_dir=notebooks, workers=1)
    assert again.jobs[0].status == "failed"
    assert "Kernel died before replying" in again.jobs[0].error


def _kernels(marker: str) -> set[int]:
    """The kernel processes of one run, those whose environment has ``marker`` (another run's
    kernels on the same machine are not counted): started fresh (ipykernel_launcher) or forked
    from perfnb's kernel template (named perfnb-kernel)."""
    found = set()
    for pid in _processes_with(marker):
        proc = Path("/proc") / str(pid)
        try:
            fresh = b"ipykernel_launcher" in (proc / "cmdline").read_bytes()
            if fresh or (proc / "comm").read_text().strip() == "perfnb-kernel":
                found.add(pid)
        except OSError:
            continue
    return found


def _processes_with(marker: str) -> set[int]:
    """The processes whose environment (as they were started) has ``marker`` in it."""
    found = set()
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                # a whole entry of the NUL-separated environment, not the start of a longer one
                if marker.encode() + b"\0" in (proc / "environ").read_bytes():
                    found.add(int(proc.name))
            except OSError:
                continue
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc to find kernel processes")
def test_interrupt_stops_cleanly(tiny, tmp_path, run_temporary) -> None:
    """Ctrl-C (SIGINT to perfnb run alone) while two reports run in two workers: the run ends
    with status 130, both kernels are shut down, no process of the run is left (workers,
    kernel templates, kernels) and no temporary file or folder either."""
    import signal
    import subprocess
    import sys
    import time as clock

    notebooks = tmp_path / "nb"
    make_notebook(notebooks, "card", "import time\ntime.sleep(120)")
    data = tiny()
    run_id = uuid.uuid4().hex  # unique: another checkout's tests run this test too
    marker = f"PERFNB_TEST_RUN={run_id}"
    run = subprocess.Popen(
        [sys.executable, "-m", "perfnb.cli", "run", "--data", str(data), "--out",
         str(tmp_path / "out"), "--notebooks", str(notebooks), "--workers", "2"],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PERFNB_TEST_RUN": run_id},  # TMPDIR: run_temporary
    )  # fmt: skip
    deadline = clock.time() + 60
    while len(_kernels(marker)) < 2 and clock.time() < deadline:
        clock.sleep(0.5)
    assert len(_kernels(marker)) >= 2, "the two kernels did not start"
    clock.sleep(2)
    run.send_signal(signal.SIGINT)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 130, err
    assert "interrupted" in err
    deadline = clock.time() + 20
    while _kernels(marker) and clock.time() < deadline:
        clock.sleep(0.5)
    assert _kernels(marker) == set()
    while _processes_with(marker) and clock.time() < deadline:
        clock.sleep(0.5)
    assert _processes_with(marker) == set()
    folder = tmp_path / "out" / "2017-18-Q1"
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []
    assert not list(run_temporary.glob("perfnb-*"))


def test_temporary_root_is_tmpdir_when_the_run_starts(run_temporary, tmp_path, monkeypatch) -> None:
    """The runner reads TMPDIR at each run (tempfile reads it once per process), and falls back
    to Python's temporary folder when TMPDIR is unset, missing or too long for a socket path.
    That fallback is pointed at a folder of the test's own: the system's is never looked at."""
    import tempfile

    from perfnb.run import temporary_root

    assert temporary_root() == run_temporary.resolve()  # the fixture set TMPDIR just now
    fallback = tmp_path / "python-temporary"
    fallback.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(fallback))  # the fallback Python gives
    deep = tmp_path / ("d" * 80)
    deep.mkdir()
    assert len(str(deep.resolve())) > 70  # over the room a socket path leaves
    monkeypatch.setenv("TMPDIR", str(deep))
    assert temporary_root() == fallback
    monkeypatch.setenv("TMPDIR", str(tmp_path / "missing"))
    assert temporary_root() == fallback
    monkeypatch.delenv("TMPDIR")
    assert temporary_root() == fallback


def test_the_kernel_is_told_when_the_run_produced_the_report(tiny, tmp_path) -> None:
    """The kernel's PERFNB_PRODUCED is the run's time, the one the page's footer gives, so the
    title block and the footer never disagree on the day."""
    import datetime as dt

    notebooks = tmp_path / "nbs"
    make_notebook(notebooks, "when", "import os\nprint('produced', os.environ['PERFNB_PRODUCED'])")
    result = run_reports(None, tiny(), tmp_path / "out", notebooks_dir=notebooks, workers=1)
    assert result.ok, result.summary()
    page = (result.folder / "when-help-desk.html").read_text(encoding="utf-8")
    stamp = page.split("produced ", 1)[1].split("<", 1)[0].strip()
    footer = dt.datetime.fromisoformat(stamp).strftime("%d %B %Y %H:%M")
    assert f"<p>Produced {footer} by perfnb" in page


def test_the_runner_holds_no_table_of_the_data_while_the_reports_run(
    tiny, tmp_path, monkeypatch
) -> None:
    """Planned, the run lets the data set's tables go (each report reads the data in its own
    kernel): while the reports run, no data set with a row is left in the runner, nor any of
    the memory its tables' numbers were loaded into (an empty slice of a table would keep it);
    the index still names the council."""
    import gc
    import weakref

    import numpy as np

    import perfnb.run.runner as runner
    from perfnb.loader import Dataset

    held: list[int] = []
    loaded: list[weakref.ref] = []  # the memory behind each number column of the loaded tables
    real_run, real_load = runner.run_jobs, runner.load_dataset

    def memory_of(array: np.ndarray) -> np.ndarray:
        while isinstance(array.base, np.ndarray):
            array = array.base
        return array

    def loading(*args, **kwargs):
        data = real_load(*args, **kwargs)
        for name in ("measures", "values", "targets", "benchmarks"):
            frame = getattr(data, name)
            for column in frame.columns:
                if frame[column].dtype.kind in "fiub" and len(frame):
                    loaded.append(weakref.ref(memory_of(frame[column].to_numpy())))
        return data

    def counting(*args, **kwargs):
        gc.collect()
        held.append(
            sum(1 for o in gc.get_objects() if isinstance(o, Dataset) and len(o.values) > 0)
        )
        held.append(sum(1 for ref in loaded if ref() is not None))
        return real_run(*args, **kwargs)

    monkeypatch.setattr(runner, "run_jobs", counting)
    monkeypatch.setattr(runner, "load_dataset", loading)
    data = tiny()
    (data / "dataset.toml").write_text('council = "Tinytown Council"\n')
    result = run_reports(None, data, tmp_path / "out", notebooks_dir=NOTEBOOKS)
    assert result.ok, result.summary()
    assert len(loaded) > 5
    assert held == [0, 0]
    assert "Tinytown Council" in (result.folder / "index.html").read_text()
