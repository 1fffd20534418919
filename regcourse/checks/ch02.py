"""Checks for chapter 02's exercises."""
from __future__ import annotations

import numpy as np

from ._core import expect_close, passed, run

__all__ = ["check_l2_gradient"]


def check_l2_gradient(l2_gradient) -> None:
    """Exercise 2.1: ``l2_gradient(w, lam)`` must return the gradient of lam * sum w^2, i.e. 2*lam*w."""
    ex = "Exercise 2.1"
    rng = np.random.default_rng(0)
    cases = [(rng.standard_normal(5), 0.3), (np.zeros(3), 1.0), (rng.standard_normal((2, 3)), 0.0),
             (np.array([-2.0, 0.5]), 2.5)]
    for w, lam in cases:
        got = run(l2_gradient, w.copy(), lam, exercise=ex)
        expect_close(got, 2 * lam * w, ex, "the gradient", inputs=(w, lam), hints=[
            (lam * w, "your L2 gradient is off by a factor of 2: did you differentiate sum w^2 to w? "
                      "d/dw (lam * w^2) = 2 * lam * w."),
            (lam * w * w, "you returned the penalty's terms lam * w^2, not its gradient 2 * lam * w."),
            (2 * w, "you dropped lam: the gradient of lam * sum w^2 is 2 * lam * w."),
            (lam * np.sign(w), "that is the L1 gradient lam * sign(w); the L2 one is 2 * lam * w."),
        ])
    passed(ex, "The L2 gradient 2*lam*w is proportional to the weight: the pull shrinks as w shrinks.")
