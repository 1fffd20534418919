"""Checks for chapter 06's exercises (choosing lambda)."""

from __future__ import annotations

import numpy as np

from ..tuning import refine_grid
from ._core import answer_dtype, as_numbers, as_tuple, expect_close, fresh_rng, passed, run

__all__ = ["check_bias2_variance", "check_refine_grid"]


def check_bias2_variance(bias2_variance) -> None:
    """Exercise 6.3: ``bias2_variance(preds, f) -> (bias2, variance)`` for preds of shape
    (K sets, n points)."""
    ex = "Exercise 6.3"
    rng = np.random.default_rng(6)
    fresh = fresh_rng()  # new cases on every call: no table of answers passes
    sizes = [(8, 5), (20, 12), (3, 1)] + [
        tuple(int(k) for k in fresh.integers(2, 25, size=2)) for _ in range(2)
    ]
    for k, (K, n) in enumerate(sizes):
        source = rng if k < 3 else fresh
        f = source.standard_normal(n)
        preds = f + 0.4 + 0.7 * source.standard_normal((K, n)) + source.standard_normal(n)
        out = run(bias2_variance, preds.copy(), f.copy(), exercise=ex)
        got = as_numbers(
            as_tuple(out, 2, ex, "bias2_variance", "(bias2, variance)"),
            ex,
            "bias2_variance",
            ("bias2", "variance"),
        )
        mean_pred = preds.mean(axis=0)
        bias2 = np.mean((mean_pred - f) ** 2)
        var = np.mean(preds.var(axis=0))
        expect_close(
            got,
            [bias2, var],
            ex,
            "(bias2, variance)",
            inputs=(f"K={K}", f"n={n}"),
            dtype=answer_dtype(out),
            hints=[
                (
                    [np.mean(mean_pred - f) ** 2, var],
                    "your bias^2 squares the *average* error; square the error of the mean prediction at "
                    "each "
                    "point first, then average: mean((preds.mean(axis=0) - f)**2).",
                ),
                ([np.sqrt(bias2), var], "you returned the bias, not its square."),
                (
                    [bias2, np.mean(preds.var(axis=0, ddof=1))],
                    "your variance uses ddof=1; the identity error = bias^2 + variance holds with the plain "
                    "average over the K sets (ddof=0).",
                ),
                (
                    [bias2, np.mean(preds.var(axis=1))],
                    "your variance is taken across test points (axis=1); it must be across the K training "
                    "sets (axis=0), at each point, then averaged.",
                ),
                (
                    [np.mean((preds - f) ** 2), var],
                    "your bias^2 is the total error mean((preds - f)**2), which is bias^2 + variance.",
                ),
                ([var, bias2], "bias2 and variance are swapped: return (bias2, variance) in that order."),
            ],
        )
    passed(ex, "bias^2 + variance is the average squared distance of the predictions from the truth.")


def check_refine_grid(refine) -> None:
    """Exercise 6.2: ``refine(lams, errors, n)``: n log-spaced values between the best's neighbours."""
    ex = "Exercise 6.2"
    lams3 = 3.0 ** np.arange(-4, 3)  # 1/81 ... 9, a factor 3 apart (sorted)
    uneven = np.array([1e-4, 3e-4, 1e-3, 1e-2, 0.05, 0.3, 1.0, 10.0])  # no constant ratio, length 8
    cases = [
        (lams3, np.array([9, 7, 5, 2, 3, 6, 8.0]), 5),
        (lams3, np.array([1, 2, 3, 4, 5, 6, 7.0]), 4),
        (lams3, np.array([7, 6, 5, 4, 3, 2, 1.0]), 7),
        (lams3, np.array([5, 4, 3, 2.5, 2, 1, 1.5]), 9),
        (uneven, np.array([8, 7, 6, 5, 1, 2, 3, 4.0]), 6),
        (uneven, np.arange(8.0, 0, -1), 5),
        (uneven[:5], np.array([3, 1, 2, 4, 5.0]), 3),
    ]
    fresh = fresh_rng()  # new cases on every call: no table of answers passes
    for where in ("inside", "first", "last", "anywhere"):
        size = int(fresh.integers(3, 13))
        lams = np.sort(10 ** fresh.uniform(-5, 2, size))
        errors = fresh.permutation(size) + fresh.uniform(0, 0.5, size)
        best = {"inside": int(fresh.integers(1, size - 1)), "first": 0, "last": size - 1}.get(where)
        if best is not None:
            errors[best] = errors.min() - 1.0
        cases.append((lams, errors, int(fresh.integers(2, 13))))
    for lams, errors, n in cases:
        got = run(refine, lams.copy(), errors.copy(), n, exercise=ex)
        ref = refine_grid(lams, errors, n)
        i, last = int(np.argmin(errors)), len(lams) - 1
        best = lams[i]
        worst = int(np.argmax(errors))
        fixed = (
            "you used a fixed factor around the best lambda (the grid's first ratio, or 3): the "
            "given grid need not be evenly spaced. Use its neighbours lams[i - 1] and lams[i + 1] "
            "(the best itself at an end)."
        )
        hints = [
            (
                np.linspace(lams[max(i - 1, 0)], lams[min(i + 1, last)], n),
                "your values are evenly spaced on a linear scale; refine on the log scale (np.geomspace).",
            ),
            (
                np.geomspace(best / 10, best * 10, n),
                "you refine over one decade either side of the best; use its neighbours in the given grid.",
            ),
            (np.geomspace(best / (lams[1] / lams[0]), best * lams[1] / lams[0], n), fixed),
            (np.geomspace(best / 3, best * 3, n), fixed),
            (np.log10(ref), "you returned log10 of the values: exponentiate, or use np.geomspace."),
            (np.log(ref), "you returned the natural log of the values: exponentiate, or use np.geomspace."),
            (
                np.geomspace(lams[max(worst - 1, 0)], lams[min(worst + 1, last)], n),
                "you refined around the largest error: the best lambda has the smallest validation error "
                "(np.argmin).",
            ),
        ]
        if i > 0:
            hints.append(
                (
                    np.geomspace(best, lams[min(i + 1, last)], n),
                    "your refined grid starts at the best value; it should start at its left neighbour.",
                )
            )
        if i == 0:
            hints.append(
                (
                    np.geomspace(lams[i - 1], lams[i + 1], n),
                    "when the best is the first value, lams[i - 1] wraps round to the last one; "
                    "use the best itself as the left end.",
                )
            )
        expect_close(got, ref, ex, "the refined grid", rtol=1e-9, inputs=(lams, errors, n), hints=hints)
    passed(ex, "The refined grid spans the best's two neighbours on a log scale.")
