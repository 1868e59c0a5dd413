"""The summary of an XmR chart per rebase group: its limits, how many points of each type, the
variation icon of its last point and, for the latest group, the assurance icon (will the process
meet its target reliably?), named as NHSRplotthedots names its icons.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from perfnb.spc_limits import MIN_POINTS
from perfnb.special_causes import IMPROVEMENTS, POINT_TYPES

__all__ = ["ASSURANCES", "SUMMARY_COLUMNS", "VARIATIONS", "assurances", "summarise", "variations"]

VARIATIONS = (
    "common_cause",
    "improvement_high",
    "improvement_low",
    "concern_high",
    "concern_low",
    "neutral_high",
    "neutral_low",
)
ASSURANCES = ("consistent_pass", "consistent_fail", "inconsistent")
SUMMARY_COLUMNS = (
    "rebase_group",
    "mean",
    "lpl",
    "upl",
    "n",
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "variation",
    "assurance",
    "trial_limits",
    "special_cause_neutral",
)


def _variation(point_type: str, improvement: str) -> str:
    """The variation icon's name for a point type, as NHSRplotthedots names its icons."""
    if point_type == "special_cause_improvement":
        return "improvement_high" if improvement == "increase" else "improvement_low"
    if point_type == "special_cause_concern":
        return "concern_low" if improvement == "increase" else "concern_high"
    if point_type.startswith("special_cause_neutral_"):
        return point_type.removeprefix("special_cause_")
    return "common_cause"


def _assurance(target: float | None, lpl: float, upl: float, improvement: str) -> str | None:
    """Whether the process will meet ``target`` reliably, from the limits (strict)."""
    if target is None or improvement == "neutral" or pd.isna(target):
        return None
    increasing = improvement == "increase"
    if target > upl:
        return "consistent_fail" if increasing else "consistent_pass"
    if target < lpl:
        return "consistent_pass" if increasing else "consistent_fail"
    return "inconsistent"


def variations(kinds: np.ndarray, improvements: np.ndarray) -> np.ndarray:
    """:func:`_variation` of many points: ``kinds`` their numbers in ``POINT_TYPES`` (any other
    number is common cause), ``improvements`` their series' numbers in ``IMPROVEMENTS``."""
    names = [*POINT_TYPES, "other"]
    icons = np.array([[_variation(k, i) for k in names] for i in IMPROVEMENTS], dtype=object)
    return icons[improvements, np.minimum(kinds, len(names) - 1)]


def assurances(
    targets: np.ndarray, lpl: np.ndarray, upl: np.ndarray, improvements: np.ndarray
) -> np.ndarray:
    """:func:`_assurance` of many groups (``None`` where the target is NaN or the direction
    neutral), ``improvements`` their numbers in ``IMPROVEMENTS``."""
    increasing = improvements == IMPROVEMENTS.index("increase")
    found = np.where(
        targets > upl,
        np.where(increasing, "consistent_fail", "consistent_pass"),
        np.where(
            targets < lpl,
            np.where(increasing, "consistent_pass", "consistent_fail"),
            "inconsistent",
        ),
    ).astype(object)
    found[np.isnan(targets) | (improvements == IMPROVEMENTS.index("neutral"))] = None
    return found


def summarise(result: pd.DataFrame, target: float | None = None) -> pd.DataFrame:
    """Per rebase group of an :func:`xmr` result: ``SUMMARY_COLUMNS``. ``variation`` is the icon
    of the group's last point; ``assurance`` (latest group only) compares ``target`` (else the
    one given to ``xmr``) with its limits; ``trial_limits`` when it has fewer than 13 points."""
    options = result.attrs.get("spc", {})
    improvement = options.get("improvement", "increase")
    target = options.get("target") if target is None else target
    rows = []
    kinds = result["point_type"].to_numpy()
    valued = kinds != "missing"
    groups = result["rebase_group"].to_numpy()[valued]
    kinds = kinds[valued]
    limits = result[["mean", "lpl", "upl"]].to_numpy()[valued]
    latest = groups.max() if len(groups) else None
    for group in np.unique(groups):
        mine = np.flatnonzero(groups == group)
        last = mine[-1]
        counts = {kind: int(np.count_nonzero(kinds[mine] == kind)) for kind in POINT_TYPES}
        mean, lpl, upl = (float(v) for v in limits[last])
        rows.append(
            {
                "rebase_group": int(group),
                "mean": mean,
                "lpl": lpl,
                "upl": upl,
                "n": len(mine),
                "common_cause": counts["common_cause"],
                "special_cause_improvement": counts["special_cause_improvement"],
                "special_cause_concern": counts["special_cause_concern"],
                "variation": _variation(str(kinds[last]), improvement),
                "assurance": _assurance(target, lpl, upl, improvement) if group == latest else None,
                "trial_limits": len(mine) < MIN_POINTS,
                "special_cause_neutral": counts["special_cause_neutral_high"]
                + counts["special_cause_neutral_low"],
            }
        )
    summary = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    # None, not NaN, where there is no assurance (no target, a neutral aim, an earlier group)
    summary["assurance"] = pd.Series([r["assurance"] for r in rows], dtype=object)
    return summary
