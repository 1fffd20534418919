"""regcourse.solvers against scikit-learn (constants converted) and KKT conditions via torch autograd."""

import warnings

import numpy as np
import pytest
import torch
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, Ridge

from regcourse import solvers as S
from regcourse.data import make_sparse_regression


def data(n=60, p=8, seed=0, correlation=0.5):
    X, y, _ = make_sparse_regression(n, p, 3, noise=0.5, seed=seed, correlation=correlation)
    return X + 2.0, y + 1.0  # non-zero means: the intercept matters


def smooth_grad(X, y, w, b):
    """d/dw of (1/n)||y - Xw - b||^2 by torch autograd (float64), and d/db."""
    tw = torch.tensor(w, requires_grad=True)
    tb = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    r = torch.from_numpy(y) - torch.from_numpy(X) @ tw - tb
    (r @ r / len(y)).backward()
    return tw.grad.numpy(), float(tb.grad)


def assert_kkt(X, y, w, b, l1, l2, atol=1e-8, intercept=True):
    g, gb = smooth_grad(X, y, w, b)
    g = g + 2 * l2 * w
    if intercept:
        assert abs(gb) < atol  # the intercept is unpenalized: its gradient vanishes
    nz = w != 0
    np.testing.assert_allclose(g[nz], -l1 * np.sign(w[nz]), atol=atol)
    assert np.all(np.abs(g[~nz]) <= l1 + atol)


@pytest.mark.parametrize("n, p", [(60, 8), (15, 40)])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_ridge_matches_sklearn(n, p, fit_intercept):
    X, y = data(n, p)
    l2 = 0.3
    w, b = S.ridge(X, y, l2, fit_intercept=fit_intercept)
    ref = Ridge(alpha=n * l2, fit_intercept=fit_intercept, solver="svd").fit(X, y)  # alpha = m * l2
    np.testing.assert_allclose(w, ref.coef_, rtol=1e-9, atol=1e-11)
    assert b == pytest.approx(ref.intercept_ if fit_intercept else 0.0, abs=1e-9)
    g, gb = smooth_grad(X, y, w, b)
    np.testing.assert_allclose(g + 2 * l2 * w, 0, atol=1e-10)  # stationary point of the objective


def test_ridge_without_penalty_is_least_squares_and_min_norm():
    X, y = data(60, 5)
    w, b = S.ridge(X, y, 0.0)
    ref = LinearRegression().fit(X, y)
    np.testing.assert_allclose(w, ref.coef_, rtol=1e-9)
    assert b == pytest.approx(ref.intercept_)
    Xw, yw = data(10, 30)  # wide: many exact fits; l2 = 0 gives the smallest one
    w, b = S.ridge(Xw, yw, 0.0)
    Xc, yc = Xw - Xw.mean(0), yw - yw.mean()
    np.testing.assert_allclose(w, np.linalg.pinv(Xc) @ yc, atol=1e-10)
    np.testing.assert_allclose(Xw @ w + b, yw, atol=1e-9)
    # and it is the limit of ridge as l2 -> 0
    np.testing.assert_allclose(S.ridge(Xw, yw, 1e-10)[0], w, atol=1e-6)


@pytest.mark.parametrize("l1", [0.01, 0.1, 0.5])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_lasso_matches_sklearn_and_kkt(l1, fit_intercept):
    X, y = data()
    w, b = S.lasso(X, y, l1, fit_intercept=fit_intercept)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = Lasso(alpha=l1 / 2, fit_intercept=fit_intercept, tol=1e-14, max_iter=1_000_000).fit(X, y)
    np.testing.assert_allclose(w, ref.coef_, atol=1e-8)
    assert np.array_equal(w == 0, ref.coef_ == 0)  # the same exact zeros
    assert_kkt(X, y, w, b, l1, 0.0, intercept=fit_intercept)
    assert S.objective(X, y, w, b, l1=l1) <= S.objective(X, y, ref.coef_, ref.intercept_, l1=l1) + 1e-12


@pytest.mark.parametrize("l1, l2", [(0.05, 0.1), (0.3, 0.02), (0.0, 0.2)])
def test_elastic_net_matches_sklearn_and_kkt(l1, l2):
    X, y = data(correlation=0.9)
    w, b = S.elastic_net(X, y, l1, l2)
    alpha = l1 / 2 + l2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = ElasticNet(alpha=alpha, l1_ratio=(l1 / 2) / alpha, tol=1e-14, max_iter=1_000_000).fit(X, y)
    np.testing.assert_allclose(w, ref.coef_, atol=1e-8)
    assert b == pytest.approx(ref.intercept_, abs=1e-8)
    assert_kkt(X, y, w, b, l1, l2)
    if l1 == 0:
        np.testing.assert_allclose(w, S.ridge(X, y, l2)[0], atol=1e-10)


