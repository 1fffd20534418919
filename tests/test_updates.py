"""regcourse.updates against torch autograd, torch.optim.SGD and torch's softshrink (float64)."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from regcourse import updates as U

vec = arrays(np.float64, st.integers(1, 8), elements=st.floats(-10, 10, allow_nan=False))
rate = st.floats(0, 1, allow_nan=False)
lam = st.floats(0, 5, allow_nan=False)


def autograd_step(w, grad, lr, l1, l2):
    """One gradient step on J(w) = grad.w + l1*sum|w| + l2*sum w^2 (the data loss linearized)."""
    t = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    J = (torch.from_numpy(grad) * t).sum() + l1 * t.abs().sum() + l2 * (t**2).sum()
    J.backward()
    return (t - lr * t.grad).detach().numpy()


@settings(max_examples=80, deadline=None)
@given(vec, rate, lam, lam, st.randoms(use_true_random=False))
def test_sgd_step_matches_autograd(w, lr, l1, l2, rnd):
    grad = np.array([rnd.uniform(-3, 3) for _ in w])
    np.testing.assert_allclose(
        U.sgd_step(w, grad, lr, l1, l2), autograd_step(w, grad, lr, l1, l2), rtol=1e-12, atol=1e-12
    )


def test_l2_step_is_multiplicative_decay():
    rng = np.random.default_rng(0)
    w, g = rng.standard_normal(6), rng.standard_normal(6)
    lr, l2 = 0.1, 0.3
    np.testing.assert_allclose(U.sgd_step(w, g, lr, l2=l2), U.decay_factor(lr, l2) * w - lr * g, rtol=1e-14)
    assert U.decay_factor(0.1, 0.3) == pytest.approx(1 - 2 * 0.1 * 0.3)


def test_sgd_step_is_torch_sgd_with_weight_decay_2l2():
    rng = np.random.default_rng(1)
    w, g = rng.standard_normal(5), rng.standard_normal(5)
    lr, l2 = 0.05, 0.4
    p = torch.nn.Parameter(torch.tensor(w))
    opt = torch.optim.SGD([p], lr=lr, weight_decay=2 * l2)
    p.grad = torch.tensor(g)
    opt.step()
    np.testing.assert_allclose(U.sgd_step(w, g, lr, l2=l2), p.detach().numpy(), rtol=1e-14)


@settings(max_examples=80, deadline=None)
@given(vec, st.floats(0, 5, allow_nan=False))
def test_soft_threshold_is_torch_softshrink(w, t):
    expected = torch.nn.functional.softshrink(torch.from_numpy(w), t).numpy()
    np.testing.assert_allclose(U.soft_threshold(w, t), expected, rtol=1e-15, atol=0)


@settings(max_examples=80, deadline=None)
@given(vec, st.floats(0.01, 5, allow_nan=False))
def test_soft_threshold_is_the_proximal_map(w, t):
    """z = prox(w) iff w - z is in t * subdifferential of |.| at z (optimality of t|z| + (z-w)^2/2)."""
    z = U.soft_threshold(w, t)
    nz = z != 0
    np.testing.assert_allclose((w - z)[nz], t * np.sign(z[nz]), rtol=1e-9, atol=1e-9)
    assert np.all(np.abs(w[~nz]) <= t)


def test_proximal_step_formula_and_exact_zeros():
    rng = np.random.default_rng(2)
    w, g = rng.standard_normal(50), rng.standard_normal(50)
    lr, l1, l2 = 0.1, 2.0, 0.3
    out = U.proximal_step(w, g, lr, l1, l2)
    u = torch.from_numpy(w - lr * (g + 2 * l2 * w))
    np.testing.assert_allclose(out, torch.nn.functional.softshrink(u, lr * l1).numpy(), rtol=1e-15)
    small = np.abs(u.numpy()) <= lr * l1
    assert small.sum() > 0 and np.all(out[small] == 0) and np.all(out[~small] != 0)  # exact zeros
    # with l1 = 0 it is the plain gradient step
    np.testing.assert_allclose(U.proximal_step(w, g, lr, 0, l2), U.sgd_step(w, g, lr, 0, l2))


def test_clipped_step():
    lr, l1 = 0.1, 1.0
    w = np.array([0.5, 0.05, -0.05, 0.0, 0.0, 0.3])
    g = np.array([0.0, 0.0, 0.0, 2.0, -0.5, 5.0])
    out = U.clipped_step(w, g, lr, l1)
    # 0.5 -> 0.4; 0.05 would cross to -0.05 -> 0; -0.05 -> 0;
    # a zero weight gets no L1 push and moves with the data gradient; 0.3 -> -0.3 crosses -> 0
    np.testing.assert_allclose(out, [0.4, 0.0, 0.0, -0.2, 0.05, 0.0], atol=1e-15)
    assert out[1] == 0.0 and out[5] == 0.0


def test_clipped_equals_proximal_when_the_smooth_step_keeps_the_sign():
    rng = np.random.default_rng(3)
    w = rng.uniform(0.5, 2, 40) * rng.choice([-1, 1], 40)
    g = rng.uniform(-1, 1, 40)
    lr, l1, l2 = 0.2, 3.0, 0.1  # lr*l1 = 0.6: some weights are clipped
    assert np.all(np.sign(w - lr * (g + 2 * l2 * w)) == np.sign(w))
    clipped, prox = U.clipped_step(w, g, lr, l1, l2), U.proximal_step(w, g, lr, l1, l2)
    assert np.sum(prox == 0) > 0
    np.testing.assert_allclose(clipped, prox, atol=1e-15)


def test_subgradient_step_jitters_instead_of_zero():
    """Plain L1 steps on a weight whose data gradient is 0 oscillate within lr*l1 of 0."""
    w, lr, l1 = np.array([0.33]), 0.1, 1.0
    for _ in range(50):
        w = U.sgd_step(w, np.zeros(1), lr, l1)
    assert w[0] != 0 and abs(w[0]) <= lr * l1
    wp = np.array([0.33])
    for _ in range(50):
        wp = U.proximal_step(wp, np.zeros(1), lr, l1)
    assert wp[0] == 0.0


@pytest.mark.parametrize("fn", [U.sgd_step, U.proximal_step, U.clipped_step])
def test_pure_and_validated(fn):
    w, g = np.array([1.0, -2.0]), np.array([0.5, 0.5])
    w0, g0 = w.copy(), g.copy()
    fn(w, g, 0.1, 0.2, 0.3)
    np.testing.assert_array_equal(w, w0)
    np.testing.assert_array_equal(g, g0)
    with pytest.raises(ValueError, match="grad must have the shape"):
        fn(w, np.ones(3), 0.1)
    with pytest.raises(ValueError, match="lr"):
        fn(w, g, -0.1)
    with pytest.raises(ValueError, match="w contains"):
        fn([np.nan, 1.0], g, 0.1)
    with pytest.raises(TypeError, match="l1"):
        fn(w, g, 0.1, l1=None)


def test_soft_threshold_validates():
    with pytest.raises(ValueError, match="t"):
        U.soft_threshold([1.0], -1)


def _group_prox_objective(z, V, t, axis, eps):
    """0.5 * ||z - V||^2 + t * sum_g sqrt(||z_g||^2 + eps^2) and its gradient: the objective
    group_soft_threshold minimises, smoothed by eps so that a quasi-Newton search applies."""
    Z = z.reshape(V.shape)
    norm = np.sqrt(np.sum(Z * Z, axis=axis, keepdims=True) + eps**2)
    with np.errstate(invalid="ignore"):  # eps = 0 is only used for the value
        return 0.5 * np.sum((Z - V) ** 2) + t * np.sum(norm), ((Z - V) + t * Z / norm).ravel()


@pytest.mark.parametrize("shape, axis", [((5, 4), 0), ((5, 4), 1), ((3, 2, 4), 1), ((6,), 0), ((3, 4), None)])
def test_group_soft_threshold_is_the_proximal_map(shape, axis):
    from scipy.optimize import minimize

    rng = np.random.default_rng(7)
    eps = 1e-6
    for _ in range(10):
        V = rng.standard_normal(shape) * rng.uniform(0.2, 2.0)
        V[(slice(None),) * (0 if axis is None else axis) + (0,)] *= 0.05  # some groups below t
        t = rng.uniform(0.2, 1.5)
        Z = U.group_soft_threshold(V, t, axis=axis)
        best = min(
            (
                minimize(
                    _group_prox_objective,
                    z0.ravel(),
                    args=(V, t, axis, eps),
                    jac=True,
                    method="L-BFGS-B",
                    options=dict(ftol=1e-15, gtol=1e-12, maxiter=10000),
                )
                for z0 in (V, np.zeros_like(V), rng.standard_normal(shape))
            ),
            key=lambda r: r.fun,
        )
        f_closed = _group_prox_objective(Z.ravel(), V, t, axis, 0.0)[0]
        f_best = _group_prox_objective(best.x, V, t, axis, 0.0)[0]
        assert f_closed <= f_best + 1e-12  # nothing the numerical search finds is lower
        np.testing.assert_allclose(Z.ravel(), best.x, atol=1e-4)


def test_group_soft_threshold_zeroes_whole_groups_and_keeps_directions():
    rng = np.random.default_rng(3)
    W = rng.standard_normal((8, 6))
    W[:, 2] = 0.0  # a zero group stays zero (no 0/0)
    norms = np.linalg.norm(W, axis=0)
    t = float(np.median(norms))
    Z = U.group_soft_threshold(W, t, axis=0)
    kept = norms > t
    assert np.all(Z[:, ~kept] == 0) and np.all(Z[:, kept] != 0)
    np.testing.assert_allclose(Z[:, kept], W[:, kept] * (1 - t / norms[kept]), rtol=1e-14)
    np.testing.assert_allclose(np.linalg.norm(Z, axis=0)[kept], norms[kept] - t, rtol=1e-12)
    # a group exactly at the threshold is zeroed; t = 0 is the identity (a copy)
    assert np.all(U.group_soft_threshold(W, norms[0], axis=0)[:, 0] == 0)
    Z0 = U.group_soft_threshold(W, 0.0, axis=0)
    np.testing.assert_array_equal(Z0, W)
    assert Z0 is not W
    np.testing.assert_array_equal(U.group_soft_threshold(np.zeros((3, 2)), 1.0), 0.0)
    # groups of one entry: the elementwise soft threshold; one group: shrink the whole array
    np.testing.assert_allclose(U.group_soft_threshold(W[:, :1], 0.7, axis=1), U.soft_threshold(W[:, :1], 0.7))
    n = np.linalg.norm(W)
    np.testing.assert_allclose(U.group_soft_threshold(W, 1.0, axis=None), W * (1 - 1 / n), rtol=1e-14)
    # negative axis = the same axis counted from the end; torch tensors are accepted
    np.testing.assert_array_equal(U.group_soft_threshold(W, t, axis=-2), Z)
    np.testing.assert_allclose(U.group_soft_threshold(torch.from_numpy(W), t), Z, rtol=1e-15)


def test_group_soft_threshold_is_pure_and_validates():
    W = np.array([[1.0, -2.0], [0.5, 0.1]])
    W0 = W.copy()
    U.group_soft_threshold(W, 0.5)
    np.testing.assert_array_equal(W, W0)
    with pytest.raises(ValueError, match="t must"):
        U.group_soft_threshold(W, -1.0)
    with pytest.raises(TypeError, match="t must"):
        U.group_soft_threshold(W, "1")
    with pytest.raises(ValueError, match="W contains"):
        U.group_soft_threshold([[np.nan, 1.0]], 0.1)
    with pytest.raises(TypeError, match="W must"):
        U.group_soft_threshold("abc", 0.1)
    with pytest.raises(ValueError, match="W must be an array"):
        U.group_soft_threshold(3.0, 0.1)
    with pytest.raises(ValueError, match="axis must be in"):
        U.group_soft_threshold(W, 0.1, axis=2)
    with pytest.raises(TypeError, match="axis must be an integer"):
        U.group_soft_threshold(W, 0.1, axis=1.0)
    with pytest.raises(TypeError, match="axis must be an integer"):
        U.group_soft_threshold(W, 0.1, axis=True)
