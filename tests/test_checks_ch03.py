"""Chapter 03's checks, both ways: the reference passes, stubs and typical mistakes get their message."""

import numpy as np
import pytest
from check_helpers import stub

from regcourse import sparse
from regcourse.checks import CheckError, check_cumulative_penalty, check_l1_max, check_soft_threshold

# --- Exercise 3.3: soft-threshold -------------------------------------------------------------


def soft_ref(w, t):
    return np.sign(w) * np.maximum(np.abs(w) - t, 0.0)


def test_soft_threshold_reference_passes(capsys):
    check_soft_threshold(soft_ref)
    assert "✓ Exercise 3.3" in capsys.readouterr().out


def test_soft_threshold_stub():
    with pytest.raises(CheckError, match="not done yet"):
        check_soft_threshold(stub)


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda w, t: w - t * np.sign(w), "did not stop at zero"),
        (lambda w, t: np.where(np.abs(w) > t, w, 0.0), "hard thresholding"),
        (lambda w, t: np.maximum(w - t, 0.0), "negative weights all became 0"),
        (lambda w, t: np.sign(w) * np.abs(np.abs(w) - t), r"not abs\(\|w\| - t\)"),
        (lambda w, t: None, "returned None"),
    ],
)
def test_soft_threshold_typical_mistakes(wrong, message):
    with pytest.raises(CheckError, match=message):
        check_soft_threshold(wrong)


def test_soft_threshold_tiny_nonzero_is_not_a_zero():
    def almost(w, t):
        out = soft_ref(w, t)
        return np.where(out == 0, 1e-12, out)

    with pytest.raises(CheckError, match="exactly 0.0"):
        check_soft_threshold(almost)


# --- Exercise 3.4: cumulative penalty --------------------------------------------------------


def test_cumulative_reference_passes(capsys):
    check_cumulative_penalty(sparse.cumulative_penalty)
    assert "✓ Exercise 3.4" in capsys.readouterr().out


def test_cumulative_stub():
    with pytest.raises(CheckError, match="not done yet"):
        check_cumulative_penalty(stub)


def _ignore_q(w_half, u, q):
    w = np.sign(w_half) * np.maximum(np.abs(w_half) - u, 0.0)
    return w, q + (w - w_half)


def _swapped(w_half, u, q):
    w = np.where(
        w_half > 0,
        np.maximum(0.0, w_half - (u - q)),
        np.where(w_half < 0, np.minimum(0.0, w_half + (u + q)), 0.0),
    )
    return w, q + (w - w_half)


def _no_clip(w_half, u, q):
    w = np.where(w_half > 0, w_half - (u + q), np.where(w_half < 0, w_half + (u - q), 0.0))
    return w, q + (w - w_half)


def _q_unchanged(w_half, u, q):
    return sparse.cumulative_penalty(w_half, u, q)[0], q


def _q_sign(w_half, u, q):
    w, _ = sparse.cumulative_penalty(w_half, u, q)
    return w, q - (w - w_half)


def _in_place(w_half, u, q):
    w, q_new = sparse.cumulative_penalty(w_half, u, q)
    q[:] = q_new
    return w, q


@pytest.mark.parametrize(
    "wrong, message",
    [
        (_ignore_q, "ignored q"),
        (_swapped, "signs of q are swapped"),
        (_no_clip, "did not clip at zero"),
        (_q_unchanged, "q did not change"),
        (_q_sign, "q has the wrong sign"),
        (_in_place, "modified its inputs"),
        (lambda w_half, u, q: w_half, "should return a pair \\(w, q_new\\)"),
    ],
)
def test_cumulative_typical_mistakes(wrong, message):
    with pytest.raises(CheckError, match=message):
        check_cumulative_penalty(wrong)


# --- Exercise 3.5: lambda_max ----------------------------------------------------------------


def test_l1_max_reference_passes(capsys):
    check_l1_max(lambda X, y: sparse.l1_max(X, y))
    assert "✓ Exercise 3.5" in capsys.readouterr().out


def test_l1_max_stub():
    with pytest.raises(CheckError, match="not done yet"):
        check_l1_max(stub)


def _centred(X, y):
    return X - X.mean(0), y - y.mean()


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda X, y: np.max(np.abs(_centred(X, y)[0].T @ _centred(X, y)[1])) / len(y), "alpha_max"),
        (lambda X, y: np.max(np.abs(2 / len(y) * X.T @ y)), "centre X and y"),
        (lambda X, y: np.max(np.abs(2 * _centred(X, y)[0].T @ _centred(X, y)[1])), "divide by m"),
        (lambda X, y: np.max(2 / len(y) * _centred(X, y)[0].T @ _centred(X, y)[1]), "absolute value"),
        (lambda X, y: 1 / 0, "ZeroDivisionError"),
    ],
)
def test_l1_max_typical_mistakes(wrong, message):
    with pytest.raises(CheckError, match=message):
        check_l1_max(wrong)
