"""The Poisson count cost against a brute-force likelihood and an exhaustive segmentation search."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import ruptures as rpt
from ruptures.costs import NotEnoughPoints
from scipy.stats import poisson

from detect.countcost import CostNegBinomial, CostPoisson, anscombe


def neg2_loglik(y: np.ndarray, bkps: list[int]) -> float:
    """-2 log L of a Poisson segmentation with each segment's rate at its MLE, computed directly."""
    total, start = 0.0, 0
    for end in bkps:
        seg = y[start:end]
        lam = seg.mean()
        total += -2.0 * float(np.sum(poisson.logpmf(seg, lam))) if lam > 0 else 0.0
        start = end
    return total


def all_segmentations(n: int, k: int, min_size: int) -> list[list[int]]:
    out = []
    for cps in itertools.combinations(range(min_size, n - min_size + 1), k):
        bkps = [*cps, n]
        if all(b - a >= min_size for a, b in zip([0, *bkps], bkps, strict=False)):
            out.append(bkps)
    return out


def test_cost_differences_equal_the_likelihood_differences() -> None:
    rng = np.random.default_rng(1)
    y = np.concatenate([rng.poisson(2, 7), rng.poisson(9, 6), [0, 0, 0]]).astype(float)
    cost = CostPoisson().fit(y)
    segs = all_segmentations(len(y), 2, 2)
    ours = np.array([cost.sum_of_costs(b) for b in segs])
    ref = np.array([neg2_loglik(y, b) for b in segs])
    # equal up to one constant (the log y! terms, shared by every segmentation)
    assert np.allclose(ours - ours[0], ref - ref[0], atol=1e-8)


def test_dynp_finds_the_exhaustive_optimum() -> None:
    rng = np.random.default_rng(7)
    y = np.concatenate([rng.poisson(1, 6), rng.poisson(8, 5), rng.poisson(3, 5)]).astype(float)
    best = min(all_segmentations(len(y), 2, 2), key=lambda b: neg2_loglik(y, b))
    found = rpt.Dynp(custom_cost=CostPoisson(), min_size=2, jump=1).fit(y).predict(n_bkps=2)
    assert found == best


def test_zero_segments_and_exposure() -> None:
    cost = CostPoisson().fit(np.zeros(5))
    assert cost.error(0, 5) == 0.0
    with pytest.raises(NotEnoughPoints):
        cost.error(2, 2)
    # with an exposure column, a segment at exactly its expected counts costs 2*(S - S*log 1) = 2*S
    signal = np.column_stack([[4.0, 6.0], [4.0, 6.0]])
    assert CostPoisson().fit(signal).error(0, 2) == pytest.approx(20.0)


def test_binseg_locates_a_count_step_with_jump_one() -> None:
    rng = np.random.default_rng(3)
    y = np.concatenate([rng.poisson(3, 61), rng.poisson(12, 40)]).astype(float)
    bkps = rpt.Binseg(custom_cost=CostPoisson(), min_size=2, jump=1).fit(y).predict(n_bkps=1)
    assert abs(bkps[0] - 61) <= 1 and bkps[-1] == y.size


def test_negative_binomial_splits_overdispersed_noise_less() -> None:
    rng = np.random.default_rng(5)
    y = rng.negative_binomial(2, 2 / (2 + 20), size=200).astype(float)  # mean 20, heavy overdispersion
    pen = 3 * np.log(y.size)
    poisson_bkps = rpt.Binseg(custom_cost=CostPoisson(), min_size=2, jump=1).fit(y).predict(pen=pen)
    nb_bkps = rpt.Binseg(custom_cost=CostNegBinomial(), min_size=2, jump=1).fit(y).predict(pen=pen)
    assert len(nb_bkps) < len(poisson_bkps)
    assert len(nb_bkps) <= 3


def test_anscombe_stabilises_variance() -> None:
    rng = np.random.default_rng(0)
    for lam in (3, 30, 300):
        assert np.std(anscombe(rng.poisson(lam, 20000))) == pytest.approx(1.0, abs=0.06)
