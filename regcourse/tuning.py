"""Choosing the penalty strength lambda (chapter 06).

log_grid(lo, hi)                 powers of ten 10^lo, ..., 10^hi (coarse search on a log scale)
refine_grid(lams, errors, n)     n points evenly spaced in log(lambda) between the best's neighbours
grid_search(score, lams)         score(lam) for each lam; the best is the smallest score
                                 (vectorized=True: score(lams) scores the whole grid at once)
search_then_refine(score, lams)  a coarse grid, then a refined one around its best
validation_curve(fit, lams, ...) training and validation error for each lam
ridge_fitter(X, y, lam)          fit=... for ridge: returns a predict function
ridge_path(X, y, lams)           ridge for a whole grid from one SVD of the centred X = U S V^T:
                                 w(lam) = V diag(s / (s^2 + m*lam)) U^T yc,  b = mean(y) - mean(X) w
ridge_path_fitter(X, y, lams)    fit=... for a grid: predict returns shape (len(lams), n)
bias_variance(fit, lam, ...)     over K resampled training sets, at test inputs x with truth f(x):
                                 bias^2   = mean_x (mean_k pred_k(x) - f(x))^2
                                 variance = mean_x (1/K) sum_k (pred_k(x) - mean_k pred_k(x))^2
                                 so that mean_k mean_x (pred_k(x) - f(x))^2 = bias^2 + variance
                                 (an identity of the sample); per_set, error_se for Monte Carlo errors
kfold_indices(n, k, seed)        k folds of range(n) (shuffled with seed; contiguous when seed is None):
                                 [(train_idx, test_idx)], fold sizes n//k + 1 for the first n % k
cv_curve(fit, X, y, lams, k)     k-fold cross-validation: scores[f, j] = error on fold f of the fit on
                                 the other folds at lams[j]; mean, sd over folds, se = sd/sqrt(k)
ridge_loo(X, y, lams)            ridge leave-one-out in closed form, e_i / (1 - h_ii), and GCV:
                                 mean(e^2) / (1 - tr(H)/m)^2, H = 11^T/m + Xc (Xc^T Xc + m*lam I)^-1 Xc^T
standardized(fit)                fit on inputs standardized with the *training* rows' mean and sd
over_seeds(fn, seeds)            fn(seed) for each seed -> SeedStats (values, mean, sd, "m ± sd")
(paired comparisons over seeds: ``regcourse.stats.paired``)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _validate as v
from .metrics import mse
from .solvers import ridge

__all__ = [
    "log_grid",
    "refine_grid",
    "grid_search",
    "search_then_refine",
    "validation_curve",
    "ridge_fitter",
    "ridge_path",
    "ridge_path_fitter",
    "bias_variance",
    "over_seeds",
    "SeedStats",
    "kfold_indices",
    "cv_curve",
    "ridge_loo",
    "standardized",
]


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


def grid_search(score, lams, vectorized: bool = False):
    """Return (best lambda, scores): ``scores[i] = score(lams[i])``, best = smallest score (first on ties).

    With ``vectorized=True``, ``score`` takes the whole grid (an array) and returns one score
    per lambda (e.g. a validation error computed for every lambda from one SVD).
    """
    if not callable(score):
        raise TypeError(f"score must be callable, got {type(score).__name__}")
    if not isinstance(vectorized, (bool, np.bool_)):
        raise TypeError(f"vectorized must be True or False, got {vectorized!r}")
    lams = _grid(lams)
    if vectorized:
        scores = np.asarray(score(lams.copy()), dtype=float).reshape(-1)
        if scores.shape != lams.shape:
            raise ValueError(f"score(lams) must return {len(lams)} scores, got shape {scores.shape}")
    else:
        scores = np.array([float(score(float(lam))) for lam in lams])
    if not np.all(np.isfinite(scores)):
        raise ValueError("score returned NaN or inf for some lambda")
    return float(lams[int(np.argmin(scores))]), scores


def search_then_refine(score, lams, n: int = 9, vectorized: bool = False) -> dict:
    """A coarse search over ``lams``, then ``n`` points between the best's neighbours (log scale).

    Returns {"coarse": lams, "coarse_scores", "fine": refined lams, "fine_scores", "best",
    "best_score", "coarse_best"}; ``vectorized`` as in :func:`grid_search`.
    """
    coarse_best, coarse_scores = grid_search(score, lams, vectorized)
    fine = refine_grid(lams, coarse_scores, n)
    best, fine_scores = grid_search(score, fine, vectorized)
    return {
        "coarse": np.asarray(lams, dtype=float),
        "coarse_scores": coarse_scores,
        "fine": fine,
        "fine_scores": fine_scores,
        "best": best,
        "best_score": float(fine_scores.min()),
        "coarse_best": coarse_best,
    }


def ridge_fitter(X, y, lam):
    """Fit rc.solvers.ridge(X, y, l2=lam) and return its predict function X -> X w + b."""
    w, b = ridge(X, y, lam)
    return lambda Xn: np.asarray(Xn, dtype=float) @ w + b


def ridge_path(X, y, lams, fit_intercept: bool = True):
    """Ridge on a whole grid of lambdas at once: (W, b) with W[j], b[j] = rc.solvers.ridge(X, y, lams[j]).

    Minimises (1/m)||y - Xw - b||^2 + lam ||w||^2 for every lam. With Xc, yc the centred data
    and Xc = U diag(s) V^T its thin SVD, w(lam) = V diag(s / (s^2 + m lam)) U^T yc and
    b = mean(y) - mean(X) . w; at lam = 0 directions with s = 0 get 0 (the minimum-norm
    least-squares fit). Returns W of shape (len(lams), p) and b of shape (len(lams),).
    """
    lams = _grid(lams)
    X, y = v.regression_data(X, y)
    x_mean, y_mean = v.intercept_means(X, y, fit_intercept)
    m = len(y)
    U, s, Vt = np.linalg.svd(X - x_mean, full_matrices=False)
    keep = s > s.max(initial=0.0) * max(X.shape) * np.finfo(float).eps
    s, U, Vt = s[keep], U[:, keep], Vt[keep]
    shrink = s / (s**2 + m * lams[:, None])  # (L, r)
    W = (shrink * (U.T @ (y - y_mean))) @ Vt  # (L, p)
    return W, y_mean - W @ x_mean


def ridge_path_fitter(X, y, lams):
    """Fit ``ridge_path(X, y, lams)``; predict: Xn -> array (len(lams), len(Xn)), rows Xn w(lam) + b(lam)."""
    W, b = ridge_path(X, y, lams)
    return lambda Xn: (v.finite_array("X", Xn, ndim=2) @ W.T + b).T


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

    ``sample_train(rng) -> (X, y)`` draws one training set from ``numpy.random.default_rng(seed)``;
    ``f_test`` is the noise-free truth at ``X_test``. With pred_k the fit on set k,

        bias2    = mean_x (mean_k pred_k(x) - f(x))^2
        variance = mean_x mean_k (pred_k(x) - mean_k pred_k(x))^2        (ddof = 0)
        per_set  = mean_x (pred_k(x) - f(x))^2,  one value per set k
        error    = mean_k per_set = bias2 + variance      (an identity of the sample)
        error_se = sd_k(per_set) / sqrt(n_sets)           (Monte Carlo standard error of error)

    ``lam`` is a number, or a 1-D grid: then ``fit(X, y, lams)`` predicts the whole grid at once
    (shape (len(lams), n_test), e.g. ``ridge_path_fitter``), every lambda sees the same
    training sets, and bias2, variance, error, error_se are arrays over the grid, per_set has
    shape (n_sets, len(lams)) and predictions (n_sets, len(lams), n_test); for a number,
    predictions has shape (n_sets, n_test).
    """
    if not callable(fit):
        raise TypeError(f"fit must be callable, got {type(fit).__name__}")
    if not callable(sample_train):
        raise TypeError(f"sample_train must be callable, got {type(sample_train).__name__}")
    grid = np.ndim(lam) > 0
    lam = _grid(lam) if grid else v.nonneg("lam", lam)
    n_sets = v.positive_int("n_sets", n_sets)
    if n_sets < 2:
        raise ValueError(f"n_sets must be >= 2, got {n_sets}")
    f_test = v.finite_array("f_test", f_test, ndim=1)
    v.same_rows("X_test", X_test, "f_test", f_test)
    shape = (len(lam), len(f_test)) if grid else (len(f_test),)
    rng = np.random.default_rng(seed)
    preds = np.empty((n_sets, *shape))
    for k in range(n_sets):
        X, y = sample_train(rng)
        pred = np.asarray(fit(X, y, lam)(X_test), dtype=float)
        if pred.size != np.prod(shape):
            raise ValueError(f"fit(X, y, lam) must predict shape {shape} at X_test, got {pred.shape}")
        preds[k] = pred.reshape(shape)
    mean_pred = preds.mean(axis=0)
    bias2 = np.mean((mean_pred - f_test) ** 2, axis=-1)
    variance = np.mean(preds.var(axis=0), axis=-1)
    per_set = np.mean((preds - f_test) ** 2, axis=-1)
    error = per_set.mean(axis=0)
    error_se = per_set.std(axis=0, ddof=1) / np.sqrt(n_sets)
    if not grid:
        bias2, variance, error, error_se = map(float, (bias2, variance, error, error_se))
    return {
        "bias2": bias2,
        "variance": variance,
        "error": error,
        "error_se": error_se,
        "per_set": per_set,
        "predictions": preds,
    }


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


