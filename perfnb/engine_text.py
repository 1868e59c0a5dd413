"""Text as the engine keeps it: integer codes into a few distinct words (:class:`Coded`), so a
million rows' ratings, reasons and labels are compared, chosen and joined as small integers and
each distinct text is built once, not once per row.

A column of a million rows holding a few hundred distinct texts costs a million pointers as a
numpy object array and tens of megabytes as a pandas ``str`` column; as codes it is four
megabytes, and turning it into either costs one ``take``. The engine hands its card out as
``str`` columns or, asked for ``text="category"``, as categoricals made straight from the codes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from perfnb.raw_table import system_arrow_memory

__all__ = [
    "Coded",
    "arrow_text",
    "categorical",
    "coded",
    "coded_arrow",
    "first_of_each",
    "join_arrow",
    "join_coded",
    "join_text",
    "replace_text",
    "scatter_arrow",
    "scatter_text",
    "select_coded",
    "system_arrow_memory",
    "take_text",
    "texts",
]


@dataclass(frozen=True)
class Coded:
    """``len(codes)`` texts: row i is ``words[codes[i]]``. ``words`` (object array of str) may
    hold words no row uses, and may repeat one."""

    codes: np.ndarray  # int64, one per row
    words: np.ndarray  # object array of str
    # the categorical dtype of ``words`` when they are known not to repeat (made once by
    # :meth:`distinct`, kept by :meth:`take`): a catalogue's few thousand measure_ids are
    # checked and hashed once, not once for every chunk of the card
    dtype: pd.CategoricalDtype | None = field(default=None, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.codes)

    @classmethod
    def constant(cls, text: str, n: int) -> Coded:
        """``text`` on each of ``n`` rows."""
        return cls(np.zeros(n, dtype=np.int64), np.array([text], dtype=object))

    def take(self, rows: np.ndarray) -> Coded:
        """The texts at ``rows`` (positions)."""
        return Coded(self.codes[rows], self.words, self.dtype)

    def distinct(self) -> Coded:
        """The same texts, each word once, with their categorical dtype made."""
        tidy = self.compact()
        dtype = pd.CategoricalDtype(pd.Index(tidy.words, dtype=object))
        return Coded(tidy.codes, tidy.words, dtype)

    def equals(self, text: str) -> np.ndarray:
        """True where the row's text is ``text``."""
        return (self.words == text)[self.codes] if len(self.words) else np.zeros(len(self), bool)

    def isin(self, texts: Sequence[str]) -> np.ndarray:
        """True where the row's text is one of ``texts``."""
        if not len(self.words):
            return np.zeros(len(self), dtype=bool)
        return np.isin(self.words, list(texts))[self.codes]

    def map(self, function: Callable[[str], str]) -> Coded:
        """Each distinct text through ``function`` (called once per word)."""
        return Coded(self.codes, np.array([function(w) for w in self.words], dtype=object))

    def objects(self) -> np.ndarray:
        """The texts as a numpy object array."""
        return self.words[self.codes] if len(self.codes) else np.array([], dtype=object)

    def compact(self) -> Coded:
        """The same texts with no word repeated (words no row uses may stay)."""
        if self.dtype is not None or len(set(self.words.tolist())) == len(self.words):
            return self
        codes, uniques = pd.factorize(self.words, sort=False)
        remapped = codes[self.codes] if len(self.codes) else self.codes.astype(np.int64)
        return Coded(remapped.astype(np.int64), np.asarray(uniques, dtype=object))

    def to_str(self, blocks: int = 1) -> pd.api.extensions.ExtensionArray:
        """A pandas ``str`` array (Arrow-backed), made by one take of the distinct words. Rows
        that are ``blocks`` equal blocks of the same texts (a card's catalogue columns, one
        block per report period) are made once and the block's Arrow text shared by all."""
        words = pa.array(list(self.words), type=pa.large_string())
        n = len(self.codes)
        if blocks > 1 and n and n % blocks == 0:
            grid = self.codes.reshape(blocks, n // blocks)
            if (grid == grid[0]).all():
                block = words.take(pa.array(grid[0]))
                return pd.array(pa.chunked_array([block] * blocks), dtype="str")
        if n <= _TAKE_ROWS:
            return pd.array(words.take(pa.array(self.codes)), dtype="str")
        pieces = [
            words.take(pa.array(self.codes[start : start + _TAKE_ROWS]))
            for start in range(0, n, _TAKE_ROWS)
        ]
        return pd.array(pa.chunked_array(pieces, type=pa.large_string()), dtype="str")

    def to_category(self) -> pd.Categorical:
        """A pandas categorical whose categories are the words rows use, sorted (so that it
        sorts as its text does)."""
        tidy = self.compact()
        used = np.bincount(tidy.codes, minlength=len(tidy.words)) > 0
        words = tidy.words[used]
        order = pc.array_sort_indices(pa.array(list(words), pa.string())).to_numpy()
        rank = np.full(len(tidy.words), -1, dtype=np.int64)
        rank[np.flatnonzero(used)[order]] = np.arange(len(order))
        categories = pd.Index(words[order], dtype="str")
        small = np.int8 if len(order) < 2**7 else np.int16 if len(order) < 2**15 else np.int32
        codes = rank.astype(small)[tidy.codes]  # as pandas keeps them: no second copy
        return pd.Categorical.from_codes(codes, categories=categories, validate=False)


# rows of text made by one take: Arrow sizes a take's text from the words' average length and
# doubles it as it overflows, so a million rows of long, uneven reasons took twice the memory
_TAKE_ROWS = 100_000


def coded(values: Coded | np.ndarray | pd.Series | pd.Categorical | Sequence[str]) -> Coded:
    """Texts (coded, object array, str or categorical column) as codes; missing values are ''.
    Coded texts are returned as they are."""
    if isinstance(values, Coded):
        return values
    if isinstance(values, pd.Categorical) or (
        isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype)
    ):
        column = values if isinstance(values, pd.Categorical) else values.array
        categories = column.categories
        words = categories.to_numpy(dtype=object)
        if categories.hasnans:
            words = np.where(pd.isna(words), "", words).astype(object)
        codes = column.codes.astype(np.int64)
        if (codes < 0).any():
            words, codes = np.append(words, ""), np.where(codes < 0, len(words), codes)
        return Coded(codes, words)
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.StringDtype):
        # text stored as text (Arrow strings): encoded as it is stored, each distinct text
        # made a Python string once (not a Python string per row first, then hashed)
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    else:
        codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    words = np.asarray(uniques, dtype=object)
    if (codes < 0).any():
        words, codes = np.append(words, ""), np.where(codes < 0, len(words), codes)
    return Coded(codes.astype(np.int64), words)


