"""The value axis rule of the line charts (trend, year to date, XmR): an axis that neither hides
the target nor makes a small change look like a collapse (the Government Statistical Service's
chart guidance: a truncated axis must not exaggerate a change).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

__all__ = ["MIN_PERCENT_SPAN", "MIN_SHARE_SPAN", "PAD", "value_limits"]

MIN_PERCENT_SPAN = 10.0  # percentage points: the least a percentage axis spans
MIN_SHARE_SPAN = 0.1  # other units: the least span, as a share of the largest value drawn
PAD = 0.05  # the room left above and below the figures, as a share of their span


def value_limits(
    values: Iterable[float | None], unit: str, target: float | None = None
) -> tuple[float, float]:
    """The bottom and top of a value axis drawing ``values`` (and ``target``), in the unit.

    1. The axis spans every value and the target, padded by ``PAD`` (5%) of that span each
       side.
    2. It spans at least ``MIN_PERCENT_SPAN`` (10) percentage points for a ``percent`` measure;
       for any other unit (counts, days, money, rates) at least ``MIN_SHARE_SPAN`` (a tenth)
       of the largest absolute value drawn, the same proportion as 10 points of 100%: a change
       of 1% of a count fills a tenth of the axis at most. A narrower axis is widened equally
       about the centre of the figures.
    3. Where every value is at or above zero the axis stops at 0 (the window moves up to keep
       its span), and a percentage axis stops at 100 when no value is above 100.

    Figures 70.1 to 71.9 against a target of 72: 66.05 to 76.05. No value at all: 0 to 1.
    """
    drawn = [float(v) for v in (*values, target) if v is not None and not math.isnan(float(v))]
    if not drawn:
        return 0.0, 1.0
    low, high = min(drawn), max(drawn)
    pad = (high - low) * PAD
    bottom, top = low - pad, high + pad
    if unit == "percent":
        least = MIN_PERCENT_SPAN
    else:
        least = MIN_SHARE_SPAN * max(abs(low), abs(high)) or 1.0
    if top - bottom < least:
        centre = (low + high) / 2
        bottom, top = centre - least / 2, centre + least / 2
    if low >= 0 and bottom < 0:
        bottom, top = 0.0, max(top, least)
    if unit == "percent" and high <= 100 < top:
        bottom, top = min(bottom, 100 - least), 100.0
        bottom = max(bottom, 0.0) if low >= 0 else bottom
    return bottom, top
