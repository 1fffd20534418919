"""Chapter 10's exercise checks, both ways: the reference passes, wrong answers get their message."""

import numpy as np
import pytest

from regcourse import checks
from regcourse.checks import CheckError


def hessian(w1, w2, t, l2, pen=2.0, off=None, swap=False):
    o = 4 * w1 * w2 - 2 * t if off is None else off(w1, w2, t)
    d1, d2 = 2 * w2**2 + pen * l2, 2 * w1**2 + pen * l2
    if swap:
        d1, d2 = d2, d1
    return np.array([[d1, o], [o, d2]])


def test_product_hessian_reference_passes(capsys):
    checks.check_product_hessian(hessian)
    assert "✓ Exercise 10.1" in capsys.readouterr().out


def test_product_hessian_stub():
    def stub(w1, w2, t, l2):
        raise NotImplementedError("Exercise 10.1")

    with pytest.raises(CheckError, match="not done yet"):
        checks.check_product_hessian(stub)


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda *a: hessian(*a, pen=1.0), "factor of 2"),
        (lambda *a: hessian(*a, pen=0.0), "left out the penalty"),
        (lambda *a: hessian(*a, off=lambda w1, w2, t: 4 * w1 * w2), "misses -2t"),
        (lambda *a: hessian(*a, swap=True), "swapped"),
        (lambda *a: hessian(*a, off=lambda w1, w2, t: 2 * w1 * w2 - 2 * t), "two w1\\*w2 terms"),
    ],
)
def test_product_hessian_typical_mistakes(wrong, message):
    with pytest.raises(CheckError, match=message):
        checks.check_product_hessian(wrong)


def test_equivalent_l2_reference_passes(capsys):
    checks.check_equivalent_l2(lambda l2, scale: l2 * scale**2)
    assert "✓ Exercise 10.3" in capsys.readouterr().out


def test_equivalent_l2_stub():
    def stub(l2, scale):
        raise NotImplementedError("Exercise 10.3")

    with pytest.raises(CheckError, match="not done yet"):
        checks.check_equivalent_l2(stub)


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda l2, s: l2 / s**2, "other way"),
        (lambda l2, s: l2 * s, "not scale"),
        (lambda l2, s: l2 / s, "shrink by 1/scale"),
        (lambda l2, s: np.array([l2 * s**2, 0.0]), "one number"),
        (lambda l2, s: None, "returned None"),
    ],
)
def test_equivalent_l2_typical_mistakes(wrong, message):
    with pytest.raises(CheckError, match=message):
        checks.check_equivalent_l2(wrong)