def categorical(text: Coded) -> pd.Categorical:
    """Coded texts as a pandas categorical (object categories: reading it back as a numpy
    object array is one take); ``text.words`` must not repeat (see :meth:`Coded.compact`)."""
    if text.dtype is not None:
        return pd.Categorical.from_codes(text.codes, dtype=text.dtype, validate=False)
    categories = pd.Index(text.words, dtype=object)
    return pd.Categorical.from_codes(text.codes, categories=categories, validate=False)


def select_coded(
    conditions: Sequence[np.ndarray], choices: Sequence[Coded], default: Coded
) -> Coded:
    """``np.select`` over coded texts: the first choice whose condition holds, else default."""
    offsets = np.cumsum([0, *(len(c.words) for c in choices)])
    codes = default.codes + offsets[-1]
    for condition, choice, offset in reversed(
        list(zip(conditions, choices, offsets, strict=False))
    ):
        codes = np.where(condition, choice.codes + offset, codes)
    words = np.concatenate([*(c.words for c in choices), default.words]).astype(object)
    return Coded(codes.astype(np.int64), words)


def join_coded(*parts: Coded | str) -> Coded:
    """Row by row, the parts' texts joined; each distinct combination is joined once."""
    coded_parts = [p for p in parts if isinstance(p, Coded)]
    if not coded_parts:
        raise ValueError("join_coded needs at least one coded part")
    n = len(coded_parts[0])
    key = np.zeros(n, dtype=np.int64)
    radix = 1
    compacted = [p.compact() if isinstance(p, Coded) else p for p in parts]
    for part in compacted:
        if isinstance(part, Coded):
            size = max(len(part.words), 1)
            if radix * size >= 2**62:  # too many combinations for one integer: factorize so far
                key = pd.factorize(key)[0].astype(np.int64)
                radix = int(key.max()) + 1 if n else 1
            key = key + part.codes * radix
            radix *= size
    codes, firsts = first_of_each(key)
    # each distinct combination's text, a part at a time over all of them (numpy adds object
    # arrays of str element by element): no Python loop over the combinations; a constant is
    # added as an object, never as a numpy string (which would drop a trailing "\x00")
    joined = np.full(len(firsts), "", dtype=object)
    for part in compacted:
        if isinstance(part, str):
            joined = joined + np.array([part], dtype=object)
        else:
            joined = joined + part.words[part.codes[firsts]]
    return Coded(codes, np.asarray(joined, dtype=object))


