import itertools

import numpy as np

from detect.changepoint import OfflineOptions, binseg_path, offline_changepoints


def test_flat_noise_has_no_changepoints() -> None:
    rng = np.random.default_rng(1)
    assert offline_changepoints(rng.normal(size=300) + 0.5) == []


def test_mean_shifts_are_found_at_the_first_index_of_the_new_regime() -> None:
    rng = np.random.default_rng(2)
    y = np.concatenate([rng.normal(0, 1, 120), rng.normal(4, 1, 80), rng.normal(-1, 1, 100)])
    cps = offline_changepoints(y)
    assert len(cps) == 2
    assert abs(cps[0] - 120) <= 2 and abs(cps[1] - 200) <= 2


def test_binseg_path_is_nested_and_costs_decrease() -> None:
    rng = np.random.default_rng(3)
    y = np.concatenate([rng.normal(0, 1, 50), rng.normal(3, 1, 50)]).reshape(-1, 1)
    path, costs = binseg_path(y, max_changes=4, min_size=2)
    assert path[0] == [] and len(path) == 5
    assert all(set(a) <= set(b) for a, b in itertools.pairwise(path))
    assert all(c1 <= c0 + 1e-9 for c0, c1 in itertools.pairwise(costs))


def test_max_changes_caps_the_segmentation() -> None:
    y = np.repeat(np.tile([-0.5, 9.5], 5), 30)
    assert offline_changepoints(y) == list(range(30, 300, 30))
    assert len(offline_changepoints(y, opts=OfflineOptions(max_changes=3))) <= 3


def test_multivariate_series_share_changepoints() -> None:
    rng = np.random.default_rng(4)
    y = rng.normal(size=(200, 3))
    y[100:] += 2.0
    assert [abs(c - 100) <= 2 for c in offline_changepoints(y)] == [True]
