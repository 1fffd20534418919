"""Checks for chapter 07's exercises (input scaling and the penalty)."""

from __future__ import annotations

import numpy as np

from ..solvers import ridge
from ._core import CheckError, as_tuple, expect_close, fresh_rng, passed, run

__all__ = ["check_scale_with_train_stats", "check_ridge_per_feature"]


def _pair(value, exercise, what, names):
    return as_tuple(value, 2, exercise, what, names)


def check_scale_with_train_stats(scale_with_train_stats) -> None:
    """Exercise 7.2: ``scale_with_train_stats(X_train, X_test) -> (Z_train, Z_test)``,
    both scaled with the training mean and std: Z = (X - mean_train) / std_train."""
    ex = "Exercise 7.2"
    rng = np.random.default_rng(7)
    fresh = fresh_rng()  # new cases on every call: no table of answers passes
    cases = [
        (
            rng.standard_normal((12, 3)) * [0.001, 1.0, 1000.0] + [5.0, -2.0, 300.0],
            rng.standard_normal((6, 3)) * [0.002, 3.0, 500.0] + [4.0, 1.0, 100.0],
        )
    ]
    for _ in range(2):
        p = int(fresh.integers(1, 6))
        scale, shift = 10 ** fresh.uniform(-2, 2, p), fresh.uniform(-10, 10, p)
        cases.append(
            (
                fresh.standard_normal((int(fresh.integers(4, 30)), p)) * scale + shift,
                fresh.standard_normal((int(fresh.integers(2, 20)), p)) * scale * 2 + shift / 2,
            )
        )
    for X_train, X_test in cases:
        before = (X_train.copy(), X_test.copy())
        got = _pair(
            run(scale_with_train_stats, X_train, X_test, exercise=ex),
            ex,
            "scale_with_train_stats",
            "(Z_train, Z_test)",
        )
        if not (np.array_equal(X_train, before[0]) and np.array_equal(X_test, before[1])):
            raise CheckError(
                f"{ex}: your function changed X_train or X_test in place; "
                f"return new arrays instead (e.g. Z = (X - mean) / std)."
            )
        mean, std = X_train.mean(axis=0), X_train.std(axis=0)
        own = lambda X: (X - X.mean(axis=0)) / X.std(axis=0)
        pooled = np.vstack([X_train, X_test])
        p_mean, p_std = pooled.mean(axis=0), pooled.std(axis=0)
        std1 = X_train.std(axis=0, ddof=1)
        whole = "you used one mean and std for the whole array; take them per column (axis=0)."
        expect_close(
            got[0],
            (X_train - mean) / std,
            ex,
            "Z_train",
            hints=[
                (
                    (X_train - p_mean) / p_std,
                    "Z_train used the statistics of training AND test rows "
                    "together: that leaks the test set into training. Use "
                    "X_train's mean and std only.",
                ),
                (
                    (X_train - mean) / std1,
                    "you used the sample std (ddof=1); the course (and "
                    "rc.data.standardize) divides by the population std, "
                    "X_train.std(axis=0).",
                ),
                (X_train / std, "you divided by the std but forgot to subtract the training mean."),
                (X_train - mean, "you subtracted the mean but forgot to divide by the training std."),
                ((X_train - mean) / std**2, "you divided by the variance; divide by the standard deviation."),
                ((X_train - X_train.mean()) / X_train.std(), whole),
            ],
        )
        expect_close(
            got[1],
            (X_test - mean) / std,
            ex,
            "Z_test",
            hints=[
                (
                    own(X_test),
                    "Z_test was scaled with the test set's own mean and std. Test rows must be "
                    "scaled exactly like training rows: with the training statistics.",
                ),
                (
                    (X_test - p_mean) / p_std,
                    "Z_test used pooled train+test statistics: use the training ones only.",
                ),
                ((X_test - mean) / std1, "you used the sample std (ddof=1); use X_train.std(axis=0)."),
                (X_test / std, "you divided by the std but forgot to subtract the training mean."),
                (X_test - mean, "you subtracted the mean but forgot to divide by the training std."),
                ((X_test - X_train.mean()) / X_train.std(), whole),
            ],
        )
    passed(
        ex,
        "Test rows are mapped with the training statistics, so a test point gets the same "
        "scaling it would have had at training time.",
    )