def test_lasso_zero_above_l1_max():
    X, y = data()
    Xc, yc = X - X.mean(0), y - y.mean()
    l1_max = np.max(np.abs(2 / len(y) * Xc.T @ yc))
    w, b = S.lasso(X, y, 1.001 * l1_max)
    assert np.all(w == 0) and b == pytest.approx(y.mean())
    assert np.count_nonzero(S.lasso(X, y, 0.99 * l1_max)[0]) >= 1


@pytest.mark.parametrize("c", [1e-7, 1e7])
def test_solution_precise_whatever_the_units(c):
    """Lasso is homogeneous: lasso(X, c*y, c*l1) = c*lasso(X, y, l1). Large or tiny units must converge."""
    X, y = data(correlation=0.9)
    w, b = S.elastic_net(X, y, 0.1, 0.05)
    wc, bc = S.elastic_net(X, c * y, c * 0.1, 0.05, max_sweeps=20_000)
    np.testing.assert_allclose(wc / c, w, rtol=1e-8, atol=1e-10)
    assert bc / c == pytest.approx(b, rel=1e-8)


def test_warm_start_and_constant_column():
    X, y = data()
    X[:, 3] = 7.0  # constant: after centring it carries nothing
    w, b = S.lasso(X, y, 0.05)
    assert w[3] == 0.0
    w2, b2 = S.lasso(X, y, 0.05, w0=w + 0.3)
    np.testing.assert_allclose(w2, w, atol=1e-10)
    w3, _ = S.ridge(X, y, 0.1)
    assert w3[3] == pytest.approx(0.0, abs=1e-12)


def test_objective_matches_torch():
    X, y = data()
    rng = np.random.default_rng(5)
    w, b = rng.standard_normal(X.shape[1]), 0.7
    r = torch.from_numpy(y) - torch.from_numpy(X) @ torch.from_numpy(w) - b
    tw = torch.from_numpy(w)
    expected = float(torch.mean(r**2) + 0.2 * tw.abs().sum() + 0.3 * (tw**2).sum())
    assert S.objective(X, y, w, b, l1=0.2, l2=0.3) == pytest.approx(expected, rel=1e-13)
    # the intercept may come as a 1-element array (a torch bias) too
    assert S.objective(X, y, w, np.array([b]), l1=0.2, l2=0.3) == pytest.approx(expected, rel=1e-13)


def test_not_converged_raises():
    X, y = data(correlation=0.99)
    with pytest.raises(RuntimeError, match="did not converge in 2 sweeps"):
        S.lasso(X, y, 0.001, max_sweeps=2)


@pytest.mark.parametrize(
    "call, err, match",
    [
        (lambda X, y: S.ridge(X, y[:-1], 0.1), ValueError, "X and y must have the same number of rows"),
        (lambda X, y: S.ridge(X[:, 0], y, 0.1), ValueError, "X must have 2"),
        (lambda X, y: S.ridge(X, y, -0.1), ValueError, "l2"),
        (lambda X, y: S.lasso(X, y, "big"), TypeError, "l1"),
        (lambda X, y: S.lasso(np.where(X > 3, np.nan, X), y, 0.1), ValueError, "X contains"),
        (lambda X, y: S.lasso(X, y, 0.1, w0=np.zeros(3)), ValueError, "w0 must have shape"),
        (lambda X, y: S.lasso(X, y, 0.1, tol=0), ValueError, "tol"),
        (lambda X, y: S.lasso(X, y, 0.1, max_sweeps=1.5), TypeError, "max_sweeps"),
        (lambda X, y: S.ridge(X[:0], y[:0], 0.1), ValueError, "at least one row"),
        (lambda X, y: S.objective(X, y, np.zeros(2)), ValueError, r"w must have shape \(8,\)"),
        (lambda X, y: S.objective(X, y[:3], np.zeros(8)), ValueError, "same number of rows"),
        (lambda X, y: S.objective(X, y, np.zeros(8), b=np.zeros(2)), ValueError, "b must be one number"),
    ],
)
def test_bad_input(call, err, match):
    X, y = data()
    with pytest.raises(err, match=match):
        call(X, y)


