"""Checks for chapter 02's exercises."""

from __future__ import annotations

import numpy as np

from ._core import expect_close, fresh_rng, passed, run

__all__ = ["check_l2_gradient", "check_l2_step", "check_ridge_closed_form"]


def check_l2_gradient(l2_gradient) -> None:
    """Exercise 2.1: ``l2_gradient(w, lam)`` must return the gradient of lam * sum w^2, i.e. 2*lam*w."""
    ex = "Exercise 2.1"
    rng = np.random.default_rng(0)
    cases = [
        (rng.standard_normal(5), 0.3),
        (np.zeros(3), 1.0),
        (rng.standard_normal((2, 3)), 0.0),
        (np.array([-2.0, 0.5]), 2.5),
    ]
    fresh = fresh_rng()  # new cases on every call: no table of answers passes
    cases += [
        (fresh.standard_normal(tuple(fresh.integers(1, 6, size=k))), 10 ** fresh.uniform(-2, 1))
        for k in (1, 2, 3)
    ]
    for w, lam in cases:
        got = run(l2_gradient, w.copy(), lam, exercise=ex)
        expect_close(
            got,
            2 * lam * w,
            ex,
            "the gradient",
            inputs=(w, lam),
            hints=[
                (
                    lam * w,
                    "your L2 gradient is off by a factor of 2: did you differentiate sum w^2 to w? "
                    "d/dw (lam * w^2) = 2 * lam * w.",
                ),
                (lam * w * w, "you returned the penalty's terms lam * w^2, not its gradient 2 * lam * w."),
                (2 * w, "you dropped lam: the gradient of lam * sum w^2 is 2 * lam * w."),
                (lam * np.sign(w), "that is the L1 gradient lam * sign(w); the L2 one is 2 * lam * w."),
            ],
        )
    passed(ex, "The L2 gradient 2*lam*w is proportional to the weight: the pull shrinks as w shrinks.")


def check_l2_step(l2_step) -> None:
    """Exercise 2.2: ``l2_step(w, grad, lr, lam)`` must return (1 - 2*lr*lam)*w - lr*grad."""
    ex = "Exercise 2.2"
    rng = np.random.default_rng(1)
    cases = [
        (rng.standard_normal(4), rng.standard_normal(4), 0.1, 0.3),
        (rng.standard_normal((2, 3)), rng.standard_normal((2, 3)), 0.05, 2.0),
        (np.array([1.0, -2.0]), np.zeros(2), 0.2, 0.5),
        (np.array([0.5, 0.0, -1.5]), np.array([0.3, -0.2, 0.1]), 0.01, 0.0),
    ]
    fresh = fresh_rng()  # new cases on every call: no table of answers passes
    for shape in [(int(fresh.integers(2, 8)),), tuple(int(k) for k in fresh.integers(2, 5, size=2))]:
        cases.append(
            (
                3 * fresh.standard_normal(shape),
                fresh.standard_normal(shape),
                10 ** fresh.uniform(-3, -0.5),
                10 ** fresh.uniform(-2, 0.5),
            )
        )
    for w, grad, lr, lam in cases:
        got = run(l2_step, w.copy(), grad.copy(), lr, lam, exercise=ex)
        expected = (1 - 2 * lr * lam) * w - lr * grad
        expect_close(
            got,
            expected,
            ex,
            "the new weights",
            inputs=(w, grad, lr, lam),
            hints=[
                (
                    (1 - lr * lam) * w - lr * grad,
                    "your decay factor is 1 - lr*lam: the gradient of lam * sum w^2 is 2*lam*w, so the "
                    "factor is 1 - 2*lr*lam.",
                ),
                (
                    (1 - 2 * lam) * w - lr * grad,
                    "your decay factor 1 - 2*lam forgets the learning rate: the whole gradient, penalty "
                    "included, is multiplied by lr, so the factor is 1 - 2*lr*lam.",
                ),
                (w - lr * grad, "there is no decay in your step: the penalty adds 2*lam*w to the gradient."),
                (
                    (1 - 2 * lr * lam) * w + lr * grad,
                    "you stepped up the data gradient: gradient descent subtracts lr * grad.",
                ),
                (
                    (1 - 2 * lr * lam) * (w - lr * grad),
                    "you decayed after the data step, (1 - 2*lr*lam)*(w - lr*grad): both gradients are "
                    "taken at the current w, so only w is multiplied by the factor.",
                ),
                (
                    w - lr * (grad + lam * np.sign(w)),
                    "that is the L1 step, with lam*sign(w); the L2 penalty's gradient is 2*lam*w.",
                ),
            ],
        )
    passed(ex, "Each step multiplies w by 1 - 2*lr*lam before the data step: weight decay.")


def _ridge_reference(X, y, lam):
    m, p = X.shape
    return np.linalg.solve(X.T @ X + m * lam * np.eye(p), X.T @ y)


def check_ridge_closed_form(ridge_closed_form) -> None:
    """Exercise 2.3: ``ridge_closed_form(X, y, lam)`` must minimise (1/m)||y - Xw||^2 + lam*||w||^2."""
    ex = "Exercise 2.3"
    rng = np.random.default_rng(3)
    fresh = fresh_rng()  # new cases on every call: no table of answers passes
    sizes = [(20, 3, 0.1), (8, 5, 2.0), (30, 4, 0.01), (5, 9, 0.5)]
    sizes += [
        (int(fresh.integers(4, 40)), int(fresh.integers(1, 10)), 10 ** fresh.uniform(-2, 0.3))
        for _ in range(2)
    ]
    for k, (m, p, lam) in enumerate(sizes):
        source = rng if k < 4 else fresh
        X = source.standard_normal((m, p))
        y = source.standard_normal(m) + 1.0
        got = run(ridge_closed_form, X.copy(), y.copy(), lam, exercise=ex)
        eye = np.eye(p)
        expect_close(
            got,
            _ridge_reference(X, y, lam),
            ex,
            "w",
            rtol=1e-6,
            atol=1e-9,
            inputs=(X, y, lam),
            hints=[
                (
                    np.linalg.solve(X.T @ X + lam * eye, X.T @ y),
                    "you solved (X^T X + lam*I) w = X^T y: that minimises the SUM of squared errors plus "
                    "lam*||w||^2 (scikit-learn's Ridge with alpha=lam). With the MEAN squared error the "
                    "system is (X^T X + m*lam*I) w = X^T y.",
                ),
                (
                    np.linalg.solve(X.T @ X + m * lam / 2 * eye, X.T @ y),
                    "you used m*lam/2 on the diagonal: the gradient of lam*||w||^2 is 2*lam*w, and after "
                    "multiplying the condition by m/2 the diagonal term is m*lam.",
                ),
                (
                    np.linalg.solve(X.T @ X + 2 * m * lam * eye, X.T @ y),
                    "you used 2*m*lam on the diagonal: set (2/m) X^T (Xw - y) + 2*lam*w = 0 and multiply "
                    "by m/2; the diagonal term is m*lam.",
                ),
                (
                    np.linalg.lstsq(X, y, rcond=None)[0],
                    "that is the unpenalized least-squares solution: lam is missing.",
                ),
                (
                    np.linalg.solve(X.T @ X / m + lam * eye, X.T @ y),
                    "you divided X^T X by m but not X^T y: (X^T X / m + lam*I) w = X^T y / m.",
                ),
            ],
        )
    passed(ex, "w = (X^T X + m*lam*I)^-1 X^T y; m*lam appears because the data loss is a mean.")
