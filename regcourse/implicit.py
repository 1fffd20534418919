"""Regularization without a penalty term (chapter 11): spectral filters, input noise, dropout, priors.

Least squares with the course's mean loss L(w) = (1/m)||y - Xw||^2 on centred X, y. With
S = X^T X / m = V diag(s) V^T and w_hat = S^+ X^T y / m (the minimum-norm least-squares fit),
both gradient descent and ridge act on w_hat one eigen-direction at a time:

    t gradient steps of size lr from w = 0:   w_t  = V diag(g) V^T w_hat,  g = 1 - (1 - 2 lr s)^t
    ridge, L(w) + l2 ||w||^2:                 w_l2 = V diag(r) V^T w_hat,  r = s / (s + l2)
    matched strength (equal slopes at s = 0): l2 = 1 / (2 lr t)

In expectation over the noise, for a linear model y_hat = w.x + b:

    Gaussian input noise N(0, sn2 I):  E[noisy loss]   = L(w, b) + sn2 * ||w||^2            (Bishop 1995)
    inverted dropout of rate p:        E[dropout loss] = L(w, b) + sum_j l2_j * w_j^2,
                                       l2_j = p / (1 - p) * mean_i x_ij^2             (Wager et al. 2013)

MAP estimates with y = Xw + N(0, sigma2) noise, m examples:
    prior w_j ~ N(0, tau2):    the course's l2 = sigma2 / (m * tau2)   (sum-loss lam = sigma2 / tau2)
    prior w_j ~ Laplace(0, b): the course's l1 = 2 * sigma2 / (m * b)
"""

from __future__ import annotations

import numbers

import numpy as np

from . import _validate as v

__all__ = [
    "early_stopping_filter",
    "ridge_filter",
    "equivalent_l2",
    "gd_path",
    "dropout_strengths",
    "dropout_ridge",
    "map_l2",
    "map_l1",
]


def _eigenvalues(s) -> np.ndarray:
    s = v.finite_array("s", s)
    if np.any(s < 0):
        raise ValueError(f"s (eigenvalues of X^T X / m) must be >= 0, got {s.min()!r}")
    return s


def _steps(steps, minimum: int) -> np.ndarray:
    """Whole numbers >= minimum (one or an array), as an int64 array."""
    if isinstance(steps, (str, bytes)) or steps is None:
        raise TypeError(f"steps must be a whole number or an array of them, got {steps!r}")
    arr = np.asarray(steps)
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer) or arr.dtype == object):
        raise TypeError(f"steps must be whole numbers (a step count), got {steps!r} of dtype {arr.dtype}")
    if arr.dtype == object:
        flat = arr.reshape(-1).tolist()
        if not all(isinstance(k, numbers.Integral) and not isinstance(k, bool) for k in flat):
            raise TypeError(f"steps must be whole numbers (a step count), got {steps!r}")
        arr = np.array(flat, dtype=np.int64).reshape(arr.shape)
    arr = arr.astype(np.int64)
    if np.any(arr < minimum):
        raise ValueError(f"steps must be >= {minimum}, got {arr.min()}")
    return arr


def early_stopping_filter(s, lr, steps) -> np.ndarray:
    """The fraction of w_hat that t gradient steps from w = 0 recover along eigenvalue s: 1 - (1 - 2 lr s)^t.

    ``s``: eigenvalues of X^T X / m (>= 0), ``lr``: the step size, ``steps``: t (whole numbers >= 0);
    ``s`` and ``steps`` broadcast as numpy arrays do. For 2 lr s <= 1 the filter rises monotonically
    from 0 to 1; for 1 < 2 lr s < 2 it overshoots 1 at odd t while converging; beyond, it diverges.
    """
    s = _eigenvalues(s)
    lr = v.positive("lr", lr)
    t = _steps(steps, 0)
    return 1.0 - (1.0 - 2.0 * lr * s) ** t


def ridge_filter(s, l2) -> np.ndarray:
    """Ridge's fraction of w_hat along eigenvalue s of X^T X / m: s / (s + l2) (0 where s = l2 = 0).

    ``l2`` is the course's strength (mean loss + l2 ||w||^2), one number or an array that
    broadcasts with ``s``.
    """
    s = _eigenvalues(s)
    l2 = v.finite_array("l2", l2)
    if np.any(l2 < 0):
        raise ValueError(f"l2 must be >= 0, got {l2.min()!r}")
    denom = s + l2
    return np.where(denom > 0, s / np.where(denom > 0, denom, 1.0), 0.0)


