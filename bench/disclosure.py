"""Who may see what: the anonymity rules of DESIGN.md applied before anything is shown.

Every figure about peers passes through here before a view, an API response or an export
serialises it. The rules themselves are plain functions over sets and numbers, so each
can be tested on its own.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from flask import current_app

from bench import stats

SMALL_COUNT_MAX = 4  # a peer's counts from 1 to this are shown as "<5"


def min_peers() -> int:
    """k: the fewest peers a group statistic may come from (never below 3)."""
    return max(3, int(current_app.config["ANONYMITY_MIN_PEERS"]))


def group_statistic_allowed(peer_count: int, k: int | None = None) -> bool:
    """Rule 3: a group statistic needs k contributing peers, the viewer not counted."""
    return peer_count >= (min_peers() if k is None else k)


# --- rule 4: small numbers ----------------------------------------------------------------


def peer_count_text(count: float | None, small: int = SMALL_COUNT_MAX) -> str:
    """A peer's count as it may be shown: 1 to 4 become "<5" (0 is not small)."""
    if count is None or (isinstance(count, float) and math.isnan(count)):
        return "–"
    if 0 < count <= small:
        return f"<{small + 1}"
    return f"{count:,.0f}"


def is_small(count: float | None, small: int = SMALL_COUNT_MAX) -> bool:
    return count is not None and not math.isnan(count) and 0 < count <= small


def rounded_denominator(denominator: float | None) -> float | None:
    """A peer's denominator to two significant figures: enough for a funnel plot, not a
    fingerprint (an exact population identifies a council)."""
    if denominator is None or math.isnan(denominator) or denominator <= 0:
        return denominator
    digits = 2 - int(math.floor(math.log10(abs(denominator)))) - 1
    return float(round(denominator, digits))


# --- rule 10: counts of peers carry cell-key noise -----------------------------------------


def _cell_key_secret() -> bytes:
    """A secret for the cell keys, derived from the app's secret key (never shown)."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, b"bench cell-key noise", hashlib.sha256).digest()


def perturbed_peer_count(count: int, members: Iterable[int]) -> int:
    """A count of peers ("n of your m peers are lower") with the ONS cell-key noise, keyed by
    the set of authorities counted: the same set always gives the same figure, and two sets
    that differ by one authority do not give its answer away. At most 2 either way."""
    key = stats.cell_key(members, _cell_key_secret())
    return int(stats.perturb_count(count, key))


# --- rule 9: overlap control between peer groups -------------------------------------------


@dataclass(frozen=True)
class CandidateGroup:
    """A group one authority's users can see; ``peers`` excludes the authority itself."""

    key: str
    label: str
    peers: frozenset[int]


@dataclass(frozen=True)
class Admission:
    group: CandidateGroup
    admitted: bool
    conflicts_with: CandidateGroup | None = None
    differing: int = 0  # how many members set the two groups apart (for the explanation)


def conflict_size(first: frozenset[int], second: frozenset[int], k: int) -> int:
    """The members one group has and the other lacks, when that number is 1 to k - 1.

    Comparing two such groups would give away those few members' figures. Returns 0 when
    the two groups do not conflict.
    """
    for difference in (len(first - second), len(second - first)):
        if 1 <= difference <= k - 1:
            return difference
    return 0


def admit(groups: Sequence[CandidateGroup], k: int) -> list[Admission]:
    """Admit *groups* in the order given, each only if it conflicts with none before it.

    The order is DESIGN.md's: newest published nearest neighbours, computed neighbours,
    same type, same region, all, older published versions, then custom groups by age. A
    group of fewer than k peers shows no statistic at all: it is not admitted, and so
    blocks nothing.
    """
    admitted: list[CandidateGroup] = []
    out: list[Admission] = []
    for group in groups:
        if len(group.peers) < k:
            # Too small to show any statistic, so comparing it with others reveals nothing.
            out.append(Admission(group, False))
            continue
        clash = next(
            (
                (other, size)
                for other in admitted
                if (size := conflict_size(group.peers, other.peers, k))
            ),
            None,
        )
        if clash is None:
            admitted.append(group)
            out.append(Admission(group, True))
        else:
            out.append(Admission(group, False, clash[0], clash[1]))
    return out


def first_conflict(
    candidate: frozenset[int], existing: Iterable[CandidateGroup], k: int
) -> Admission | None:
    """Why a new custom group would not be admitted (it is refused when saved), or None."""
    for other in existing:
        size = conflict_size(candidate, other.peers, k)
        if size:
            return Admission(CandidateGroup("new", "new group", candidate), False, other, size)
    return None


