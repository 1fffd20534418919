"""Chapter 01's checks, both ways: the reference passes, stubs and typical mistakes get their message."""

import numpy as np
import pytest
from check_helpers import stub

from regcourse.checks import CheckError, check_min_norm_interpolant, check_worst_case_perturbation


def worst_ref(w, eps):
    return eps * w / np.linalg.norm(w)


def test_worst_case_reference_passes(capsys):
    check_worst_case_perturbation(worst_ref)
    assert "✓ Exercise 1.1" in capsys.readouterr().out


def test_worst_case_stub():
    with pytest.raises(CheckError, match="Exercise 1.1 is not done yet"):
        check_worst_case_perturbation(stub)


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda w, eps: -eps * w / np.linalg.norm(w), "decreases"),
        (lambda w, eps: eps * w, "divide by \\|\\|w\\|\\|"),
        (lambda w, eps: w / np.linalg.norm(w), "norm 1, not eps"),
        (lambda w, eps: eps * np.sign(w), "max-norm ball"),
        (lambda w, eps: eps * w / np.linalg.norm(w) ** 2, "squared norm"),
        (lambda w, eps: None, "returned None"),
    ],
)
def test_worst_case_typical_mistakes(wrong, message):
    with pytest.raises(CheckError, match=message):
        check_worst_case_perturbation(wrong)


def min_norm_ref(X, y):
    return X.T @ np.linalg.solve(X @ X.T, y)


def test_min_norm_reference_passes(capsys):
    check_min_norm_interpolant(min_norm_ref)
    check_min_norm_interpolant(lambda X, y: np.linalg.pinv(X) @ y)
    assert capsys.readouterr().out.count("✓ Exercise 1.2") == 2


def test_min_norm_stub():
    with pytest.raises(CheckError, match="Exercise 1.2 is not done yet"):
        check_min_norm_interpolant(stub)


def _with_null_component(X, y):
    w = min_norm_ref(X, y)
    _, _, Vt = np.linalg.svd(X)
    return w + Vt[-1]  # the last right-singular vector is in the null space (m < p)


@pytest.mark.parametrize(
    "wrong, message",
    [
        (_with_null_component, "component in the null space"),
        (lambda X, y: X.T @ y, "inverse of X X\\^T is missing"),
        (lambda X, y: np.linalg.solve(X.T @ X, X.T @ y), "Exercise 1.2"),
        (lambda X, y: np.full(X.shape[1], np.nan), "normal equations"),
        (lambda X, y: min_norm_ref(X, y)[:-1], "shapes differ"),
    ],
)
def test_min_norm_typical_mistakes(wrong, message):
    with pytest.raises(CheckError, match=message):
        check_min_norm_interpolant(wrong)
