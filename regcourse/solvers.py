"""Exact solvers for penalized least squares (chapters 02-07).

All minimise, over w and an unpenalized intercept b,

    (1/n) * ||y - X w - b||^2  +  l1 * ||w||_1  +  l2 * ||w||^2

ridge:        l1 = 0, closed form  w = (Xc^T Xc + n*l2*I)^(-1) Xc^T yc  (Xc, yc centred);
              with l2 = 0 the minimum-norm least-squares solution (pseudo-inverse).
lasso:        l2 = 0, coordinate descent with soft-thresholding (exact zeros).
elastic_net:  both, coordinate descent.

scikit-learn's constants: Ridge(alpha = n*l2), Lasso(alpha = l1/2),
ElasticNet(alpha = l1/2 + l2, l1_ratio = (l1/2) / (l1/2 + l2)); see regcourse.conventions.
"""
from __future__ import annotations

import numpy as np

from . import _validate as v

__all__ = ["ridge", "lasso", "elastic_net", "objective"]


def _prepare(X, y, fit_intercept):
    X = v.finite_array("X", X, ndim=2)
    y = v.finite_array("y", y, ndim=1)
    v.same_rows("X", X, "y", y)
    if len(y) == 0:
        raise ValueError("X and y must have at least one row")
    if fit_intercept:
        x_mean, y_mean = X.mean(axis=0), y.mean()
    else:
        x_mean, y_mean = np.zeros(X.shape[1]), 0.0
    return X - x_mean, y - y_mean, x_mean, y_mean


def objective(X, y, w, b=0.0, l1=0.0, l2=0.0) -> float:
    """(1/n)||y - Xw - b||^2 + l1*||w||_1 + l2*||w||^2."""
    X = v.finite_array("X", X, ndim=2)
    y = v.finite_array("y", y, ndim=1)
    w = v.finite_array("w", w, ndim=1)
    v.same_rows("X", X, "y", y)
    if w.shape != (X.shape[1],):
        raise ValueError(f"w must have shape ({X.shape[1]},), one entry per column of X, got {w.shape}")
    r = y - X @ w - v.real("b", b)
    return float(r @ r / len(y) + v.nonneg("l1", l1) * np.abs(w).sum() + v.nonneg("l2", l2) * w @ w)


def ridge(X, y, l2, fit_intercept=True):
    """Return (w, b) minimising (1/n)||y - Xw - b||^2 + l2*||w||^2, in closed form."""
    l2 = v.nonneg("l2", l2)
    Xc, yc, x_mean, y_mean = _prepare(X, y, fit_intercept)
    n, p = Xc.shape
    if l2 == 0:
        w = np.linalg.lstsq(Xc, yc, rcond=None)[0]
    elif p <= n:
        w = np.linalg.solve(Xc.T @ Xc + n * l2 * np.eye(p), Xc.T @ yc)
    else:  # wide data: the n x n system is cheaper (push-through identity)
        w = Xc.T @ np.linalg.solve(Xc @ Xc.T + n * l2 * np.eye(n), yc)
    return w, float(y_mean - x_mean @ w)


