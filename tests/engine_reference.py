"""The engine's reference cards: ``perfnb.performance`` for every measure and every period of
three data sets, as the engine computed them before issue 20 made it columnar (commit f22db15),
kept so that the faster engine can be checked to give the same card, value for value.

- ``benchmark``: ``benchmarks/scorecard.py``'s synthetic data set (its generator and seed) at
  300 measures x 50 quarters: sums, ratios, last and mean figures, high, low and band
  polarities, tolerances, minimum bases and benchmarks;
- ``sample``: the bundled sample (``data/sample``): monthly, quarterly and annual measures,
  year-to-date figures, profiles, forecasts, overrides, from and until;
- ``trafford``: ``tests/data/trafford``.

``tests/test_engine_reference.py`` compares today's engine with them. To record them again
(only when a card is meant to change, and say why in the commit):
``.venv/bin/python tests/engine_reference.py``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "tests" / "data" / "engine_reference"
DATA_SETS = ("benchmark", "sample", "trafford")
BENCHMARK_SIZE = (200, 40)  # measures, quarters


def _benchmark_generator():
    """``benchmarks/scorecard.py``'s ``write_dataset`` (the benchmarks are scripts, not a
    package)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        spec = importlib.util.spec_from_file_location(
            "_scorecard", ROOT / "benchmarks" / "scorecard.py"
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return module.write_dataset


def data_folder(name: str, scratch: Path) -> Path:
    """The folder of data set ``name``; the benchmark's is written into ``scratch``."""
    if name == "benchmark":
        _benchmark_generator()(scratch, *BENCHMARK_SIZE)
        return scratch
    return {"sample": ROOT / "data" / "sample", "trafford": ROOT / "tests" / "data" / "trafford"}[
        name
    ]


def card_of(folder: Path, text: str = "str") -> pd.DataFrame:
    """The engine's card for every measure and every period with a figure in ``folder`` (text
    as ``text`` asks: ``str`` or ``category``)."""
    import perfnb

    data = perfnb.load_dataset(folder)
    periods = sorted(
        {perfnb.parse_period(p) for p in data.values["period"].unique()},
        key=lambda p: (p.end, p.start),
    )
    if text == "str":  # as the engine was called when the reference was recorded
        return perfnb.performance(data, periods)
    return perfnb.performance(data, periods, text=text)


def record() -> None:
    """Writes each data set's card to ``tests/data/engine_reference/<name>.parquet``."""
    import tempfile

    FOLDER.mkdir(parents=True, exist_ok=True)
    for name in DATA_SETS:
        with tempfile.TemporaryDirectory() as scratch:
            card = card_of(data_folder(name, Path(scratch)))
        card.to_parquet(FOLDER / f"{name}.parquet", compression="zstd", index=False)
        print(f"{name}: {len(card):,} rows, {len(card.columns)} columns")


if __name__ == "__main__":
    record()
