"""The report models: everything one service's report (``ServiceModel``) or action plan
(``ActionPlanModel``) shows for a period, worked out once from (data, ``Period``, service) and
frozen; and the counts a report's index entry gives, by the one rule the run's planning and the
report's own summary share.

The renderers (tables, charts, pages) read the model and return objects; nothing here reads a
file but the commentary, or writes one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from perfnb.actions import (
    ACTION_RAGS,
    AT_RISK_POINTS,
    action_progress,
    linked_measures,
    outcome_measure_ids,
)
from perfnb.commentary import Commentary, load_commentary, missing_commentary
from perfnb.history import (
    trend_history,
    trend_periods,
    variance_periods,
    year_periods,
    year_to_date_history,
)
from perfnb.loader import Dataset
from perfnb.measure_spc import MeasureSPC, measure_spc, spc_history
from perfnb.period_rows import PeriodRows
from perfnb.periods import Period
from perfnb.rag import RAG_LABELS
from perfnb.scorecard import build_scorecard, has_figure, with_spc
from perfnb.story import story

__all__ = [
    "ActionPlanModel",
    "ReportCounts",
    "ServiceModel",
    "action_counts",
    "rag_counts",
    "report_changes",
    "report_counts",
]


def rag_counts(card: pd.DataFrame) -> dict[str, int]:
    """How many measures are Red, Amber, Green, N/A (not rated) and Pending (figure not yet
    available); anything else counts as N/A."""
    ratings = card["rag"].where(card["rag"].isin(RAG_LABELS), "N/A")
    counts = ratings.value_counts()
    return {rag: int(counts.get(rag, 0)) for rag in RAG_LABELS}


@dataclass(frozen=True)
class ReportCounts:
    """What a service's report counts: its measures, those with a figure for the period, its
    measures by rating, and the Red and Amber ones with no commentary (missing: why)."""

    measures: int
    with_figures: int
    rag_counts: dict[str, int]
    missing: pd.DataFrame  # measure_id, rag, problem: Red/Amber measures with no commentary

    @property
    def without_commentary(self) -> tuple[str, ...]:
        """The measures of ``missing``, by id."""
        return tuple(self.missing["measure_id"])


def report_counts(card: pd.DataFrame, commentary: Commentary) -> ReportCounts:
    """The counts of a service's report from its scorecard rows (``card``) and the period's
    ``commentary``."""
    return ReportCounts(
        measures=len(card),
        with_figures=int(has_figure(card).sum()) if len(card) else 0,
        rag_counts=rag_counts(card),
        missing=missing_commentary(card, commentary),
    )


def report_changes(
    card: pd.DataFrame, previous: pd.DataFrame | None, previous_period: str
) -> dict[str, int]:
    """What moved in a service's report since ``previous_period`` (``previous``, its rows),
    as the index gives it: measures improving, declining and stable by direction of travel,
    and ratings better and worse (``perfnb.story``, the rule page 1 states)."""
    told = story(card, previous, previous_period, exceptions_shown=0)
    return {
        "improving": told.improving,
        "declining": told.declining,
        "stable": told.stable,
        "better": told.rated_better,
        "worse": told.rated_worse,
    }


@dataclass(frozen=True)
class ServiceModel:
    """Everything one service's report shows for a period, read and worked out once."""

    data: Dataset
    period: Period
    service: str
    card: pd.DataFrame  # the scorecard: one row per measure
    previous: pd.DataFrame  # the scorecard of the period before
    history: pd.DataFrame  # recent periods of each measure, for trend charts
    year: pd.DataFrame  # every period of the financial year, for year-to-date charts
    commentary: Commentary
    variance_rows: pd.DataFrame  # the engine's rows of each quarter so far (and a month's own)
    spc: MeasureSPC | None = None  # XmR charts of the measures with 13 figures or more

    @classmethod
    def build(cls, data: Dataset, period: Period, service: str) -> ServiceModel:
        """Reads and works out everything the service's report needs for ``period``."""
        services = [service]
        # every period the report shows, worked out by the engine in one call
        rows = PeriodRows.work_out(
            data,
            [
                period,
                period.previous(),
                *trend_periods(period),
                *year_periods(period),
                *variance_periods(period),
            ],
            services,
        )
        card = build_scorecard(data, period, services, spc=False, rows=rows)
        spc = measure_spc(spc_history(data, period, services), card) if len(card) else None
        return cls(
            data=data,
            period=period,
            service=service,
            card=with_spc(card, spc),
            previous=build_scorecard(data, period.previous(), services, spc=False, rows=rows),
            history=trend_history(data, period, services, rows=rows),
            year=year_to_date_history(data, period, services, rows=rows),
            commentary=load_commentary(data.path, period),
            variance_rows=rows.take(variance_periods(period), services),
            spc=spc,
        )

    @cached_property
    def counts(self) -> ReportCounts:
        """The report's counts: measures, with figures, by rating, without commentary."""
        return report_counts(self.card, self.commentary)

    @property
    def written_commentary(self) -> dict[str, str]:
        """The analysts' commentary by measure: sections with text of their own (an untouched
        generated draft is not published)."""
        return {
            measure_id: text
            for measure_id, text in self.commentary.sections.items()
            if self.commentary.has_commentary(measure_id)
        }

    @property
    def without_commentary(self) -> pd.DataFrame:
        """Red and Amber measures with no commentary, or only the generated draft."""
        return self.counts.missing

    def measure(self, measure_id: str) -> pd.Series:
        """The scorecard row of one measure."""
        return self.card[self.card["measure_id"] == measure_id].iloc[0]


