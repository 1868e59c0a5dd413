"""The columnar engine (issue 20) gives the card the engine gave before it, value for value, on
three data sets (``tests/engine_reference.py`` says which, and how they were recorded)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from engine_reference import DATA_SETS, FOLDER, card_of, data_folder

import perfnb


def _same(column: str, now: pd.Series, then: pd.Series) -> list[str]:
    """Where ``now`` differs from ``then``: text compared as text, numbers bit for bit (NaN
    where NaN)."""
    if pd.api.types.is_float_dtype(then):
        a, b = now.to_numpy(dtype=float), then.to_numpy(dtype=float)
        differ = ~((a == b) | (np.isnan(a) & np.isnan(b)))
    elif pd.api.types.is_bool_dtype(then) or pd.api.types.is_integer_dtype(then):
        differ = now.to_numpy() != then.to_numpy()
    else:  # text: the same words (handed out as str or as categories)
        assert pd.api.types.is_string_dtype(now) or isinstance(now.dtype, pd.CategoricalDtype), (
            f"{column} is {now.dtype}, not text"
        )
        differ = now.astype(object).to_numpy() != then.astype(object).to_numpy()
    return [
        f"{column} row {i}: {now.iloc[i]!r}, was {then.iloc[i]!r}" for i in np.flatnonzero(differ)
    ][:5]


@pytest.mark.parametrize("chunk", [None, 1_000])
@pytest.mark.parametrize("text", ["str", "category"])
@pytest.mark.parametrize("name", DATA_SETS)
def test_the_card_is_the_one_the_engine_gave_before(
    name: str, text: str, chunk: int | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every row, column and value of the reference card, in its order; text handed out as
    ``str`` columns (the default) or as categoricals; worked out in one go or a few measures
    at a time (about ``chunk`` rows: every period of each measure)."""
    if chunk is not None:
        monkeypatch.setattr("perfnb.engine.CHUNK_ROWS", chunk)
    then = pd.read_parquet(FOLDER / f"{name}.parquet")
    now = card_of(data_folder(name, tmp_path), text)
    kinds = {str(now[c].dtype) for c in now.columns if not pd.api.types.is_numeric_dtype(now[c])}
    assert kinds <= ({"str", "bool"} if text == "str" else {"category", "bool"})
    assert list(now.columns) == list(then.columns)
    assert len(now) == len(then)
    differences = [d for c in then.columns for d in _same(c, now[c], then[c])]
    assert differences == []


@pytest.mark.parametrize("name", DATA_SETS)
def test_a_card_of_one_period_is_the_reference_cards_rows_of_it(name: str, tmp_path: Path) -> None:
    """A card of one period reads only the years that period's figures can come from (two
    before it to those its latest position reaches, and the years of year rows); every period's
    card alone is the reference card's rows of that period, value for value."""
    then = pd.read_parquet(FOLDER / f"{name}.parquet")
    data = perfnb.load_dataset(data_folder(name, tmp_path))
    for label in dict.fromkeys(then["period"]):
        now = perfnb.performance(data, [label])
        rows = then[then["period"] == label].reset_index(drop=True)
        assert len(now) == len(rows), label
        differences = [d for c in rows.columns for d in _same(c, now[c], rows[c])]
        assert differences == [], label
