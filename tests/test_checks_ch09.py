"""Chapter 09's exercise checks, both ways: the reference passes, wrong answers get their message."""

import numpy as np
import pytest

from regcourse import checks
from regcourse.checks import CheckError


def reference(X, y, lam):
    return np.linalg.solve(X.T @ X + lam * np.eye(X.shape[1]), X.T @ y)


def test_reference_passes(capsys):
    checks.check_kh_ridge(reference)
    assert "✓ Exercise 9.2" in capsys.readouterr().out


def test_stub_is_not_done_yet():
    def stub(X, y, lam):
        raise NotImplementedError("Exercise 9.2")

    with pytest.raises(CheckError, match="not done yet"):
        checks.check_kh_ridge(stub)


@pytest.mark.parametrize(
    "scale, message",
    [
        (0.5, "lam is halved"),
        (2.0, "lam is doubled"),
        ("m", "multiplied lam by m"),
        ("1/m", "divided lam by m"),
        (0.0, "ignored lam"),
    ],
)
def test_typical_wrong_answers(scale, message):
    def wrong(X, y, lam):
        m = X.shape[0]
        factor = {"m": m, "1/m": 1 / m}.get(scale, scale)
        return np.linalg.lstsq(X.T @ X + factor * lam * np.eye(X.shape[1]), X.T @ y, rcond=None)[0]

    with pytest.raises(CheckError, match=message):
        checks.check_kh_ridge(wrong)


def test_missing_return_and_crash():
    with pytest.raises(CheckError, match="returned None"):
        checks.check_kh_ridge(lambda X, y, lam: None)
    with pytest.raises(CheckError, match="raised ValueError"):
        checks.check_kh_ridge(lambda X, y, lam: int("x"))
