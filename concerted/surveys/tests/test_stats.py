"""Intervals and weights checked against hand-worked values and the libraries."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import weightipy
from statsmodels.stats.proportion import proportion_confint

from concerted.surveys import stats


def test_it_matches_a_hand_worked_wilson_interval():
    # 8 of 10, z = 1.96: centre (p + z²/2n)/(1 + z²/n), half z·sqrt(p(1-p)/n + z²/4n²)/(1 + z²/n)
    p, n, z = 0.8, 10, 1.959963984540054
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low, high = stats.wilson(8, 10)
    assert float(low) == pytest.approx(centre - half, abs=1e-12)
    assert float(high) == pytest.approx(centre + half, abs=1e-12)
    assert (round(float(low), 4), round(float(high), 4)) == (0.4902, 0.9433)


def test_it_matches_statsmodels_for_many_counts():
    counts = np.array([0, 1, 5, 50, 99, 100])
    low, high = stats.wilson(counts, 100)
    ref_low, ref_high = proportion_confint(counts, 100, alpha=0.05, method="wilson")
    np.testing.assert_allclose(low, ref_low, atol=1e-12)
    np.testing.assert_allclose(high, ref_high, atol=1e-12)


def test_national_figure_interval():
    # 95% of 1,588 -> Wilson about 93.8% to 96.0%
    low, high = stats.wilson(round(0.95 * 1588), 1588)
    assert 0.937 < float(low) < 0.940
    assert 0.959 < float(high) < 0.962


def test_it_computes_kish_design_effect_and_effective_n_by_hand():
    w = np.array([1.0, 1.0, 2.0, 4.0])
    # n·Σw²/(Σw)² = 4·22/64 = 1.375; CV² of w (population variance) = 1.375 - 1
    assert stats.kish_deff(w) == pytest.approx(1.375)
    assert stats.kish_deff(w) == pytest.approx(1 + np.var(w) / np.mean(w) ** 2)
    assert stats.effective_n(w) == pytest.approx(4 / 1.375)


def test_it_computes_the_weighted_interval_on_the_logit_scale():
    p, n_eff = 0.3, 50.0
    half = 1.959963984540054 / math.sqrt(n_eff * p * (1 - p))
    logit = math.log(p / (1 - p))
    low, high = stats.logit_interval(p, n_eff)
    assert float(low) == pytest.approx(1 / (1 + math.exp(-(logit - half))))
    assert float(high) == pytest.approx(1 / (1 + math.exp(-(logit + half))))
    assert 0 < float(low) < p < float(high) < 1
    low0, high0 = stats.logit_interval(0.0, 50.0)  # logit undefined: Wilson at n_eff
    assert float(low0) == 0.0 and float(high0) == pytest.approx(float(stats.wilson(0, 50)[1]))


def test_it_post_stratifies_to_a_hand_worked_cross_table():
    # Sample: cell (0,0) x4, (0,1) x2, (1,0) x2, (1,1) x2. Unit: 30, 30, 20, 20.
    codes = np.array([[0, 0]] * 4 + [[0, 1]] * 2 + [[1, 0]] * 2 + [[1, 1]] * 2)
    cells = {(0, 0): 30, (0, 1): 30, (1, 0): 20, (1, 1): 20}
    w = stats.make_weights(codes, cells=cells)
    assert w.method == "post-stratification"
    # weight = (N_c/N)/(n_c/n): 0.3/0.4 = 0.75, 0.3/0.2 = 1.5, 0.2/0.2 = 1.0
    np.testing.assert_allclose(w.weights, [0.75] * 4 + [1.5] * 2 + [1.0] * 4)
    assert w.deff == pytest.approx(10 * np.sum(w.weights**2) / np.sum(w.weights) ** 2)


def test_it_falls_back_to_raking_when_a_cell_is_empty():
    codes = np.array([[0, 0]] * 4 + [[0, 1]] * 3 + [[1, 0]] * 3)
    cells = {(0, 0): 30, (0, 1): 30, (1, 0): 20, (1, 1): 20}
    w = stats.make_weights(codes, cells=cells)
    assert w.method == "raking"


def test_raking_matches_the_pinned_library_and_hits_the_margins():
    rng = np.random.default_rng(7)
    n = 2000
    codes = np.stack([rng.choice(3, n, p=[0.6, 0.3, 0.1]), rng.choice(2, n, p=[0.7, 0.3])], axis=1)
    margins = [{0: 40, 1: 35, 2: 25}, {0: 50, 1: 50}]
    ours = stats.rake(codes, margins)
    frame = pd.DataFrame({"s0": codes[:, 0], "s1": codes[:, 1]})
    scheme = weightipy.scheme_from_dict({"s0": {0: 40.0, 1: 35.0, 2: 25.0}, "s1": {0: 50.0, 1: 50.0}})
    ref = weightipy.weight(frame, scheme).to_numpy()
    np.testing.assert_allclose(ours, ref / ref.mean(), rtol=1e-6)
    # Independent check: the raked shares reproduce the margins.
    for j, margin in enumerate(margins):
        total = sum(margin.values())
        for k, target in margin.items():
            assert ours[codes[:, j] == k].sum() / ours.sum() == pytest.approx(target / total, abs=2e-3)


def test_weights_are_bounded_and_trimmed():
    codes = np.array([[0]] * 95 + [[1]] * 5)
    w = stats.make_weights(codes, margins=[{0: 50, 1: 50}])  # would need weight 10 for group 1
    assert w.weights.mean() == pytest.approx(1.0)
    assert w.weights.max() <= stats.TRIM_HIGH + 1e-9
    assert w.weights.min() >= stats.TRIM_LOW - 1e-9
    trimmed = stats.trim(np.array([0.01, 1, 1, 1, 50]))
    assert trimmed.min() >= 0.3 - 1e-9 and trimmed.max() <= 3 + 1e-9
    assert trimmed.mean() == pytest.approx(1.0)


def test_respondents_who_skip_a_weighting_question_keep_weight_one_before_trimming():
    codes = np.array([[0], [0], [1], [-1]])
    w = stats.post_stratify(codes, {(0,): 50, (1,): 50})
    np.testing.assert_allclose(w, [0.75, 0.75, 1.5, 1.0])
