"""Checks for chapter 03's exercises (L1 regularization and sparsity)."""

from __future__ import annotations

import numpy as np

from .. import sparse
from ..updates import soft_threshold as _soft_threshold
from ._core import CheckError, as_array, as_tuple, expect_close, fresh_rng, passed, run

__all__ = ["check_soft_threshold", "check_cumulative_penalty", "check_l1_max"]


def check_soft_threshold(soft_threshold) -> None:
    """Exercise 3.3: ``soft_threshold(w, t)`` = sign(w) * max(|w| - t, 0), exact zeros for |w| <= t."""
    ex = "Exercise 3.3"
    rng = np.random.default_rng(3)
    cases = [
        (np.array([-2.0, -0.5, -0.1, 0.0, 0.1, 0.3, 0.5, 2.0]), 0.3),
        (rng.standard_normal(20), 0.5),
        (rng.standard_normal((3, 4)), 0.2),
        (np.array([1.5, -1.5, 0.25]), 0.0),
        (np.array([0.4, -0.4]), 0.4),
    ]
    fresh = fresh_rng()  # new cases on every call: no table of answers passes
    for shape in [(int(fresh.integers(3, 15)),), tuple(int(k) for k in fresh.integers(2, 5, size=3))]:
        t = float(10 ** fresh.uniform(-2, 0.5))
        w = t * 3 * fresh.standard_normal(shape)
        w.reshape(-1)[:2] = [t, -t]  # on the threshold: exactly 0
        cases.append((w, t))
    for w, t in cases:
        got = run(soft_threshold, w.copy(), t, exercise=ex)
        expected = _soft_threshold(w, t)
        expect_close(
            got,
            expected,
            ex,
            "the soft-threshold",
            inputs=(w, t),
            hints=[
                (
                    w - t * np.sign(w),
                    "you subtracted t*sign(w) but did not stop at zero: weights with "
                    "|w| < t crossed zero instead of becoming 0. That is the plain "
                    "subgradient step, not the soft-threshold.",
                ),
                (
                    np.where(np.abs(w) > t, w, 0.0),
                    "you set small weights to 0 but left the others "
                    "unchanged (hard thresholding); the soft-threshold "
                    "also shrinks the survivors by t.",
                ),
                (
                    np.maximum(w - t, 0.0),
                    "negative weights all became 0: apply the threshold to |w| "
                    "and put the sign back, sign(w) * max(|w| - t, 0).",
                ),
                (
                    np.sign(w) * np.abs(np.abs(w) - t),
                    "weights with |w| < t came out non-zero: use max(|w| - t, 0), not abs(|w| - t).",
                ),
            ],
        )
        got = as_array(got, ex, "the soft-threshold")
        small = np.abs(w) <= t
        if np.any(got[small] != 0.0):
            raise CheckError(
                f"{ex}: entries with |w| <= t must be exactly 0.0, got "
                f"{got[small][got[small] != 0.0][:3]} (tiny but not zero)"
            )
    passed(ex, "Every weight within t of zero lands on exactly 0: that is where L1 sparsity comes from.")


