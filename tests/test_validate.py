"""regcourse._validate: bad input raises TypeError/ValueError naming the argument."""

import numpy as np
import pytest
import torch

from regcourse import _validate as v


@pytest.mark.parametrize(
    "value", [0, 0.0, 3, 2.5, np.float32(0.5), np.int64(2), torch.tensor(0.25), np.array(1.5)]
)
def test_nonneg_accepts_real_numbers(value):
    out = v.nonneg("l2", value)
    assert isinstance(out, float) and out == pytest.approx(float(value))


@pytest.mark.parametrize("value", [True, "0.1", None, 1 + 2j, [0.1], np.array([0.1]), torch.tensor([0.1])])
def test_nonneg_rejects_non_numbers(value):
    with pytest.raises(TypeError, match="l2"):
        v.nonneg("l2", value)


@pytest.mark.parametrize("value", [-1e-9, -3, float("nan"), float("inf"), -float("inf")])
def test_nonneg_rejects_negative_and_nonfinite(value):
    with pytest.raises(ValueError, match="l1"):
        v.nonneg("l1", value)


def test_real_allows_negative_but_not_nan():
    assert v.real("correlation", -0.5) == -0.5
    with pytest.raises(ValueError, match="correlation"):
        v.real("correlation", float("nan"))


def test_positive():
    assert v.positive("lr", 0.1) == 0.1
    with pytest.raises(ValueError, match="lr"):
        v.positive("lr", 0)


def test_positive_int():
    assert v.positive_int("epochs", np.int64(3)) == 3
    for bad in (2.0, True, "3", None):
        with pytest.raises(TypeError, match="epochs"):
            v.positive_int("epochs", bad)
    with pytest.raises(ValueError, match="epochs"):
        v.positive_int("epochs", 0)


def test_as_float_array_converts():
    assert v.as_float_array("w", [1, 2]).dtype == np.float64
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    np.testing.assert_array_equal(v.as_float_array("w", t), [1.0, 2.0])
    np.testing.assert_array_equal(v.as_float_array("w", torch.tensor([1.5], dtype=torch.bfloat16)), [1.5])
    np.testing.assert_array_equal(v.as_float_array("w", [True, False]), [1.0, 0.0])


@pytest.mark.parametrize(
    "bad", [None, "abc", b"ab", ["a", 1], [[1], [1, 2]], np.array([1 + 1j]), torch.tensor([1 + 1j])]
)
def test_as_float_array_rejects(bad):
    with pytest.raises(TypeError, match="w"):
        v.as_float_array("w", bad)


def test_as_float_array_rank():
    assert v.as_float_array("X", np.zeros((2, 3)), ndim=2).shape == (2, 3)
    assert v.as_float_array("X", np.zeros(3), ndim=(1, 2)).shape == (3,)
    with pytest.raises(ValueError, match=r"X must have 2 dimension\(s\), got shape \(3,\)"):
        v.as_float_array("X", np.zeros(3), ndim=2)


def test_finite_array_counts_bad_values():
    with pytest.raises(ValueError, match="y contains 2 NaN or infinite"):
        v.finite_array("y", [1.0, np.nan, np.inf])


def test_same_rows_and_one_of():
    v.same_rows("X", np.zeros((3, 2)), "y", np.zeros(3))
    with pytest.raises(ValueError, match="X and y must have the same number of rows, got 3 and 2"):
        v.same_rows("X", np.zeros((3, 2)), "y", np.zeros(2))
    with pytest.raises(ValueError, match="y must be an array"):
        v.same_rows("X", np.zeros((3, 2)), "y", 1.0)
    assert v.one_of("loss", "mse", ("mse", "bce")) == "mse"
    with pytest.raises(ValueError, match="unknown loss 'l2'"):
        v.one_of("loss", "l2", ("mse", "bce"))


def test_regression_data_and_intercept_means():
    X, y = v.regression_data([[1, 2], [3, 4]], [1, 0])
    assert X.dtype == float and X.shape == (2, 2) and y.shape == (2,)
    with pytest.raises(ValueError, match="at least one row"):
        v.regression_data(np.zeros((0, 2)), np.zeros(0))
    with pytest.raises(ValueError, match="same number of rows"):
        v.regression_data(np.zeros((3, 2)), np.zeros(2))
    x_mean, y_mean = v.intercept_means(X, y, True)
    assert np.allclose(x_mean, [2, 3]) and y_mean == 0.5
    x_mean, y_mean = v.intercept_means(X, y, False)
    assert np.all(x_mean == 0) and y_mean == 0.0
    with pytest.raises(TypeError, match="fit_intercept must be True or False, got 1"):
        v.intercept_means(X, y, 1)
