"""Checks for chapter 10's exercises (myths, tested)."""

from __future__ import annotations

import numpy as np

from ._core import expect_close, fresh_rng, passed, run

__all__ = ["check_product_hessian", "check_equivalent_l2"]


def _hessian(w1, w2, t, l2, pen=2.0, cross=True, data=2.0):
    off = 4 * w1 * w2 - 2 * t if cross else 4 * w1 * w2
    return np.array([[data * w2**2 + pen * l2, off], [off, data * w1**2 + pen * l2]])


def check_product_hessian(product_hessian) -> None:
    """Exercise 10.1: Hessian of (w1*w2 - t)^2 + l2*(w1^2 + w2^2)
    = [[2w2^2+2l2, 4w1w2-2t], [., 2w1^2+2l2]]."""
    ex = "Exercise 10.1"
    cases = [(0.5, -1.2, 1.0, 0.3), (0.0, 0.0, 1.0, 0.5), (1.5, 1.5, 2.0, 0.0), (-0.7, 2.0, 0.5, 1.2)]
    fresh = fresh_rng()  # new cases on every call: no table of answers passes
    cases += [tuple(float(x) for x in fresh.uniform([-2, -2, 0.1, 0.01], [2, 2, 3, 2])) for _ in range(3)]
    for w1, w2, t, l2 in cases:
        got = run(product_hessian, w1, w2, t, l2, exercise=ex)
        expected = _hessian(w1, w2, t, l2)
        hints = [
            (
                _hessian(w1, w2, t, l2, pen=1.0),
                "the penalty's part of the diagonal is off by a factor "
                "of 2: the second derivative of l2*w^2 is 2*l2.",
            ),
            (
                _hessian(w1, w2, t, l2, pen=0.0),
                "you left out the penalty: it adds 2*l2 to each diagonal entry.",
            ),
            (
                _hessian(w1, w2, t, l2, cross=False),
                "the off-diagonal entry misses -2t: differentiate "
                "2(w1*w2 - t)*w2 with respect to w2 with the product "
                "rule: 2*w1*w2 + 2(w1*w2 - t) = 4*w1*w2 - 2t.",
            ),
            (
                _hessian(w1, w2, t, l2, data=1.0),
                "the data part of the diagonal is off by a factor of 2: "
                "d/dw1 (w1*w2 - t)^2 = 2(w1*w2 - t)*w2, and again: 2*w2².",
            ),
            (
                _hessian(w1, w2, t, l2)[::-1, ::-1],
                "the diagonal entries are swapped: d²J/dw1² = 2*w2² + 2*l2 (it involves the *other* weight).",
            ),
        ]
        if (w1, w2) != (0.0, 0.0) or t != 0:
            expected_off = expected.copy()
            expected_off[0, 1] = expected_off[1, 0] = 2 * w1 * w2 - 2 * t
            hints.append(
                (
                    expected_off,
                    "the off-diagonal entry is 4*w1*w2 - 2t, not 2*w1*w2 - 2t: the "
                    "product rule gives two w1*w2 terms.",
                )
            )
        expect_close(
            got, expected, ex, "the Hessian", rtol=1e-9, atol=1e-12, inputs=(w1, w2, t, l2), hints=hints
        )
    passed(ex, "At the origin its eigenvalues are 2*l2 ± 2t: a saddle while l2 < t.")


def check_equivalent_l2(equivalent_l2) -> None:
    """Exercise 10.3: inputs multiplied by ``scale`` need l2 * scale^2 for the same predictions."""
    ex = "Exercise 10.3"
    fresh = fresh_rng()  # new cases on every call: no table of answers passes
    cases = [(0.05, 10.0), (0.3, 0.5), (2.0, 1e-3), (0.0, 7.0)]
    cases += [(float(10 ** fresh.uniform(-3, 1)), float(10 ** fresh.uniform(-3, 3))) for _ in range(3)]
    for l2, scale in cases:
        got = run(equivalent_l2, l2, scale, exercise=ex)
        hints = (
            []
            if l2 == 0
            else [
                (
                    l2 / scale**2,
                    "the scaling goes the other way: larger inputs need *smaller* weights "
                    "(w/scale), so the same penalty needs l2 * scale², not l2 / scale².",
                ),
                (l2 * scale, "the penalty is quadratic in the weights, so the factor is scale², not scale."),
                (
                    l2 / scale,
                    "the penalty is quadratic in the weights and the weights shrink by 1/scale: "
                    "the factor is scale².",
                ),
            ]
        )
        expect_close(
            got,
            l2 * scale**2,
            ex,
            "the equivalent l2",
            rtol=1e-9,
            atol=1e-15,
            inputs=(l2, scale),
            hints=hints,
        )
    passed(ex, "Penalty strengths carry units: 'between 0 and 1' cannot be a rule.")
