"""Checks for chapter 06's exercises (choosing lambda)."""
from __future__ import annotations

import numpy as np

from ..tuning import refine_grid
from ._core import CheckError, expect_close, passed, run

__all__ = ["check_bias2_variance", "check_refine_grid"]


def check_bias2_variance(bias2_variance) -> None:
    """Exercise 6.3: ``bias2_variance(preds, f) -> (bias2, variance)`` for preds of shape (K sets, n points)."""
    ex = "Exercise 6.3"
    rng = np.random.default_rng(6)
    for K, n in [(8, 5), (20, 12), (3, 1)]:
        f = rng.standard_normal(n)
        preds = f + 0.4 + 0.7 * rng.standard_normal((K, n)) + rng.standard_normal(n)
        got = run(bias2_variance, preds.copy(), f.copy(), exercise=ex)
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise CheckError(f"{ex}: bias2_variance should return a pair (bias2, variance), "
                             f"got {type(got).__name__}")
        mean_pred = preds.mean(axis=0)
        bias2 = np.mean((mean_pred - f) ** 2)
        var = np.mean(preds.var(axis=0))
        expect_close(got, [bias2, var], ex, "(bias2, variance)", inputs=(K, n), hints=[
            ([np.mean(mean_pred - f) ** 2, var],
             "your bias^2 squares the *average* error; square the error of the mean prediction at each "
             "point first, then average: mean((preds.mean(axis=0) - f)**2)."),
            ([np.sqrt(bias2), var], "you returned the bias, not its square."),
            ([bias2, np.mean(preds.var(axis=0, ddof=1))],
             "your variance uses ddof=1; the identity error = bias^2 + variance holds with the plain "
             "average over the K sets (ddof=0)."),
            ([bias2, np.mean(preds.var(axis=1))],
             "your variance is taken across test points (axis=1); it must be across the K training "
             "sets (axis=0), at each point, then averaged."),
            ([np.mean((preds - f) ** 2), var], "your bias^2 is the total error mean((preds - f)**2), "
                                               "which is bias^2 + variance."),
        ])
    passed(ex, "bias^2 + variance is the average squared distance of the predictions from the truth.")


def check_refine_grid(refine) -> None:
    """Exercise 6.2: ``refine(lams, errors, n)``: n log-spaced values between the best's neighbours."""
    ex = "Exercise 6.2"
    lams = 3.0 ** np.arange(-4, 3)            # 1/81 ... 9, a factor 3 apart (sorted)
    cases = [(np.array([9, 7, 5, 2, 3, 6, 8.0]), 5), (np.array([1, 2, 3, 4, 5, 6, 7.0]), 4),
             (np.array([7, 6, 5, 4, 3, 2, 1.0]), 7), (np.array([5, 4, 3, 2.5, 2, 1, 1.5]), 9)]
    for errors, n in cases:
        got = run(refine, lams.copy(), errors.copy(), n, exercise=ex)
        ref = refine_grid(lams, errors, n)
        i = int(np.argmin(errors))
        best = lams[i]
        hints = [
            (np.linspace(lams[max(i - 1, 0)], lams[min(i + 1, len(lams) - 1)], n),
             "your values are evenly spaced on a linear scale; refine on the log scale (np.geomspace)."),
            (np.geomspace(best / 10, best * 10, n),
             "you refine over one decade either side of the best; use its neighbours in the given grid."),
            (np.geomspace(best, lams[min(i + 1, len(lams) - 1)], n) if i > 0 else np.zeros(n),
             "your refined grid starts at the best value; it should start at its left neighbour."),
        ]
        if i == 0:
            hints.append((np.geomspace(lams[i - 1], lams[i + 1], n),
                          "when the best is the first value, lams[i - 1] wraps round to the last one; "
                          "use the best itself as the left end."))
        expect_close(got, ref, ex, "the refined grid", rtol=1e-9, inputs=(lams, errors, n), hints=hints)
    passed(ex, "The refined grid spans the best's two neighbours on a log scale.")
