"""How long XmR charts take: every rule for 10,000 series of 48 points (four years of months).

    .venv/bin/python benchmarks/spc.py [--series 10000] [--points 48] [--repeat 3]
                                       [--loop-series 1000] [--periods]

Draws the series once (normal noise with a shift, a trend and an outlier in some, so every rule
has work to do) and puts them in one long frame (a row per series and point), outside the
timing. Then times ``perfnb.spc.xmr_many`` then ``perfnb.spc.summarise_many`` over all of them,
and, for comparison, the loop of ``xmr`` then ``summarise`` one series at a time over the first
``--loop-series`` of them (scaled to all): the best and median wall time of the repeats, series
per second, the time per series, the batch's speed-up on the loop, how many points each rule
flagged, and the peak resident memory. ``--periods`` gives the series months (2022-04 on).
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

from perfnb.spc import SPCWarning, summarise, summarise_many, xmr, xmr_many


def series(count: int, points: int, seed: int = 2026) -> np.ndarray:
    """``count`` series of ``points``: noise around 100, a third with a step up halfway, a
    quarter with a steady rise, one in ten with an outlier."""
    rng = np.random.default_rng(seed)
    values = rng.normal(100, 10, (count, points))
    values[: count // 3, points // 2 :] += 15
    values[count // 3 : count // 3 + count // 4] += np.linspace(0, 30, points)
    values[::10, points // 3] += 60
    return values


def months(points: int) -> list[str]:
    """``points`` months from April 2022, as perfnb writes them."""
    return [f"{2022 + (m + 3) // 12}-{(m + 3) % 12 + 1:02d}" for m in range(points)]


def long_frame(values: np.ndarray, periods: list[str] | None) -> pd.DataFrame:
    """The series as one long frame: ``series`` (S00000, S00001...), ``period`` when given,
    ``value``."""
    count, points = values.shape
    frame = pd.DataFrame({"series": np.repeat([f"S{i:05d}" for i in range(count)], points)})
    if periods is not None:
        frame["period"] = pd.Series(np.tile(periods, count), dtype="str")
    frame["value"] = values.ravel()
    return frame


def run_batch(frame: pd.DataFrame) -> tuple[float, pd.Series]:
    """Seconds for xmr_many then summarise_many, and the points of each rule."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SPCWarning)
        start = time.perf_counter()
        result = xmr_many(frame, target=105)
        summarise_many(result)
        seconds = time.perf_counter() - start
    return seconds, result["special_cause_type"].value_counts()


def run_loop(values: np.ndarray, periods: list[str] | None) -> float:
    """Seconds for xmr then summarise, one series at a time."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SPCWarning)
        for row in values:
            summarise(xmr(row, periods, target=105))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--points", type=int, default=48)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--loop-series", type=int, default=1_000)
    parser.add_argument("--periods", action="store_true")
    args = parser.parse_args()
    values = series(args.series, args.points)
    periods = months(args.points) if args.periods else None
    frame = long_frame(values, periods)
    times = []
    for _ in range(args.repeat):
        seconds, kinds = run_batch(frame)
        times.append(seconds)
    best, median = min(times), statistics.median(times)
    looped = values[: min(args.loop_series, args.series)]
    loop_times = [run_loop(looped, periods) / len(looped) for _ in range(args.repeat)]
    loop_each, loop_median = min(loop_times), statistics.median(loop_times)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with_periods = " with periods" if periods else ""
    print(f"{args.series:,} series of {args.points} points{with_periods}, {args.repeat} repeats")
    print(f"xmr_many then summarise_many: best {best:.3f} s, median {median:.3f} s")
    print(f"  {args.series / best:,.0f} series per second, {best / args.series * 1e6:.1f} us each")
    print(
        f"loop of xmr then summarise ({len(looped):,} series, scaled): "
        f"{loop_each * 1000:.2f} ms each (median {loop_median * 1000:.2f} ms), "
        f"{loop_each * args.series:.1f} s for all"
    )
    print(f"batch speed-up on the loop: {loop_each * args.series / best:,.0f} x")
    print("points by rule:")
    for kind, count in kinds.items():
        print(f"  {kind:<28} {count:>9,}")
    print(f"peak memory {peak_mb:,.0f} MB")
    budget = SPC_SECONDS_PER_480_000_POINTS * args.series * args.points / 480_000
    print(goal_line("SPC time (xmr_many then summarise_many)", best, budget, "s"))


if __name__ == "__main__":
    main()
