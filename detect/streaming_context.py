"""Context novelty: how much of the recent shape of a series has never been seen before (causal).

Each value is quantised into one of a few bins of the range seen up to its own row (a row's bin never changes
later). The context of row t is its bin with the bins of the last few rows; its features are the current bin
paired with each earlier bin, with each pair of earlier bins, and the whole context. The score of row t is the
share of its features that no earlier row had: 0 on a familiar pattern, 1 on a shape never seen. A level or
spike the robust z-scores call ordinary can still be new in shape (a plateau at a new height, a broken rhythm).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def quantise_running_range(x: FloatArray, bins: int) -> IntArray:
    """Bin 0..bins-1 of each value within the minimum and maximum of the rows up to it."""
    lo = np.minimum.accumulate(x)
    hi = np.maximum.accumulate(x)
    span = np.maximum(hi - lo, 1e-12)
    return np.asarray(np.clip(np.floor((x - lo) / span * bins), 0, bins - 1), dtype=np.int64)


def _features(q: IntArray, lags: int, base: int) -> IntArray:
    """One integer code per feature and row; codes of different feature kinds never collide."""
    n = q.size
    padded = np.concatenate([np.full(lags, -1, dtype=np.int64), q]) + 1  # 0 marks "before the first row"
    past = [padded[lags - k : lags - k + n] for k in range(1, lags + 1)]
    cur = padded[lags:]
    groups: list[tuple[IntArray, ...]] = [(p, cur) for p in past]
    groups += [(past[i], past[j], cur) for i in range(lags) for j in range(i + 1, lags)]
    groups.append((*past, cur))
    kind_span = base ** (lags + 1)
    cols = []
    for kind, parts in enumerate(groups):
        code = np.zeros(n, dtype=np.int64)
        for part in parts:
            code = code * base + part
        cols.append(code + kind * kind_span)
    return np.stack(cols, axis=1)


def context_feature_count(lags: int) -> int:
    """Features per row: the current bin with each earlier bin, with each pair of them, and the whole context."""
    return lags + lags * (lags - 1) // 2 + 1


def context_novelty(x: FloatArray, bins: int = 16, lags: int = 5) -> FloatArray:
    """Per row, the share of its context features first seen at that row (row 0 scores 1)."""
    if x.size == 0:
        return np.zeros(0)
    base = bins + 1
    n_kinds = context_feature_count(lags)
    if n_kinds * float(base) ** (lags + 1) >= 2.0**62:
        raise ValueError("bins and lags too large for the feature codes")
    feats = _features(quantise_running_range(x, bins), lags, base)
    m = feats.shape[1]
    _, first, inverse = np.unique(feats.ravel(), return_index=True, return_inverse=True)
    first_row = (first // m)[inverse.reshape(-1)].reshape(feats.shape)
    return np.asarray((first_row == np.arange(x.size)[:, None]).mean(axis=1), dtype=float)
