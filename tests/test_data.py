"""regcourse.data against scikit-learn's make_moons / StandardScaler and the stated distributions."""

import numpy as np
import pytest
from sklearn.datasets import make_moons as sk_moons
from sklearn.preprocessing import StandardScaler

from regcourse import data as D


def test_sparse_regression_structure():
    X, y, w = D.make_sparse_regression(50, 10, 4, noise=0.0, seed=3, weight_scale=2.0)
    assert X.shape == (50, 10) and y.shape == (50,) and w.shape == (10,)
    assert np.count_nonzero(w) == 4 and np.all(w[:4] != 0)
    assert np.all((np.abs(w[:4]) >= 1.0) & (np.abs(w[:4]) <= 3.0))  # [0.5, 1.5] * weight_scale
    np.testing.assert_allclose(y, X @ w, rtol=1e-13)  # noise = 0
    X2, y2, w2 = D.make_sparse_regression(50, 10, 4, noise=0.0, seed=3, weight_scale=2.0)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    assert not np.array_equal(X, D.make_sparse_regression(50, 10, 4, seed=4)[0])
    assert np.all(D.make_sparse_regression(5, 3, 0)[2] == 0)


def test_sparse_regression_distribution():
    rho = 0.7
    X, y, w = D.make_sparse_regression(20_000, 4, 2, noise=0.5, seed=0, correlation=rho)
    C = np.corrcoef(X.T)
    expected = rho ** np.abs(np.subtract.outer(np.arange(4), np.arange(4)))
    np.testing.assert_allclose(C, expected, atol=0.02)
    np.testing.assert_allclose(X.std(0), 1, atol=0.02)
    assert np.std(y - X @ w) == pytest.approx(0.5, rel=0.03)


@pytest.mark.parametrize(
    "kw, err, match",
    [
        (dict(n_samples=0), ValueError, "n_samples"),
        (dict(n_features=2.0), TypeError, "n_features"),
        (dict(n_informative=11), ValueError, "n_informative"),
        (dict(n_informative=1.0), TypeError, "n_informative"),
        (dict(noise=-1), ValueError, "noise"),
        (dict(correlation=1.0), ValueError, "correlation"),
        (dict(correlation="0.5"), TypeError, "correlation"),
        (dict(weight_scale=0), ValueError, "weight_scale"),
    ],
)
def test_sparse_regression_bad_input(kw, err, match):
    args = dict(n_samples=10, n_features=10, n_informative=3) | kw
    with pytest.raises(err, match=match):
        D.make_sparse_regression(**args)


@pytest.mark.parametrize("n", [7, 100])
def test_moons_match_sklearn_without_noise(n):
    X, y = D.make_moons(n, noise=0.0, seed=1)
    Xs, ys = sk_moons(n, noise=0.0, shuffle=False)
    order, order_s = np.lexsort((X[:, 1], X[:, 0])), np.lexsort((Xs[:, 1], Xs[:, 0]))
    np.testing.assert_allclose(X[order], Xs[order_s], atol=1e-12)
    assert np.array_equal(y[order], ys[order_s])
    assert y.dtype.kind == "i" and abs(int(y.sum()) - n / 2) <= 0.5


def test_moons_noise_and_seed():
    X, y = D.make_moons(400, noise=0.2, seed=0)
    X0, y0 = D.make_moons(400, noise=0.0, seed=0)  # same seed: same shuffle, noise added
    assert np.array_equal(y, y0)
    assert np.std(X - X0) == pytest.approx(0.2, rel=0.1)
    assert not np.array_equal(X, D.make_moons(400, noise=0.2, seed=1)[0])
    with pytest.raises(ValueError, match="n_samples"):
        D.make_moons(1)


def test_standardize_matches_sklearn():
    rng = np.random.default_rng(0)
    Xtr = rng.normal([0, 5, -3], [1, 1000, 0.001], (40, 3))
    Xte = rng.normal([0, 5, -3], [1, 1000, 0.001], (10, 3))
    Ztr, Zte, mean, std = D.standardize(Xtr, Xte)
    sc = StandardScaler().fit(Xtr)
    np.testing.assert_allclose(Ztr, sc.transform(Xtr), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(Zte, sc.transform(Xte), rtol=1e-12, atol=1e-12)  # training statistics
    np.testing.assert_allclose(mean, sc.mean_) and np.testing.assert_allclose(std, sc.scale_)
    Xc = np.column_stack([Xtr[:, 0], np.full(40, 3.0)])
    Z, m, s = D.standardize(Xc)
    assert s[1] == 1.0 and np.all(Z[:, 1] == 0)  # a constant column: no division by zero
    with pytest.raises(ValueError, match=r"others\[0\] has 2 columns"):
        D.standardize(Xtr, Xtr[:, :2])
    with pytest.raises(ValueError, match="X_train must have 2"):
        D.standardize(Xtr[:, 0])


def test_train_test_split():
    X = np.arange(20).reshape(10, 2)
    y = np.arange(10)
    Xtr, Xte, ytr, yte = D.train_test_split(X, y, 7, seed=0)
    assert len(Xtr) == 7 and len(Xte) == 3
    assert sorted(np.concatenate([ytr, yte])) == list(range(10))
    np.testing.assert_array_equal(Xtr[:, 0] // 2, ytr)  # rows stay paired
    again = D.train_test_split(X, y, 7, seed=0)
    assert np.array_equal(again[0], Xtr)
    with pytest.raises(ValueError, match="n_train"):
        D.train_test_split(X, y, 10)
    with pytest.raises(ValueError, match="same number of rows"):
        D.train_test_split(X, y[:5], 3)
