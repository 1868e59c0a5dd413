"""The card filled chunk by chunk: every row where it belongs, text codes as narrow as they can
be, and the reasons put in card order without being copied."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from perfnb import card_assembly
from perfnb.card_assembly import Block, CardFiller, chunk_spans, hand_out, sorted_order
from perfnb.engine_text import Coded
from perfnb.performance_columns import PERFORMANCE_COLUMNS


def _chunk(first: int, count: int, periods: int, shared: np.ndarray, words: int) -> dict:
    """A chunk of a card of ``periods`` rows of measures: measure m's row in period p reads
    'p<p>m<m>' in its reason, its own number 100 p + m, its name from the shared words and a
    text of its own from ``words`` fresh words."""
    p = np.repeat(np.arange(periods), count)
    m = np.tile(np.arange(first, first + count), periods)
    return {
        "number": 100.0 * p + m,
        "name": Coded(m, shared),
        "own": Coded((p * count + m) % words, np.array([f"w{first}-{i}" for i in range(words)])),
        "reason": pa.array([f"p{a}m{b}" for a, b in zip(p, m, strict=True)]),
    }


def test_blocks_fill_the_card_in_period_then_measure_order() -> None:
    """Two chunks of measures (0-2 and 3-4) over 2 periods: each row lands at period x 5 +
    measure; the catalogue's words are kept once; a chunk's own words follow the last; the
    reasons are slices of the chunks' arrays, in card order."""
    shared = np.array([f"Measure {i}" for i in range(5)], dtype=object)
    card = CardFiller(10)
    card.add(_chunk(0, 3, 2, shared, 100), Block(0, 3, 5, 2))
    card.add(_chunk(3, 2, 2, shared, 100), Block(3, 2, 5, 2))
    columns = card.columns()
    rows = [(p, m) for p in range(2) for m in range(5)]
    assert columns["number"].tolist() == [100.0 * p + m for p, m in rows]
    assert columns["name"].words is shared  # taken by measure: never appended twice
    assert columns["name"].codes.dtype == np.int8
    assert columns["name"].objects().tolist() == [f"Measure {m}" for _, m in rows]
    # 200 words in all: codes widened from int8 to int16 when the second chunk came
    assert columns["own"].codes.dtype == np.int16
    first = [f"w0-{(p * 3 + m) % 100}" for p in range(2) for m in range(3)]
    second = [f"w3-{(p * 2 + m) % 100}" for p in range(2) for m in range(3, 5)]
    assert columns["own"].objects().tolist() == first[:3] + second[:2] + first[3:] + second[2:]
    reason = columns["reason"]
    assert isinstance(reason, pa.ChunkedArray)
    assert reason.to_pylist() == [f"p{p}m{m}" for p, m in rows]


def test_rows_given_by_position_are_put_in_card_order() -> None:
    """Chunks given as arbitrary positions (some measures not in every period)."""
    card = CardFiller(4)
    card.add({"x": np.array([1.0, 3.0]), "r": pa.array(["a", "c"])}, np.array([0, 2]))
    card.add({"x": np.array([4.0, 2.0]), "r": pa.array(["d", "b"])}, np.array([3, 1]))
    columns = card.columns()
    assert columns["x"].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert columns["r"].to_pylist() == ["a", "b", "c", "d"]


def test_chunks_judged_out_of_order_still_fill_the_card_in_order() -> None:
    """Two threads can finish their chunks in either order: reasons written second chunk
    first land where their rows say, as blocks and as positions."""
    card = CardFiller(6)
    card.write({"r": pa.array(["p0m2", "p1m2"])}, Block(2, 1, 3, 2))
    card.write({"r": pa.array(["p0m0", "p0m1", "p1m0", "p1m1"])}, Block(0, 2, 3, 2))
    assert card.columns()["r"].to_pylist() == ["p0m0", "p0m1", "p0m2", "p1m0", "p1m1", "p1m2"]
    card = CardFiller(4)
    card.write({"r": pa.array(["d", "b"])}, np.array([3, 1]))
    card.write({"r": pa.array(["a", "c"])}, np.array([0, 2]))
    assert card.columns()["r"].to_pylist() == ["a", "b", "c", "d"]