@pytest.mark.parametrize("n, p, l1", [(30, 100, 1e-4), (30, 100, 0.01), (40, 12, 1e-5)])
def test_wide_and_nearly_interpolating_problems_converge(n, p, l1):
    """p > n with a tiny l1 (support near n) and a near-singular design: slow for plain coordinate descent."""
    X, y, _ = make_sparse_regression(n, p, 5, noise=0.5, seed=0, correlation=0.8)
    if p < n:
        X[:, 1] = X[:, 0] + 1e-4 * X[:, 1]  # two almost identical columns
    w, b = S.lasso(X, y, l1)
    assert_kkt(X, y, w, b, l1, 0.0, atol=1e-9)
    assert np.count_nonzero(w) <= n
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = Lasso(alpha=l1 / 2, tol=1e-12, max_iter=100_000).fit(X, y)
    assert S.objective(X, y, w, b, l1=l1) <= S.objective(X, y, ref.coef_, ref.intercept_, l1=l1) + 1e-12


# --- L1-penalized logistic regression ------------------------------------------------------


def logistic_data(n=120, p=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X[:, 1] = 0.8 * X[:, 0] + 0.6 * X[:, 1]  # correlated inputs
    z = X @ np.array([1.5, -1.0, 0.0, 0.0, 0.7, 0.0][:p] + [0.0] * max(0, p - 6)) + 0.5
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-z))).astype(float)
    return X, y


def logistic_grad(X, y, w, b):
    """d/dw and d/db of the mean log-loss by torch autograd (float64)."""
    tw = torch.tensor(w, requires_grad=True)
    tb = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    z = torch.from_numpy(X) @ tw + tb
    torch.nn.functional.binary_cross_entropy_with_logits(z, torch.from_numpy(y)).backward()
    return tw.grad.numpy(), float(tb.grad)


def assert_logistic_kkt(X, y, w, b, l1, atol=1e-8, intercept=True):
    g, gb = logistic_grad(X, y, w, b)
    if intercept:
        assert abs(gb) < atol  # the intercept is unpenalized
    nz = w != 0
    np.testing.assert_allclose(g[nz], -l1 * np.sign(w[nz]), atol=atol)
    assert np.all(np.abs(g[~nz]) <= l1 + atol)


@pytest.mark.parametrize("frac", [0.5, 0.1, 0.01])
def test_logistic_l1_kkt_and_sklearn_saga(frac):
    from sklearn.linear_model import LogisticRegression

    X, y = logistic_data()
    l1 = frac * S.logistic_l1_max(X, y)
    w, b = S.logistic_l1(X, y, l1)
    assert_logistic_kkt(X, y, w, b, l1, atol=1e-9)
    assert 0 < np.count_nonzero(w) <= X.shape[1]
    # scikit-learn >= 1.8 spells the L1 penalty l1_ratio=1 (penalty="l1" is deprecated);
    # C * sum of log-losses + ||w||_1 is the course's problem at l1 = 1 / (m C)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no deprecation or convergence warning
        sk = LogisticRegression(C=1 / (len(y) * l1), l1_ratio=1, solver="saga", tol=1e-12, max_iter=100_000)
        sk.fit(X, y)
    np.testing.assert_allclose(sk.coef_[0], w, atol=1e-7)
    assert sk.intercept_[0] == pytest.approx(b, abs=1e-7)
    assert np.array_equal(sk.coef_[0] != 0, w != 0)
    J = S.logistic_objective(X, y, w, b, l1)
    assert S.logistic_objective(X, y, sk.coef_[0], sk.intercept_[0], l1) + 1e-12 >= J


def test_logistic_l1_without_intercept_is_liblinear():
    """liblinear appends a constant column (intercept_scaling) whose weight it penalizes."""
    from sklearn.linear_model import LogisticRegression

    X, y = logistic_data(seed=1)
    X = X + 1.0  # non-centred inputs: the intercept matters
    l1 = 0.05
    Xa = np.column_stack([X, np.ones(len(y))])
    wa, b0 = S.logistic_l1(Xa, y, l1, fit_intercept=False)
    assert b0 == 0.0
    assert_logistic_kkt(Xa, y, wa, 0.0, l1, atol=1e-9, intercept=False)
    sk = LogisticRegression(C=1 / (len(y) * l1), l1_ratio=1, solver="liblinear", tol=1e-12, max_iter=100_000)
    sk.fit(X, y)
    np.testing.assert_allclose(np.append(sk.coef_[0], sk.intercept_[0]), wa, atol=1e-6)
    w, b = S.logistic_l1(X, y, l1)  # the unpenalized intercept gives other weights
    assert np.abs(w - wa[:-1]).max() > 1e-3


