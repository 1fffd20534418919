"""Exact solvers for penalized least squares (chapters 02-07).

All minimise, over w and an unpenalized intercept b,

    (1/n) * ||y - X w - b||^2  +  l1 * ||w||_1  +  l2 * ||w||^2

ridge:        l1 = 0, closed form  w = (Xc^T Xc + n*l2*I)^(-1) Xc^T yc  (Xc, yc centred);
              with l2 = 0 the minimum-norm least-squares solution (pseudo-inverse).
lasso:        l2 = 0, coordinate descent with soft-thresholding (exact zeros).
elastic_net:  both, coordinate descent.

scikit-learn's constants: Ridge(alpha = n*l2), Lasso(alpha = l1/2),
ElasticNet(alpha = l1/2 + l2, l1_ratio = (l1/2) / (l1/2 + l2)); see regcourse.conventions.

L1-penalized logistic regression (chapter 03), labels y in {0, 1}, z = X w + b:

    (1/n) * sum_i [log(1 + exp(z_i)) - y_i z_i]  +  l1 * ||w||_1      (b unpenalized)

logistic_l1:        proximal gradient (FISTA) with a Newton polish on the support (exact zeros);
logistic_l1_path:   warm-started over a grid; logistic_l1_max: the l1 above which w = 0;
logistic_objective: the objective (the mean log-loss at l1 = 0).
scikit-learn: LogisticRegression(C = 1/(n*l1), l1_ratio=1, solver="saga").
"""

from __future__ import annotations

import numpy as np

from . import _validate as v

__all__ = [
    "ridge",
    "lasso",
    "elastic_net",
    "objective",
    "logistic_l1",
    "logistic_l1_path",
    "logistic_l1_max",
    "logistic_objective",
]


def _prepare(X, y, fit_intercept):
    X, y = v.regression_data(X, y)
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


# --- L1-penalized logistic regression (chapter 03) -----------------------------------------
#
#     J(w, b) = (1/m) * sum_i [log(1 + exp(z_i)) - y_i z_i] + l1 * ||w||_1,   z = X w + b,
#
# labels y_i in {0, 1}, the intercept b unpenalized. scikit-learn's
# LogisticRegression(C, l1_ratio=1) minimises C * sum_i logloss_i + ||w||_1, the same
# problem at l1 = 1 / (m * C) (regcourse.conventions, "sklearn_logistic_elasticnet").


def _logistic_data(X, y):
    X, y = v.regression_data(X, y)
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("y must hold class labels 0 and 1 only")
    return X, y


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # = 1 / (1 + exp(-z)), without overflow


def _mean_logloss(z, y) -> float:
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def logistic_objective(X, y, w, b=0.0, l1=0.0) -> float:
    """(1/m) * sum_i [log(1 + exp(z_i)) - y_i z_i] + l1 * ||w||_1 with z = X w + b, y in {0, 1}.

    With l1 = 0 this is the mean log-loss (cross-entropy) of the predicted P(y = 1) = sigmoid(z).
    """
    X, y = _logistic_data(X, y)
    w = v.finite_array("w", w, ndim=1)
    if w.shape != (X.shape[1],):
        raise ValueError(f"w must have shape ({X.shape[1]},), one entry per column of X, got {w.shape}")
    b = v.finite_array("b", b)
    if b.size != 1:
        raise ValueError(f"b must be one number (the intercept), got shape {b.shape}")
    z = X @ w + float(b.reshape(-1)[0])
    return _mean_logloss(z, y) + v.nonneg("l1", l1) * float(np.abs(w).sum())


def logistic_l1_max(X, y, fit_intercept=True) -> float:
    """max_j |x_j^T (y - ybar)| / m: for l1 >= this value the L1-logistic solution is w = 0.

    At w = 0 the best intercept is b = log(ybar / (1 - ybar)), where every predicted
    probability is ybar; the gradient of the mean log-loss is then X^T (ybar - y) / m, and
    w = 0 is optimal when each entry lies in [-l1, l1]. (Without an intercept, b = 0 and
    the probabilities are 1/2.)
    """
    X, y = _logistic_data(X, y)
    p = y.mean() if fit_intercept else 0.5
    return float(np.max(np.abs(X.T @ (y - p)))) / len(y)


