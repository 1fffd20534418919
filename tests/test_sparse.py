"""regcourse.sparse against independent references (scikit-learn, the step functions, hand values)."""

import numpy as np
import pytest
import torch
from sklearn.linear_model import Lasso

import regcourse as rc
from regcourse import sparse


def problem(seed=0, n=60, p=8, k=3, noise=0.5):
    X, y, w = rc.make_sparse_regression(n, p, k, noise=noise, seed=seed)
    return X + 1.5, y + 2.0, w  # non-zero means, so the intercept matters


# --- l1_max, l1_grid -------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(3))
def test_l1_max_is_where_lasso_becomes_zero(seed):
    X, y, _ = problem(seed)
    top = sparse.l1_max(X, y)
    assert np.all(rc.solvers.lasso(X, y, top)[0] == 0)
    assert np.any(rc.solvers.lasso(X, y, 0.99 * top)[0] != 0)
    # scikit-learn's Lasso(alpha) is the course's l1 = 2 * alpha
    assert np.all(Lasso(alpha=top / 2, tol=1e-12, max_iter=100_000).fit(X, y).coef_ == 0)
    assert np.any(Lasso(alpha=0.99 * top / 2, tol=1e-12, max_iter=100_000).fit(X, y).coef_ != 0)


def test_l1_max_without_intercept():
    X, y, _ = problem(1)
    top = sparse.l1_max(X, y, fit_intercept=False)
    assert top == pytest.approx(np.max(np.abs(2 / len(y) * X.T @ y)))
    assert np.all(rc.solvers.lasso(X, y, top, fit_intercept=False)[0] == 0)


def test_l1_grid():
    X, y, _ = problem(2)
    grid = sparse.l1_grid(X, y, num=5, eps=1e-2)
    assert grid[0] == pytest.approx(sparse.l1_max(X, y)) and grid[-1] == pytest.approx(1e-2 * grid[0])
    assert np.allclose(np.diff(np.log(grid)), np.log(1e-2) / 4)


@pytest.mark.parametrize(
    "kwargs, exc, name",
    [
        (dict(num=0), ValueError, "num"),
        (dict(num=2.5), TypeError, "num"),
        (dict(eps=0.0), ValueError, "eps"),
        (dict(eps=1.0), ValueError, "eps"),
    ],
)
def test_l1_grid_bad_input(kwargs, exc, name):
    X, y, _ = problem()
    with pytest.raises(exc, match=name):
        sparse.l1_grid(X, y, **kwargs)


def test_l1_grid_constant_y():
    X, _, _ = problem()
    with pytest.raises(ValueError, match="l1_max"):
        sparse.l1_grid(X, np.ones(len(X)))


# --- lasso_path ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(3))
def test_lasso_path_matches_cold_starts_and_sklearn(seed):
    X, y, _ = problem(seed)
    l1s = sparse.l1_grid(X, y, num=8, eps=1e-3)
    coefs, icepts = sparse.lasso_path(X, y, l1s, tol=1e-13)
    for l1, w, b in zip(l1s, coefs, icepts):
        w_cold, b_cold = rc.solvers.lasso(X, y, l1, tol=1e-13)
        assert np.allclose(w, w_cold, atol=1e-9) and b == pytest.approx(b_cold, abs=1e-9)
        sk = Lasso(alpha=l1 / 2, tol=1e-14, max_iter=1_000_000).fit(X, y)
        assert np.allclose(w, sk.coef_, atol=1e-6) and b == pytest.approx(sk.intercept_, abs=1e-6)
        assert np.array_equal(w == 0, sk.coef_ == 0)


def test_lasso_path_keeps_the_given_order_and_handles_l2():
    X, y, _ = problem(4)
    l1s = np.array([0.05, 0.5, 0.01, 0.2])
    coefs, icepts = sparse.lasso_path(X, y, l1s, l2=0.3, tol=1e-13)
    for l1, w, b in zip(l1s, coefs, icepts):
        w_ref, b_ref = rc.solvers.elastic_net(X, y, l1, 0.3, tol=1e-13)
        assert np.allclose(w, w_ref, atol=1e-9) and b == pytest.approx(b_ref, abs=1e-9)


def test_lasso_path_is_pure():
    X, y, _ = problem()
    X0, y0, l1s = X.copy(), y.copy(), np.array([0.1, 0.2])
    sparse.lasso_path(X, y, l1s)
    assert np.array_equal(X, X0) and np.array_equal(y, y0) and np.array_equal(l1s, [0.1, 0.2])