def check_cumulative_penalty(cumulative_penalty) -> None:
    """Exercise 3.4: ``cumulative_penalty(w_half, u, q)`` returns (w, q_new) as in Tsuruoka et al. (2009)."""
    ex = "Exercise 3.4"
    rng = np.random.default_rng(4)
    w_half = np.array([0.5, 0.05, -0.5, -0.05, 0.0, 0.2, -0.2])
    q = np.array([-0.1, -0.1, 0.1, 0.1, 0.0, 0.0, 0.0])
    cases = [
        (w_half, 0.15, q),
        (rng.standard_normal(10), 0.3, rng.uniform(-0.3, 0.3, 10)),
        (rng.standard_normal(6), 0.0, np.zeros(6)),
    ]
    fresh = fresh_rng()  # new cases on every call: no table of answers passes
    for n in fresh.integers(4, 15, size=2):
        u = float(fresh.uniform(0.05, 0.6))
        w_new = fresh.standard_normal(n) * fresh.uniform(0.2, 2)
        w_new[0] = 0.0
        cases.append((w_new, u, fresh.uniform(-u, u, n)))
    for w_half, u, q in cases:
        w_in, q_in = w_half.copy(), q.copy()
        out = run(cumulative_penalty, w_in, u, q_in, exercise=ex)
        got_w, got_q = as_tuple(out, 2, ex, "cumulative_penalty", "(w, q_new)")
        if not (np.array_equal(w_in, w_half) and np.array_equal(q_in, q)):
            raise CheckError(
                f"{ex}: your function modified its inputs w_half or q in place; "
                "work on copies (np.where returns a new array)."
            )
        exp_w, exp_q = sparse.cumulative_penalty(w_half, u, q)
        inputs = (w_half, u, q)
        expect_close(
            got_w,
            exp_w,
            ex,
            "the new weights w",
            inputs=inputs,
            hints=[
                (
                    np.sign(w_half) * np.maximum(np.abs(w_half) - u, 0.0),
                    "you applied the total penalty u but ignored q, the penalty each weight already "
                    "received: a positive weight gets max(0, w - (u + q)), a negative one min(0, w + (u - "
                    "q)).",
                ),
                (
                    np.where(
                        w_half > 0,
                        np.maximum(0.0, w_half - (u - q)),
                        np.where(w_half < 0, np.minimum(0.0, w_half + (u + q)), 0.0),
                    ),
                    "the signs of q are swapped: q is negative for weights pushed down, so a positive "
                    "weight gets w - (u + q) and a negative one w + (u - q).",
                ),
                (
                    np.where(w_half > 0, w_half - (u + q), np.where(w_half < 0, w_half + (u - q), 0.0)),
                    "you did not clip at zero: a weight must not cross 0; use max(0, ...) for positive "
                    "and min(0, ...) for negative weights.",
                ),
            ],
        )
        expect_close(
            got_q,
            exp_q,
            ex,
            "the updated q",
            inputs=inputs,
            hints=[
                (q, "q did not change: add the penalty actually applied, q_new = q + (w - w_half)."),
                (
                    q - (exp_w - w_half),
                    "q has the wrong sign: q_new = q + (w - w_half), which is "
                    "negative for weights pushed down.",
                ),
            ],
        )
    passed(ex, "Unpaid penalty carries over, so noisy mini-batch kicks get undone and exact zeros return.")


def _l1_max_ref(X, y):
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    return float(np.max(np.abs(2.0 / len(y) * Xc.T @ yc)))


def check_l1_max(l1_max) -> None:
    """Exercise 3.5: ``l1_max(X, y)`` = max_j |(2/m) Xc_j^T yc| (centred X and y)."""
    ex = "Exercise 3.5"
    rng = np.random.default_rng(5)
    fresh = fresh_rng()  # new cases on every call: no table of answers passes
    sizes = [(30, 5, 3.0), (50, 12, -1.5), (20, 3, 0.0)]
    sizes += [
        (int(fresh.integers(5, 60)), int(fresh.integers(1, 15)), fresh.uniform(-4, 4)) for _ in range(2)
    ]
    for k, (m, p, shift) in enumerate(sizes):
        source = rng if k < 3 else fresh
        X = source.standard_normal((m, p)) + shift * source.uniform(0.5, 1.5, p)
        y = X @ source.standard_normal(p) + 2.0 + source.standard_normal(m)
        got = run(l1_max, X.copy(), y.copy(), exercise=ex)
        Xc, yc = X - X.mean(0), y - y.mean()
        expected = _l1_max_ref(X, y)
        expect_close(
            got,
            expected,
            ex,
            "lambda_max",
            inputs=None,
            hints=[
                (
                    np.max(np.abs(Xc.T @ yc)) / m,
                    "your value is half the right one: that is scikit-learn's "
                    "alpha_max, for a loss with 1/(2m). With the course's "
                    "mean squared error the gradient is (2/m) X^T r.",
                ),
                (
                    np.max(np.abs(2.0 / m * X.T @ y)),
                    "centre X and y first: the free intercept absorbs the means.",
                ),
                (np.max(np.abs(2.0 * Xc.T @ yc)), "divide by m: the data loss is a mean, not a sum."),
                (
                    np.max(2.0 / m * Xc.T @ yc),
                    "take the absolute value: a large negative correlation also keeps its weight non-zero.",
                ),
            ],
        )
    passed(ex, "Above lambda_max the lasso keeps nothing; the path starts there.")