def test_another_thread_writes_its_own_columns_of_each_chunk() -> None:
    """Two chunks of positions: each chunk's ``x`` added by this thread, its ``y`` (a number,
    a coded text and a reason) written by another, chunk after chunk; every row lands where
    its chunk says, as if one thread had added both."""
    card = CardFiller(4)
    chunks = [
        (np.array([0, 2]), [1.0, 3.0], ["a", "c"]),
        (np.array([3, 1]), [4.0, 2.0], ["d", "b"]),
    ]
    with ThreadPoolExecutor(1) as other:
        for rows, x, words in chunks:
            theirs = {
                "y": np.array(x) * 10,
                "label": Coded(np.array([0, 1]), np.array(words, dtype=object)),
                "why": pa.array([w * 2 for w in words]),
            }
            made = other.submit(card.write_made, rows, dict, theirs).result()
            assert made == {}  # written there, nothing handed back
            card.add({"x": np.array(x)}, rows)
    columns = card.columns()
    assert columns["x"].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert columns["y"].tolist() == [10.0, 20.0, 30.0, 40.0]
    assert columns["label"].objects().tolist() == ["a", "b", "c", "d"]
    assert columns["why"].to_pylist() == ["aa", "bb", "cc", "dd"]


def test_some_columns_taken_out_early_leave_the_rest_to_the_hand_out() -> None:
    """The first thread's columns taken out while another is still to be written: they leave
    the filler (a later ``columns()`` gives only the rest), their text is made ``str`` or
    categories in place, and the hand-out takes them as they are."""
    card = CardFiller(4)
    rows = np.array([2, 0, 3, 1])
    words = np.array(["Q2", "Q1"], dtype=object)
    card.add(
        {"x": np.array([3.0, 1.0, 4.0, 2.0]), "period": Coded(np.array([0, 1, 0, 1]), words)}, rows
    )
    early = card.columns(["x", "period"])
    assert set(early) == {"x", "period"}
    card.write(
        {"rag": Coded(np.array([1, 0, 0, 1]), np.array(["Red", "Green"], dtype=object))}, rows
    )
    rest = card.columns()
    assert set(rest) == {"rag"}
    card_assembly.text_out(early, "str", 2)  # made by rows (the blocks differ)
    assert list(early["period"]) == ["Q1", "Q1", "Q2", "Q2"]
    assert str(early["period"].dtype) == "str"
    assert early["x"].tolist() == [1.0, 2.0, 3.0, 4.0]  # numbers stay as they are
    whole: dict[str, object] = {name: np.zeros(4) for name in PERFORMANCE_COLUMNS}
    whole.update(early, rag=rest["rag"])
    out = hand_out(whole, "str")
    assert out["period"].tolist() == ["Q1", "Q1", "Q2", "Q2"]
    assert out["rag"].tolist() == ["Red", "Green", "Green", "Red"]
    as_categories = {"period": Coded(np.array([0, 1]), words)}
    card_assembly.text_out(as_categories, "category")
    assert list(as_categories["period"].categories) == ["Q1", "Q2"]  # sorted
    assert list(as_categories["period"]) == ["Q2", "Q1"]


def test_a_cards_measures_columns_are_made_whole_from_one_value_per_measure() -> None:
    """Three measures (names A, B, C; rate_per 1, 100, 1000): a card of 2 periods of all
    three repeats them (A B C A B C); a card of chosen rows (B, C in one period, A in the
    other) takes them; text codes are as narrow as the words (int8)."""
    names = Coded(np.array([0, 1, 2]), np.array(["A", "B", "C"], dtype=object))
    per_measure = {"name": names, "rate_per": np.array([1.0, 100.0, 1000.0])}
    grid = card_assembly.by_measure(per_measure, np.tile(np.arange(3), 2), Block(0, 3, 3, 2))
    assert grid["name"].objects().tolist() == ["A", "B", "C", "A", "B", "C"]
    assert grid["name"].codes.dtype == np.int8
    assert grid["rate_per"].tolist() == [1.0, 100.0, 1000.0, 1.0, 100.0, 1000.0]
    chosen = card_assembly.by_measure(per_measure, np.array([1, 2, 0]), None)
    assert chosen["name"].objects().tolist() == ["B", "C", "A"]
    assert chosen["rate_per"].tolist() == [100.0, 1000.0, 1.0]


