"""Chapter 12's checks, both ways: the reference passes, stubs and typical mistakes get their message."""

import numpy as np
import pytest
from check_helpers import reference_passes_and_stub_fails

from regcourse.checks import CheckError, check_equilibrium_norm, check_layer_norm


def equilibrium_ref(lr, l2, ghat):
    return (np.asarray(lr) ** 2 * np.asarray(ghat) ** 2 / (1 - (1 - 2 * np.asarray(lr) * l2) ** 2)) ** 0.25


def layer_norm_ref(Z):
    c = Z - Z.mean(axis=1, keepdims=True)
    return c / c.std(axis=1, keepdims=True)


@pytest.mark.parametrize(
    "check, reference, name",
    [
        (check_equilibrium_norm, equilibrium_ref, "Exercise 12.2"),
        (check_layer_norm, layer_norm_ref, "Exercise 12.4"),
    ],
)
def test_reference_passes_and_stub_fails(check, reference, name, capsys):
    reference_passes_and_stub_fails(check, reference, name, capsys)


def test_equivalent_forms_pass():
    # 1 - (1 - 2 a)^2 = 4 a (1 - a): the expanded form is the same answer
    check_equilibrium_norm(lambda lr, l2, g: (lr * g**2 / (4 * l2 * (1 - lr * l2))) ** 0.25)
    check_layer_norm(lambda Z: (Z - Z.mean(1, keepdims=True)) / np.sqrt(Z.var(1, keepdims=True)))


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda lr, l2, g: (lr * g**2 / (4 * l2)) ** 0.25, "small-lr\\*l2 approximation"),
        (lambda lr, l2, g: equilibrium_ref(lr, l2, g) ** 4, "returned \\|\\|W\\|\\|\\^4"),
        (lambda lr, l2, g: equilibrium_ref(lr, l2, g) ** 2, "returned \\|\\|W\\|\\|\\^2"),
        (lambda lr, l2, g: (lr**2 * g**2 / (1 - (1 - lr * l2) ** 2)) ** 0.25, "not 1 - lr\\*l2"),
        (lambda lr, l2, g: (lr * g / (1 - (1 - 2 * lr * l2) ** 2)) ** 0.25, "square both"),
    ],
)
def test_equilibrium_typical_mistakes(wrong, message):
    with pytest.raises(CheckError, match=message):
        check_equilibrium_norm(wrong)


def test_equilibrium_scalars_only_fails_on_arrays():
    def scalars_only(lr, l2, g):
        return float(equilibrium_ref(float(lr), float(l2), float(g)))

    with pytest.raises(CheckError, match="Exercise 12.2"):
        check_equilibrium_norm(scalars_only)


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda Z: (Z - Z.mean(0)) / Z.std(0), "that is BatchNorm"),
        (lambda Z: (Z - Z.mean(1, keepdims=True)) / Z.std(1, ddof=1, keepdims=True), "unbiased"),
        (lambda Z: Z / Z.std(1, keepdims=True), "subtract each row's mean"),
        (lambda Z: Z - Z.mean(1, keepdims=True), "did not divide"),
    ],
)
def test_layer_norm_typical_mistakes(wrong, message):
    with pytest.raises(CheckError, match=message):
        check_layer_norm(wrong)
