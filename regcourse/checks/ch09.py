"""Checks for chapter 09's exercises (Krogh & Hertz's teacher-student)."""

from __future__ import annotations

import numpy as np

from ._core import expect_close, fresh_rng, passed, run

__all__ = ["check_kh_ridge"]


def check_kh_ridge(kh_ridge) -> None:
    """Exercise 9.2: ``kh_ridge(X, y, lam)`` = argmin 1/2||y - Xw||^2 + lam/2 ||w||^2
    = (X^T X + lam I)^-1 X^T y."""
    ex = "Exercise 9.2"
    rng = np.random.default_rng(9)
    cases = [
        (rng.standard_normal((12, 4)), 0.7),
        (rng.standard_normal((5, 8)), 2.0),
        (rng.standard_normal((30, 3)), 0.0),
        (rng.standard_normal((20, 6)), 5.0),
    ]
    cases = [
        (X, lam, X @ rng.standard_normal(X.shape[1]) + 0.5 * rng.standard_normal(X.shape[0]))
        for X, lam in cases
    ]
    fresh = fresh_rng()  # new cases on every call: no table of answers passes
    for _ in range(2):
        m, n = int(fresh.integers(2, 30)), int(fresh.integers(1, 10))
        X = fresh.standard_normal((m, n))
        y = X @ fresh.standard_normal(n) + fresh.standard_normal(m)
        cases.append((X, float(10 ** fresh.uniform(-1, 1)), y))
    for X, lam, y in cases:
        m, n = X.shape
        got = run(kh_ridge, X.copy(), y.copy(), lam, exercise=ex)

        def solve(shift, X=X, y=y, n=n):
            return np.linalg.lstsq(X.T @ X + shift * np.eye(n), X.T @ y, rcond=None)[0]

        hints = []
        if lam > 0:
            hints = [
                (
                    solve(lam / 2),
                    "your lam is halved: in 1/2||y - Xw||^2 + lam/2 ||w||^2 both halves "
                    "cancel in the gradient, leaving (X^T X + lam I) w = X^T y.",
                ),
                (
                    solve(2 * lam),
                    "your lam is doubled: both terms carry a 1/2, so the normal equations "
                    "are (X^T X + lam I) w = X^T y.",
                ),
                (
                    solve(m * lam),
                    "you multiplied lam by m, as if the data loss were a mean: here it is "
                    "a sum, so no m appears.",
                ),
                (
                    solve(lam / m),
                    "you divided lam by m: that converts to the course's mean-loss l2, but "
                    "this exercise asks for the paper's sum convention, "
                    "(X^T X + lam I) w = X^T y.",
                ),
                (solve(0.0), "you ignored lam: the penalty adds lam to the diagonal of X^T X."),
            ]
        expect_close(
            got, solve(lam), ex, "the weights", rtol=1e-6, atol=1e-8, inputs=(X, y, lam), hints=hints
        )
    passed(ex, "No m appears in the paper's convention: the penalty competes with a sum over examples.")
