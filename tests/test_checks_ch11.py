"""Chapter 11's checks, both ways: the reference passes, stubs and typical mistakes get their message."""

import numpy as np
import pytest
from check_helpers import reference_passes_and_stub_fails

from regcourse.checks import CheckError, check_dropout_penalty, check_gd_weights


def gd_reference(X, y, lr, steps, w0):
    """The closed form: w_t = V [g * (V^T w_hat) + (1 - g) * (V^T w0)], g = 1 - (1 - 2 lr s)^t."""
    s, V = np.linalg.eigh(X.T @ X / len(y))
    g = 1 - (1 - 2 * lr * np.clip(s, 0, None)) ** steps
    w_hat = np.linalg.pinv(X) @ y
    return V @ (g * (V.T @ w_hat) + (1 - g) * (V.T @ w0))


def gd_loop(X, y, lr, steps, w0):
    w = w0.copy()
    for _ in range(steps):
        w = w - lr * 2 / len(y) * X.T @ (X @ w - y)
    return w


def dropout_reference(w, X, p):
    return p / (1 - p) * np.sum(w**2 * np.mean(X**2, axis=0))


@pytest.mark.parametrize(
    "check, reference, name",
    [
        (check_gd_weights, gd_reference, "Exercise 11.2"),
        (check_gd_weights, gd_loop, "Exercise 11.2"),
        (check_dropout_penalty, dropout_reference, "Exercise 11.3"),
    ],
)
def test_reference_passes_and_stub_fails(check, reference, name, capsys):
    reference_passes_and_stub_fails(check, reference, name, capsys)


def _loop(scale=2.0, extra=0):
    def f(X, y, lr, steps, w0):
        w = w0.copy()
        for _ in range(max(steps + extra, 0)):
            w = w - lr * scale / len(y) * X.T @ (X @ w - y)
        return w

    return f


def _swapped(X, y, lr, steps, w0):
    s, V = np.linalg.eigh(X.T @ X / len(y))
    g = 1 - (1 - 2 * lr * np.clip(s, 0, None)) ** steps
    return V @ ((1 - g) * (V.T @ (np.linalg.pinv(X) @ y)) + g * (V.T @ w0))


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda X, y, lr, steps, w0: _loop()(X, y, lr, steps, 0 * w0), "ignored w0"),
        (_loop(scale=1.0), "half as long"),
        (lambda X, y, lr, steps, w0: _loop()(X, y, lr, steps, 0 * w0) + w0, "without letting it decay"),
        (_loop(extra=1), "one step too many"),
        (_loop(extra=-1), "one step too few"),
        (_swapped, "swapped"),
    ],
)
def test_gd_weights_typical_mistakes(wrong, message):
    with pytest.raises(CheckError, match=message):
        check_gd_weights(wrong)


def _pen(factor=None, moment=None):
    def f(w, X, p):
        c = p / (1 - p) if factor is None else factor(p)
        mom = np.mean(X**2, axis=0) if moment is None else moment(X)
        return c * np.sum(w**2 * mom)

    return f


@pytest.mark.parametrize(
    "wrong, message",
    [
        (_pen(factor=lambda p: p), "your factor is p:"),
        (_pen(factor=lambda p: (1 - p) / p), "probability to DROP"),
        (_pen(factor=lambda p: p * (1 - p)), "without the 1/\\(1 - p\\) rescaling"),
        (_pen(moment=lambda X: X.var(axis=0)), "variance of each column"),
        (_pen(moment=lambda X: X.mean(axis=0) ** 2), "mean\\(x_j\\)\\^2"),
        (_pen(moment=lambda X: np.sum(X**2, axis=0)), "summed over the examples"),
        (lambda w, X, p: p / (1 - p) * np.mean((X @ w) ** 2), "squared the whole prediction"),
        (lambda w, X, p: p / (1 - p) * np.sum(np.abs(w) * np.mean(X**2, axis=0)), "used \\|w_j\\|"),
    ],
)
def test_dropout_penalty_typical_mistakes(wrong, message):
    with pytest.raises(CheckError, match=message):
        check_dropout_penalty(wrong)


def test_missing_return_and_crash():
    with pytest.raises(CheckError, match="returned None"):
        check_dropout_penalty(lambda w, X, p: None)
    with pytest.raises(CheckError, match="raised ValueError"):
        check_gd_weights(lambda X, y, lr, steps, w0: int("x"))
    with pytest.raises(CheckError, match="shape"):
        check_gd_weights(lambda X, y, lr, steps, w0: np.zeros(len(w0) + 1))
