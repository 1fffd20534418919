"""Checks for chapter 12's exercises (weight decay in networks with normalization layers)."""

from __future__ import annotations

import numpy as np

from ._core import expect_close, fresh_rng, passed, run

__all__ = ["check_equilibrium_norm", "check_layer_norm"]


def _equilibrium(lr, l2, ghat):
    return (lr**2 * ghat**2 / (1 - (1 - 2 * lr * l2) ** 2)) ** 0.25


def check_equilibrium_norm(equilibrium_norm) -> None:
    """Exercise 12.2: ``equilibrium_norm(lr, l2, ghat)`` = (lr^2 ghat^2 / (1 - (1 - 2 lr l2)^2))^(1/4),
    where ||W||^2 (1 - (1 - 2 lr l2)^2) = lr^2 ghat^2 / ||W||^2 balances."""
    ex = "Exercise 12.2"
    cases = [(0.4, 0.005, 1.3), (0.1, 0.2, 2.0), (2.0, 0.2, 0.5), (0.5, 0.4, 1.0)]  # large lr*l2 too
    fresh = fresh_rng()  # new cases on every call: no table of answers passes
    cases += [
        (10 ** fresh.uniform(-2, 0.3), 10 ** fresh.uniform(-3, -0.5), 10 ** fresh.uniform(-1, 1))
        for _ in range(3)
    ]
    for lr, l2, ghat in cases:
        got = run(equilibrium_norm, lr, l2, ghat, exercise=ex)
        approx = (lr * ghat**2 / (4 * l2)) ** 0.25
        expect_close(
            got,
            _equilibrium(lr, l2, ghat),
            ex,
            "the equilibrium norm",
            rtol=1e-9,
            inputs=(lr, l2, ghat),
            hints=[
                (
                    approx,
                    "that is the small-lr*l2 approximation (lr ghat^2 / (4 l2))^(1/4); the exact "
                    "balance keeps the factor 1 - (1 - 2 lr l2)^2 = 4 lr l2 (1 - lr l2).",
                ),
                (
                    _equilibrium(lr, l2, ghat) ** 4,
                    "you returned ||W||^4; the norm is its fourth root.",
                ),
                (
                    _equilibrium(lr, l2, ghat) ** 2,
                    "you returned ||W||^2; the norm is its square root.",
                ),
                (
                    (lr**2 * ghat**2 / (1 - (1 - lr * l2) ** 2)) ** 0.25,
                    "the course's L2 step multiplies W by 1 - 2*lr*l2 (the gradient of l2*||W||^2 "
                    "is 2*l2*W), not 1 - lr*l2.",
                ),
                (
                    (lr * ghat / (1 - (1 - 2 * lr * l2) ** 2)) ** 0.25,
                    "the growth per step is lr^2 ||g||^2 = lr^2 ghat^2 / ||W||^2: square both lr and ghat.",
                ),
            ],
        )
    # arrays of equal shape
    lrs, l2s, gs = np.array([0.1, 0.4, 1.6]), np.array([0.01, 0.005, 0.00125]), np.array([1.0, 2.0, 3.0])
    got = run(equilibrium_norm, lrs, l2s, gs, exercise=ex)
    expect_close(got, _equilibrium(lrs, l2s, gs), ex, "the equilibrium norms of arrays", rtol=1e-9)
    passed(ex, "At equilibrium the direction turns by sqrt(1 - (1 - 2 lr l2)^2) ~ 2 sqrt(lr l2) per step.")


def _layer_norm(Z):
    c = Z - Z.mean(axis=1, keepdims=True)
    return c / c.std(axis=1, keepdims=True)


def check_layer_norm(layer_norm) -> None:
    """Exercise 12.4: ``layer_norm(Z)`` standardizes each row of a 2-D array (biased std, no eps)."""
    ex = "Exercise 12.4"
    rng = np.random.default_rng(12)
    cases = [rng.standard_normal((5, 6)), 3 + 2 * rng.standard_normal((8, 4)), rng.standard_normal((1, 7))]
    fresh = fresh_rng()
    cases += [fresh.normal(fresh.uniform(-3, 3), 10 ** fresh.uniform(-1, 1), (int(fresh.integers(2, 9)), 5))]
    for Z in cases:
        got = run(layer_norm, Z.copy(), exercise=ex)
        centred = Z - Z.mean(axis=1, keepdims=True)
        hints = [
            (
                centred / Z.std(axis=1, ddof=1, keepdims=True),
                "you divided by the unbiased standard deviation (ddof=1); torch's LayerNorm uses "
                "the biased one, the mean of the squared deviations.",
            ),
            (Z / Z.std(axis=1, keepdims=True), "subtract each row's mean before dividing."),
            (centred, "you centred the rows but did not divide by their standard deviation."),
        ]
        if len(Z) > 1:
            col = Z - Z.mean(axis=0, keepdims=True)
            hints.insert(
                0,
                (
                    col / col.std(axis=0, keepdims=True),
                    "you normalized each column over the examples: that is BatchNorm. LayerNorm "
                    "normalizes each example (row) over its units.",
                ),
            )
        expect_close(
            got, _layer_norm(Z), ex, "the normalized array", rtol=1e-6, atol=1e-9, inputs=(Z,), hints=hints
        )
    passed(ex, "Each row now has mean 0 and standard deviation 1, whatever the scale of Z.")