def test_chunked_reasons_are_handed_out_as_text_and_as_sorted_categories() -> None:
    """A reason column made of slices hands out the same texts as ``str`` and as a
    categorical whose categories are its distinct texts, sorted."""
    texts = ["b", "a", "c", "a", "b", "d"]
    sliced = pa.chunked_array([pa.array(texts[:2]), pa.array(texts[2:5]), pa.array(texts[5:])])

    def card() -> dict[str, object]:
        numbers = {name: np.zeros(len(texts)) for name in PERFORMANCE_COLUMNS}
        return {**numbers, "rag_reason": sliced}

    assert list(hand_out(card(), "str")["rag_reason"]) == texts
    as_category = hand_out(card(), "category")["rag_reason"]
    assert list(as_category.cat.categories) == ["a", "b", "c", "d"]
    assert list(as_category.astype(str)) == texts
    pd.testing.assert_series_equal(
        as_category.astype(str), pd.Series(texts, name="rag_reason", dtype="str")
    )


def test_chunks_encoded_with_dictionaries_of_their_own_are_unified(monkeypatch) -> None:
    """Were Arrow ever to give each chunk its own dictionary, the texts are encoded again as
    one array: the same categorical."""
    monkeypatch.setattr("perfnb.card_assembly._one_dictionary", lambda encoded: False)
    texts = ["z", "y", "z", "x"]
    card = {name: np.zeros(len(texts)) for name in PERFORMANCE_COLUMNS}
    card["direction_reason"] = pa.chunked_array([pa.array(texts[:3]), pa.array(texts[3:])])
    column = hand_out(card, "category")["direction_reason"]
    assert list(column.cat.categories) == ["x", "y", "z"]
    assert list(column.astype(str)) == texts


def test_a_long_card_hands_its_coded_text_out_whole_and_in_order() -> None:
    """A card long enough to be handed out by two threads: every coded column's text is its
    own (row i of column k reads 'k-<i mod 7 + k>'), in the card's column order."""
    n = 120_000
    names = [name for name in PERFORMANCE_COLUMNS if name not in ("value", "target")]
    words = {k: np.array([f"{k}-{j}" for j in range(7 + k)], dtype=object) for k in range(40)}
    card: dict[str, object] = {name: np.arange(n, dtype=float) for name in PERFORMANCE_COLUMNS}
    for k, name in enumerate(names[:40]):
        card[name] = Coded((np.arange(n) % 7 + k) % len(words[k]), words[k])
    out = hand_out(card, "str")
    assert list(out.columns) == list(PERFORMANCE_COLUMNS)
    for k, name in enumerate(names[:40]):
        column = out[name]
        assert column.dtype == "str"
        assert column.iloc[[0, 6, 7, n - 1]].tolist() == [
            f"{k}-{(i % 7 + k) % (7 + k)}" for i in (0, 6, 7, n - 1)
        ]
    assert out["value"].tolist()[:3] == [0.0, 1.0, 2.0]


def test_columns_with_the_same_texts_share_them_and_stay_apart() -> None:
    """A long card whose ``rag`` and ``rag_computed`` are the same texts row for row (no
    officer overrode a rating) makes them once: both read Green, Amber, Red in turn, hold the
    same Arrow text, and a value set in one leaves the other as it was. ``status``, with the
    same words in another order, is made on its own."""
    n = 120_000
    card: dict[str, object] = {name: np.zeros(n) for name in PERFORMANCE_COLUMNS}
    words = np.array(["Green", "Amber", "Red"], dtype=object)
    card["rag"] = Coded(np.arange(n) % 3, words)
    card["rag_computed"] = Coded(np.arange(n) % 3, words.copy())
    card["status"] = Coded(2 - np.arange(n) % 3, words[::-1].copy())
    out = hand_out(card, "str")
    expected = ["Green", "Amber", "Red", "Green"]
    assert out["rag"].iloc[:4].tolist() == out["rag_computed"].iloc[:4].tolist() == expected
    assert out["status"].iloc[:4].tolist() == expected
    shared = [
        out[c].array.__arrow_array__().chunks[0].buffers()[2].address
        for c in ("rag", "rag_computed", "status")
    ]
    assert shared[0] == shared[1] != shared[2]
    out.loc[0, "rag"] = "Blue"
    assert out["rag"].iloc[0] == "Blue" and out["rag_computed"].iloc[0] == "Green"