@pytest.mark.parametrize(
    "l1s, exc, name",
    [
        ([], ValueError, "l1s"),
        ([0.1, -1.0], ValueError, "l1s"),
        ([[0.1]], ValueError, "l1s"),
        ("abc", TypeError, "l1s"),
        ([np.nan], ValueError, "l1s"),
    ],
)
def test_lasso_path_bad_l1s(l1s, exc, name):
    X, y, _ = problem()
    with pytest.raises(exc, match=name):
        sparse.lasso_path(X, y, l1s)


def test_lasso_path_bad_shapes():
    X, y, _ = problem()
    with pytest.raises(ValueError, match="X and y"):
        sparse.lasso_path(X, y[:-1], [0.1])
    with pytest.raises(ValueError, match="l2"):
        sparse.lasso_path(X, y, [0.1], l2=-1.0)


# --- cumulative_penalty ----------------------------------------------------------------------


def test_cumulative_penalty_by_hand():
    w_half = np.array([0.5, 0.04, -0.5, -0.04, 0.0])
    q = np.array([-0.1, -0.1, 0.1, 0.1, 0.0])
    w, q_new = sparse.cumulative_penalty(w_half, 0.15, q)
    # 0.5 - (0.15 - 0.1) = 0.45; 0.04 - 0.05 < 0 -> 0; -0.5 + (0.15 - 0.1) = -0.45; -0.04 + 0.05 > 0 -> 0
    assert np.allclose(w, [0.45, 0.0, -0.45, 0.0, 0.0])
    assert np.all(w[[1, 3, 4]] == 0.0)
    assert np.allclose(q_new, q + (w - w_half))


def test_cumulative_penalty_first_step_is_soft_threshold():
    w = np.random.default_rng(0).standard_normal(20)
    out, q = sparse.cumulative_penalty(w, 0.4, np.zeros(20))
    assert np.array_equal(out, rc.updates.soft_threshold(w, 0.4))
    assert np.allclose(q, out - w)


def test_cumulative_penalty_is_pure_and_checks_input():
    w, q = np.array([0.3, -0.2]), np.array([0.0, 0.1])
    w0, q0 = w.copy(), q.copy()
    sparse.cumulative_penalty(w, 0.2, q)
    assert np.array_equal(w, w0) and np.array_equal(q, q0)
    with pytest.raises(ValueError, match="q"):
        sparse.cumulative_penalty(w, 0.2, np.zeros(3))
    with pytest.raises(ValueError, match="u"):
        sparse.cumulative_penalty(w, -0.2, q)
    with pytest.raises(TypeError, match="u"):
        sparse.cumulative_penalty(w, "0.2", q)
    with pytest.raises(ValueError, match="w_half"):
        sparse.cumulative_penalty(np.array([np.inf, 0.0]), 0.2, q)


# --- l1_sgd ----------------------------------------------------------------------------------

STEP = {
    "subgradient": rc.updates.sgd_step,
    "clipped": rc.updates.clipped_step,
    "proximal": rc.updates.proximal_step,
}


@pytest.mark.parametrize("method", list(STEP))
def test_l1_sgd_full_batch_equals_the_step_functions(method):
    X, y, _ = problem(0)
    lr, l1 = 0.05, 0.2
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(30):
        r = X @ w + b - y
        g = 2 / len(y) * X.T @ r
        b -= lr * 2 * r.mean()
        w = STEP[method](w, g, lr, l1=l1)
    run = sparse.l1_sgd(X, y, l1, lr, epochs=30, method=method)
    assert np.allclose(run.w, w, atol=1e-12) and run.b == pytest.approx(b, abs=1e-12)


@pytest.mark.parametrize("method", sparse.METHODS)
def test_l1_sgd_mini_batch_equals_the_public_steps_bit_for_bit(method):
    # l1_sgd validates once and runs unvalidated kernels: the same arithmetic as the
    # public (validated) step functions, so the weights agree exactly, not to rounding.
    X, y, _ = problem(1)
    lr, l1, batch = 0.02, 0.3, 7
    steps = dict(STEP, cumulative=None)
    w, b, u, q = np.zeros(X.shape[1]), 0.0, 0.0, np.zeros(X.shape[1])
    rng = np.random.default_rng(4)
    for _ in range(5):
        for idx in np.array_split(rng.permutation(len(y)), int(np.ceil(len(y) / batch))):
            r = X[idx] @ w + b - y[idx]
            g = 2.0 / len(idx) * X[idx].T @ r
            b -= lr * 2.0 * r.mean()
            if method == "cumulative":
                u += lr * l1
                w, q = sparse.cumulative_penalty(w - lr * g, u, q)
            else:
                w = steps[method](w, g, lr, l1=l1)
    run = sparse.l1_sgd(X, y, l1, lr, epochs=5, method=method, batch_size=batch, seed=4)
    assert np.array_equal(run.w, w) and run.b == b


