"""The card as the engine builds it: its columns (numbers as arrays, text as codes, reasons as
Arrow strings) filled a few thousand measures at a time into arrays made once, read by the
rules by name (``perfnb.column_set``), and handed out as ``str`` columns or categoricals.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from perfnb.engine_text import Coded, arrow_text
from perfnb.performance_columns import PERFORMANCE_COLUMNS

__all__ = [
    "TEXT_KINDS",
    "Block",
    "CardFiller",
    "Chunk",
    "by_measure",
    "chunk_rows",
    "chunk_spans",
    "hand_out",
    "text_out",
]

TEXT_KINDS = ("str", "category")  # how the card hands its text out


class CardFiller:
    """The card's columns for ``n`` rows, filled chunk by chunk (each chunk's rows wherever
    they fall in the card) into arrays made once: no chunk is held after it is added, and
    numbers and codes are never concatenated. Text codes are the smallest integers that hold
    the column's words (made wider as they grow); a chunk whose words are the last one's (the
    catalogue's, taken by measure) adds none. Reasons (Arrow strings) are put in card order at
    the end: as slices of the chunks' own arrays where the chunks are :class:`Block` s."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.numbers: dict[str, np.ndarray] = {}
        self.codes: dict[str, np.ndarray] = {}
        self.words: dict[str, list[np.ndarray]] = {}
        self.word_types: dict[str, pd.CategoricalDtype | None] = {}
        # each column's Arrow texts, chunk by chunk, with the rows each fills
        self.arrows: dict[str, list[tuple[np.ndarray | Block, pa.Array]]] = {}

    def add(self, card: dict[str, object], rows: np.ndarray | Block) -> None:
        """Writes a chunk's rows, at positions ``rows`` of the card (or a :class:`Block`)."""
        self.write(card, rows)

    def write(self, card: dict[str, object], rows: np.ndarray | Block) -> None:
        """Writes a chunk's columns ``card`` at ``rows``: what this thread or another built
        for it (each column by one thread only, one chunk at a time; chunks in any order)."""
        for name, column in card.items():
            if isinstance(column, Coded):
                self._add_codes(name, column, rows)
            elif isinstance(column, pa.Array | pa.ChunkedArray):
                self.arrows.setdefault(name, []).append((rows, arrow_text(column)))
            else:
                column = np.asarray(column)
                if name not in self.numbers:
                    self.numbers[name] = np.empty(self.n, dtype=column.dtype)
                _write(self.numbers[name], rows, column)

    def write_made(
        self, rows: np.ndarray | Block, make: Callable[..., dict[str, object]], *args: object
    ) -> dict[str, object]:
        """``make(*args)``'s columns written at ``rows`` by the thread that made them (another
        thread's columns, not handed back to the first, which has its own to write)."""
        self.write(make(*args), rows)
        return {}

    def _add_codes(self, name: str, column: Coded, rows: np.ndarray | Block) -> None:
        """A coded column's chunk: its words after the column's (unless they are the last
        chunk's own), its codes moved past theirs."""
        words = self.words.setdefault(name, [])
        if words and column.words is words[-1]:
            offset = sum(len(w) for w in words[:-1])
        else:
            offset = sum(len(w) for w in words)
            words.append(column.words)
            self.word_types[name] = column.dtype if len(words) == 1 else None
        wanted = _code_type(offset + len(column.words))
        if name not in self.codes:
            self.codes[name] = np.empty(self.n, dtype=wanted)
        elif np.iinfo(wanted).max > np.iinfo(self.codes[name].dtype).max:
            self.codes[name] = self.codes[name].astype(wanted)
        # written into the narrower codes as they are (they fit), moved past the earlier words
        # only where there are earlier words, in 64 bits (never wraps round)
        moved = column.codes.astype(np.int64, copy=False) + offset if offset else column.codes
        _write(self.codes[name], rows, moved)

    def columns(self, names: Collection[str] | None = None) -> dict[str, object]:
        """Every column (or those of ``names``), whole; they leave the filler."""
        wanted = set(self.numbers) | set(self.codes) | set(self.arrows)
        if names is not None:
            wanted &= set(names)
        out: dict[str, object] = {n: self.numbers.pop(n) for n in wanted if n in self.numbers}
        for name in wanted & set(self.codes):
            words = self.words.pop(name)
            whole = words[0] if len(words) == 1 else np.concatenate(words)
            out[name] = Coded(self.codes.pop(name), whole, self.word_types.pop(name))
        for name in wanted & set(self.arrows):
            out[name] = self._in_order(self.arrows.pop(name))
        return out

    @staticmethod
    def _in_order(parts: list[tuple[np.ndarray | Block, pa.Array]]) -> pa.Array | pa.ChunkedArray:
        """The chunks' Arrow texts in card order: slices of them where every chunk is a block
        (no text copied), else taken."""
        blocks = [(rows, part) for rows, part in parts if isinstance(rows, Block)]
        if len(blocks) == len(parts) > 1:
            blocks.sort(key=lambda pair: pair[0].first)
            periods = blocks[0][0].periods
            slices = [
                part.slice(p * block.count, block.count)
                for p in range(periods)
                for block, part in blocks
            ]
            return pa.chunked_array(slices, type=parts[0][1].type)
        texts = [part for _, part in parts]
        whole = texts[0] if len(texts) == 1 else pa.concat_arrays(texts)
        order = np.concatenate(
            [rows.positions() if isinstance(rows, Block) else rows for rows, _ in parts]
        )
        place = np.empty(len(order), dtype=np.int64)
        place[order] = np.arange(len(order))
        if bool((place == np.arange(len(place))).all()):
            return whole
        return whole.take(pa.array(place))


def chunk_rows(
    first: int, count: int, measure_code: np.ndarray, width: int, periods: int, whole: bool
) -> tuple[np.ndarray, np.ndarray | Block]:
    """The card rows of the catalogue's measures ``first`` to ``first + count - 1``: their
    positions, and the rows to fill (a block of each period's row of ``width`` measures where
    the card is ``whole``, every measure in every period)."""
    if whole:
        block = Block(first, count, width, periods)
        return block.positions(), block
    mine = np.flatnonzero((measure_code >= first) & (measure_code < first + count))
    return mine, mine


def chunk_spans(measures: int, per_chunk: int) -> list[tuple[int, int]]:
    """The chunks of ``measures`` measures, ``per_chunk`` at a time, as (first, count); the
    first in two halves where there are more chunks after it (two threads make them at once)."""
    spans = [(first, min(per_chunk, measures - first)) for first in range(0, measures, per_chunk)]
    if len(spans) > 1 and spans[0][1] > 1:
        half = spans[0][1] // 2
        spans[:1] = [(0, half), (half, spans[0][1] - half)]
    return spans


def by_measure(
    columns: dict[str, Coded | np.ndarray], measure_code: np.ndarray, block: Block | None
) -> dict[str, object]:
    """The card's columns that are its measures' (``columns``: one value per measure, text
    coded), for rows whose measures are ``measure_code``: made once for the whole card, not
    written chunk by chunk; text codes as narrow as the card's. Where the card is ``block``'s
    grid of every measure in every period, each is its measures' row repeated."""
    out: dict[str, object] = {}
    for name, column in columns.items():
        if isinstance(column, Coded):
            codes = column.codes.astype(_code_type(len(column.words)))
            out[name] = Coded(_per_row(codes, measure_code, block), column.words, column.dtype)
        else:
            out[name] = _per_row(column, measure_code, block)
    return out


def _per_row(values: np.ndarray, measure_code: np.ndarray, block: Block | None) -> np.ndarray:
    """``values[measure_code]``; a grid's rows as its first row repeated."""
    return np.tile(values, block.periods) if block is not None else values[measure_code]


def _code_type(words: int) -> type[np.signedinteger]:
    """The narrowest signed integer type whose codes reach ``words`` words."""
    for kind in (np.int8, np.int16, np.int32):
        if words < np.iinfo(kind).max:
            return kind
    return np.int64


@dataclass(frozen=True)
class Block:
    """The rows of a chunk that is some columns of a card laid out as a grid, ``width``
    (measures) to a row (period): rows ``p x width + first`` to ``p x width + first + count
    - 1`` of every period p."""

    first: int
    count: int
    width: int
    periods: int

    def positions(self) -> np.ndarray:
        """The rows, in card order."""
        starts = np.arange(self.periods, dtype=np.int64)[:, None] * self.width + self.first
        return (starts + np.arange(self.count, dtype=np.int64)).reshape(-1)


@dataclass
class Chunk:
    """A chunk of the card: the columns this thread made, those still being built on another
    thread (each a future of a column, or of several by name; a future whose thread writes
    its columns itself gives none) and the card rows it fills."""

    columns: dict[str, object]
    later: dict[str, Future[object]]
    rows: np.ndarray | Block

    def finished(self) -> dict[str, object]:
        """The columns made here and those the other thread gave back, once it is done."""
        for name, future in self.later.items():
            made = future.result()
            self.columns.update(made if isinstance(made, dict) else {name: made})
        self.later.clear()
        return self.columns


def _write(target: np.ndarray, rows: np.ndarray | Block, values: np.ndarray) -> None:
    """``target[rows] = values``; a block as slices of the grid, not one row at a time."""
    if isinstance(rows, Block):
        grid = target.reshape(rows.periods, rows.width)
        grid[:, rows.first : rows.first + rows.count] = values.reshape(rows.periods, rows.count)
    else:
        target[rows] = values


def text_out(card: dict[str, object], text: str, blocks: int = 1) -> None:
    """The coded text of ``card`` made ``str`` or categoricals in place, one column after
    another on this thread (what :func:`hand_out` does with them, for some columns early)."""
    for name, column in card.items():
        if isinstance(column, Coded):
            card[name] = column.to_str(blocks) if text == "str" else column.to_category()


def hand_out(card: dict[str, object], text: str, blocks: int = 1) -> pd.DataFrame:
    """The card in ``PERFORMANCE_COLUMNS`` order, its text as ``str`` or categoricals; each
    column is taken out of ``card`` as it is handed out, so that a million rows' reasons as
    Arrow text are let go as their categoricals are made, not held beside all of them. A card
    of ``blocks`` report periods of the same measures shares one block's ``str`` text among
    them where every block has the same (the catalogue's names, services, units...). A long
    card is handed out by two threads, as Arrow's kernels (take, encoding, sorting) run outside
    the GIL: its coded text made ``str`` two columns at once, or its Arrow text made
    categories while the coded text is."""
    out: dict[str, object] = {}
    later: dict[str, Future[object]] = {}
    first = next((c for c in card.values() if isinstance(c, Coded)), None)
    threaded = first is not None and len(first) >= _THREADED_ROWS
    # the columns with the most words first (a million rows' reasons are most of the work):
    # the two threads then finish together, not one waiting on the last long column
    by_work = sorted(
        PERFORMANCE_COLUMNS if threaded else (),
        key=lambda name: -len(getattr(card[name], "words", ())),
    )
    twins: dict[str, str] = {}  # a column and the earlier one with the same texts
    made_from: list[tuple[str, Coded]] = []
    with ThreadPoolExecutor(2 if threaded else 1) as pool:
        for name in by_work:
            column = card[name]
            if text == "str" and isinstance(column, Coded):
                del card[name]  # the thread holds it until it is made
                twin = next((n for n, c in made_from if _same_texts(c, column)), None)
                if twin is not None:  # the same texts (a RAG no officer overrode): made once
                    twins[name] = twin
                    continue
                later[name] = pool.submit(column.to_str, blocks)
                made_from.append((name, column))
            elif text == "category" and isinstance(column, pa.Array | pa.ChunkedArray):
                later[name] = pool.submit(_arrow_category, card, name)  # one at a time
            del column
        del made_from
        for name in PERFORMANCE_COLUMNS:
            if name in later or name in twins:
                continue
            if isinstance(card[name], pa.Array | pa.ChunkedArray) and text == "category":
                out[name] = _arrow_category(card, name)
                continue
            column = card.pop(name)
            if isinstance(column, Coded):
                out[name] = column.to_str(blocks) if text == "str" else column.to_category()
            elif isinstance(column, pa.Array | pa.ChunkedArray):
                out[name] = pd.array(column, dtype="str")
            else:
                out[name] = column
        out.update({name: made.result() for name, made in later.items()})
    # a twin shares the Arrow text (read-only), in an array of its own: setting a value in one
    # column leaves the other as it was
    out.update({name: out[twin].copy() for name, twin in twins.items()})  # type: ignore[attr-defined]
    return pd.DataFrame({name: out[name] for name in PERFORMANCE_COLUMNS}, copy=False)


def _same_texts(one: Coded, other: Coded) -> bool:
    """Whether two coded columns have the same texts, row for row, coded the same way."""
    return (
        one.codes.dtype == other.codes.dtype
        and len(one.words) == len(other.words)
        and (one.words is other.words or bool(np.array_equal(one.words, other.words)))
        and bool(np.array_equal(one.codes, other.codes))
    )


_THREADED_ROWS = 100_000  # a card this long is handed out by two threads (a small one by one)


def _arrow_category(card: dict[str, object], name: str) -> pd.Categorical:
    """The card's Arrow strings ``name`` as a categorical, its categories sorted: each
    distinct text once, none of them made a Python string. The column leaves ``card`` as it
    is encoded. It is encoded a hundred thousand rows at a time, two pieces at once (a
    million rows' 630,000 distinct reasons in one hash table took 0.26 to 0.5 s, ten pieces
    0.05 s); the pieces' distinct texts are sorted together and a text in two pieces becomes
    one category."""
    pieces = _pieces(card.pop(name), _ENCODE_ROWS)
    with ThreadPoolExecutor(2, thread_name_prefix="perfnb-encode") as pool:
        encoded = list(pool.map(_encoded, pieces))
    del pieces
    words, places = zip(*encoded, strict=True) if encoded else ((), ())
    del encoded
    starts = np.cumsum([0, *(len(w) for w in words)])
    texts = pa.concat_arrays(words)  # each piece's distinct texts
    del words
    order = sorted_order(texts)
    in_order = texts.take(pa.array(order))
    del texts
    new = np.ones(len(in_order), dtype=bool)  # the first of each run of equal texts
    if len(in_order) > 1:
        same = pc.equal(in_order.slice(1), in_order.slice(0, len(in_order) - 1))
        new[1:] = ~same.to_numpy(zero_copy_only=False)
    categories = in_order.filter(pa.array(new))
    del in_order
    small = np.int8 if len(categories) < 2**7 else np.int16 if len(categories) < 2**15 else np.int32
    rank = np.empty(len(order) + 1, dtype=small)
    rank[order] = np.cumsum(new) - 1
    rank[-1] = -1  # a missing text
    codes = np.concatenate(
        [
            rank[np.where(at < 0, -1, at + start)]
            for start, at in zip(starts[:-1], places, strict=True)
        ]
        or [np.zeros(0, dtype=small)]
    )
    del places, rank
    index = pd.Index(pd.array(categories, dtype="str"))
    # strictly increasing: pandas then knows the categories unique without hashing them
    index.is_monotonic_increasing  # noqa: B018
    return pd.Categorical.from_codes(codes, categories=index, validate=False)


def _pieces(text: pa.Array | pa.ChunkedArray, rows: int) -> list[pa.ChunkedArray]:
    """``text`` in consecutive pieces of about ``rows`` rows (whole chunks, or slices of an
    array)."""
    chunks = text.chunks if isinstance(text, pa.ChunkedArray) else [text]
    out: list[pa.ChunkedArray] = []
    group: list[pa.Array] = []
    size = 0
    for chunk in chunks:
        for first in range(0, len(chunk), rows):
            part = chunk.slice(first, rows)
            group.append(part)
            size += len(part)
            if size >= rows:
                out.append(pa.chunked_array(group, text.type))
                group, size = [], 0
    if group or not out:
        out.append(pa.chunked_array(group, text.type))
    return out


def _encoded(piece: pa.ChunkedArray) -> tuple[pa.Array, np.ndarray]:
    """A piece of text's distinct texts and each row's place among them (-1 for none)."""
    encoded = pc.dictionary_encode(piece)  # the chunks share one dictionary
    if not _one_dictionary(encoded):
        encoded = pa.chunked_array([pc.dictionary_encode(piece.combine_chunks())])
    if not encoded.num_chunks:
        return pa.array([], piece.type), np.zeros(0, dtype=np.int64)
    at = pa.chunked_array([chunk.indices for chunk in encoded.chunks])
    return encoded.chunk(0).dictionary, pc.fill_null(at, -1).to_numpy().astype(np.int64)


_ENCODE_ROWS = 100_000  # rows of text encoded in one hash table


def sorted_order(text: pa.Array) -> np.ndarray:
    """The positions of ``text`` in sorted order (stable; nulls last), as
    ``pc.array_sort_indices`` gives them. A long array is split at the median of an even
    sample of it and the two halves sorted at once, one on another thread (Arrow sorts outside
    the GIL): a million rows' 630,000 distinct reasons sort in 0.17 s, not 0.35 s."""
    if len(text) < max(_SPLIT_SORT, 2):
        return pc.array_sort_indices(text).to_numpy()
    sample = text.take(pa.array(np.linspace(0, len(text) - 1, 1001).astype(np.int64)))
    pivot = sample[pc.array_sort_indices(sample)[500].as_py()]
    below = pc.fill_null(pc.less(text, pivot), False).to_numpy(zero_copy_only=False)
    low, high = np.flatnonzero(below), np.flatnonzero(~below)
    with ThreadPoolExecutor(1, thread_name_prefix="perfnb-sort") as other:
        upper = other.submit(pc.array_sort_indices, text.take(pa.array(high)))
        lower = pc.array_sort_indices(text.take(pa.array(low))).to_numpy()
        return np.concatenate([low[lower], high[upper.result().to_numpy()]])


_SPLIT_SORT = 200_000  # texts at least this many are sorted in two halves at once


def _one_dictionary(encoded: pa.ChunkedArray) -> bool:
    """Whether every chunk of a dictionary-encoded array has the same dictionary (the same
    buffers: Arrow's encoding of a chunked array shares one)."""
    buffers = {tuple(b.address for b in c.dictionary.buffers() if b) for c in encoded.chunks}
    return len(buffers) <= 1
