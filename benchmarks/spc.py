"""How long XmR charts take: every rule for 10,000 series of 48 points (four years of months).

    .venv/bin/python benchmarks/spc.py [--series 10000] [--points 48] [--repeat 3]

Draws the series once (normal noise with a shift, a trend and an outlier in some, so every rule
has work to do), then times ``perfnb.spc.xmr`` and ``perfnb.spc.summarise`` over all of them:
the best and median wall time of the repeats, series per second, the time per series, how many
points each rule flagged, and the peak resident memory.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
import warnings

import numpy as np
import pandas as pd
from goals import SPC_SECONDS_PER_480_000_POINTS, goal_line

from perfnb.spc import SPCWarning, summarise, xmr


def series(count: int, points: int, seed: int = 2026) -> np.ndarray:
    """``count`` series of ``points``: noise around 100, a third with a step up halfway, a
    quarter with a steady rise, one in ten with an outlier."""
    rng = np.random.default_rng(seed)
    values = rng.normal(100, 10, (count, points))
    values[: count // 3, points // 2 :] += 15
    values[count // 3 : count // 3 + count // 4] += np.linspace(0, 30, points)
    values[::10, points // 3] += 60
    return values


def run(values: np.ndarray) -> tuple[float, pd.Series]:
    start = time.perf_counter()
    kinds = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SPCWarning)
        for row in values:
            result = xmr(row, target=105)
            summarise(result)
            kinds.append(result["special_cause_type"])
    seconds = time.perf_counter() - start
    return seconds, pd.concat(kinds).value_counts()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--points", type=int, default=48)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    values = series(args.series, args.points)
    times = []
    for _ in range(args.repeat):
        seconds, kinds = run(values)
        times.append(seconds)
    best, median = min(times), statistics.median(times)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.series:,} series of {args.points} points, {args.repeat} repeats")
    print(f"best {best:.2f} s, median {median:.2f} s")
    print(f"{args.series / best:,.0f} series per second, {best / args.series * 1000:.2f} ms each")
    print("points by rule:")
    for kind, count in kinds.items():
        print(f"  {kind:<28} {count:>9,}")
    print(f"peak memory {peak_mb:,.0f} MB")
    budget = SPC_SECONDS_PER_480_000_POINTS * args.series * args.points / 480_000
    print(goal_line("SPC time (xmr then summarise)", best, budget, "s"))


if __name__ == "__main__":
    main()