def test_l1_sgd_divergence_raises():
    X, y, _ = problem()
    with pytest.raises(ValueError, match="lower lr"), np.errstate(all="ignore"):
        sparse.l1_sgd(X, y, 0.1, lr=50.0, epochs=200)


def test_l1_sgd_mse_gradient_matches_autograd():
    X, y, _ = problem(1)
    w0 = np.random.default_rng(1).standard_normal(X.shape[1])
    run = sparse.l1_sgd(X, y, 0.0, 0.1, epochs=1, method="subgradient", w0=w0, fit_intercept=False)
    wt = torch.tensor(w0, requires_grad=True)
    torch.mean((torch.tensor(X) @ wt - torch.tensor(y)) ** 2).backward()
    assert np.allclose(run.w, w0 - 0.1 * wt.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize("method", ["proximal", "cumulative"])
def test_l1_sgd_full_batch_converges_to_the_lasso(method):
    X, y, _ = problem(2)
    w_ref, b_ref = rc.solvers.lasso(X, y, 0.3)
    run = sparse.l1_sgd(X, y, 0.3, lr=0.05, epochs=3000, method=method)
    assert np.allclose(run.w, w_ref, atol=1e-6) and run.b == pytest.approx(b_ref, abs=1e-6)
    assert np.array_equal(run.w == 0, w_ref == 0)


def test_l1_sgd_exact_zeros_per_method():
    X, y, _ = rc.make_sparse_regression(200, 40, 4, seed=3)
    zeros = {
        m: int(np.sum(sparse.l1_sgd(X, y, 0.1, 0.01, epochs=10, method=m, batch_size=10, seed=0).w == 0))
        for m in sparse.METHODS
    }
    assert zeros["subgradient"] == 0
    assert zeros["cumulative"] > zeros["proximal"] and zeros["cumulative"] > 25


def test_l1_sgd_seeded_and_trace():
    X, y, _ = problem(3)
    a = sparse.l1_sgd(X, y, 0.1, 0.01, epochs=3, batch_size=7, seed=5, trace_every=2)
    b = sparse.l1_sgd(X, y, 0.1, 0.01, epochs=3, batch_size=7, seed=5)
    c = sparse.l1_sgd(X, y, 0.1, 0.01, epochs=3, batch_size=7, seed=6)
    assert np.array_equal(a.w, b.w) and not np.array_equal(a.w, c.w)
    n_steps = 3 * int(np.ceil(len(y) / 7))
    assert a.trace.shape == (n_steps // 2, X.shape[1]) and b.trace is None
    assert np.array_equal(a.trace[-1], a.w) if n_steps % 2 == 0 else True


def test_l1_sgd_is_pure():
    X, y, _ = problem()
    w0 = np.ones(X.shape[1])
    X0, y0 = X.copy(), y.copy()
    sparse.l1_sgd(X, y, 0.1, 0.01, epochs=2, w0=w0)
    assert np.array_equal(X, X0) and np.array_equal(y, y0) and np.all(w0 == 1)


@pytest.mark.parametrize(
    "kwargs, exc, name",
    [
        (dict(l1=-0.1), ValueError, "l1"),
        (dict(lr=0.0), ValueError, "lr"),
        (dict(lr="0.1"), TypeError, "lr"),
        (dict(epochs=0), ValueError, "epochs"),
        (dict(epochs=True), TypeError, "epochs"),
        (dict(method="adam"), ValueError, "method"),
        (dict(batch_size=0), ValueError, "batch_size"),
        (dict(trace_every=0), ValueError, "trace_every"),
        (dict(w0=np.zeros(3)), ValueError, "w0"),
    ],
)
def test_l1_sgd_bad_input(kwargs, exc, name):
    X, y, _ = problem()
    args = dict(l1=0.1, lr=0.01, epochs=1)
    args.update(kwargs)
    with pytest.raises(exc, match=name):
        sparse.l1_sgd(X, y, **args)


def test_l1_sgd_bad_data():
    X, y, _ = problem()
    with pytest.raises(ValueError, match="X and y"):
        sparse.l1_sgd(X, y[:-1], 0.1, 0.01, 1)
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="X"):
        sparse.l1_sgd(X, y, 0.1, 0.01, 1)


# --- zero_columns ----------------------------------------------------------------------------


def test_zero_columns_array_and_tensor():
    W = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1e-30]])
    assert zero_cols_list(W) == [True, False, False]
    layer = torch.nn.Linear(3, 2)
    with torch.no_grad():
        layer.weight[:, 1] = 0.0
    assert zero_cols_list(layer.weight) == [False, True, False]
    with pytest.raises(ValueError, match="W"):
        sparse.zero_columns(np.zeros(3))


def zero_cols_list(W):
    return sparse.zero_columns(W).tolist()
