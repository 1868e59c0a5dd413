"""Integer keys numbered without hashing or sorting: a chunk's windows, the grid groups they
read and the periods of a card are small integers in a known range, so each is marked in an
array of that range and numbered by a running count.
"""

from __future__ import annotations

import numpy as np

__all__ = ["sorted_unique"]


def sorted_unique(keys: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(keys, return_inverse=True)`` for integers in ``range(size)``: each marked
    in an array spanning the keys' range, not sorted (a chunk's windows read a few hundred
    thousand of a grid's groups); sorted only where the keys are few and spread wide (a small
    chunk's few hundred groups of a national grid's million), as marking would cost more."""
    if not len(keys):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    low = int(keys.min())
    span = int(keys.max()) - low + 1
    if span > _SPREAD * len(keys) + 4096:
        distinct, place = np.unique(keys, return_inverse=True)
        return distinct.astype(np.int64, copy=False), place.astype(np.int64, copy=False)
    used = np.zeros(span, dtype=bool)
    at = keys - low
    used[at] = True
    distinct = np.flatnonzero(used) + low
    place = np.cumsum(used, dtype=np.int64) - 1
    return distinct, place[at]


# keys spread over more than this many times their number are sorted, not marked
_SPREAD = 16
