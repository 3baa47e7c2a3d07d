"""The numbers: intervals, weights, design effect. Pure numpy; no Django.

- Unweighted proportions: Wilson score interval (statsmodels), never Wald.
- Weights: post-stratification to the full known cross-table when it is known and
  every populated cell has respondents; otherwise raking (iterative proportional
  fitting, weightipy) to the known margins. Weights are then bounded and trimmed to
  [TRIM_LOW, TRIM_HIGH] times their mean and renormalized to mean 1.
- Kish design effect deff = 1 + CV² = n·Σw²/(Σw)²; effective n = n / deff.
- Weighted proportions: the interval is computed on the logit scale with the effective
  n, p ± z·sqrt(p(1-p)/n_eff) mapped through logit and back, so it stays in (0, 1).
  At p = 0 or 1 the logit is undefined and the Wilson interval at n_eff is used."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.special import expit
from statsmodels.stats.proportion import proportion_confint

Z95 = 1.959963984540054
TRIM_LOW = 0.3
TRIM_HIGH = 3.0


def wilson(count: np.ndarray | int | float, nobs: np.ndarray | int | float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson 95% interval for count/nobs (arrays welcome). nobs = 0 gives (nan, nan)."""
    count = np.asarray(count, dtype=float)
    nobs = np.asarray(nobs, dtype=float)
    safe = np.where(nobs > 0, nobs, 1.0)
    low, high = proportion_confint(np.minimum(count, safe), safe, alpha=0.05, method="wilson")
    low = np.where(nobs > 0, low, np.nan)
    high = np.where(nobs > 0, high, np.nan)
    return np.clip(low, 0.0, 1.0), np.clip(high, 0.0, 1.0)


def kish_deff(weights: np.ndarray) -> float:
    w = np.asarray(weights, dtype=float)
    if w.size == 0 or w.sum() <= 0:
        return 1.0
    return float(w.size * np.sum(w**2) / np.sum(w) ** 2)


def effective_n(weights: np.ndarray) -> float:
    w = np.asarray(weights, dtype=float)
    return float(w.size / kish_deff(w)) if w.size else 0.0


