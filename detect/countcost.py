"""Segment costs for counts, on ruptures' BaseCost (ruptures ships none: its issue #262).

A signal is either one column of counts, or two columns ``(counts, exposure)`` where the exposure is the
expected count under the null (e.g. total calls x baseline share), so that seasonality and traffic swings
are carried by the exposure and a segment only estimates a rate multiplier.

Every cost is O(1) per segment from cumulative sums, so Binseg/Pelt/Dynp stay fast.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from ruptures.base import BaseCost
from ruptures.costs import NotEnoughPoints
from scipy.special import gammaln

FloatArray = NDArray[np.float64]


def _as_counts_exposure(signal: Any) -> tuple[FloatArray, FloatArray]:
    arr = np.asarray(signal, dtype=float)
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    counts = np.clip(arr[:, 0], 0.0, None)
    exposure = arr[:, 1] if arr.shape[1] > 1 else np.ones(arr.shape[0])
    return counts, np.clip(exposure, 1e-12, None)


def _cumsum0(values: FloatArray) -> FloatArray:
    out = np.zeros(values.size + 1)
    np.cumsum(values, out=out[1:])
    return out


def xlogy_ratio(s: float, e: float) -> float:
    """s * log(s / e) with the limit 0 at s = 0."""
    return 0.0 if s <= 0.0 else s * float(np.log(s / e))


class CostPoisson(BaseCost):  # type: ignore[misc]
    """Poisson deviance of a segment with one rate: 2*S - 2*S*log(S/E) (E = segment length without exposure).

    Equals twice the negative maximised log-likelihood up to terms that do not depend on the segmentation,
    so sums over segments compare like ruptures' own costs.
    """

    model = "poisson"
    min_size = 1

    def __init__(self) -> None:
        self.signal = np.zeros((0, 2))
        self._s = np.zeros(1)
        self._e = np.zeros(1)

    def fit(self, signal: Any) -> CostPoisson:
        counts, exposure = _as_counts_exposure(signal)
        self.signal = np.column_stack([counts, exposure])  # ruptures reads .signal for n_samples
        self._s, self._e = _cumsum0(counts), _cumsum0(exposure)
        return self

    def _sums(self, start: int, end: int) -> tuple[float, float]:
        """Counts and exposure of a segment, O(1) from the cumulative sums."""
        if end - start < self.min_size:
            raise NotEnoughPoints
        return float(self._s[end] - self._s[start]), float(self._e[end] - self._e[start])

    def error(self, start: int, end: int) -> float:
        s, e = self._sums(start, end)
        return 2.0 * s - 2.0 * xlogy_ratio(s, e)


class CostNegBinomial(CostPoisson):
    """Negative-binomial segment cost with a fixed overdispersion ``alpha`` (Var = mu + alpha*mu^2).

    The segment rate multiplier is the Poisson MLE S/E (exact for a common multiplier when the exposure is
    flat, a close approximation otherwise); the likelihood then charges bursts far less than Poisson does,
    so overdispersed counts split into fewer spurious segments. ``alpha=None`` estimates it from the signal
    by the method of moments on first differences.
    """

    model = "negbin"
    min_size = 2

    def __init__(self, alpha: float | None = None) -> None:
        super().__init__()
        self.alpha = alpha
        self._counts = np.zeros(0)
        self._exposure = np.zeros(0)
        self._fitted_alpha = 0.0

    def fit(self, signal: Any) -> CostNegBinomial:
        super().fit(signal)
        self._counts, self._exposure = self.signal[:, 0], self.signal[:, 1]
        a = self.alpha
        self._fitted_alpha = a if a is not None else estimate_dispersion(self._counts, self._exposure)
        return self

    def error(self, start: int, end: int) -> float:
        a = self._fitted_alpha
        if a <= 1e-9:
            return super().error(start, end)
        s, e = self._sums(start, end)
        mu = self._exposure[start:end] * (s / e)
        y = self._counts[start:end]
        r = 1.0 / a
        # log-likelihood without the y! term (constant across segmentations)
        ll = gammaln(y + r) - gammaln(r) + r * np.log(r / (r + mu)) + y * np.log(np.where(mu > 0, mu / (r + mu), 1.0))
        return float(-2.0 * np.sum(ll))


def estimate_dispersion(counts: FloatArray, exposure: FloatArray) -> float:
    """Method-of-moments NB alpha from lag-1 differences (robust to level shifts)."""
    if counts.size < 4:
        return 0.0
    rate = counts / exposure
    diffs = np.diff(counts - exposure * np.median(rate))
    mu = float(np.mean(counts))
    if mu <= 0:
        return 0.0
    var = float(np.median(np.abs(diffs)) / 0.6745) ** 2 / 2.0
    return max(0.0, (var - mu) / (mu * mu))


def anscombe(counts: Any) -> FloatArray:
    """Variance-stabilising transform for Poisson counts (variance ~1 whatever the mean)."""
    values: FloatArray = np.clip(np.asarray(counts, dtype=float), 0.0, None)
    return np.asarray(2.0 * np.sqrt(values + 3.0 / 8.0), dtype=float)