def first_of_each(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes 0.. for each distinct integer ``key`` in order of first appearance, and the row
    where each first appears. Keys within a span a few times their number (a join's
    combinations of a few words each) are marked in an array over the span, not hashed."""
    n = len(key)
    low = int(key.min()) if n else 0
    span = int(key.max()) - low + 1 if n else 0
    if not n or span > _MARKED_SPAN * n + 4096:
        codes, uniques = pd.factorize(key)
        firsts = np.full(len(uniques), -1, dtype=np.int64)
        firsts[codes[::-1]] = np.arange(n - 1, -1, -1)
        return codes.astype(np.int64), firsts
    at = key - low
    first = np.full(span, n, dtype=np.int64)
    first[at[::-1]] = np.arange(n - 1, -1, -1)  # the last write, the first row, stays
    firsts = np.sort(first[first < n])
    code = np.empty(span, dtype=np.int64)
    code[at[firsts]] = np.arange(len(firsts))
    return code[at], firsts


# keys spread over at most this many times their number are marked, not hashed
_MARKED_SPAN = 4


def texts(column: pd.Series | np.ndarray | Coded) -> np.ndarray:
    """A text column as a numpy object array, '' where missing: a categorical (or coded) one by
    one take of its few words, not a conversion of every row."""
    if isinstance(column, Coded):
        return column.objects()
    if isinstance(column, pd.Series) and isinstance(column.dtype, pd.CategoricalDtype):
        words = np.append(column.cat.categories.to_numpy(dtype=object), "")
        words = np.where(pd.isna(words), "", words).astype(object)
        return words[column.cat.codes.to_numpy()]  # a missing value (code -1) reads the ''
    if isinstance(column, pd.Series):
        values = column.to_numpy(dtype=object, na_value="")
    else:
        values = np.asarray(column, dtype=object)
    missing = pd.isna(values)
    if missing.any():
        values = np.where(missing, "", values).astype(object)
    return values


TextPart: TypeAlias = Coded | pa.Array | pa.ChunkedArray | np.ndarray | str


def arrow_text(part: TextPart) -> pa.Array | pa.Scalar:
    """A text part as an Arrow string array (or scalar, for a constant): coded texts by one
    take of their words."""
    if isinstance(part, str):
        return pa.scalar(part, pa.string())
    if isinstance(part, Coded):
        return pa.array(list(part.words), pa.string()).take(pa.array(part.codes))
    if isinstance(part, pa.ChunkedArray):
        return part.combine_chunks().cast(pa.string())
    if isinstance(part, pa.Array):
        return part.cast(pa.string())
    return pa.array(np.asarray(part, dtype=object), pa.string())


def join_arrow(*parts: TextPart) -> pa.Array:
    """Row by row, the parts' texts joined (Arrow's string kernel: no Python string per row).
    Neighbouring coded and constant parts are joined first as codes (each distinct run of
    words once), so only the parts that differ row by row (figures) are Arrow arrays."""
    arrays = [arrow_text(p) for p in _runs_joined(parts)]
    if not any(isinstance(a, pa.Array) for a in arrays):
        raise ValueError("join_arrow needs at least one part that is not a constant")
    return pc.binary_join_element_wise(*arrays, "")


def _runs_joined(parts: Sequence[TextPart]) -> list[TextPart]:
    """``parts`` with each run of neighbouring coded texts and constants made one part."""
    out: list[TextPart] = []
    run: list[Coded | str] = []

    def close() -> None:
        if any(isinstance(p, Coded) for p in run):
            out.append(join_coded(*run) if len(run) > 1 else run[0])
        elif run:
            out.append("".join(p for p in run if isinstance(p, str)))
        run.clear()

    for part in parts:
        if isinstance(part, Coded | str):
            run.append(part)
        else:
            close()
            out.append(part)
    close()
    return out


def scatter_arrow(
    n: int, pieces: Sequence[tuple[np.ndarray, TextPart]], default: str = ""
) -> pa.Array:
    """``n`` texts: each piece's texts at its rows (positions, later pieces winning), ``default``
    elsewhere."""
    where = np.zeros(n, dtype=np.int64)
    arrays = [pa.array([default], pa.string())]
    offset = 1
    for rows, part in pieces:
        rows = np.asarray(rows)
        if rows.dtype == bool:
            rows = np.flatnonzero(rows)
        if not len(rows):
            continue
        text = arrow_text(part)
        if isinstance(text, pa.Scalar):
            text = pa.array([text.as_py()], pa.string())
            where[rows] = offset
        else:
            where[rows] = offset + np.arange(len(rows))
        arrays.append(text)
        offset += len(text)
    return pa.concat_arrays(arrays).take(pa.array(where))


# -- text that stays coded while every part of it is -------------------------------------------
# A reason whose parts are all few distinct words and figures (a rating's reason has a few
# thousand distinct texts in a million rows) is joined as codes, each distinct text once, and
# stays coded to the card's hand-out; one part of Arrow strings makes the whole Arrow strings.


def join_text(*parts: TextPart) -> Coded | pa.Array:
    """Row by row, the parts' texts joined: coded where every part is coded or a constant
    (:func:`join_coded`), else Arrow strings (:func:`join_arrow`)."""
    simple = [p for p in parts if isinstance(p, Coded | str)]
    if len(simple) == len(parts):
        return join_coded(*simple)
    return join_arrow(*parts)


def take_text(part: Coded | pa.Array, rows: np.ndarray) -> Coded | pa.Array:
    """The texts at ``rows`` (positions), coded or Arrow as ``part`` is."""
    return part.take(rows) if isinstance(part, Coded) else part.take(pa.array(rows))


def scatter_text(
    n: int, pieces: Sequence[tuple[np.ndarray, TextPart]], default: str = ""
) -> Coded | pa.Array:
    """:func:`scatter_arrow`, coded where every piece is coded or a constant."""
    if not all(isinstance(part, Coded | str) for _, part in pieces):
        return scatter_arrow(n, pieces, default)
    codes = np.zeros(n, dtype=np.int64)
    words = [np.array([default], dtype=object)]
    offset = 1
    for rows, part in pieces:
        rows = np.asarray(rows)
        if rows.dtype == bool:
            rows = np.flatnonzero(rows)
        if not len(rows):
            continue
        if isinstance(part, Coded):
            codes[rows] = part.codes.astype(np.int64, copy=False) + offset
            words.append(part.words)
        else:
            codes[rows] = offset
            words.append(np.array([part], dtype=object))
        offset += len(words[-1])
    return Coded(codes, np.concatenate(words))


def replace_text(
    base: Coded | pa.Array, rows: np.ndarray, new: Coded | pa.Array
) -> Coded | pa.Array:
    """``base`` with the texts at ``rows`` (positions) replaced by ``new``: coded if ``base``
    is (Arrow texts put in are coded, each distinct text once), else Arrow strings."""
    if isinstance(base, Coded):
        new = new if isinstance(new, Coded) else coded_arrow(new)
        codes = base.codes.astype(np.int64)  # a copy, wide enough for the words added
        codes[rows] = new.codes + len(base.words)
        return Coded(codes, np.concatenate([base.words, new.words]))
    base, new = arrow_text(base), arrow_text(new)
    where = np.arange(len(base), dtype=np.int64)
    where[rows] = len(base) + np.arange(len(rows))
    return pa.concat_arrays([base, new]).take(pa.array(where))


def coded_arrow(text: pa.Array | pa.ChunkedArray) -> Coded:
    """Arrow strings as coded texts (each distinct text once; a missing one is '')."""
    encoded = pc.dictionary_encode(arrow_text(text).fill_null(""))
    return Coded(
        encoded.indices.to_numpy().astype(np.int64),
        np.asarray(encoded.dictionary.to_pylist(), dtype=object),
    )