def logit_interval(p: np.ndarray | float, n_eff: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """95% interval for a weighted proportion on the logit scale, using the effective n."""
    p = np.asarray(p, dtype=float)
    n_eff = np.broadcast_to(np.asarray(n_eff, dtype=float), p.shape)
    inner = (p > 0) & (p < 1) & (n_eff > 0)
    pp = np.where(inner, p, 0.5)
    nn = np.where(n_eff > 0, n_eff, 1.0)
    half = Z95 / np.sqrt(nn * pp * (1 - pp))
    centre = np.log(pp / (1 - pp))
    low = expit(centre - half)
    high = expit(centre + half)
    w_low, w_high = wilson(np.round(p * nn), nn)
    low = np.where(inner, low, w_low)
    high = np.where(inner, high, w_high)
    bad = n_eff <= 0
    return np.where(bad, np.nan, low), np.where(bad, np.nan, high)


def trim(weights: np.ndarray, low: float = TRIM_LOW, high: float = TRIM_HIGH, rounds: int = 100) -> np.ndarray:
    """Bound weights to [low, high] × mean, renormalizing to mean 1 until they stay inside."""
    w = np.asarray(weights, dtype=float).copy()
    if w.size == 0:
        return w
    w = w / w.mean()
    for _ in range(rounds):
        clipped = np.clip(w, low, high)
        clipped = clipped / clipped.mean()
        if np.allclose(clipped, w, rtol=0, atol=1e-12):
            break
        w = clipped
    return w


@dataclass
class Weights:
    weights: np.ndarray  # one per respondent, mean 1
    method: str  # "none", "post-stratification", "raking"
    note: str = ""
    # (column, category) of each group of the make-up that had no respondents, so
    # could not be weighted up and was left out (the others rescaled to their own total)
    dropped: list[tuple[int, int]] = field(default_factory=list)

    @property
    def deff(self) -> float:
        return kish_deff(self.weights)

    @property
    def n_eff(self) -> float:
        return effective_n(self.weights)


def post_stratify(codes: np.ndarray, cells: Mapping[tuple[int, ...], float]) -> np.ndarray | None:
    """Weights making each cell of the full cross-table match its known size.

    codes: (n, m) segment answers, -1 for "not given". Respondents who left any
    weighting question blank keep weight 1 and the rest share their own total.
    Returns None when a populated cell has no respondent (can't post-stratify)."""
    n = codes.shape[0]
    complete = np.all(codes >= 0, axis=1)
    weights = np.ones(n)
    if not complete.any():
        return weights
    keys = [tuple(int(x) for x in row) for row in codes[complete]]
    total_known = float(sum(cells.values()))
    if total_known <= 0:
        return None
    observed: dict[tuple[int, ...], int] = {}
    for key in keys:
        observed[key] = observed.get(key, 0) + 1
    if any(size > 0 and observed.get(key, 0) == 0 for key, size in cells.items()):
        return None
    if any(key not in cells for key in observed):
        return None
    n_complete = complete.sum()
    factor = {key: (cells[key] / total_known) / (count / n_complete) for key, count in observed.items()}
    weights[complete] = np.array([factor[key] for key in keys])
    return weights


def _rim_scheme(
    codes: np.ndarray, margins: Sequence[Mapping[int, float]]
) -> tuple[dict[str, dict[int, float]], np.ndarray, list[tuple[int, int]]]:
    """The raking targets (in percent) of the groups that have respondents, which
    respondents are raked, and the groups of the make-up left out for having none."""
    complete = np.all(codes >= 0, axis=1)
    scheme: dict[str, dict[int, float]] = {}
    dropped: list[tuple[int, int]] = []
    for j, margin in enumerate(margins):
        present = set(np.unique(codes[complete, j]).tolist())
        # A category with no respondents can't be weighted up; drop it and rescale.
        dropped += [(j, int(k)) for k, v in margin.items() if v > 0 and int(k) not in present]
        kept = {int(k): float(v) for k, v in margin.items() if int(k) in present and v > 0}
        kept_total = sum(kept.values())
        if kept_total <= 0:
            continue
        scheme[f"s{j}"] = {k: v * 100.0 / kept_total for k, v in kept.items()}
        # Someone in a category the make-up doesn't list keeps weight 1.
        complete &= np.isin(codes[:, j], list(kept))
    return scheme, complete, sorted(dropped)


def dropped_groups(codes: np.ndarray, margins: Sequence[Mapping[int, float]]) -> list[tuple[int, int]]:
    """(column, category) of each group of the margins that raking leaves out: it has
    people in the unit and no respondent to weight up."""
    return _rim_scheme(codes, margins)[2]


def rake(codes: np.ndarray, margins: Sequence[Mapping[int, float]]) -> np.ndarray:
    """Raking (weightipy's RIM) of the complete cases to known margins, one per column."""
    import pandas as pd
    import weightipy

    n = codes.shape[0]
    weights = np.ones(n)
    scheme, complete, _dropped = _rim_scheme(codes, margins)
    if not scheme or complete.sum() == 0:
        return weights
    frame = pd.DataFrame({name: codes[complete, int(name[1:])] for name in scheme})
    rim = weightipy.scheme_from_dict(scheme, name="w", rim_params={"cap": 0})
    with contextlib.redirect_stdout(io.StringIO()):  # the library prints convergence chatter
        raked = weightipy.weight(frame, rim).to_numpy(dtype=float)
    weights[complete] = raked / raked.mean()
    return weights


def make_weights(
    codes: np.ndarray,
    *,
    cells: Mapping[tuple[int, ...], float] | None = None,
    margins: Sequence[Mapping[int, float]] | None = None,
) -> Weights:
    n = codes.shape[0]
    if n == 0 or codes.shape[1] == 0:
        return Weights(np.ones(n), "none")
    if cells:
        w = post_stratify(codes, cells)
        if w is not None:
            return Weights(trim(w), "post-stratification")
        # Fall back to raking on the margins the cross-table implies.
        margins = []
        for j in range(codes.shape[1]):
            margin: dict[int, float] = {}
            for key, size in cells.items():
                margin[key[j]] = margin.get(key[j], 0.0) + size
            margins.append(margin)
        return Weights(
            trim(rake(codes, margins)), "raking", "a known cell had no respondents", dropped_groups(codes, margins)
        )
    if margins and any(margins):
        return Weights(trim(rake(codes, margins)), "raking", dropped=dropped_groups(codes, margins))
    return Weights(np.ones(n), "none")