def _kkt_violation(gw, gb, w, l1, fit_intercept) -> float:
    """Largest violation of 0 in grad + l1 * d|w|: the optimality conditions of J."""
    nz = w != 0
    worst = np.abs(gw[nz] + l1 * np.sign(w[nz])).max(initial=0.0)
    worst = max(worst, (np.abs(gw[~nz]) - l1).max(initial=0.0))
    return float(max(worst, abs(gb) if fit_intercept else 0.0))


def logistic_l1(X, y, l1, fit_intercept=True, tol=1e-10, max_iter=100_000, w0=None, b0=None):
    """Return (w, b) minimising (1/m) sum_i logloss(y_i, x_i.w + b) + l1 * ||w||_1, y in {0, 1}.

    Full-batch proximal gradient with Nesterov momentum (FISTA, with adaptive restart),
    step 1/L for L = ||[X, 1]||_2^2 / (4m), the Lipschitz constant of the gradient:
        v = u - (1/L) grad(u),   w <- soft_threshold(v_w, l1/L),   b <- v_b;
    once the non-zeros and their signs stop changing, Newton steps on that face (where J is
    smooth) polish the answer. Stops when the optimality (KKT) conditions hold to ``tol``:
    |dL/db| <= tol, |dL/dw_j + l1 sign(w_j)| <= tol where w_j != 0, |dL/dw_j| <= l1 + tol
    where w_j = 0. ``w0``, ``b0`` warm-start (for paths). Exact zeros; float64.
    """
    X, y = _logistic_data(X, y)
    l1 = v.nonneg("l1", l1)
    tol = v.positive("tol", tol)
    max_iter = v.positive_int("max_iter", max_iter)
    m, p = X.shape
    w = np.zeros(p) if w0 is None else v.finite_array("w0", w0, ndim=1).copy()
    if w.shape != (p,):
        raise ValueError(f"w0 must have shape ({p},), got {w.shape}")
    if b0 is not None:
        b = v.real("b0", b0)
    elif fit_intercept:
        ybar = float(np.clip(y.mean(), 1e-12, 1 - 1e-12))
        b = float(np.log(ybar / (1.0 - ybar)))  # the best intercept at w = 0
    else:
        b = 0.0
    if not fit_intercept:
        b = 0.0
    Xa = np.column_stack([X, np.ones(m)]) if fit_intercept else X
    L = max(float(np.linalg.eigvalsh(Xa.T @ Xa)[-1]) / (4.0 * m), 1e-300)  # ||Xa||_2^2 / 4m

    def grad(w, b):
        r = (_sigmoid(X @ w + b) - y) / m
        return X.T @ r, float(r.sum()) if fit_intercept else 0.0

    def objective(w, b):
        return _mean_logloss(X @ w + b, y) + l1 * float(np.abs(w).sum())

    uw, ub, t = w.copy(), b, 1.0  # the extrapolated point and the momentum weight
    pattern, stable, viol = None, 0, np.inf
    polish = w0 is not None and np.any(w != 0)  # a warm start: try its face first
    for _ in range(max_iter):
        gw, gb = grad(w, b)
        viol = _kkt_violation(gw, gb, w, l1, fit_intercept)
        if viol <= tol:
            return w, b
        new_pattern = np.sign(w)
        stable = stable + 1 if pattern is not None and np.array_equal(new_pattern, pattern) else 0
        pattern = new_pattern
        if polish or stable == 3 or (stable > 3 and stable % 20 == 0):
            polish = False
            polished = _newton_on_face(X, y, w, b, l1, fit_intercept, objective, tol)
            if polished is not None:
                w, b = polished
                uw, ub, t = w.copy(), b, 1.0
                continue
        gw, gb = grad(uw, ub) if t > 1.0 else (gw, gb)
        vw = uw - gw / L
        w_new = np.sign(vw) * np.maximum(np.abs(vw) - l1 / L, 0.0)
        b_new = ub - gb / L
        if (uw - w_new) @ (w_new - w) + (ub - b_new) * (b_new - b) > 0:  # restart
            t_new, uw, ub = 1.0, w_new.copy(), b_new
        else:
            t_new = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
            beta = (t - 1.0) / t_new
            uw, ub = w_new + beta * (w_new - w), b_new + beta * (b_new - b)
        w, b, t = w_new, b_new, t_new
    raise RuntimeError(
        f"proximal gradient did not converge in {max_iter} iterations (optimality violation "
        f"{viol:.2e} > tol = {tol:.2e}); raise max_iter or tol (with l1 = 0 on separable "
        f"data there is no minimum)"
    )