# --- rule 10: precision, suppressed counts and denominators in bands ------------------------


class HasDecimals(Protocol):
    decimals: int  # the indicator's published decimal places


def shown(value: float | None, indicator: HasDecimals) -> float | None:
    """A figure about peers (a peer's value, a group's pooled value, median or quartile) as
    it may leave the service: to the indicator's published decimal places, never finer.

    A full-precision value gives its exact fraction back (and so, beside a rounded
    denominator, the exact denominator); a full-precision pooled value gives back a
    suppressed count. The viewer's own figures are exact and do not come through here.
    """
    if value is None:
        return None
    figure = float(value)
    if not math.isfinite(figure):
        return None
    return round(figure, indicator.decimals) + 0.0  # + 0.0: no "-0.0"


def shown_interval(
    interval: tuple[float, float] | None, indicator: HasDecimals
) -> tuple[float, float] | None:
    """An interval about peers, each end as :func:`shown` gives it."""
    if interval is None:
        return None
    lower, upper = (shown(end, indicator) for end in interval)
    return None if lower is None or upper is None else (lower, upper)


def significant(value: float | None, figures: int = 2) -> float | None:
    """*value* to a few significant figures (a group's over-dispersion, which has no
    published decimal places of its own)."""
    if value is None or not math.isfinite(value) or value == 0:
        return value
    return float(f"{value:.{figures}g}")


def small_counts(numerator: Any, small: int = SMALL_COUNT_MAX) -> Any:
    """Where counts are 1 to 4 (shown as "<5"), element-wise over a numpy array (NaN is
    not small): the cells a group figure must leave out, or the pooled value (or median)
    would give the count back."""
    return (numerator > 0) & (numerator <= small)


NICE_STEPS = (1, 2, 5)  # band edges: ..., 100, 200, 500, 1,000, 2,000, 5,000, ...


def _nice(step: int) -> float:
    return NICE_STEPS[step % 3] * 10.0 ** (step // 3)


def _nice_step(denominator: float) -> int:
    """The step of the largest nice number at or below *denominator*."""
    step = 3 * math.floor(math.log10(denominator))
    while _nice(step + 1) <= denominator:
        step += 1
    while _nice(step) > denominator:
        step -= 1
    return step


@dataclass(frozen=True)
class DenominatorBand:
    """From *low* up to (not including) *high*: where a peer's denominator lies."""

    low: float
    high: float

    @property
    def middle(self) -> float:
        """Where a funnel plot draws the peers of this band: its geometric middle, as the
        denominator axis is logarithmic."""
        return math.sqrt(self.low * self.high)


def denominator_bands(denominators: Sequence[float | None], k: int) -> list[DenominatorBand | None]:
    """Each peer's denominator band (in the order given), such that every band holds at
    least *k* of these peers; None for a peer with no denominator, and for every peer when
    fewer than *k* have one (then no denominator is shown at all).

    Band edges are fixed nice numbers (1, 2, 5 times a power of ten), never a peer's own
    figure: ascending, neighbouring steps merge until a band holds k peers, and a last
    band short of k joins the one below it. A public population (people aged 65 and over,
    adults) rounded to two significant figures still tells councils apart; a band of k
    peers of the view does not.
    """
    steps = [
        _nice_step(d) if d is not None and math.isfinite(d) and d > 0 else None
        for d in denominators
    ]
    present = sorted(step for step in steps if step is not None)
    if len(present) < k:
        return [None] * len(denominators)
    # Close a band (first step, last step) once it holds k peers, at a step boundary.
    bands: list[list[int]] = []
    held = 0
    for index, step in enumerate(present):
        if held == 0:
            bands.append([step, step])
        bands[-1][1] = step
        held += 1
        boundary = index + 1 == len(present) or present[index + 1] != step
        if held >= k and boundary:
            held = 0
    if held and len(bands) > 1:  # the last band is short of k: it joins the one below
        short = bands.pop()
        bands[-1][1] = short[1]
    ranges = [DenominatorBand(_nice(first), _nice(last + 1)) for first, last in bands]
    by_step: dict[int, DenominatorBand] = {}
    for (first, last), band in zip(bands, ranges, strict=True):
        for step in range(first, last + 1):
            by_step[step] = band
    return [None if step is None else by_step[step] for step in steps]
