"""How long the engine takes to compute a full scorecard for a million measure-period rows.

    .venv/bin/python benchmarks/scorecard.py [--measures 20000] [--periods 50] [--repeat 3]
                                             [--text str,category]

Writes a synthetic data set (measures x quarters value rows; a mix of sum, ratio, last and mean
measures, higher, lower and band polarities, per-measure tolerances, a target for every year and
benchmarks for a tenth of the measures), loads it once per repeat in a fresh process, then times
``perfnb.performance`` for every measure and every quarter: measures x periods scorecard rows,
each with its figure, year to date, profiled target, variance, RAG and reason, direction of
travel, forecast and quartile. Prints the wall time (best and median), rows per second and the
peak resident memory, before and after the engine ran, for each way of handing the card's text
out (``--text``: ``str`` columns, the default, and ``category``, the national-scale choice).
Goal (``benchmarks/goals.py``): a million rows in at most 1.5 s and 1 GB on a 2-core machine,
for the default card; the ``category`` card's figures are shown against it as ``info`` lines.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from goals import ENGINE_MB_PER_MILLION_ROWS, ENGINE_SECONDS_PER_MILLION_ROWS, goal_line

CHILD = """
import json, resource, sys, time
import perfnb
data = perfnb.load_dataset(sys.argv[1])
periods = sorted({perfnb.parse_period(p) for p in data.values["period"].unique()},
                 key=lambda p: p.end)
loaded_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
start = time.perf_counter()
card = perfnb.performance(data, periods, text=sys.argv[2])
seconds = time.perf_counter() - start
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
rags = card["rag"].value_counts().to_dict()
print(json.dumps({"seconds": seconds, "rows": len(card), "loaded_mb": loaded_mb,
                  "peak_mb": peak_mb, "rags": rags}))
"""

AGGREGATIONS = np.array(["sum", "ratio", "last", "mean"])
POLARITIES = np.array(["high", "low", "band", "high"])
UNITS = {"sum": "count", "ratio": "percent", "last": "percent", "mean": "days"}


def write_dataset(folder: Path, measures: int, periods: int) -> int:
    """The synthetic data set described above; returns the number of value rows."""
    rng = np.random.default_rng(2017)
    ids = np.array([f"M{i:06d}" for i in range(measures)])
    aggregation = AGGREGATIONS[np.arange(measures) % 4]
    polarity = POLARITIES[(np.arange(measures) // 4) % 4]
    polarity = np.where(aggregation == "sum", "high", polarity)  # counts: more is better
    unit = pd.Series(aggregation).map(UNITS).to_numpy()
    pd.DataFrame(
        {
            "measure_id": ids,
            "name": [f"Measure {i}" for i in range(measures)],
            "service": [f"Service {i % 20}" for i in range(measures)],
            "theme": "Theme",
            "framework": "Local",
            "unit": unit,
            "polarity": polarity,
            "aggregation": aggregation,
            "frequency": "quarterly",
            "green_within": np.where(np.arange(measures) % 3 == 0, "0.5", ""),
            "amber_within": np.where(np.arange(measures) % 5 == 0, "10%", ""),
            "min_base": np.where(np.arange(measures) % 7 == 0, "20", ""),
        }
    ).to_csv(folder / "measures.csv", index=False)

    labels = [f"{2005 + i // 4}/{(2006 + i // 4) % 100:02d} Q{i % 4 + 1}" for i in range(periods)]
    rows = measures * periods
    per_measure = np.repeat(np.arange(measures), periods)
    is_ratio = aggregation[per_measure] == "ratio"
    denominator = rng.integers(50, 500, rows)
    numerator = (denominator * rng.uniform(0.5, 0.95, rows)).round()
    value = np.where(
        is_ratio,
        (numerator / denominator * 100).round(1),
        np.where(
            aggregation[per_measure] == "sum",
            rng.normal(100, 10, rows).round(1),
            rng.uniform(50, 95, rows).round(1),
        ),
    )
    pd.DataFrame(
        {
            "measure_id": np.repeat(ids, periods),
            "period": np.tile(labels, measures),
            "value": value,
            "numerator": np.where(is_ratio, numerator, np.nan),
            "denominator": np.where(is_ratio, denominator, np.nan),
        }
    ).to_csv(folder / "values.csv", index=False)

    years = sorted({label[:7] for label in labels})
    target_ids = np.repeat(ids, len(years))
    target_agg = np.repeat(aggregation, len(years))
    target_pol = np.repeat(polarity, len(years))
    band = target_pol == "band"
    target = np.where(target_agg == "sum", 400.0, 75.0)
    pd.DataFrame(
        {
            "measure_id": target_ids,
            "year": np.tile(years, measures),
            "target": np.where(band, np.nan, target),
            "band_low": np.where(band, 65.0, np.nan),
            "band_high": np.where(band, 85.0, np.nan),
        }
    ).to_csv(folder / "targets.csv", index=False)

    ranked = ids[(polarity != "band") & (np.arange(measures) % 10 == 0)]
    areas = ["Sample"] + [f"Area {i}" for i in range(15)]
    pd.DataFrame(
        {
            "measure_id": np.repeat(ranked, len(areas)),
            "year": "2016/17",
            "area": np.tile(areas, len(ranked)),
            "value": rng.uniform(50, 95, len(ranked) * len(areas)).round(1),
        }
    ).to_csv(folder / "benchmarks.csv", index=False)
    (folder / "dataset.toml").write_text('area = "Sample"\n', encoding="utf-8")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measures", type=int, default=20000)
    parser.add_argument("--periods", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--text", default="str,category", help="text kinds, comma-separated")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        values = write_dataset(Path(tmp), args.measures, args.periods)
        print(f"value rows:         {values:,}")
        for text in args.text.split(","):
            runs = []
            for _ in range(args.repeat):
                done = subprocess.run(
                    [sys.executable, "-c", CHILD, tmp, text],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                runs.append(json.loads(done.stdout))
            report(text, runs, args)


def report(text: str, runs: list[dict], args: argparse.Namespace) -> None:
    """The figures of one way of handing text out, and their ratios to the goals."""
    times = [r["seconds"] for r in runs]
    rows = runs[0]["rows"]
    best, median = min(times), statistics.median(times)
    peak = max(r["peak_mb"] for r in runs)
    print(f"-- text={text}")
    print(f"scorecard rows:     {rows:,} ({args.measures:,} measures x {args.periods} quarters)")
    print(f"engine time:        best {best:.2f} s, median {median:.2f} s")
    print(f"rows per second:    {rows / best:,.0f}")
    print(f"peak memory:        {peak:,.0f} MB")
    print(f"  of which loading: {max(r['loaded_mb'] for r in runs):,.0f} MB")
    print(f"ratings:            {runs[0]['rags']}")
    million = rows / 1_000_000
    # the goal is the default card's (str text); categoricals are an option it is shown against
    other = "" if text == "str" else "the goal is the default card's, its text str"
    seconds, megabytes = ENGINE_SECONDS_PER_MILLION_ROWS, ENGINE_MB_PER_MILLION_ROWS
    print(goal_line(f"engine time ({text})", best, seconds * million, "s", informational=other))
    print(
        goal_line(
            f"engine peak memory ({text})", peak, megabytes * million, "MB", informational=other
        )
    )


if __name__ == "__main__":
    main()