def check_ridge_per_feature(ridge_per_feature) -> None:
    """Exercise 7.3: ``ridge_per_feature(X, y, l2s) -> (w, b)`` minimising
    (1/n)||y - Xw - b||^2 + sum_j l2s_j w_j^2 (intercept unpenalized)."""
    ex = "Exercise 7.3"
    rng = np.random.default_rng(3)
    cases = []
    for n, p in [(20, 3), (8, 5), (40, 1)]:
        X = rng.standard_normal((n, p)) * rng.uniform(0.2, 5.0, p) + rng.uniform(-3, 3, p)
        y = X @ rng.standard_normal(p) + 1.5 + 0.3 * rng.standard_normal(n)
        cases.append((X, y, rng.uniform(0.01, 2.0, p)))
    cases.append((cases[0][0], cases[0][1], np.array([1e-6, 1.0, 100.0])))
    fresh = fresh_rng()  # new cases on every call: no table of answers passes
    for _ in range(2):
        n, p = int(fresh.integers(6, 40)), int(fresh.integers(1, 6))
        X = fresh.standard_normal((n, p)) * fresh.uniform(0.2, 5.0, p) + fresh.uniform(-3, 3, p)
        y = X @ fresh.standard_normal(p) + fresh.uniform(-3, 3) + 0.3 * fresh.standard_normal(n)
        cases.append((X, y, 10 ** fresh.uniform(-2, 0.5, p)))
    for X, y, l2s in cases:
        n = len(y)
        # Independent reference: per-feature penalties are one shared l2 = 1 after rescaling
        # column j by c_j = 1/sqrt(l2s_j) (the chapter's identity), then w_j = c_j * w'_j.
        c = 1.0 / np.sqrt(l2s)
        w_ref, b_ref = ridge(X * c, y, 1.0)
        w_ref = w_ref * c
        got = _pair(
            run(ridge_per_feature, X.copy(), y.copy(), l2s.copy(), exercise=ex),
            ex,
            "ridge_per_feature",
            "(w, b)",
        )
        Xc, yc = X - X.mean(axis=0), y - y.mean()

        G, r = Xc.T @ Xc, Xc.T @ yc
        no_n = np.linalg.solve(G + np.diag(l2s), r)
        no_center = np.linalg.solve(X.T @ X + n * np.diag(l2s), X.T @ y)
        squared = np.linalg.solve(G + n * np.diag(l2s**2), r)
        halved = np.linalg.solve(G + n * np.diag(l2s / 2), r)
        shared = np.linalg.solve(G + n * l2s.mean() * np.eye(len(l2s)), r)
        expect_close(
            got[0],
            w_ref,
            ex,
            "w",
            rtol=1e-6,
            atol=1e-8,
            inputs=(l2s,),
            hints=[
                (
                    no_n,
                    "your penalty is too weak by a factor n: the data loss is a MEAN, so the normal "
                    "equations read (Xc^T Xc + n*diag(l2s)) w = Xc^T yc.",
                ),
                (
                    no_center,
                    "you did not centre X and y: the intercept b is unpenalized, so solve with "
                    "Xc = X - mean, yc = y - mean and set b = mean(y) - mean(X) @ w.",
                ),
                (
                    squared,
                    "you squared the penalties: the penalty term is sum_j l2s_j * w_j^2, so "
                    "diag(n * l2s) enters the normal equations, not diag(n * l2s**2).",
                ),
                (
                    halved,
                    "your penalty is half as strong as it should be: the gradient of l2s_j * w_j^2 "
                    "is 2 * l2s_j * w_j, and the data loss's gradient also has a 2.",
                ),
                (shared, "you used one shared strength; every feature j needs its own l2s[j]."),
            ],
        )
        expect_close(
            got[1],
            b_ref,
            ex,
            "the intercept b",
            rtol=1e-6,
            atol=1e-8,
            hints=[
                (0.0, "b is 0: the intercept is unpenalized and equals mean(y) - mean(X) @ w."),
            ],
        )
    passed(ex, "A per-feature penalty l2s_j is what one shared l2 becomes after rescaling feature j.")
