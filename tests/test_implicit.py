"""regcourse.implicit against torch's optimizers and dropout, scikit-learn, the course's solvers and
Monte Carlo."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import Ridge

import regcourse as rc
from regcourse import implicit as im


def _problem(seed, m, p):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, p)) * rng.uniform(0.5, 2.0, p)
    X -= X.mean(axis=0)
    y = X @ rng.standard_normal(p) + 0.3 * rng.standard_normal(m)
    return X, y - y.mean()


@settings(max_examples=20, deadline=None)
@given(st.integers(2, 15), st.integers(1, 6), st.integers(0, 10_000))
def test_gd_path_is_torch_sgd_step_for_step(m, p, seed):
    X, y = _problem(seed, m, p)
    lr = 0.4 / max(np.linalg.eigvalsh(X.T @ X / m).max(), 1e-3)
    steps = [0, 1, 2, 7, 30]
    path = im.gd_path(X, y, lr, steps)
    w = torch.zeros(p, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr)
    Xt, yt = torch.tensor(X), torch.tensor(y)
    for t in range(max(steps) + 1):
        if t in steps:
            np.testing.assert_allclose(path[steps.index(t)], w.detach().numpy(), rtol=1e-9, atol=1e-11)
        opt.zero_grad()
        torch.mean((yt - Xt @ w) ** 2).backward()
        opt.step()


def test_gd_path_wide_data_stays_in_the_row_space_and_reaches_minimum_norm():
    X, y = _problem(1, 5, 9)
    lr = 0.45 / np.linalg.eigvalsh(X.T @ X / 5).max()
    path = im.gd_path(X, y, lr, [10, 200_000])
    np.testing.assert_allclose(path[-1], np.linalg.pinv(X) @ y, rtol=1e-7, atol=1e-9)
    null = np.eye(9) - np.linalg.pinv(X) @ X
    assert np.abs(null @ path[0]).max() < 1e-10


@settings(max_examples=20, deadline=None)
@given(st.integers(3, 15), st.integers(1, 6), st.floats(1e-3, 10.0), st.integers(0, 10_000))
def test_ridge_filter_reproduces_sklearn_ridge(m, p, l2, seed):
    X, y = _problem(seed, m, p)
    s, V = np.linalg.eigh(X.T @ X / m)
    s = np.clip(s, 0, None)
    keep = s > 1e-12 * s.max()
    w_hat = V @ np.where(keep, (V.T @ X.T @ y / m) / np.where(keep, s, 1), 0)
    w = V @ (im.ridge_filter(s, l2) * (V.T @ w_hat))
    sk = Ridge(alpha=m * l2, fit_intercept=False, solver="cholesky").fit(X, y).coef_
    np.testing.assert_allclose(w, sk, rtol=1e-7, atol=1e-9)
    w_course, _ = rc.solvers.ridge(X, y, l2, fit_intercept=False)
    np.testing.assert_allclose(w, w_course, rtol=1e-7, atol=1e-9)


def test_filters_values_and_the_matched_strength():
    s = np.array([0.0, 0.5, 2.0])
    np.testing.assert_allclose(im.early_stopping_filter(s, 0.1, 3), 1 - (1 - 0.2 * s) ** 3)
    np.testing.assert_allclose(im.ridge_filter(s, 0.5), [0.0, 0.5, 0.8])
    assert im.ridge_filter(0.0, 0.0) == 0.0 and im.ridge_filter(2.0, 0.0) == 1.0
    assert im.equivalent_l2(0.05, 100) == pytest.approx(0.1)
    np.testing.assert_allclose(im.equivalent_l2(0.5, [1, 4]), [1.0, 0.25])
    assert im.early_stopping_filter(s, 0.1, [[0], [5]]).shape == (2, 3)
    # small s: equal slopes (central difference at s = 0 of both filters)
    h, lr, t = 1e-7, 0.01, 300
    slope_gd = im.early_stopping_filter(h, lr, t) / h
    slope_ridge = im.ridge_filter(h, im.equivalent_l2(lr, t)) / h
    assert slope_gd == pytest.approx(slope_ridge, rel=1e-4)


@settings(max_examples=50, deadline=None)
@given(st.floats(1e-6, 1.0), st.integers(1, 10_000))
def test_ridge_never_recovers_more_than_early_stopping_at_the_matched_strength(a, t):
    # a = 2 lr s <= 1: (1 - a)^t <= exp(-a t) <= 1 / (1 + a t)
    lr, s = 0.5, a
    assert im.ridge_filter(s, im.equivalent_l2(lr, t)) <= im.early_stopping_filter(s, lr, t) + 1e-12


def test_dropout_expected_loss_by_monte_carlo_with_torch_dropout():
    rng = np.random.default_rng(5)
    m, p_in, rate = 40, 4, 0.3
    X = rng.standard_normal((m, p_in)) * [0.5, 1.0, 2.0, 3.0] + 1.0  # uncentred, unequal scales
    y = rng.standard_normal(m)
    w, b = rng.standard_normal(p_in), 0.4
    gen = torch.Generator().manual_seed(11)
    K = 20_000
    kept = torch.bernoulli(torch.full((K, m, p_in), 1 - rate, dtype=torch.float64), generator=gen)
    Xd = torch.tensor(X) * kept / (1 - rate)
    losses = ((torch.tensor(y) - Xd @ torch.tensor(w) - b) ** 2).mean(dim=1).numpy()
    expected = np.mean((y - X @ w - b) ** 2) + np.sum(im.dropout_strengths(X, rate) * w**2)
    se = losses.std(ddof=1) / np.sqrt(K)
    assert abs(losses.mean() - expected) < 4 * se


def test_torch_dropout_is_inverted_dropout():
    torch.manual_seed(3)
    x = torch.ones(100_000, dtype=torch.float64)
    out = torch.nn.functional.dropout(x, p=0.25, training=True)
    assert set(np.unique(out.numpy()).round(12)) == {0.0, round(1 / 0.75, 12)}


def test_dropout_ridge_is_the_minimiser_of_the_expected_loss():
    rng = np.random.default_rng(8)
    X = rng.standard_normal((30, 5)) * rng.uniform(0.3, 3, 5) + rng.standard_normal(5)
    y = X @ rng.standard_normal(5) + 1.5 + 0.2 * rng.standard_normal(30)
    w, b = im.dropout_ridge(X, y, 0.4)
    l2 = im.dropout_strengths(X, 0.4)
    wt = torch.tensor(w, requires_grad=True)
    bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    J = torch.mean((torch.tensor(y) - torch.tensor(X) @ wt - bt) ** 2) + torch.sum(torch.tensor(l2) * wt**2)
    J.backward()
    assert np.abs(wt.grad.numpy()).max() < 1e-10 and abs(bt.grad.item()) < 1e-10
    w0, b0 = im.dropout_ridge(X, y, 0.0)
    w_ls, b_ls = rc.solvers.ridge(X, y, 0.0)
    np.testing.assert_allclose(w0, w_ls, rtol=1e-9, atol=1e-10)
    assert b0 == pytest.approx(b_ls)
    w_ni, b_ni = im.dropout_ridge(X - X.mean(0), y - y.mean(), 0.4, fit_intercept=False)
    assert b_ni == 0.0 and w_ni.shape == (5,)


def test_standardized_dropout_is_ridge_with_l2_p_over_1_minus_p():
    X, y = _problem(4, 25, 3)
    Xs = X / X.std(axis=0)
    w, _ = im.dropout_ridge(Xs, y, 0.2)
    w_r, _ = rc.solvers.ridge(Xs, y, 0.2 / 0.8)
    np.testing.assert_allclose(w, w_r, rtol=1e-9, atol=1e-12)


def test_map_strengths_against_torch_optimisation_and_lasso_optimality():
    rng = np.random.default_rng(2)
    m, n, sigma2, tau2, b = 15, 4, 0.5, 2.0, 0.3
    X = rng.standard_normal((m, n))
    y = X @ rng.standard_normal(n) + np.sqrt(sigma2) * rng.standard_normal(m)
    Xt, yt = torch.tensor(X), torch.tensor(y)
    w = torch.zeros(n, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS(
        [w], max_iter=200, tolerance_grad=1e-13, tolerance_change=1e-15, line_search_fn="strong_wolfe"
    )
    normal = torch.distributions.Normal

    def closure():
        opt.zero_grad()
        nlp = -(
            normal(Xt @ w, sigma2**0.5).log_prob(yt).sum()
            + normal(torch.zeros(n, dtype=torch.float64), tau2**0.5).log_prob(w).sum()
        )
        nlp.backward()
        return nlp

    opt.step(closure)
    w_r, _ = rc.solvers.ridge(X, y, im.map_l2(sigma2, tau2, m), fit_intercept=False)
    np.testing.assert_allclose(w.detach().numpy(), w_r, rtol=1e-6, atol=1e-8)
    w_l, _ = rc.solvers.lasso(X, y, im.map_l1(sigma2, b, m), fit_intercept=False)
    wl = torch.tensor(w_l, requires_grad=True)
    (-normal(Xt @ wl, sigma2**0.5).log_prob(yt).sum()).backward()
    g = wl.grad.numpy()  # optimality: g + sign(w)/b = 0 off zero, |g| <= 1/b at zero
    nz = w_l != 0
    np.testing.assert_allclose(g[nz], -np.sign(w_l[nz]) / b, atol=1e-8)
    assert np.all(np.abs(g[~nz]) <= 1 / b + 1e-10)
    assert im.map_l2(sigma2, tau2, 1) == pytest.approx(sigma2 / tau2)


@pytest.mark.parametrize(
    "call, error, word",
    [
        (lambda: im.early_stopping_filter([-1.0], 0.1, 3), ValueError, "s "),
        (lambda: im.early_stopping_filter([1.0], 0.0, 3), ValueError, "lr"),
        (lambda: im.early_stopping_filter([1.0], 0.1, 2.5), TypeError, "steps"),
        (lambda: im.early_stopping_filter([1.0], 0.1, True), TypeError, "steps"),
        (lambda: im.early_stopping_filter([1.0], 0.1, -1), ValueError, "steps"),
        (lambda: im.early_stopping_filter("a", 0.1, 1), TypeError, "s "),
        (lambda: im.early_stopping_filter([np.nan], 0.1, 1), ValueError, "s "),
        (lambda: im.ridge_filter([1.0], -0.1), ValueError, "l2"),
        (lambda: im.equivalent_l2(0.1, 0), ValueError, "steps"),
        (lambda: im.equivalent_l2("0.1", 3), TypeError, "lr"),
        (lambda: im.gd_path(np.ones((3, 2)), np.ones(4), 0.1, [1]), ValueError, "same number of rows"),
        (lambda: im.gd_path(np.ones(3), np.ones(3), 0.1, [1]), ValueError, "X"),
        (lambda: im.gd_path(np.ones((3, 2)), np.ones(3), 0.1, ["a"]), TypeError, "steps"),
        (lambda: im.dropout_strengths(np.ones((3, 2)), 1.0), ValueError, "p "),
        (lambda: im.dropout_strengths(np.ones((3, 2)), -0.1), ValueError, "p "),
        (
            lambda: im.dropout_ridge(np.ones((3, 2)), np.ones(3), 0.1, fit_intercept=1),
            TypeError,
            "fit_intercept",
        ),
        (lambda: im.map_l2(1.0, 0.0, 3), ValueError, "tau2"),
        (lambda: im.map_l2(1.0, 1.0, 2.5), TypeError, "m "),
        (lambda: im.map_l1(-1.0, 1.0, 3), ValueError, "sigma2"),
        (lambda: im.map_l1(1.0, 0.0, 3), ValueError, "b "),
    ],
)
def test_bad_input_names_the_argument(call, error, word):
    with pytest.raises(error, match=word):
        call()
