"""Sparsity tools for L1 penalties (chapters 03-04, 10).

Linear regression with the course's objective

    J(w, b) = (1/m) * ||y - X w - b||^2 + l1 * ||w||_1          (intercept b unpenalized)

l1_max(X, y)            smallest l1 whose lasso solution is all zeros: max_j |(2/m) Xc_j^T yc|
l1_grid(X, y, num, eps) num values from l1_max down to eps * l1_max, on a log scale
lasso_path(X, y, l1s)   exact solutions over a grid, warm-started from the largest l1 down
cumulative_penalty      the cumulative L1 penalty of Tsuruoka, Tsujii and Ananiadou (2009)
l1_sgd(X, y, ...)       (mini-batch) SGD with one of four L1 updates:
                        "subgradient", "clipped", "proximal", "cumulative"
zero_columns(W)         which columns of a weight matrix are exactly zero (pruned inputs)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _validate as v
from .solvers import elastic_net
from .updates import _clipped, _proximal, _sgd

__all__ = [
    "l1_max",
    "l1_grid",
    "lasso_path",
    "cumulative_penalty",
    "l1_sgd",
    "L1Run",
    "METHODS",
    "zero_columns",
]

METHODS = ("subgradient", "clipped", "proximal", "cumulative")


def l1_max(X, y, fit_intercept=True) -> float:
    """max_j |(2/m) Xc_j^T yc|: for l1 >= this value the lasso (and elastic net) solution is w = 0.

    At w = 0 the gradient of the mean squared error is -(2/m) Xc^T yc; zero is optimal
    when every entry lies inside the L1 subgradient interval [-l1, l1].
    (scikit-learn's alpha_max = max|Xc^T yc| / m is half of it: alpha = l1 / 2.)
    """
    X, y = v.regression_data(X, y)
    if fit_intercept:
        X, y = X - X.mean(axis=0), y - y.mean()
    return float(np.max(np.abs(2.0 * (X.T @ y / len(y)))))  # the solver's own arithmetic


def l1_grid(X, y, num=30, eps=1e-3, fit_intercept=True) -> np.ndarray:
    """``num`` values of l1 from l1_max(X, y) down to eps * l1_max, evenly spaced on a log scale."""
    num = v.positive_int("num", num)
    eps = v.positive("eps", eps)
    if eps >= 1:
        raise ValueError(f"eps must be < 1, got {eps}")
    top = l1_max(X, y, fit_intercept)
    if top == 0:
        raise ValueError("y is constant (or uncorrelated with every column): l1_max is 0")
    return np.geomspace(top, eps * top, num)


def lasso_path(X, y, l1s, l2=0.0, fit_intercept=True, tol=1e-10):
    """Exact (elastic-net) solutions for every l1 in ``l1s``, at fixed ``l2``.

    Solved from the largest l1 down, each solution warm-starting the next (the
    solutions change little between neighbouring values). Returns (coefs, intercepts)
    with coefs[i] the weights at l1s[i], in the order given.
    """
    X, y = v.regression_data(X, y)
    l1s = v.finite_array("l1s", l1s, ndim=1)
    if l1s.size == 0:
        raise ValueError("l1s must hold at least one value")
    if np.any(l1s < 0):
        raise ValueError(f"l1s must be >= 0, got min {l1s.min()}")
    l2 = v.nonneg("l2", l2)
    order = np.argsort(-l1s, kind="stable")
    coefs = np.zeros((len(l1s), X.shape[1]))
    intercepts = np.zeros(len(l1s))
    w = np.zeros(X.shape[1])
    for i in order:
        w, b = elastic_net(X, y, l1s[i], l2, fit_intercept=fit_intercept, tol=tol, w0=w)
        coefs[i], intercepts[i] = w, b
    return coefs, intercepts


def cumulative_penalty(w_half, u, q):
    """One cumulative-penalty step (Tsuruoka et al. 2009); returns (w, q).

    ``w_half`` are the weights after the data-gradient step, ``u`` the total L1 penalty
    each weight could have received so far (sum of lr * l1 over all steps, this one
    included) and ``q[i]`` the total penalty weight i actually received:

        w_i > 0:  w_i <- max(0, w_half_i - (u + q_i))
        w_i < 0:  w_i <- min(0, w_half_i + (u - q_i))
        q_i     <- q_i + (w_i - w_half_i)

    A weight pushed away from zero by a noisy gradient is pulled back by all the
    penalty it has not yet paid, so it can reach exactly 0. Inputs are not modified.
    """
    w_half = v.finite_array("w_half", w_half)
    q = v.finite_array("q", q)
    u = v.nonneg("u", u)
    if q.shape != w_half.shape:
        raise ValueError(f"q must have the shape of w_half {w_half.shape}, got {q.shape}")
    return _cumulative(w_half, u, q)


def _cumulative(w_half, u, q):
    """cumulative_penalty without the input checks (for l1_sgd's loop)."""
    w = np.where(
        w_half > 0,
        np.maximum(0.0, w_half - (u + q)),
        np.where(w_half < 0, np.minimum(0.0, w_half + (u - q)), 0.0),
    )
    return w, q + (w - w_half)


@dataclass
class L1Run:
    """Result of :func:`l1_sgd`: final weights ``w``, intercept ``b`` and, if asked, ``trace``
    (one row of weights per recorded step)."""

    w: np.ndarray
    b: float
    trace: np.ndarray | None = None


def l1_sgd(
    X,
    y,
    l1,
    lr,
    epochs,
    method="proximal",
    batch_size=None,
    seed=0,
    fit_intercept=True,
    w0=None,
    trace_every=None,
) -> L1Run:
    """Minimise (1/m)||y - Xw - b||^2 + l1*||w||_1 by (mini-batch) SGD with an L1 update rule.

    With g the mini-batch gradient of the mean squared error:
      "subgradient"  w <- w - lr*(g + l1*sign(w))                 (rc.updates.sgd_step)
      "clipped"      the same, but a weight it carries across 0 is set to 0   (clipped_step)
      "proximal"     w <- soft_threshold(w - lr*g, lr*l1)          (ISTA; proximal_step)
      "cumulative"   w_half = w - lr*g, then :func:`cumulative_penalty` with u += lr*l1
    The intercept takes plain gradient steps. ``batch_size=None`` is full batch; mini-batches
    are drawn without replacement each epoch with ``seed``. ``trace_every=k`` records w every k steps.
    """
    X, y = v.regression_data(X, y)
    l1 = v.nonneg("l1", l1)
    lr = v.positive("lr", lr)
    epochs = v.positive_int("epochs", epochs)
    v.one_of("method", method, METHODS)
    m, p = X.shape
    if batch_size is not None:
        batch_size = v.positive_int("batch_size", batch_size)
    if trace_every is not None:
        trace_every = v.positive_int("trace_every", trace_every)
    w = np.zeros(p) if w0 is None else v.finite_array("w0", w0, ndim=1).copy()
    if w.shape != (p,):
        raise ValueError(f"w0 must have shape ({p},), got {w.shape}")
    b, u, q = 0.0, 0.0, np.zeros(p)
    rng = np.random.default_rng(seed)
    trace, step = [], 0
    for _ in range(epochs):
        batches = (
            [slice(None)]
            if batch_size is None
            else np.array_split(rng.permutation(m), max(1, int(np.ceil(m / batch_size))))
        )
        for idx in batches:
            Xb, yb = X[idx], y[idx]
            r = Xb @ w + b - yb  # residual, prediction minus target
            g = 2.0 / len(yb) * Xb.T @ r  # gradient of the mean squared error
            if fit_intercept:
                b -= lr * 2.0 * r.mean()
            if method == "subgradient":  # rc.updates.sgd_step, checked once above
                w = _sgd(w, g, lr, l1, 0.0)
            elif method == "clipped":  # rc.updates.clipped_step
                w = _clipped(w, g, lr, l1, 0.0)
            elif method == "proximal":  # rc.updates.proximal_step
                w = _proximal(w, g, lr, l1, 0.0)
            else:
                u += lr * l1
                w, q = _cumulative(w - lr * g, u, q)
            step += 1
            if trace_every is not None and step % trace_every == 0:
                trace.append(w.copy())
        if not (np.all(np.isfinite(w)) and np.isfinite(b)):
            raise ValueError(f"w diverged to NaN or infinite values: lower lr (got {lr})")
    return L1Run(w=w, b=float(b), trace=np.array(trace) if trace_every is not None else None)


def zero_columns(W) -> np.ndarray:
    """Boolean mask over the columns of a weight matrix W (out x in): True where the whole
    column is exactly 0, i.e. input j no longer reaches any unit (a pruned input)."""
    W = v.as_float_array("W", W, ndim=2)
    return np.all(W == 0.0, axis=0)
