"""Issue 20's goals, and the line each benchmark prints for one: the figure measured, the goal
and their ratio (at most 1.00 meets it; above 1 is how far there is to go)."""

from __future__ import annotations

# the engine: 1,000,000 measure-period rows in at most 1.5 s and 1 GB peak (benchmarks/scorecard.py)
ENGINE_SECONDS_PER_MILLION_ROWS = 1.5
ENGINE_MB_PER_MILLION_ROWS = 1024.0
# SPC: 10,000 series of 48 points, xmr then summarise, in at most 0.3 s (benchmarks/spc.py)
SPC_SECONDS_PER_480_000_POINTS = 0.3
# the quarter pack: at least 4 x the naive papermill-then-nbconvert loop (moonshot 5 x), each
# report within 1.3 x the floor (kernel start and imports) (benchmarks/quarter_pack.py)
PACK_SPEED_UP = 4.0
PACK_SPEED_UP_MOONSHOT = 5.0
PACK_TIMES_FLOOR = 1.3


def goal_line(
    what: str,
    measured: float,
    goal: float,
    unit: str,
    *,
    higher_is_better=False,
    informational: str = "",
) -> str:
    """``what: <measured> <unit> against a goal of <goal> <unit>: ratio r (meets | r x to go)``;
    the ratio is measured / goal, or goal / measured where higher is better. A figure held up
    to a goal that is not its own (``informational`` says whose it is) is an ``info`` line:
    within or over it, never "to go"."""
    ratio = goal / measured if higher_is_better else measured / goal
    verdict = "meets it" if ratio <= 1.0 else f"{ratio:.1f} x to go"
    if informational:
        verdict = f"{'within' if ratio <= 1.0 else 'over'} it; {informational}"
    bound = "at least" if higher_is_better else "at most"
    return (
        f"{'info' if informational else 'goal'}  {what}: {measured:,.2f} {unit} against {bound} "
        f"{goal:,.2f} {unit}: ratio {ratio:.2f} ({verdict})"
    )
