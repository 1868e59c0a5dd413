"""Integer keys numbered without hashing or sorting: a chunk's windows, the grid groups they
read and the periods of a card are small integers in a known range, so each is marked in an
array of that range and numbered by a running count.
"""

from __future__ import annotations

import numpy as np

__all__ = ["sorted_unique"]


def sorted_unique(keys: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(keys, return_inverse=True)`` for integers in ``range(size)``: each marked
    in an array of ``size``, not sorted (a chunk's windows read a few hundred thousand of a
    grid's groups)."""
    used = np.zeros(size, dtype=bool)
    used[keys] = True
    distinct = np.flatnonzero(used)
    place = np.cumsum(used, dtype=np.int64) - 1
    return distinct, place[keys]