def test_a_long_card_hands_its_text_out_as_categories_whole_and_in_order() -> None:
    """A card long enough to be handed out by two threads, as categoricals: a coded column and
    an Arrow one ('r<i mod 1000>', made categories on the second thread) read as they were
    given, their categories sorted."""
    n = 120_000
    texts = pa.array([f"r{i % 1000:03d}" for i in range(n)])
    card: dict[str, object] = {name: np.zeros(n) for name in PERFORMANCE_COLUMNS}
    card["rag"] = Coded(np.arange(n) % 3, np.array(["Red", "Amber", "Green"], dtype=object))
    card["direction_reason"] = texts
    out = hand_out(card, "category")
    assert list(out["rag"].cat.categories) == ["Amber", "Green", "Red"]
    assert out["rag"].iloc[:4].astype(str).tolist() == ["Red", "Amber", "Green", "Red"]
    reason = out["direction_reason"]
    assert list(reason.cat.categories) == [f"r{i:03d}" for i in range(1000)]
    assert reason.iloc[[0, 999, 1000, n - 1]].astype(str).tolist() == [
        "r000",
        "r999",
        "r000",
        f"r{(n - 1) % 1000:03d}",
    ]


def test_text_encoded_in_pieces_gives_one_category_per_text(monkeypatch) -> None:
    """Encoded three rows at a time (chunks split and joined into pieces), a text in several
    pieces is one category; categories sorted; a missing text has no category."""
    monkeypatch.setattr(card_assembly, "_ENCODE_ROWS", 3)
    texts = ["m", "b", None, "m", "a", "b", "z", "a", "m", "b", "c"]
    card: dict[str, object] = {name: np.zeros(len(texts)) for name in PERFORMANCE_COLUMNS}
    card["direction_reason"] = pa.chunked_array(
        [pa.array(texts[:5]), pa.array(texts[5:6]), pa.array(texts[6:])]
    )
    column = hand_out(card, "category")["direction_reason"]
    assert list(column.cat.categories) == ["a", "b", "c", "m", "z"]
    assert column.cat.codes.tolist() == [3, 1, -1, 3, 0, 1, 4, 0, 3, 1, 2]
    assert column.cat.codes.dtype == np.int8


@settings(deadline=None, max_examples=100)
@given(st.lists(st.none() | st.text(alphabet="ab Z%0", max_size=3), max_size=40), st.integers(1, 7))
def test_text_encoded_in_pieces_reads_as_it_was_given(texts: list[str | None], rows: int) -> None:
    """Any texts, in pieces of any size: the categorical reads as the texts (missing as
    missing) and its categories are their distinct texts, sorted as Python sorts them."""
    card = {
        "t": pa.chunked_array([pa.array(texts[:5], pa.string()), pa.array(texts[5:], pa.string())])
    }
    with mock.patch.object(card_assembly, "_ENCODE_ROWS", rows):
        column = card_assembly._arrow_category(card, "t")
    assert list(column.categories) == sorted({t for t in texts if t is not None})
    assert [None if pd.isna(v) else v for v in column] == texts


@settings(deadline=None, max_examples=150)
@given(st.lists(st.none() | st.text(alphabet="ab Z%0", max_size=4), max_size=60))
def test_texts_sorted_in_two_halves_are_in_arrows_order(texts: list[str | None]) -> None:
    """Split at a pivot and sorted half by half (forced here for any length), the order is
    Arrow's own stable sort's: ties in row order, nulls last."""
    text = pa.array(texts, pa.string())
    with mock.patch.object(card_assembly, "_SPLIT_SORT", 0):
        got = sorted_order(text)
    assert got.tolist() == pc.array_sort_indices(text).to_numpy().tolist()


def test_a_long_text_column_sorts_as_arrow_sorts_it() -> None:
    """300,000 texts (past the length split in two), many repeated, some missing: Arrow's
    order."""
    rng = np.random.default_rng(7)
    words = np.array([f"Improving: {n / 10:.1f}% (Q{n % 4 + 1})" for n in range(5000)], object)
    texts = words[rng.integers(0, len(words), 300_000)].tolist()
    for row in rng.integers(0, len(texts), 300):
        texts[row] = None
    text = pa.array(texts, pa.string())
    assert np.array_equal(sorted_order(text), pc.array_sort_indices(text).to_numpy())


def test_the_first_chunk_of_many_is_made_in_two_halves() -> None:
    """Ten measures four at a time: the first chunk in halves (two threads make them at once),
    then the rest; one chunk alone is not split; every measure in exactly one span."""
    assert chunk_spans(10, 4) == [(0, 2), (2, 2), (4, 4), (8, 2)]
    assert chunk_spans(5, 4) == [(0, 2), (2, 2), (4, 1)]
    assert chunk_spans(4, 4) == [(0, 4)]
    assert chunk_spans(3, 1) == [(0, 1), (1, 1), (2, 1)]
