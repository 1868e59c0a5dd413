"""How long a quarter-end pack takes: perfnb run against the naive loop a user would write.

    .venv/bin/python benchmarks/quarter_pack.py [--year 2016/17] [--workers N] [--skip-naive]

The pack is every report of the sample's financial year ``--year`` (default 2016/17: Adult Social
Care, Communities and Wellbeing and Urgent and Emergency Care for each of its four quarters, 12
reports). In the same run it times:

- **perfnb**: ``perfnb run --year 2016/17 --force`` (every report rebuilt), in its worker pool;
- **naive**: the ``papermill`` command line, then the ``jupyter nbconvert`` command line, for
  each report one after another, as a user without perfnb would script it;
- **floor**: what no report can avoid, starting a kernel and importing pandas and matplotlib,
  measured with papermill on a one-cell notebook.

It prints the wall times, perfnb's speed-up over the naive loop, the time per report against the
floor, the peak memory of the perfnb run (its processes and their kernels) and each HTML file's
size. Goals on a 2-core machine (``goals.py``): at least 4 times faster than the naive loop
(moonshot 5), and within 1.3 times the floor per report. The pack's pages alone: no chart is
rasterised at 300 dpi (that is ``--png`` or ``--format docx``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from goals import PACK_SPEED_UP, PACK_SPEED_UP_MOONSHOT, PACK_TIMES_FLOOR, goal_line
from nbformat.v4 import new_code_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def perfnb_pack(year: str, out: Path, workers: int | None) -> tuple[float, list[dict]]:
    command = [str(BIN / "perfnb"), "run", "--year", year, "--out", str(out), "--force"]
    if workers:
        command += ["--workers", str(workers)]
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    reports = []
    for manifest in sorted(out.glob("*/manifest.json")):
        for entry in json.loads(manifest.read_text())["reports"]:
            html = manifest.parent / entry["html"]
            reports.append(
                {
                    "period": entry["run"]["period"],
                    "service": entry["service"],
                    "seconds": entry["seconds"],
                    "html_kb": html.stat().st_size / 1024,
                }
            )
    return seconds, reports


def naive_pack(reports: list[dict], out: Path) -> float:
    """papermill, then nbconvert, per report, one after another (the commands a user writes)."""
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for number, report in enumerate(reports):
        executed = out / f"report-{number}.ipynb"
        subprocess.run(
            [
                str(BIN / "papermill"),
                "notebooks/scorecard.ipynb",
                str(executed),
                "-p",
                "period",
                report["period"],
                "-p",
                "service",
                report["service"],
                "-p",
                "data_dir",
                str(ROOT / "data" / "sample"),
                "-p",
                "output_dir",
                str(out / "files"),
                "--cwd",
                "notebooks",
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
            check=True,
            capture_output=True,
        )
    return time.perf_counter() - start


def floor(out: Path, repeat: int = 3) -> float:
    """Seconds to start a kernel and import pandas and matplotlib (papermill, one cell)."""
    nb = new_notebook(cells=[new_code_cell("import pandas\nimport matplotlib.pyplot")])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = out / "floor.ipynb"
    nbformat.write(nb, path)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c",
             "import papermill, sys; papermill.execute_notebook(sys.argv[1], sys.argv[2], "
             "progress_bar=False)", str(path), str(out / "floor-out.ipynb")],
            check=True,
            capture_output=True,
        )  # fmt: skip
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", default="2016/17")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--skip-naive", action="store_true", help="time perfnb and the floor only")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="perfnb-bench-"))
    try:
        seconds, reports = perfnb_pack(args.year, work / "perfnb", args.workers)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        least = floor(work)
        naive = None if args.skip_naive else naive_pack(reports, work / "naive")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    count = len(reports)
    print(f"pack: {count} reports of {args.year}, {os.cpu_count()} CPUs")
    print(f"perfnb run:   {seconds:7.1f} s  ({seconds / count:.2f} s per report)")
    if naive is not None:
        print(f"naive loop:   {naive:7.1f} s  ({naive / count:.2f} s per report)")
        print(f"speed-up:     {naive / seconds:7.2f} x")
        print(goal_line("speed-up", naive / seconds, PACK_SPEED_UP, "x", higher_is_better=True))
        moonshot = PACK_SPEED_UP_MOONSHOT
        print(goal_line("moonshot", naive / seconds, moonshot, "x", higher_is_better=True))
    print(f"floor:        {least:7.2f} s per report (kernel start, pandas and matplotlib)")
    print(
        f"per report:   {seconds / count / least:7.2f} x the floor (wall time per report, the "
        "pool sharing the CPUs)"
    )
    print(goal_line("per report", seconds / count / least, PACK_TIMES_FLOOR, "x the floor"))
    print(f"peak memory:  {peak_mb:7.0f} MB (the largest single process of the run)")
    print("reports (seconds in its worker, HTML size):")
    for report in reports:
        print(
            f"  {report['period']:<11} {report['service']:<27} {report['seconds']:6.1f} s "
            f"{report['html_kb']:7.0f} KB"
        )


if __name__ == "__main__":
    main()
