"""Choosing the penalty strength lambda (chapter 06).

    log_grid(lo, hi)                 powers of ten 10^lo, ..., 10^hi (coarse search on a log scale)
    refine_grid(lams, errors, n)     n points evenly spaced in log(lambda) between the best's neighbours
    grid_search(score, lams)         score(lam) for each lam; the best is the smallest score
    search_then_refine(score, lams)  a coarse grid, then a refined one around its best
    validation_curve(fit, lams, ...) training and validation error for each lam
    ridge_fitter(X, y, lam)          fit=... for ridge: returns a predict function
    bias_variance(fit, lam, ...)     over K resampled training sets, at test inputs x with truth f(x):
                                     bias^2   = mean_x (mean_k pred_k(x) - f(x))^2
                                     variance = mean_x (1/K) sum_k (pred_k(x) - mean_k pred_k(x))^2
                                     so that mean_k mean_x (pred_k(x) - f(x))^2 = bias^2 + variance
    over_seeds(fn, seeds)            fn(seed) for each seed -> SeedStats (values, mean, sd, "m ± sd")
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _validate as v
from .metrics import mse
from .solvers import ridge

__all__ = ["log_grid", "refine_grid", "grid_search", "search_then_refine", "validation_curve",
           "ridge_fitter", "bias_variance", "over_seeds", "SeedStats"]


def _int(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    return int(value)


def _grid(lams) -> np.ndarray:
    lams = v.finite_array("lams", lams, ndim=1)
    if len(lams) == 0:
        raise ValueError("lams must not be empty")
    if np.any(lams < 0):
        raise ValueError("lams must be >= 0")
    return lams


def log_grid(lo: int, hi: int) -> np.ndarray:
    """The powers of ten 10^lo, 10^(lo+1), ..., 10^hi, e.g. log_grid(-4, -1) = [1e-4, 1e-3, 1e-2, 1e-1]."""
    lo, hi = _int("lo", lo), _int("hi", hi)
    if hi < lo:
        raise ValueError(f"hi must be >= lo, got lo={lo}, hi={hi}")
    return 10.0 ** np.arange(lo, hi + 1)


def refine_grid(lams, errors, n: int = 9) -> np.ndarray:
    """``n`` values evenly spaced in log(lambda) from the best lambda's left neighbour to its right one.

    The best is the lambda with the smallest error; at an end of the (sorted, positive)
    grid the best itself is used as that end.
    """
    lams = _grid(lams)
    errors = v.finite_array("errors", errors, ndim=1)
    if errors.shape != lams.shape:
        raise ValueError(f"errors must have the shape of lams {lams.shape}, got {errors.shape}")
    n = v.positive_int("n", n)
    if n < 2:
        raise ValueError(f"n must be >= 2, got {n}")
    if np.any(lams <= 0):
        raise ValueError("lams must be > 0 to refine on a log scale")
    order = np.argsort(lams)
    lams, errors = lams[order], errors[order]
    i = int(np.argmin(errors))
    lo, hi = lams[max(i - 1, 0)], lams[min(i + 1, len(lams) - 1)]
    if lo == hi:
        raise ValueError("lams needs at least two distinct values to refine")
    return np.geomspace(lo, hi, n)


def grid_search(score, lams):
    """Return (best lambda, scores): ``scores[i] = score(lams[i])``, best = smallest score (first on ties)."""
    if not callable(score):
        raise TypeError(f"score must be callable, got {type(score).__name__}")
    lams = _grid(lams)
    scores = np.array([float(score(float(lam))) for lam in lams])
    if not np.all(np.isfinite(scores)):
        raise ValueError("score returned NaN or inf for some lambda")
    return float(lams[int(np.argmin(scores))]), scores


def search_then_refine(score, lams, n: int = 9) -> dict:
    """A coarse search over ``lams``, then ``n`` points between the best's neighbours (log scale).

    Returns {"coarse": lams, "coarse_scores", "fine": refined lams, "fine_scores", "best", "best_score"}.
    """
    coarse_best, coarse_scores = grid_search(score, lams)
    fine = refine_grid(lams, coarse_scores, n)
    best, fine_scores = grid_search(score, fine)
    return {"coarse": np.asarray(lams, dtype=float), "coarse_scores": coarse_scores,
            "fine": fine, "fine_scores": fine_scores, "best": best,
            "best_score": float(fine_scores.min()), "coarse_best": coarse_best}


def ridge_fitter(X, y, lam):
    """Fit rc.solvers.ridge(X, y, l2=lam) and return its predict function X -> X w + b."""
    w, b = ridge(X, y, lam)
    return lambda Xn: np.asarray(Xn, dtype=float) @ w + b


def validation_curve(fit, lams, X_train, y_train, X_val, y_val, error=mse):
    """Training and validation error of ``fit(X_train, y_train, lam) -> predict`` for each lambda.

    Returns (train_errors, val_errors), two arrays of len(lams); ``error(y, y_hat)`` is the MSE by default.
    """
    if not callable(fit):
        raise TypeError(f"fit must be callable, got {type(fit).__name__}")
    lams = _grid(lams)
    v.same_rows("X_train", X_train, "y_train", y_train)
    v.same_rows("X_val", X_val, "y_val", y_val)
    train, val = [], []
    for lam in lams:
        predict = fit(X_train, y_train, float(lam))
        train.append(error(y_train, predict(X_train)))
        val.append(error(y_val, predict(X_val)))
    return np.array(train), np.array(val)


def bias_variance(fit, lam, sample_train, X_test, f_test, n_sets: int = 50, seed: int = 0) -> dict:
    """Bias^2 and variance of ``fit(X, y, lam) -> predict`` over ``n_sets`` resampled training sets.

    ``sample_train(rng) -> (X, y)`` draws one training set; ``f_test`` is the noise-free truth at
    ``X_test``. Returns {"bias2", "variance", "error": mean squared distance to the truth
    (= bias2 + variance), "predictions": array (n_sets, len(X_test))}.
    """
    if not callable(fit):
        raise TypeError(f"fit must be callable, got {type(fit).__name__}")
    if not callable(sample_train):
        raise TypeError(f"sample_train must be callable, got {type(sample_train).__name__}")
    lam = v.nonneg("lam", lam)
    n_sets = v.positive_int("n_sets", n_sets)
    if n_sets < 2:
        raise ValueError(f"n_sets must be >= 2, got {n_sets}")
    f_test = v.finite_array("f_test", f_test, ndim=1)
    v.same_rows("X_test", X_test, "f_test", f_test)
    rng = np.random.default_rng(seed)
    preds = np.empty((n_sets, len(f_test)))
    for k in range(n_sets):
        X, y = sample_train(rng)
        preds[k] = np.asarray(fit(X, y, lam)(X_test), dtype=float).reshape(-1)
    mean_pred = preds.mean(axis=0)
    bias2 = float(np.mean((mean_pred - f_test) ** 2))
    variance = float(np.mean(preds.var(axis=0)))
    error = float(np.mean((preds - f_test) ** 2))
    return {"bias2": bias2, "variance": variance, "error": error, "predictions": preds}


@dataclass
class SeedStats:
    """Results of one experiment over several seeds: the values, their mean and sample sd (ddof=1)."""
    values: np.ndarray
    mean: float
    sd: float

    def __str__(self):
        return f"{self.mean:.4g} ± {self.sd:.2g} (n={len(self.values)})"


def over_seeds(fn, seeds=range(5)) -> SeedStats:
    """Run ``fn(seed)`` (-> a number) for each seed; return its values, mean and sd (ddof=1)."""
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    seeds = list(seeds)
    if len(seeds) < 2:
        raise ValueError(f"seeds must hold at least 2 seeds, got {len(seeds)}")
    values = np.array([float(fn(s)) for s in seeds])
    if not np.all(np.isfinite(values)):
        raise ValueError("fn returned NaN or inf for some seed")
    return SeedStats(values, float(values.mean()), float(values.std(ddof=1)))

