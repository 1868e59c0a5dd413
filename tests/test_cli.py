"""The perfnb command line: exit codes and what it prints."""

from __future__ import annotations

import shutil
import subprocess
import sys

from conftest import NOTEBOOKS, SAMPLE
from perfnb.cli import main
from perfnb.loader import load_dataset
from perfnb.scorecard import build_scorecard, services_with_figures


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


def _sample_copy(tmp_path) -> str:
    """A copy of the sample data set, so commentary is never written into the repository."""
    folder = tmp_path / "sample"
    # without the sample's own commentary files: the tests start from none
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("commentary"))
    return str(folder)


def test_commentary_creates_then_leaves_the_file_alone(tmp_path, capsys) -> None:
    """perfnb commentary drafts a section per measure of the latest period, lists the Red and
    Amber measures still to write, and a second run adds nothing."""
    data = _sample_copy(tmp_path)
    path = tmp_path / "sample" / "commentary" / "2017-18-Q1.md"
    card = build_scorecard(load_dataset(data), "2017/18 Q1")
    ids = list(card.loc[card["service"].isin(services_with_figures(card)), "measure_id"])
    red_amber = ["LIB-VISITS", "LIB-CHILD-ISSUES", "ASCOF-2D", "ASCOF-2B1", "ASCOF-2A1"]
    red_amber += ["SEQ-MEET", "ASCOF-1C1A", "ASCOF-1C2B", "AE-4HR"]  # AE-4HR: 90.3% of 95%
    assert main(["commentary", "--data", data]) == 0
    out = capsys.readouterr().out.splitlines()
    summaries = [f"Summary: {service}" for service in services_with_figures(card)]
    assert out == [
        f"Added {len(ids) + 3} section(s) to {path}: {', '.join([*summaries, *ids])}",
        f"9 Red or Amber measure(s) still need commentary: {', '.join(red_amber)}",
    ]
    written = path.read_bytes()
    assert main(["commentary", "--data", data, "--period", "2017-18-Q1"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        f"{path} already has a section for every measure"
    )
    assert path.read_bytes() == written


def test_commentary_one_service_and_unknown_headings(tmp_path, capsys) -> None:
    """--service limits the sections; a heading that is not a measure is warned about."""
    data = _sample_copy(tmp_path)
    path = tmp_path / "sample" / "commentary" / "2012-13-Q2.md"
    path.parent.mkdir()
    path.write_text("## HD-ISSUES\nIssues rose after the website relaunch.\n\n## ASCOF-9Z\nx\n")
    code = main(
        ["commentary", "--data", data, "--period", "2012/13 Q2", "--service", "help-direct"]
    )
    captured = capsys.readouterr()
    assert code == 0
    assert captured.out.splitlines() == [
        f"Added 2 section(s) to {path}: Summary: Help Direct, HD-CONTACTS",
        "1 Red or Amber measure(s) still need commentary: HD-CONTACTS",
    ]
    assert captured.err.splitlines() == [
        f"warning: ## ASCOF-9Z in {path} is not a measure of measures.csv (line 4); its text is "
        "not shown in any report"
    ]
    assert path.read_text().startswith("## HD-ISSUES\nIssues rose after the website relaunch.\n")


def test_commentary_bad_period_or_service_exits_2(tmp_path, capsys) -> None:
    """A bad --period or --service is a usage error; nothing is written."""
    data = _sample_copy(tmp_path)
    assert main(["commentary", "--data", data, "--period", "2017/18 Q5"]) == 2
    assert "is not a period: write a quarter as 2017/18 Q1" in capsys.readouterr().err
    assert main(["commentary", "--data", data, "--service", "Libraries"]) == 2
    assert capsys.readouterr().err.startswith("perfnb commentary: no service named 'Libraries'")
    assert not (tmp_path / "sample" / "commentary").exists()


def test_commentary_bad_data_exits_1(tiny, capsys) -> None:
    """Bad data is listed as for perfnb run, with exit 1, and no file is written."""
    folder = tiny(values=[("M1,2017/18 Q1,100,", "M1,2017/18 Q1,abc,")])
    assert main(["commentary", "--data", str(folder)]) == 1
    assert "Nothing was written" in capsys.readouterr().err
    assert not (folder / "commentary").exists()


def test_commentary_unreadable_file_exits_1(tmp_path, capsys) -> None:
    """A commentary file that is not UTF-8 is named, and left as it is."""
    data = _sample_copy(tmp_path)
    path = tmp_path / "sample" / "commentary" / "2017-18-Q1.md"
    path.parent.mkdir()
    path.write_bytes(b"## ASCOF-2D\n\x93Dip\x94\n")
    assert main(["commentary", "--data", data]) == 1
    # the data set's check reads every commentary file as a run does, and names it
    assert (
        "  commentary/2017-18-Q1.md: is not UTF-8 text (byte 0x93 on line 2); save it with the "
        "encoding UTF-8 and run again"
    ) in capsys.readouterr().err
    assert path.read_bytes() == b"## ASCOF-2D\n\x93Dip\x94\n"


def test_run_png_asks_for_each_charts_300_dpi_png(tmp_path, monkeypatch) -> None:
    """--png is passed to the run (png=True); without it, False: charts are SVG alone."""
    import perfnb.run

    asked: list[bool] = []
    monkeypatch.setattr(perfnb.run, "run_periods", lambda *a, **kw: asked.append(kw["png"]) or [])
    out = str(tmp_path / "out")
    assert main(["run", "--data", str(SAMPLE), "--out", out, "--png"]) == 0
    assert main(["run", "--data", str(SAMPLE), "--out", out]) == 0
    assert asked == [True, False]
