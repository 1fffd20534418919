"""Checks for chapter 11's exercises (regularization without a penalty term)."""

from __future__ import annotations

import numpy as np

from ._core import expect_close, fresh_rng, passed, run

__all__ = ["check_gd_weights", "check_dropout_penalty"]


def _descend(X, y, lr, steps, w0, scale=2.0):
    """``steps`` plain gradient steps on (1/m)||y - Xw||^2 from w0 (gradient (scale/m) X^T (Xw - y))."""
    w = np.array(w0, dtype=float)
    m = len(y)
    for _ in range(steps):
        w = w - lr * scale / m * X.T @ (X @ w - y)
    return w


def _gd_cases():
    rng = np.random.default_rng(11)
    cases = [(12, 3, 0.6, 25), (6, 9, 0.8, 40), (30, 5, 0.3, 7), (8, 8, 0.9, 100)]
    fresh = fresh_rng()  # new cases on every call: no table of answers passes
    cases += [
        (
            int(fresh.integers(3, 25)),
            int(fresh.integers(1, 10)),
            float(fresh.uniform(0.2, 0.9)),
            int(fresh.integers(2, 80)),
        )
        for _ in range(2)
    ]
    out = []
    for k, (m, p, reach, steps) in enumerate(cases):
        source = rng if k < 4 else fresh
        X = source.standard_normal((m, p)) * source.uniform(0.5, 2.0, p)
        y = X @ source.standard_normal(p) + 0.3 * source.standard_normal(m)
        w0 = source.standard_normal(p)
        s_max = float(np.linalg.eigvalsh(X.T @ X / m).max())
        out.append((X, y, reach / (2 * s_max), steps, w0))  # 2 * lr * s_max = reach < 1
    return out


def check_gd_weights(gd_weights) -> None:
    """Exercise 11.2: ``gd_weights(X, y, lr, steps, w0)``: t gradient steps on (1/m)||y - Xw||^2 from w0."""
    ex = "Exercise 11.2"
    for X, y, lr, steps, w0 in _gd_cases():
        got = run(gd_weights, X.copy(), y.copy(), lr, steps, w0.copy(), exercise=ex)
        expected = _descend(X, y, lr, steps, w0)
        from_zero = _descend(X, y, lr, steps, np.zeros_like(w0))
        hints = [
            (
                from_zero,
                "you started from w = 0 and ignored w0: gradient descent shrinks w - w_hat, so the "
                "start decays along each eigen-direction as (1 - 2*lr*s)^t but never vanishes at "
                "once (and not at all where s = 0).",
            ),
            (
                _descend(X, y, lr, steps, w0, scale=1.0),
                "your steps are half as long as they should be: the gradient of the MEAN squared error "
                "(1/m)||y - Xw||^2 is (2/m) X^T (Xw - y), so the factor per step is 1 - 2*lr*s, "
                "not 1 - lr*s.",
            ),
            (
                from_zero + w0,
                "you added w0 without letting it decay: the start's part shrinks by "
                "(1 - 2*lr*s)^t along each eigen-direction.",
            ),
            (
                _descend(X, y, lr, steps + 1, w0),
                "one step too many: after t steps the factor is (1 - 2*lr*s)^t (t = 0 returns w0).",
            ),
            (
                _descend(X, y, lr, max(steps - 1, 0), w0),
                "one step too few: after t steps the factor is (1 - 2*lr*s)^t (t = 0 returns w0).",
            ),
        ]
        S = X.T @ X / len(y)
        s, V = np.linalg.eigh(S)
        w_hat = np.linalg.pinv(X) @ y
        g = 1 - (1 - 2 * lr * np.clip(s, 0, None)) ** steps
        hints.append(
            (
                V @ ((1 - g) * (V.T @ w_hat) + g * (V.T @ w0)),
                "the two parts are swapped: w_hat gets the filter 1 - (1 - 2*lr*s)^t and w0 the "
                "remainder (1 - 2*lr*s)^t, since w_t - w_hat = (I - 2*lr*S)^t (w0 - w_hat).",
            )
        )
        expect_close(
            got, expected, ex, "the weights", rtol=1e-7, atol=1e-9, inputs=(X, y, lr, steps, w0), hints=hints
        )
    passed(
        ex,
        "w_t = w_hat + (I - 2 lr S)^t (w0 - w_hat): early stopping shrinks toward the start, "
        "not toward 0, and never touches the start's null-space part.",
    )


