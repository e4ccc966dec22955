"""The answer to "norm or exception?" for each figure (DESIGN.md, Statistics)."""

from __future__ import annotations

from enum import IntEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bench.stats._checks import scalar
from bench.stats.funnels import Significance


class Classification(IntEnum):
    """Codes of `classify` (plain ints in its result array).

    Better / worse when the indicator has a polarity; higher / lower when it has none.
    """

    NORM = 0
    POSSIBLE_EXCEPTION_BETTER = 1
    EXCEPTION_BETTER = 2
    POSSIBLE_EXCEPTION_WORSE = -1
    EXCEPTION_WORSE = -2
    POSSIBLE_EXCEPTION_HIGHER = 11
    EXCEPTION_HIGHER = 12
    POSSIBLE_EXCEPTION_LOWER = -11
    EXCEPTION_LOWER = -12
    #: The figure is missing, or could not be compared.
    NOT_CLASSIFIED = 99


#: Robust z beyond which a figure is a possible exception, and an exception.
POSSIBLE_Z, EXCEPTION_Z = 2.0, 3.0


def classify(
    polarity: ArrayLike,
    *,
    significance: ArrayLike | None = None,
    robust_z: ArrayLike | None = None,
) -> NDArray[np.int_]:
    """Classify each figure as the norm, a possible exception or an exception.

    Parameters
    ----------
    polarity : int or array_like of int
        +1 when higher is better, -1 when lower is better, 0 when neither; broadcast
        with the figures (one per indicator, say).
    significance : array_like of int, optional
        Codes from `compare_to_benchmark` (figures with counts).
    robust_z : array_like, optional
        Scores from `robust_z` (figures without counts). Give exactly one of the two.

    Returns
    -------
    numpy.ndarray of int
        `Classification` codes (a scalar for scalar inputs): ``NORM`` within the 95% limits (or
        ``|z| <= 2``); ``EXCEPTION_*`` beyond the 99.8% limits (or ``|z| > 3``);
        ``POSSIBLE_EXCEPTION_*`` between them; ``*_BETTER`` / ``*_WORSE`` by the polarity,
        ``*_HIGHER`` / ``*_LOWER`` when the polarity is 0; ``NOT_CLASSIFIED`` where the code is
        ``NOT_COMPARED`` or the score is NaN.

    Notes
    -----
    The rule is DESIGN.md's: it reads the 95% and 99.8% funnel limits (two and three
    "sigma" in Spiegelhalter's terms) and their robust-z counterparts the same way.

    References
    ----------
    .. [1] Spiegelhalter, D. J. (2005) Funnel plots for comparing institutional
       performance. Statistics in Medicine 24, 1185-1202.
    """
    if (significance is None) == (robust_z is None):
        raise ValueError("give exactly one of significance and robust_z")
    if significance is not None:
        codes = np.asarray(significance)
        if not np.isin(codes, [member.value for member in Significance]).all():
            raise ValueError("significance must hold compare_to_benchmark's codes")
        missing = codes == Significance.NOT_COMPARED
        signed = np.where(missing, 0, codes)
    else:
        scores = np.asarray(robust_z, dtype=float)
        missing = np.isnan(scores)
        size = np.abs(scores)
        level = np.where(size > EXCEPTION_Z, 2, np.where(size > POSSIBLE_Z, 1, 0))
        signed = np.where(missing, 0, level * np.sign(np.nan_to_num(scores))).astype(int)
    direction = np.asarray(polarity)
    if not np.isin(direction, (-1, 0, 1)).all():
        raise ValueError("polarity must be +1 (higher is better), -1 (lower is better) or 0")
    result = np.where(direction == 0, signed + 10 * np.sign(signed), signed * direction)
    return scalar(np.where(missing, Classification.NOT_CLASSIFIED, result).astype(int))
