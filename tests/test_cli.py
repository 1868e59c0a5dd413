"""The perfnb command line: exit codes and what it prints."""

from __future__ import annotations

import subprocess
import sys

from conftest import NOTEBOOKS, SAMPLE
from perfnb.cli import main


def test_validate_sample(capsys) -> None:
    """perfnb validate on the sample: exit 0 and says so."""
    assert main(["validate", "--data", str(SAMPLE)]) == 0
    assert capsys.readouterr().out.strip() == f"{SAMPLE}: no errors"


def test_validate_bad_data_exits_1_and_lists_problems(tiny, capsys) -> None:
    """Errors go to stderr, each on its own line; the exit status is 1."""
    folder = tiny(values=[("M1,2017/18 Q1,100,", "M1,2017/18 Q1,abc,"), ("", "M9,2017/18 Q1,1,")])
    assert main(["validate", "--data", str(folder)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"2 error(s) in the data set {folder}:",
        "  values.csv, row 2, column value: 'abc' is not a number; expected a number, or a "
        "blank value with a note while the figure is pending",
        "  values.csv, row 5, column measure_id: 'M9' is not a measure_id in measures.csv",
    ]


def test_validate_warnings_do_not_fail(tiny, capsys) -> None:
    """Warnings are printed but the data set is still usable: exit 0."""
    folder = tiny(values=[("M2,2017/18 Q1,55.5,", "M2,2017/18 Q1,,")])
    assert main(["validate", "--data", str(folder)]) == 0
    captured = capsys.readouterr()
    assert captured.err.startswith("warning: values.csv, row 3, column value: is blank")
    assert captured.out.strip() == f"{folder}: no errors, 1 warning(s)"


def test_run_refuses_bad_data_before_running(tiny, tmp_path, capsys) -> None:
    """perfnb run validates first: bad data exits 1 and writes nothing."""
    folder = tiny(values=[("M1,2017/18 Q1,100,", "M1,2017/18 Q1,abc,")])
    out = tmp_path / "out"
    assert main(["run", "--data", str(folder), "--out", str(out)]) == 1
    assert "Nothing was run" in capsys.readouterr().err
    assert not out.exists()


def test_run_bad_period_exits_2(tmp_path, capsys) -> None:
    """An unreadable --period is a usage error (exit 2) with the accepted forms."""
    code = main(
        [
            "run",
            "--period",
            "2017/18 Q5",
            "--out",
            str(tmp_path),
            "--data",
            str(SAMPLE),
            "--notebooks",
            str(NOTEBOOKS),
        ]
    )
    assert code == 2
    assert "is not a period: write a quarter as 2017/18 Q1" in capsys.readouterr().err


def test_run_one_service_by_slug_period(tmp_path, capsys) -> None:
    """--period takes a slug; --service picks one report; the summary names it."""
    code = main(
        [
            "run",
            "--period",
            "2012-13-Q2",
            "--service",
            "Help Direct",
            "--data",
            str(SAMPLE),
            "--out",
            str(tmp_path),
            "--notebooks",
            str(NOTEBOOKS),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "scorecard  Help Direct  ok" in out
    assert (tmp_path / "2012-13-Q2" / "scorecard-help-direct.html").exists()


def test_console_script_is_installed() -> None:
    """The perfnb command is on the environment's path and reports its version."""
    done = subprocess.run(
        [sys.executable, "-m", "perfnb.cli", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.startswith("perfnb ")