def test_logistic_l1_max_and_path():
    X, y = logistic_data()
    top = S.logistic_l1_max(X, y)
    w, b = S.logistic_l1(X, y, 1.001 * top)
    assert np.all(w == 0) and b == pytest.approx(np.log(y.mean() / (1 - y.mean())), abs=1e-9)
    assert np.count_nonzero(S.logistic_l1(X, y, 0.99 * top)[0]) >= 1
    l1s = top * np.geomspace(1, 0.01, 8)
    coefs, icepts = S.logistic_l1_path(X, y, l1s[::-1])  # any order: solved from the largest
    for l1, w, b in zip(l1s[::-1], coefs, icepts):
        assert_logistic_kkt(X, y, w, b, l1, atol=1e-9)
        np.testing.assert_allclose(w, S.logistic_l1(X, y, l1)[0], atol=1e-7)
    w, b = S.logistic_l1(X, y, 0.1 * top, w0=np.ones(6), b0=-2.0)  # any warm start
    np.testing.assert_allclose(w, S.logistic_l1(X, y, 0.1 * top)[0], atol=1e-7)


def test_logistic_l1_zero_penalty_is_logistic_regression():
    from sklearn.linear_model import LogisticRegression

    X, y = logistic_data()
    w, b = S.logistic_l1(X, y, 0.0)
    sk = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(w, sk.coef_[0], atol=1e-6)


def test_logistic_objective_matches_torch():
    X, y = logistic_data()
    rng = np.random.default_rng(3)
    w, b = rng.standard_normal(6), 0.4
    z = torch.from_numpy(X @ w + b)
    ll = float(torch.nn.functional.binary_cross_entropy_with_logits(z, torch.from_numpy(y)))
    assert S.logistic_objective(X, y, w, b) == pytest.approx(ll, rel=1e-13)
    assert S.logistic_objective(X, y, w, np.array([b]), l1=0.3) == pytest.approx(
        ll + 0.3 * np.abs(w).sum(), rel=1e-13
    )


def test_logistic_l1_not_converged_and_separable():
    X, y = logistic_data()
    with pytest.raises(RuntimeError, match="did not converge in 2 iterations"):
        S.logistic_l1(X, y, 0.001, max_iter=2)
    Xs = np.array([[-2.0], [-1.0], [1.0], [2.0]])  # separable: no minimum without a penalty,
    w, b = S.logistic_l1(Xs, np.array([0.0, 0, 1, 1]), 0.05)  # but the L1 penalty bounds w
    assert np.isfinite(w).all() and w[0] > 0
    assert_logistic_kkt(Xs, np.array([0.0, 0, 1, 1]), w, b, 0.05, atol=1e-9)


@pytest.mark.parametrize(
    "call, err, match",
    [
        (lambda X, y: S.logistic_l1(X, y + 1, 0.1), ValueError, "labels 0 and 1"),
        (lambda X, y: S.logistic_l1(X, y[:-1], 0.1), ValueError, "same number of rows"),
        (lambda X, y: S.logistic_l1(X[:, 0], y, 0.1), ValueError, "X must have 2"),
        (lambda X, y: S.logistic_l1(X, y, -0.1), ValueError, "l1"),
        (lambda X, y: S.logistic_l1(X, y, "big"), TypeError, "l1"),
        (lambda X, y: S.logistic_l1(X, y, 0.1, tol=0), ValueError, "tol"),
        (lambda X, y: S.logistic_l1(X, y, 0.1, max_iter=2.5), TypeError, "max_iter"),
        (lambda X, y: S.logistic_l1(X, y, 0.1, w0=np.zeros(2)), ValueError, "w0 must have shape"),
        (lambda X, y: S.logistic_l1(X, y, 0.1, b0="x"), TypeError, "b0"),
        (lambda X, y: S.logistic_l1(np.where(X > 2, np.nan, X), y, 0.1), ValueError, "X contains"),
        (lambda X, y: S.logistic_l1(X[:0], y[:0], 0.1), ValueError, "at least one row"),
        (lambda X, y: S.logistic_l1_path(X, y, []), ValueError, "l1s"),
        (lambda X, y: S.logistic_l1_path(X, y, [0.1, -1.0]), ValueError, "l1s"),
        (lambda X, y: S.logistic_l1_max(X, np.full(len(y), 0.5)), ValueError, "labels 0 and 1"),
        (lambda X, y: S.logistic_objective(X, y, np.zeros(2)), ValueError, r"w must have shape \(6,\)"),
        (lambda X, y: S.logistic_objective(X, y, np.zeros(6), b=np.zeros(2)), ValueError, "b must be one"),
        (lambda X, y: S.logistic_objective(X, y, np.zeros(6), l1=-1), ValueError, "l1"),
    ],
)
def test_logistic_bad_input(call, err, match):
    X, y = logistic_data()
    with pytest.raises(err, match=match):
        call(X, y)
