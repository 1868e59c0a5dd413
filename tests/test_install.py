"""What a new user meets before any data of their own: perfnb's notebooks and sample data set
shipped inside the package (``perfnb run`` in an empty folder), papermill run as papermill
users run it, ``--data`` given a workbook file, and the command's ``-q``/``-v``. (The wheel
itself is built and installed into a fresh environment by ``tools/check-wheel`` in CI.)"""

from __future__ import annotations

import logging
from pathlib import Path

import papermill

from conftest import NOTEBOOKS, SAMPLE
from perfnb import bundled_sample, load_dataset
from perfnb.bundled import bundled_notebooks, project_or_bundled
from perfnb.cli import main
from perfnb.log import log_line


def test_the_notebooks_and_sample_are_found_where_perfnb_is_installed(tmp_path) -> None:
    """In a clone they are notebooks/ and data/sample/ (the wheel maps them into the package,
    pyproject's package-dir); an empty folder falls back to them, a project uses its own."""
    assert bundled_notebooks().resolve() == NOTEBOOKS.resolve()
    assert bundled_sample().resolve() == SAMPLE.resolve()
    assert project_or_bundled(None, str(tmp_path / "notebooks"), bundled_notebooks()) == (
        bundled_notebooks(),
        True,
    )
    (tmp_path / "notebooks").mkdir()
    assert project_or_bundled(None, str(tmp_path / "notebooks"), bundled_notebooks()) == (
        tmp_path / "notebooks",
        False,
    )
    assert project_or_bundled("mine", "notebooks", bundled_notebooks()) == (Path("mine"), False)


def test_papermill_runs_a_notebook_from_any_folder(tmp_path, monkeypatch) -> None:
    """``papermill notebooks/scorecard.ipynb out.ipynb -p period ... -p service ...`` with no
    --cwd: the blank data_dir is the sample data set, wherever papermill runs from."""
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOKS / "scorecard.ipynb"),
        str(out),
        parameters={"period": "2012/13 Q2", "service": "Help Direct"},
        kernel_name="python3",
        progress_bar=False,
    )
    executed = out.read_text(encoding="utf-8")
    assert "Help Direct: performance report" in executed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.ipynb"]  # nothing else written


def test_data_may_be_a_workbook_file_of_any_name(tmp_path, capsys) -> None:
    """``--data council.xlsx``: its sheets are the data set, its folder holds the rest."""
    assert main(["init", str(tmp_path / "mine")]) == 0
    (tmp_path / "mine" / "perfnb.xlsx").rename(tmp_path / "mine" / "council.xlsx")
    workbook = tmp_path / "mine" / "council.xlsx"
    data = load_dataset(workbook)
    assert data.path == tmp_path / "mine"
    assert data.sources["measures"] == workbook
    assert main(["validate", "--data", str(workbook)]) == 0
    assert "no errors" in capsys.readouterr().out


def test_the_run_logs_through_logging(caplog) -> None:
    """A library user sees the run's lines in the ``perfnb`` logger: warnings at WARNING."""
    with caplog.at_level(logging.INFO, logger="perfnb"):
        log_line("running scorecard.ipynb for Care (2017/18 Q1)")
        log_line("warning: Care: M1 is Red and has no commentary")
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("INFO", "running scorecard.ipynb for Care (2017/18 Q1)"),
        ("WARNING", "Care: M1 is Red and has no commentary"),
    ]


def test_quiet_and_verbose_are_options_of_the_command(capsys) -> None:
    """-q and -v are accepted (not together); --version names perfnb."""
    assert main(["-q", "validate", "--data", str(SAMPLE)]) == 0
    assert main(["-v", "validate", "--data", str(SAMPLE)]) == 0
    try:
        main(["--version"])
    except SystemExit as exc:
        assert exc.code == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("perfnb ")