def _penalty(w, X, p, moment=None, factor=None):
    factor = p / (1 - p) if factor is None else factor
    moment = np.mean(X**2, axis=0) if moment is None else moment
    return factor * np.sum(w**2 * moment)


def check_dropout_penalty(dropout_penalty) -> None:
    """Exercise 11.3: ``dropout_penalty(w, X, p)`` = p/(1-p) * sum_j w_j^2 * mean_i X_ij^2."""
    ex = "Exercise 11.3"
    rng = np.random.default_rng(13)
    fresh = fresh_rng()  # new cases on every call: no table of answers passes
    shapes = [(20, 3, 0.3), (7, 5, 0.1), (50, 2, 0.5), (12, 4, 0.8)]
    shapes += [
        (int(fresh.integers(2, 40)), int(fresh.integers(1, 8)), float(fresh.uniform(0.05, 0.9)))
        for _ in range(2)
    ]
    for k, (m, n, p) in enumerate(shapes):
        source = rng if k < 4 else fresh
        X = source.standard_normal((m, n)) * source.uniform(0.3, 3.0, n) + source.standard_normal(n)
        w = source.standard_normal(n)
        got = run(dropout_penalty, w.copy(), X.copy(), p, exercise=ex)
        expected = _penalty(w, X, p)
        hints = [
            (
                _penalty(w, X, p, factor=p),
                "your factor is p: inverted dropout divides the kept inputs by "
                "1 - p, so their variance is x^2 * p/(1 - p).",
            ),
            (
                _penalty(w, X, p, factor=(1 - p) / p),
                "your factor is (1 - p)/p: p is the probability to DROP "
                "an input, and the variance is x^2 * p/(1 - p).",
            ),
            (
                _penalty(w, X, p, factor=p * (1 - p)),
                "your factor p*(1 - p) is the variance of a mask without the 1/(1 - p) rescaling; inverted "
                "dropout (torch, Keras) rescales, which gives p/(1 - p).",
            ),
            (
                _penalty(w, X, p, moment=X.var(axis=0)),
                "you used the variance of each column: the penalty needs the mean of x_j^2 (uncentred), "
                "because dropout zeroes the whole input, its mean included.",
            ),
            (
                _penalty(w, X, p, moment=X.mean(axis=0) ** 2),
                "you used mean(x_j)^2: the penalty needs the mean of x_j^2.",
            ),
            (
                _penalty(w, X, p, moment=np.sum(X**2, axis=0)),
                "you summed over the examples: the course's loss is a mean, so use mean_i x_ij^2.",
            ),
            (
                p / (1 - p) * np.mean((X @ w) ** 2),
                "you squared the whole prediction (w.x)^2: each input is dropped independently, so the "
                "cross terms w_j w_k x_j x_k average to 0 and only sum_j w_j^2 x_j^2 is left.",
            ),
            (
                p / (1 - p) * np.sum(np.abs(w) * np.mean(X**2, axis=0)),
                "you used |w_j|: the penalty is quadratic in w, w_j^2.",
            ),
        ]
        expect_close(got, expected, ex, "the penalty", rtol=1e-7, atol=1e-12, inputs=(w, X, p), hints=hints)
    passed(
        ex,
        "An L2 penalty whose strength for weight j is p/(1-p) * mean(x_j^2): dropout penalizes "
        "each input's contribution, whatever its units.",
    )
