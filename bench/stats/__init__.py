"""bench's statistics: pure functions over whole numpy arrays.

No Flask, no database, no other part of bench (import-linter enforces this), so the
methods can be read, tested and reused on their own.
"""

from bench.stats.distribution import Quartiles, quantile_bands, quartiles

__all__ = ["Quartiles", "quantile_bands", "quartiles"]