def kfold_indices(n: int, k: int = 5, seed=None) -> list:
    """Split range(n) into k folds; return [(train_idx, test_idx)] for each fold in turn.

    The rows are permuted with ``numpy.random.default_rng(seed)`` (kept in order when ``seed``
    is None), then cut into k contiguous folds of sizes n//k + 1 (the first n % k folds) and
    n//k, as scikit-learn's ``KFold`` does; each row is in exactly one test fold.
    """
    n, k = _int("n", n), _int("k", k)
    if n < 2:
        raise ValueError(f"n must be >= 2, got {n}")
    if not 2 <= k <= n:
        raise ValueError(f"k must lie between 2 and n={n}, got {k}")
    if seed is not None:
        seed = _int("seed", seed)
    order = np.arange(n) if seed is None else np.random.default_rng(seed).permutation(n)
    sizes = np.full(k, n // k)
    sizes[: n % k] += 1
    ends = np.cumsum(sizes)
    folds = []
    for start, end in zip(ends - sizes, ends):
        test = order[start:end]
        folds.append((np.concatenate([order[:start], order[end:]]), test))
    return folds


def cv_curve(fit, X, y, lams, k: int = 5, seed=None, folds=None, error=mse, vectorized: bool = False) -> dict:
    """k-fold cross-validation error of ``fit(X_train, y_train, lam) -> predict`` for each lambda.

        scores[f, j] = error(y[test_f], fit(X[train_f], y[train_f], lams[j])(X[test_f]))
        mean[j] = (1/k) sum_f scores[f, j]        (the mean of the fold errors, as
                                                   scikit-learn's cross_val_score averages)
        sd[j]   = sd over the k folds (ddof=1),   se[j] = sd[j] / sqrt(k)

    ``folds``: a list of (train_idx, test_idx) (default ``kfold_indices(len(y), k, seed)``).
    ``vectorized=True``: ``fit(X, y, lams)`` fits the whole grid and its predict returns shape
    (len(lams), n) (e.g. ``ridge_path_fitter``). Returns {"lams", "scores", "mean", "sd", "se",
    "best": the lambda of the smallest mean, "folds"}. The fold errors are not independent
    (the training parts overlap), so se understates the uncertainty of mean.
    """
    if not callable(fit):
        raise TypeError(f"fit must be callable, got {type(fit).__name__}")
    if not callable(error):
        raise TypeError(f"error must be callable, got {type(error).__name__}")
    if not isinstance(vectorized, (bool, np.bool_)):
        raise TypeError(f"vectorized must be True or False, got {vectorized!r}")
    lams = _grid(lams)
    X = v.finite_array("X", X, ndim=2)
    y = v.finite_array("y", y, ndim=1)
    v.same_rows("X", X, "y", y)
    if folds is None:
        folds = kfold_indices(len(y), k, seed)
    else:
        folds = list(folds)
        if len(folds) < 2:
            raise ValueError(f"folds must hold at least 2 (train_idx, test_idx) pairs, got {len(folds)}")
        for f, pair in enumerate(folds):
            if len(pair) != 2:
                raise ValueError(f"folds[{f}] must be a pair (train_idx, test_idx)")
            for idx in pair:
                idx = np.asarray(idx)
                if (
                    idx.ndim != 1
                    or len(idx) == 0
                    or not np.issubdtype(idx.dtype, np.integer)
                    or idx.min() < 0
                    or idx.max() >= len(y)
                ):
                    raise ValueError(f"folds[{f}] must hold non-empty integer indices into the {len(y)} rows")
    scores = np.empty((len(folds), len(lams)))
    for f, (tr, te) in enumerate(folds):
        if vectorized:
            pred = np.asarray(fit(X[tr], y[tr], lams.copy())(X[te]), dtype=float)
            if pred.shape != (len(lams), len(te)):
                raise ValueError(
                    f"fit(X, y, lams)(X_test) must have shape {(len(lams), len(te))}, got {pred.shape}"
                )
            scores[f] = (
                np.mean((pred - y[te]) ** 2, axis=1) if error is mse else [error(y[te], p) for p in pred]
            )
        else:
            scores[f] = [error(y[te], fit(X[tr], y[tr], float(lam))(X[te])) for lam in lams]
    if not np.all(np.isfinite(scores)):
        raise ValueError("the fold errors contain NaN or inf")
    mean, sd = scores.mean(axis=0), scores.std(axis=0, ddof=1)
    return {
        "lams": lams,
        "scores": scores,
        "mean": mean,
        "sd": sd,
        "se": sd / np.sqrt(len(folds)),
        "best": float(lams[int(np.argmin(mean))]),
        "folds": folds,
    }


def ridge_loo(X, y, lams) -> dict:
    """Ridge leave-one-out and GCV errors in closed form, for every lambda, from one SVD.

    The ridge fit with an unpenalized intercept is linear in y: y_hat = H y, with
    H = 11^T/m + Xc (Xc^T Xc + m lam I)^(-1) Xc^T = 11^T/m + U diag(s^2/(s^2 + m lam)) U^T
    (Xc = U diag(s) V^T, the centred inputs). Deleting row i and refitting changes its residual
    e_i = y_i - y_hat_i into e_i / (1 - h_ii) (Sherman-Morrison), so

        loo[j] = (1/m) sum_i (e_i / (1 - h_ii))^2,      gcv[j] = mean(e^2) / (1 - tr(H)/m)^2

    (GCV replaces each h_ii by their mean). Exact for refits that keep the sum-convention
    strength alpha = m lam (scikit-learn's Ridge(alpha), RidgeCV's leave-one-out): a refit on
    the m - 1 other rows in the course's mean convention needs l2 = m lam / (m - 1).
    Returns {"lams", "loo", "gcv", "df": tr(H) (intercept included), "loo_residuals" (L, m)}.
    """
    lams = _grid(lams)
    X = v.finite_array("X", X, ndim=2)
    y = v.finite_array("y", y, ndim=1)
    v.same_rows("X", X, "y", y)
    m = len(y)
    if m < 3:
        raise ValueError(f"X and y must have at least 3 rows, got {m}")
    U, s, _ = np.linalg.svd(X - X.mean(axis=0), full_matrices=False)
    keep = s > s.max(initial=0.0) * max(X.shape) * np.finfo(float).eps
    U, s = U[:, keep], s[keep]
    yc = y - y.mean()
    shrink = s**2 / (s**2 + m * lams[:, None])  # (L, r)
    resid = yc - (shrink * (U.T @ yc)) @ U.T  # e = y - H y, (L, m)
    h = 1.0 / m + shrink @ (U**2).T  # diag(H), (L, m)
    if np.any(1.0 - h < 1e-10):
        j = int(np.argmax(np.any(1.0 - h < 1e-10, axis=1)))
        raise ValueError(
            f"leave-one-out is undefined at lams[{j}]={lams[j]:g}: some h_ii = 1 "
            "(the fit interpolates that row); use a larger lambda"
        )
    loo_resid = resid / (1.0 - h)
    df = 1.0 + shrink.sum(axis=1)
    return {
        "lams": lams,
        "loo": np.mean(loo_resid**2, axis=1),
        "gcv": np.mean(resid**2, axis=1) / (1.0 - df / m) ** 2,
        "df": df,
        "loo_residuals": loo_resid,
    }


def standardized(fit):
    """Wrap ``fit(X, y, lam) -> predict`` so that it standardizes its inputs with the *training* rows.

    The returned fit computes mean_j and sd_j of each column of the X it is given (the training
    fold only), fits on (X - mean) / sd, and its predict applies the same mean and sd to new
    rows: the fold's validation rows never influence the scaling (no leak). Columns with sd 0
    keep sd 1. Works for grid fitters too (``fit(X, y, lams)``).
    """
    if not callable(fit):
        raise TypeError(f"fit must be callable, got {type(fit).__name__}")

    def fit_standardized(X, y, lam):
        X = v.finite_array("X", X, ndim=2)
        mean, sd = X.mean(axis=0), X.std(axis=0)
        sd = np.where(sd > 0, sd, 1.0)
        predict = fit((X - mean) / sd, y, lam)
        return lambda Xn: predict((v.finite_array("X", Xn, ndim=2) - mean) / sd)

    return fit_standardized