def action_counts(progress: pd.DataFrame) -> dict[str, int]:
    """How many actions have each derived rating, in ``ACTION_RAGS`` order (none left out)."""
    counts = progress["rag"].value_counts()
    return {rag: int(counts.get(rag, 0)) for rag in ACTION_RAGS}


@dataclass(frozen=True)
class ActionPlanModel:
    """Everything one service's action plan report shows for a period, read once."""

    data: Dataset
    period: Period
    service: str
    progress: pd.DataFrame  # perfnb.actions.action_progress: one row per action of the service
    card: pd.DataFrame  # the scorecard rows of the measures actions name as outcome measures
    at_risk_points: float = AT_RISK_POINTS  # % complete behind expected that is "at risk"

    @classmethod
    def build(
        cls,
        data: Dataset,
        period: Period,
        service: str,
        at_risk_points: float = AT_RISK_POINTS,
    ) -> ActionPlanModel:
        """Reads and works out everything the service's action plan report needs."""
        actions = data.actions[data.actions["service"] == service]
        progress = action_progress(
            actions, data.action_updates, period, at_risk_points=at_risk_points
        )
        named = {m for text in progress["outcome_measure"] for m in outcome_measure_ids(text)}
        measures = data.measures.loc[data.measures["measure_id"].isin(named), "service"]
        card = (
            build_scorecard(data, period, list(pd.unique(measures)))
            if len(measures)
            else pd.DataFrame(columns=["measure_id", "rag", "period"])
        )
        card = card[card["measure_id"].isin(named)] if len(card) else card
        return cls(data, period, service, progress, card, at_risk_points)

    @cached_property
    def counts(self) -> dict[str, int]:
        """How many actions have each rating, those with none left out."""
        return {rag: n for rag, n in action_counts(self.progress).items() if n}

    @property
    def measure_rags(self) -> dict[str, str]:
        """The current rating of each measure an action names."""
        return dict(zip(self.card["measure_id"], self.card["rag"].fillna(""), strict=True))

    @property
    def linked(self) -> pd.DataFrame:
        """The actions linked to measures, with each measure's scorecard row."""
        return linked_measures(self.progress, self.card)
