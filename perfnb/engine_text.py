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
    "join_arrow",
    "join_coded",
    "scatter_arrow",
    "select_coded",
    "system_arrow_memory",
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

    def to_str(self) -> pd.api.extensions.ExtensionArray:
        """A pandas ``str`` array (Arrow-backed), made by one take of the distinct words."""
        words = pa.array(list(self.words), type=pa.large_string())
        return pd.array(words.take(pa.array(self.codes)), dtype="str")

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


def coded(values: np.ndarray | pd.Series | Sequence[str]) -> Coded:
    """Texts (object array, str or categorical column) as codes; missing values are ''."""
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        words = np.asarray(values.cat.categories.astype(object).fillna(""), dtype=object)
        codes = values.cat.codes.to_numpy(dtype=np.int64)
        if (codes < 0).any():
            words, codes = np.append(words, ""), np.where(codes < 0, len(words), codes)
        return Coded(codes, words)
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
    codes, firsts = _first_of_each(key)
    texts = [
        "".join(p if isinstance(p, str) else str(p.words[p.codes[row]]) for p in compacted)
        for row in firsts
    ]
    return Coded(codes, np.array(texts, dtype=object))


def _first_of_each(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes 0.. for each distinct ``key`` in order of first appearance, and the row where
    each first appears."""
    codes, uniques = pd.factorize(key)
    firsts = np.full(len(uniques), -1, dtype=np.int64)
    firsts[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)
    return codes.astype(np.int64), firsts


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
