"""Checks for chapter 01's exercises."""

from __future__ import annotations

import numpy as np

from ._core import CheckError, answer_dtype, as_array, expect_close, expect_shape, fresh_rng, passed, run

__all__ = ["check_worst_case_perturbation", "check_min_norm_interpolant"]


def check_worst_case_perturbation(worst_case_perturbation) -> None:
    """Exercise 1.1: ``worst_case_perturbation(w, eps)`` must return eps * w / ||w||."""
    ex = "Exercise 1.1"
    rng = np.random.default_rng(1)
    cases = [
        (rng.standard_normal(5), 0.1),
        (np.array([3.0, -4.0]), 2.0),
        (rng.standard_normal(7) * 10, 0.01),
        (np.array([0.0, 0.0, -2.5]), 1.0),
    ]
    fresh = fresh_rng()  # new cases on every call: no table of answers passes
    cases += [
        (
            fresh.standard_normal(fresh.integers(2, 10)) * 10 ** fresh.uniform(-2, 2),
            10 ** fresh.uniform(-3, 1),
        )
        for _ in range(3)
    ]
    for w, eps in cases:
        got = run(worst_case_perturbation, w.copy(), eps, exercise=ex)
        norm = np.linalg.norm(w)
        expect_close(
            got,
            eps * w / norm,
            ex,
            "the input change",
            inputs=(w, eps),
            hints=[
                (
                    -eps * w / norm,
                    "your change points against w: it *decreases* the output the most. Flip its sign.",
                ),
                (eps * w, "your change is eps * w, whose norm is eps * ||w||, not eps: divide by ||w||."),
                (w / norm, "your change has norm 1, not eps: multiply the unit vector w / ||w|| by eps."),
                (
                    eps * np.sign(w),
                    "eps * sign(w) is the worst change when each input may move by eps "
                    "(a max-norm ball); here the Euclidean norm ||dx|| is eps: "
                    "use eps * w / ||w||.",
                ),
                (eps * w / (norm * norm), "you divided by ||w||^2 (the squared norm): divide by ||w||."),
            ],
        )
    passed(ex, "The output then rises by eps * ||w||: the weight norm is the worst-case sensitivity.")


def check_min_norm_interpolant(min_norm_interpolant) -> None:
    """Exercise 1.2: ``min_norm_interpolant(X, y)`` must return X^+ y for a wide X (m < p)."""
    ex = "Exercise 1.2"
    rng = np.random.default_rng(2)
    fresh = fresh_rng()  # new cases on every call: no table of answers passes
    cases = [
        (rng.standard_normal((m, p)), rng.standard_normal(m)) for m, p in [(3, 8), (10, 25), (1, 4), (6, 7)]
    ]
    for m in fresh.integers(1, 12, size=2):
        p = m + fresh.integers(2, 12)
        cases.append((fresh.standard_normal((m, p)), 3 * fresh.standard_normal(m)))
    for X, y in cases:
        answer = run(min_norm_interpolant, X.copy(), y.copy(), exercise=ex)
        got = as_array(answer, ex, "min_norm_interpolant")
        expected = np.linalg.pinv(X) @ y
        expect_shape(got, expected, ex, "w")
        if not np.all(np.isfinite(got)):
            raise CheckError(
                f"{ex}: w contains NaN or inf for X of shape {X.shape}. If you solved "
                f"the normal equations, X^T X is singular when m < p."
            )
        residual = np.abs(X @ got - y).max()
        low = answer_dtype(answer).endswith(("float32", "float16"))  # ~7 (or 3) digits kept
        if residual > (1e-3 if low else 1e-6) * (1 + np.abs(y).max()) * (1 + np.abs(X).max()):
            hint = ""
            if np.allclose(got, X.T @ y):
                hint = " You returned X^T y; the inverse of X X^T is missing: w = X^T (X X^T)^-1 y."
            raise CheckError(
                f"{ex}: your w does not fit the data exactly: max |Xw - y| = "
                f"{residual:.2e} for X of shape {X.shape}.{hint}"
                + (f" (Your w is {answer_dtype(answer)}: compute in float64.)" if low else "")
            )
        if np.linalg.norm(got) > np.linalg.norm(expected) * (1 + (1e-4 if low else 1e-6)):
            raise CheckError(
                f"{ex}: your w fits the data but its norm {np.linalg.norm(got):.4f} is "
                f"larger than the minimum {np.linalg.norm(expected):.4f}: it has a "
                f"component in the null space of X. Look for w of the form X^T a."
            )
        expect_close(answer, expected, ex, "w", rtol=1e-6, atol=1e-8, inputs=(X, y))
    passed(ex, "w = X^T (X X^T)^-1 y lies in the row space of X, orthogonal to every null-space direction.")
