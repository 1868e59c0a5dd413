"""How long perfnb takes to read and validate a large data set, and its peak memory.

    .venv/bin/python benchmarks/load_data.py [--measures 20000] [--periods 50]

Writes a synthetic data set (measures x periods value rows, one target per measure) to a
temporary folder, then loads it in a fresh process per repeat and prints the wall time (best and
median of the repeats), the rows per second and the peak resident memory. Goal: a million value
rows validated and typed in under 5 s on a 2-core machine, in under 1 GB.
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

CHILD = """
import json, resource, sys, time
from perfnb import load_dataset
start = time.perf_counter()
data = load_dataset(sys.argv[1])
seconds = time.perf_counter() - start
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "rows": len(data.values), "peak_mb": peak_kb / 1024}))
"""


def write_dataset(folder: Path, measures: int, periods: int) -> int:
    """A synthetic data set: quarterly sums from 2005/06 on; returns the number of value rows."""
    ids = [f"M{i:06d}" for i in range(measures)]
    labels = [f"{2005 + i // 4}/{(2006 + i // 4) % 100:02d} Q{i % 4 + 1}" for i in range(periods)]
    pd.DataFrame(
        {
            "measure_id": ids,
            "name": [f"Measure {i}" for i in range(measures)],
            "service": [f"Service {i % 20}" for i in range(measures)],
            "theme": "Theme",
            "framework": "Local",
            "unit": "count",
            "polarity": "high",
            "aggregation": "sum",
            "frequency": "quarterly",
        }
    ).to_csv(folder / "measures.csv", index=False)
    rng = np.random.default_rng(2017)
    pd.DataFrame(
        {
            "measure_id": np.repeat(ids, periods),
            "period": np.tile(labels, measures),
            "value": rng.normal(100, 10, measures * periods).round(1),
        }
    ).to_csv(folder / "values.csv", index=False)
    pd.DataFrame({"measure_id": ids, "year": "2016/17", "target": 400}).to_csv(
        folder / "targets.csv", index=False
    )
    return measures * periods


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measures", type=int, default=20000)
    parser.add_argument("--periods", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = write_dataset(Path(tmp), args.measures, args.periods)
        size = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1e6
        runs = []
        for _ in range(args.repeat):
            done = subprocess.run(
                [sys.executable, "-c", CHILD, tmp], capture_output=True, text=True, check=True
            )
            runs.append(json.loads(done.stdout))
    seconds = [r["seconds"] for r in runs]
    best, median = min(seconds), statistics.median(seconds)
    print(f"data set: {rows:,} value rows, {args.measures:,} measures, {size:.0f} MB of CSV")
    print(f"load_dataset: best {best:.2f} s, median {median:.2f} s over {len(runs)} runs")
    print(f"throughput: {rows / best:,.0f} rows/s")
    print(f"peak memory: {max(r['peak_mb'] for r in runs):.0f} MB")
    print(f"goal (1M rows < 5 s, < 1 GB): time ratio {best / 5 * 1e6 / rows:.2f} of budget")


if __name__ == "__main__":
    main()