def _newton_on_face(X, y, w, b, l1, fit_intercept, objective, tol, steps=30):
    """Minimise J over the current non-zeros A with their signs s fixed, where J is smooth:
    Newton steps on mean logloss + l1 * s.w_A with backtracking; a step that would flip a
    sign stops where that weight reaches 0 and drops it from A (an active-set move).
    Returns the new (w, b) (never with a larger J), or None if nothing could be gained."""
    m = len(y)
    ones = np.ones(m)
    w, b = w.copy(), b
    f = objective(w, b)
    moved = False
    for _ in range(steps):
        A = np.flatnonzero(w)
        s = np.sign(w[A])
        k = A.size
        Xf = np.column_stack([X[:, A], ones]) if fit_intercept else X[:, A]
        if Xf.shape[1] == 0:
            break
        u = np.append(w[A], b) if fit_intercept else w[A].copy()
        q = _sigmoid(Xf @ u)
        g = Xf.T @ (q - y) / m
        g[:k] += l1 * s
        if np.abs(g).max() <= 0.1 * tol:  # optimal on the face, well within tol
            break
        H = (Xf.T * (q * (1.0 - q))) @ Xf / m
        H.flat[:: H.shape[0] + 1] += 1e-12 * max(float(np.trace(H)), 1e-300) / H.shape[0]
        try:
            d = -np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            break
        crossing = d[:k] * s < 0
        ratios = np.full(k, np.inf)
        ratios[crossing] = -u[:k][crossing] / d[:k][crossing]
        hit = int(np.argmin(ratios)) if k else -1
        t = min(1.0, float(ratios[hit])) if k else 1.0
        slope = float(g @ d)
        while t > 1e-12:
            cand = u + t * d
            if k and t == ratios[hit]:
                cand[hit] = 0.0
            cand[:k][np.sign(cand[:k]) != s] = 0.0  # rounding: never let a sign flip through
            w_c = np.zeros_like(w)
            w_c[A] = cand[:k]
            b_c = float(cand[k]) if fit_intercept else 0.0
            f_c = objective(w_c, b_c)
            if f_c <= f + 1e-4 * t * slope:
                break
            t *= 0.5
        else:
            break
        if not f_c < f:
            break
        w, b, f, moved = w_c, b_c, f_c, True
        if t * np.abs(d).max() < 1e-15:
            break
    return (w, b) if moved else None


def logistic_l1_path(X, y, l1s, fit_intercept=True, tol=1e-10, max_iter=100_000):
    """``logistic_l1`` for every l1 in ``l1s``, solved from the largest down, each solution
    warm-starting the next. Returns (coefs, intercepts), coefs[i] the weights at l1s[i]."""
    X, y = _logistic_data(X, y)
    l1s = v.finite_array("l1s", l1s, ndim=1)
    if l1s.size == 0 or np.any(l1s < 0):
        raise ValueError("l1s must be a non-empty array of numbers >= 0")
    coefs, icepts = np.zeros((l1s.size, X.shape[1])), np.zeros(l1s.size)
    w, b = None, None
    for i in np.argsort(-l1s, kind="stable"):
        w, b = logistic_l1(X, y, l1s[i], fit_intercept, tol, max_iter, w0=w, b0=b)
        coefs[i], icepts[i] = w, b
    return coefs, icepts
