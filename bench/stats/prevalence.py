"""How common a known issue is among an authority's peers (DESIGN.md, Statistics)."""

from __future__ import annotations

from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike

from bench.stats._checks import critical_value, scalar
from bench.stats.intervals import checked_counts, wilson_limits
from bench.stats.results import Prevalence

#: Shares of answering peers from which an issue is the norm, and common.
NORM_FROM, COMMON_FROM = 0.5, 0.2


class PrevalenceLabel(StrEnum):
    """The words DESIGN.md gives a prevalence."""

    NORM = "the norm"
    COMMON = "common"
    UNCOMMON = "uncommon"
    ONLY_YOU = "only you"
    #: No peer answered, and the viewer does not report the issue either.
    NO_ANSWERS = "no answers"


def prevalence(
    reporting: ArrayLike,
    answering: ArrayLike,
    confidence: float = 0.95,
    *,
    viewer_reports: ArrayLike = False,
) -> Prevalence:
    """Share of answering peers that report an issue, its Wilson interval and its word.

    Parameters
    ----------
    reporting : array_like of int
        Peers that report the issue (flagged it open or improving, say).
    answering : array_like of int
        Peers that answered at all, whether or not they report it. Silence is not "no",
        so peers that never answered count in neither.
    confidence : float, optional
        Two-sided level of the interval; 0.95 by default.
    viewer_reports : bool or array_like of bool, optional
        Whether the viewer's own authority reports the issue. Both counts are of peers
        only: the viewer never counts in them (as it never counts towards k).

    Returns
    -------
    Prevalence
        ``(proportion, lower, upper, label)``, element-wise over the broadcast inputs.
        The label is `PrevalenceLabel`'s value: "only you" when the viewer reports the
        issue and no peer does; otherwise "the norm" from 50%, "common" from 20%,
        "uncommon" below, and "no answers" when no peer answered. NaN figures where no
        peer answered; NaN with an `InvalidValueWarning` where ``reporting > answering``
        or a count is negative.

    Notes
    -----
    The interval is `wilson_interval`'s. DESIGN.md asks for the count and interval to be
    shown beside the word. Counts of peers shown to users carry cell-key noise
    (`perturb_count`, DESIGN.md Anonymity 10): perturb them before calling this, so that
    the word and the figures agree with what is shown.

    References
    ----------
    .. [1] Wilson, E. B. (1927) Probable inference, the law of succession, and statistical
       inference. Journal of the American Statistical Association 22, 209-212.
    """
    z = critical_value(confidence)
    x, n = checked_counts(reporting, answering, proportion=True)
    lower, upper = wilson_limits(x, n, z)
    with np.errstate(divide="ignore", invalid="ignore"):
        proportion = np.where(n > 0, x / n, np.nan)
    only_you = np.asarray(viewer_reports, dtype=bool) & (x == 0)
    label = np.select(
        [only_you, proportion >= NORM_FROM, proportion >= COMMON_FROM, proportion >= 0],
        [
            PrevalenceLabel.ONLY_YOU,
            PrevalenceLabel.NORM,
            PrevalenceLabel.COMMON,
            PrevalenceLabel.UNCOMMON,
        ],
        default=PrevalenceLabel.NO_ANSWERS,
    )
    return Prevalence(scalar(proportion), scalar(lower), scalar(upper), scalar(label.astype(str)))