def equivalent_l2(lr, steps) -> np.ndarray | float:
    """The ridge strength whose filter matches t gradient steps at small s: l2 = 1 / (2 lr t).

    Both filters are linear near s = 0, 2 lr t s and s / l2; equal slopes give this l2. Then
    s/(s + l2) <= 1 - (1 - 2 lr s)^t wherever 2 lr s <= 1 (ridge shrinks at least as much).
    """
    lr = v.positive("lr", lr)
    t = _steps(steps, 1)
    out = 1.0 / (2.0 * lr * t)
    return float(out) if out.ndim == 0 else out


def gd_path(X, y, lr, steps) -> np.ndarray:
    """Weights after t full-batch gradient steps on (1/m)||y - Xw||^2 from w = 0, for each t in ``steps``.

    Returns shape (len(steps), p), computed in the eigenbasis of S = X^T X / m (no loop over t):
    w_t = V diag(1 - (1 - 2 lr s)^t) V^T w_hat, w_hat the minimum-norm least-squares fit (directions
    with s ~ 0 stay at 0, as gradient descent from 0 leaves them). There is no intercept: centre X
    and y first (with centred columns the intercept's own step converges to mean(y) separately).
    """
    X, y = v.regression_data(X, y)
    lr = v.positive("lr", lr)
    t = _steps(steps, 0).reshape(-1)
    m = len(y)
    s, V = np.linalg.eigh(X.T @ X / m)
    s = np.clip(s, 0.0, None)
    c = V.T @ (X.T @ y / m)
    keep = s > 1e-12 * max(float(s.max(initial=0.0)), np.finfo(float).tiny)
    coef = np.where(keep, c / np.where(keep, s, 1.0), 0.0)  # w_hat in the eigenbasis
    g = 1.0 - (1.0 - 2.0 * lr * s[None, :]) ** t[:, None]
    return (g * coef) @ V.T


def _rate(p) -> float:
    p = v.nonneg("p", p)
    if p >= 1:
        raise ValueError(f"p (the drop probability) must lie in [0, 1), got {p!r}")
    return p


def dropout_strengths(X, p) -> np.ndarray:
    """Per-weight L2 strengths of inverted input dropout of rate p: l2_j = p / (1 - p) * mean_i X_ij^2.

    Inverted dropout keeps x_j / (1 - p) with probability 1 - p (else 0): mean x_j, variance
    x_j^2 p / (1 - p); so for a linear model the expected squared error gains sum_j l2_j w_j^2.
    """
    X = v.finite_array("X", X, ndim=2)
    p = _rate(p)
    return p / (1.0 - p) * np.mean(X**2, axis=0)


def dropout_ridge(X, y, p, fit_intercept=True):
    """(w, b) minimising the expected inverted-dropout loss of a linear model (dropout on X, not on b).

    Minimises (1/m)||y - Xw - b||^2 + sum_j l2_j w_j^2 with l2_j = dropout_strengths(X, p) (raw,
    uncentred second moments of X's columns): w = (Xc^T Xc / m + diag(l2))^-1 Xc^T yc / m and
    b = mean(y) - mean(X).w, with Xc, yc centred (or w = (X^T X / m + diag(l2))^-1 X^T y / m, b = 0).
    """
    X, y = v.regression_data(X, y)
    l2 = dropout_strengths(X, p)
    x_mean, y_mean = v.intercept_means(X, y, fit_intercept)
    Xc, yc, m = X - x_mean, y - y_mean, len(y)
    A = Xc.T @ Xc / m + np.diag(l2)
    w = np.linalg.lstsq(A, Xc.T @ yc / m, rcond=None)[0]
    return w, float(y_mean - x_mean @ w)


def map_l2(sigma2, tau2, m) -> float:
    """The course's l2 whose ridge fit is the MAP estimate under w_j ~ N(0, tau2), noise N(0, sigma2).

    -log posterior = ||y - Xw||^2 / (2 sigma2) + ||w||^2 / (2 tau2) + const; times 2 sigma2 / m it is
    (1/m)||y - Xw||^2 + sigma2 / (m tau2) ||w||^2. (In the sum-loss convention: lam = sigma2 / tau2.)
    """
    return v.nonneg("sigma2", sigma2) / (v.positive_int("m", m) * v.positive("tau2", tau2))


def map_l1(sigma2, b, m) -> float:
    """The course's l1 whose lasso fit is the MAP estimate under w_j ~ Laplace(0, b), noise N(0, sigma2).

    The Laplace density exp(-|w|/b) / (2b) (variance 2 b^2) gives -log posterior
    ||y - Xw||^2 / (2 sigma2) + ||w||_1 / b + const; times 2 sigma2 / m: l1 = 2 sigma2 / (m b).
    """
    return 2.0 * v.nonneg("sigma2", sigma2) / (v.positive_int("m", m) * v.positive("b", b))
