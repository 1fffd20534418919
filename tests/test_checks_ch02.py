"""Chapter 02's checks, both ways: the reference passes, stubs and typical mistakes get their message."""

import numpy as np
import pytest
from check_helpers import reference_passes_and_stub_fails

from regcourse.checks import CheckError, check_l2_gradient, check_l2_step, check_ridge_closed_form


@pytest.mark.parametrize(
    "check, reference, name",
    [
        (check_l2_gradient, lambda w, lam: 2 * lam * w, "Exercise 2.1"),
        (check_l2_step, lambda w, g, lr, lam: (1 - 2 * lr * lam) * w - lr * g, "Exercise 2.2"),
        (
            check_ridge_closed_form,
            lambda X, y, lam: np.linalg.solve(X.T @ X + len(y) * lam * np.eye(X.shape[1]), X.T @ y),
            "Exercise 2.3",
        ),
    ],
)
def test_reference_passes_and_stub_fails(check, reference, name, capsys):
    reference_passes_and_stub_fails(check, reference, name, capsys)


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda w, lam: lam * w, "off by a factor of 2"),
        (lambda w, lam: lam * w * w, "penalty's terms"),
        (lambda w, lam: 2 * w + 0 * lam, "dropped lam"),
        (lambda w, lam: lam * np.sign(w), "L1 gradient"),
    ],
)
def test_l2_gradient_typical_mistakes(wrong, message):
    with pytest.raises(CheckError, match=message):
        check_l2_gradient(wrong)


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda w, g, lr, lam: (1 - lr * lam) * w - lr * g, "factor is 1 - lr\\*lam"),
        (lambda w, g, lr, lam: (1 - 2 * lam) * w - lr * g, "forgets the learning rate"),
        (lambda w, g, lr, lam: w - lr * g, "no decay"),
        (lambda w, g, lr, lam: (1 - 2 * lr * lam) * w + lr * g, "subtracts lr \\* grad"),
        (lambda w, g, lr, lam: (1 - 2 * lr * lam) * (w - lr * g), "decayed after the data step"),
        (lambda w, g, lr, lam: w - lr * (g + lam * np.sign(w)), "L1 step"),
    ],
)
def test_l2_step_typical_mistakes(wrong, message):
    with pytest.raises(CheckError, match=message):
        check_l2_step(wrong)


def _solve(diag):
    def f(X, y, lam):
        m, p = X.shape
        return np.linalg.solve(X.T @ X + diag(m, lam) * np.eye(p), X.T @ y)

    return f


@pytest.mark.parametrize(
    "wrong, message",
    [
        (_solve(lambda m, lam: lam), "SUM of squared errors"),
        (_solve(lambda m, lam: m * lam / 2), "m\\*lam/2"),
        (_solve(lambda m, lam: 2 * m * lam), "2\\*m\\*lam"),
        (lambda X, y, lam: np.linalg.lstsq(X, y, rcond=None)[0], "lam is missing"),
        (
            lambda X, y, lam: np.linalg.solve(X.T @ X / len(y) + lam * np.eye(X.shape[1]), X.T @ y),
            "divided X\\^T X by m but not",
        ),
    ],
)
def test_ridge_typical_mistakes(wrong, message):
    with pytest.raises(CheckError, match=message):
        check_ridge_closed_form(wrong)
