"""Result types and warnings shared by bench's statistics.

Results are named tuples that unpack as the issue asked (``lower, upper = f(...)``) and
also record how they were made: the extra attributes (``method``, ``confidence`` ...) are
attributes of the result, not members of the tuple, as scipy does with the results of
``scipy.stats.theilslopes``. Tuple equality and unpacking see only the tuple's fields.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any, ClassVar, NamedTuple


class StatsWarning(UserWarning):
    """Something in the figures makes a result questionable; the result says how."""


class TooFewValuesWarning(StatsWarning):
    """Too few values to compute a statistic (its result is NaN) or to trust it."""


class InvalidValueWarning(StatsWarning):
    """Impossible inputs (a negative count, a numerator above its denominator) became NaN."""


class NoSpreadWarning(StatsWarning):
    """The values have no spread (a zero MAD), so a scaled score cannot be formed."""


def warn(message: str, category: type[StatsWarning]) -> None:
    """Warn, pointing at the first caller outside bench.stats (the line to look at)."""
    frame, level = sys._getframe(1), 2
    while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith(
        "bench.stats"
    ):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


def _rebuild(cls: type, fields: tuple, extras: dict[str, Any]) -> Any:
    return cls(*fields, **extras)


class _Described:
    """Mix-in for a NamedTuple result that carries attributes beyond its fields.

    Subclasses list the extra attribute names in ``_extras``; every one must be given, by
    keyword, when the result is made.
    """

    _extras: ClassVar[tuple[str, ...]] = ()
    _fields: ClassVar[tuple[str, ...]]

    def __new__(cls, *fields: Any, **extras: Any):
        if set(extras) != set(cls._extras):
            raise TypeError(f"{cls.__name__} needs exactly these keywords: {cls._extras}")
        result = super().__new__(cls, *fields)  # type: ignore[call-arg]
        result.__dict__.update(extras)
        return result

    def __reduce__(self):
        return (_rebuild, (type(self), tuple(self), dict(self.__dict__)))  # type: ignore[arg-type]

    def _replace(self, **changes: Any):
        values = {**self._asdict(), **self.__dict__, **changes}  # type: ignore[attr-defined]
        fields = [values.pop(name) for name in self._fields]
        return type(self)(*fields, **values)

    def __repr__(self) -> str:
        names = self._fields + self._extras
        parts = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{type(self).__name__}({parts})"


class _Limits(NamedTuple):
    lower: Any
    upper: Any


class Interval(_Described, _Limits):
    """Lower and upper limits; unpacks as ``lower, upper``.

    Attributes
    ----------
    lower, upper : float or numpy.ndarray
        The limits (the tuple's two fields); NaN where they cannot be computed.
    value : float or numpy.ndarray
        The point estimate the limits surround (for control limits, the target).
    method : str
        How the limits were made, in words, e.g. ``"Wilson score"``.
    confidence : float
        The two-sided confidence level, e.g. 0.95.
    """

    _extras = ("value", "method", "confidence")
    value: Any
    method: str
    confidence: float


class FunnelLimits(Interval):
    """Funnel control limits, possibly adjusted for over-dispersion; unpacks as ``lower, upper``.

    Attributes
    ----------
    adjustment : str
        ``"none"`` when the group is not over-dispersed (the plain limits), otherwise
        ``"multiplicative"`` or ``"additive"``.
    dispersion : Dispersion
        The over-dispersion estimate that led to the choice.
    """

    _extras = Interval._extras + ("adjustment", "dispersion")
    adjustment: str
    dispersion: Any


class _TrendFields(NamedTuple):
    slope: Any
    p_value: Any


class Trend(_Described, _TrendFields):
    """Theil-Sen slope and Mann-Kendall p-value per series; unpacks as ``slope, p_value``.

    Attributes
    ----------
    slope : float or numpy.ndarray
        Theil-Sen slope: change in value per unit of period.
    p_value : float or numpy.ndarray
        Two-sided p-value of Kendall's tau (Mann-Kendall test, normal approximation).
    tau : float or numpy.ndarray
        Kendall's tau-b between period and value.
    intercept : float or numpy.ndarray
        Value of the Theil-Sen line at period 0: median(value) - slope * median(period).
    count : int or numpy.ndarray
        How many periods of the series have a value.
    """

    _extras = ("tau", "intercept", "count")
    tau: Any
    intercept: Any
    count: Any


class Dispersion(NamedTuple):
    """How much a group's figures vary beyond chance (Spiegelhalter 2005).

    Attributes
    ----------
    phi : float
        Over-dispersion factor: the mean square of the winsorised z-scores (1 = chance).
    tau2 : float
        Between-area variance on the z-scores' scale (DerSimonian-Laird), 0 when none.
    threshold : float
        ``1 + 2 * sqrt(2 / count)``: ``phi`` above it counts as over-dispersed.
    count : int
        How many areas contributed.
    overdispersed : bool
        Whether ``phi > threshold``.
    """

    phi: float
    tau2: float
    threshold: float
    count: int
    overdispersed: bool


class Prevalence(NamedTuple):
    """How common an issue is among the peers who answered.

    Attributes
    ----------
    proportion : float or numpy.ndarray
        Reporting peers / answering peers; NaN when no peer answered.
    lower, upper : float or numpy.ndarray
        The Wilson score interval of the proportion.
    label : str or numpy.ndarray of str
        One of `bench.stats.PrevalenceLabel`'s values.
    """

    proportion: Any
    lower: Any
    upper: Any
    label: Any