def elastic_net(X, y, l1, l2, fit_intercept=True, tol=1e-12, max_sweeps=100_000, w0=None):
    """Return (w, b) minimising (1/n)||y - Xw - b||^2 + l1*||w||_1 + l2*||w||^2.

    Cyclic coordinate descent on the Gram matrix G = Xc^T Xc / n, c = Xc^T yc / n:
        w_j <- soft_threshold(2*(c_j - G_j.w + G_jj*w_j), l1) / (2*G_jj + 2*l2)
    until no coefficient moves by more than ``tol * max_j |w_j|`` in a sweep (relative, so
    the result is equally precise whatever the units of X and y). ``w0`` warm-starts (for paths).
    """
    l1, l2 = v.nonneg("l1", l1), v.nonneg("l2", l2)
    tol = v.positive("tol", tol)
    max_sweeps = v.positive_int("max_sweeps", max_sweeps)
    Xc, yc, x_mean, y_mean = _prepare(X, y, fit_intercept)
    n, p = Xc.shape
    G = Xc.T @ Xc / n
    c = Xc.T @ yc / n
    w = np.zeros(p) if w0 is None else v.finite_array("w0", w0, ndim=1).copy()
    if w.shape != (p,):
        raise ValueError(f"w0 must have shape ({p},), got {w.shape}")
    diag = np.diag(G)
    denom = 2.0 * diag + 2.0 * l2
    rows = list(G)  # G is symmetric: row j is column j, and contiguous
    c_, diag_, denom_ = c.tolist(), diag.tolist(), denom.tolist()
    full, sweeps, biggest, scale = True, 0, 0.0, 0.0
    # Sweeps alternate between all coordinates and, until they settle, only the non-zero ones
    # (the active set); the answer is accepted only after a full sweep that moves nothing.
    # Every few active sweeps, the exact minimiser on the current support and signs is tried
    # (a linear solve), which ends the slow linear convergence of badly conditioned problems.
    while sweeps < max_sweeps:
        sweeps += 1
        if not full and sweeps % 10 == 0:
            w = _support_refit(G, c, w, l1, l2)
        Gw = G @ w  # recomputed each sweep: incremental updates alone drift by rounding
        biggest = 0.0
        for j in (range(p) if full else np.flatnonzero(w).tolist()):
            if denom_[j] == 0.0:  # a constant column with no L2: any value fits; keep 0
                new = 0.0
            else:
                wj = float(w[j])
                rho = 2.0 * (c_[j] - float(Gw[j]) + diag_[j] * wj)
                new = (rho - l1 if rho > l1 else rho + l1 if rho < -l1 else 0.0) / denom_[j]
            delta = new - float(w[j])
            if delta != 0.0:
                Gw += delta * rows[j]
                w[j] = new
                biggest = max(biggest, abs(delta))
        scale = float(np.abs(w).max()) if p else 0.0
        settled = biggest <= tol * scale
        if settled and full:
            break
        if settled:  # active set settled: polish on it, then check every coordinate again
            w = _support_refit(G, c, w, l1, l2)
        full = settled
    else:
        raise RuntimeError(f"coordinate descent did not converge in {max_sweeps} sweeps "
                           f"(last change {biggest:.2e} > tol * max|w| = {tol * scale:.2e})")
    return w, float(y_mean - x_mean @ w)


def _quadratic_objective(G, c, w, l1, l2):
    """The objective minus its constant: w.G.w - 2 c.w + l1*|w|_1 + l2*|w|^2."""
    return float(w @ G @ w - 2.0 * c @ w + l1 * np.abs(w).sum() + l2 * w @ w)


def _support_refit(G, c, w, l1, l2):
    """Active-set polish: minimise exactly over the support A and signs s of w.

    The minimiser on that face solves (G_AA + l2 I) w_A = c_A - l1*s/2. If it keeps the
    signs, jump there; if not, move towards it up to the first coefficient that reaches 0,
    drop that one and repeat. Each move lowers the objective; a move that does not (a
    singular G_AA) is refused. Returns the improved w (or w itself).
    """
    f_w = _quadratic_objective(G, c, w, l1, l2)
    for _ in range(w.size):
        A = np.flatnonzero(w)
        if A.size == 0:
            return w
        s = np.sign(w[A])
        try:
            wA = np.linalg.solve(G[np.ix_(A, A)] + l2 * np.eye(A.size), c[A] - 0.5 * l1 * s)
        except np.linalg.LinAlgError:
            return w
        if not np.all(np.isfinite(wA)):
            return w
        flips = np.sign(wA) != s
        t = 1.0
        if flips.any():  # fraction of the way at which each flipping coefficient hits 0
            t = float(np.min(w[A][flips] / (w[A][flips] - wA[flips])))
        cand = w.copy()
        cand[A] = w[A] + t * (wA - w[A])
        if flips.any():
            hit = A[flips][np.argmin(w[A][flips] / (w[A][flips] - wA[flips]))]
            cand[hit] = 0.0
        cand[A[np.sign(cand[A]) != s]] = 0.0  # rounding: never let a sign flip through
        f_cand = _quadratic_objective(G, c, cand, l1, l2)
        if not f_cand <= f_w:
            return w
        w, f_w = cand, f_cand
        if not flips.any():
            return w
    return w


def lasso(X, y, l1, fit_intercept=True, tol=1e-12, max_sweeps=100_000, w0=None):
    """Return (w, b) minimising (1/n)||y - Xw - b||^2 + l1*||w||_1 (coordinate descent, exact zeros)."""
    return elastic_net(X, y, l1, 0.0, fit_intercept=fit_intercept, tol=tol,
                       max_sweeps=max_sweeps, w0=w0)
