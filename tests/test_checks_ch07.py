"""Chapter 07's checks, tested both ways: the reference passes, stubs and typical mistakes fail."""

import numpy as np
import pytest

import regcourse as rc
from regcourse.checks import CheckError


def scale_ref(X_train, X_test):
    Z_train, Z_test, _, _ = rc.data.standardize(X_train, X_test)
    return Z_train, Z_test


def ridge_pf_ref(X, y, l2s):
    xm, ym = X.mean(axis=0), y.mean()
    Xc, yc = X - xm, y - ym
    w = np.linalg.solve(Xc.T @ Xc + len(y) * np.diag(l2s), Xc.T @ yc)
    return w, ym - xm @ w


def stub(*args):
    raise NotImplementedError("Exercise 7.x")


@pytest.mark.parametrize(
    "check, ref",
    [
        (rc.checks.check_scale_with_train_stats, scale_ref),
        (rc.checks.check_ridge_per_feature, ridge_pf_ref),
    ],
)
def test_reference_passes_and_stub_fails(check, ref, capsys):
    check(ref)
    assert "✓" in capsys.readouterr().out
    with pytest.raises(CheckError, match="not done yet"):
        check(stub)


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda A, B: ((A - A.mean(0)) / A.std(0), (B - B.mean(0)) / B.std(0)), "test set's own"),
        (
            lambda A, B: tuple((X - np.vstack([A, B]).mean(0)) / np.vstack([A, B]).std(0) for X in (A, B)),
            "leaks the test set",
        ),
        (lambda A, B: ((A - A.mean(0)) / A.std(0, ddof=1), (B - A.mean(0)) / A.std(0, ddof=1)), "ddof=1"),
        (lambda A, B: (A / A.std(0), B / A.std(0)), "subtract the training mean"),
        (lambda A, B: (A - A.mean(0), B - A.mean(0)), "divide by the training std"),
        (lambda A, B: (A - A.mean()) / A.std(), "should return a pair"),
    ],
)
def test_scale_mistakes(wrong, message):
    with pytest.raises(CheckError, match=message):
        rc.checks.check_scale_with_train_stats(wrong)


def test_scale_in_place_is_caught():
    def in_place(A, B):
        m, s = A.mean(0), A.std(0)
        A -= m
        A /= s
        B -= m
        B /= s
        return A, B

    with pytest.raises(CheckError, match="in place"):
        rc.checks.check_scale_with_train_stats(in_place)


def _ridge_variant(no_n=False, center=True, power=1, factor=1.0):
    def solve(X, y, l2s):
        xm, ym = (X.mean(0), y.mean()) if center else (np.zeros(X.shape[1]), 0.0)
        Xc, yc = X - xm, y - ym
        n = 1 if no_n else len(y)
        w = np.linalg.solve(Xc.T @ Xc + n * factor * np.diag(l2s**power), Xc.T @ yc)
        return w, ym - xm @ w

    return solve


@pytest.mark.parametrize(
    "wrong, message",
    [
        (_ridge_variant(no_n=True), "factor n"),
        (_ridge_variant(center=False), "did not centre"),
        (_ridge_variant(power=2), "squared the penalties"),
        (_ridge_variant(factor=0.5), "half as strong"),
        (lambda X, y, l2s: _ridge_variant()(X, y, np.full_like(l2s, l2s.mean())), "one shared strength"),
        (lambda X, y, l2s: (_ridge_variant()(X, y, l2s)[0], 0.0), "b is 0"),
        (lambda X, y, l2s: None, "returned None"),
    ],
)
def test_ridge_per_feature_mistakes(wrong, message):
    with pytest.raises(CheckError, match=message):
        rc.checks.check_ridge_per_feature(wrong)
