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
    b = v.finite_array("b", b)
    if b.size != 1:
        raise ValueError(f"b must be one number (the intercept), got shape {b.shape}")
    r = y - X @ w - float(b.reshape(-1)[0])
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
    until no coefficient moves by more than ``tol * max_j |w_j|`` in a sweep over all j
    (relative, so the result is equally precise whatever the units of X and y). Between
    full sweeps, sweeps over the non-zeros alternate with an exact solve on the current
    support and signs (an active-set step), so badly conditioned or wide (p > n)
    problems converge in seconds too. ``w0`` warm-starts (for paths).
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
    # Every other active sweep, the exact minimiser on the current support and signs is tried
    # (a linear solve), which ends the slow linear convergence of badly conditioned problems.
    while sweeps < max_sweeps:
        sweeps += 1
        if not full and sweeps % 2 == 0:
            w = _support_refit(G, c, w, l1, l2)
        Gw = G @ w  # recomputed each sweep: incremental updates alone drift by rounding
        biggest = 0.0
        for j in range(p) if full else np.flatnonzero(w).tolist():
            wj = float(w[j])
            if denom_[j] == 0.0:  # a constant column with no L2: any value fits; keep 0
                new = 0.0
            else:
                rho = 2.0 * (c_[j] - float(Gw[j]) + diag_[j] * wj)
                new = (rho - l1 if rho > l1 else rho + l1 if rho < -l1 else 0.0) / denom_[j]
            delta = new - wj
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
        raise RuntimeError(
            f"coordinate descent did not converge in {max_sweeps} sweeps "
            f"(last change {biggest:.2e}, tol * max|w| = {tol * scale:.2e}); "
            f"raise max_sweeps or tol"
        )
    return w, float(y_mean - x_mean @ w)


def _quadratic_objective(G, c, w, l1, l2):
    """The objective minus its constant: w.G.w - 2 c.w + l1*|w|_1 + l2*|w|^2."""
    return float(w @ G @ w - 2.0 * c @ w + l1 * np.abs(w).sum() + l2 * w @ w)


def _support_refit(G, c, w, l1, l2):
    """Active-set polish: minimise exactly over the support A and signs s of w.

    On that face the objective is quadratic with M = G_AA + l2*I and minimiser
    M w_A = c_A - l1*s/2. If M is singular (more non-zeros than data can pin down), the
    objective falls along M's null space in the direction -P s (P the projector), so
    move that way. Either way, stop at the first coefficient that reaches 0 and drop it,
    then repeat; a move that does not lower the objective is refused. Returns the new w.
    """
    f_w = _quadratic_objective(G, c, w, l1, l2)
    for _ in range(min(w.size, 8)):  # a few face moves per call; the sweeps do the rest
        A = np.flatnonzero(w)
        if A.size == 0:
            return w
        s, wA = np.sign(w[A]), w[A]
        M, r = G[np.ix_(A, A)] + l2 * np.eye(A.size), c[A] - 0.5 * l1 * s
        d, t_max = None, 1.0
        try:  # fast path: M safely positive definite
            L = np.linalg.cholesky(M)
            if np.diag(L).min() > 1e-6 * np.diag(L).max():
                d = np.linalg.solve(M, r) - wA
        except np.linalg.LinAlgError:
            pass
        if d is None:
            evals, V = np.linalg.eigh(M)
            flat = evals <= 1e-10 * max(float(evals.max()), 1e-300)
            Vn = V[:, flat]
            d = -(Vn @ (Vn.T @ s))  # zero unless the face is unbounded along M's null space
            if flat.any() and np.abs(d).max() > 1e-8:
                t_max = np.inf
            else:  # the minimiser on the face (minimum-norm one if M is singular)
                keep = ~flat
                d = V[:, keep] @ ((V[:, keep].T @ r) / evals[keep]) - wA
        toward_zero = d * s < 0
        ratios = np.full(A.size, np.inf)
        ratios[toward_zero] = -wA[toward_zero] / d[toward_zero]
        k = int(np.argmin(ratios))
        t = min(t_max, float(ratios[k]))
        if not np.isfinite(t):
            return w
        cand = w.copy()
        cand[A] = wA + t * d
        if t == ratios[k]:
            cand[A[k]] = 0.0
        cand[A[np.sign(cand[A]) != s]] = 0.0  # rounding: never let a sign flip through
        f_cand = _quadratic_objective(G, c, cand, l1, l2)
        if not f_cand <= f_w:
            return w
        w, f_w = cand, f_cand
        if t == t_max:
            return w
    return w


def lasso(X, y, l1, fit_intercept=True, tol=1e-12, max_sweeps=100_000, w0=None):
    """Return (w, b) minimising (1/n)||y - Xw - b||^2 + l1*||w||_1 (coordinate descent, exact zeros)."""
    return elastic_net(X, y, l1, 0.0, fit_intercept=fit_intercept, tol=tol, max_sweeps=max_sweeps, w0=w0)
