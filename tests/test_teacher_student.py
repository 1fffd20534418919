"""regcourse.teacher_student against scikit-learn, the library's ridge solver and Monte Carlo."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import Ridge

import regcourse as rc
from regcourse import teacher_student as ts


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 12), st.integers(1, 8), st.floats(1e-3, 50), st.integers(0, 10_000))
def test_ridge_batch_matches_sklearn_and_course_ridge(m, n, lam, seed):
    rng = np.random.default_rng(seed)
    X, y = rng.standard_normal((3, m, n)), rng.standard_normal((3, m))
    W = ts.ridge_batch(X, y, [lam])
    for t in range(3):
        sk = Ridge(alpha=lam, fit_intercept=False, solver="cholesky").fit(X[t], y[t]).coef_
        np.testing.assert_allclose(W[t, 0], sk, rtol=1e-7, atol=1e-9)
        w_course, b = rc.solvers.ridge(X[t], y[t], ts.kh_to_l2(lam, m), fit_intercept=False)
        np.testing.assert_allclose(W[t, 0], w_course, rtol=1e-7, atol=1e-9)
        assert b == 0.0


@pytest.mark.parametrize("m, n", [(5, 12), (30, 6), (9, 9)])
def test_lambda_zero_is_minimum_norm_least_squares(m, n):
    rng = np.random.default_rng(m)
    X, y = rng.standard_normal((m, n)), rng.standard_normal(m)
    W = ts.ridge_batch(X, y, [0.0, 1e-9])
    np.testing.assert_allclose(W[0, 0], np.linalg.pinv(X) @ y, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(W[0, 0], W[0, 1], rtol=1e-5, atol=1e-6)  # the limit lam -> 0


def test_ridge_batch_shapes_and_purity():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((4, 7, 3)), rng.standard_normal((4, 7))
    X0, y0 = X.copy(), y.copy()
    assert ts.ridge_batch(X, y, [0.1, 1.0, 10.0]).shape == (4, 3, 3)
    assert ts.ridge_batch(X[0], y[0], 1.0).shape == (1, 1, 3)
    assert np.array_equal(X, X0) and np.array_equal(y, y0)


def test_conversion_round_trip_and_same_minimiser():
    assert ts.kh_to_l2(6.0, 30) == pytest.approx(0.2)
    assert ts.l2_to_kh(ts.kh_to_l2(6.0, 30), 30) == pytest.approx(6.0)
    rng = np.random.default_rng(1)
    X, y, lam = rng.standard_normal((30, 5)), rng.standard_normal(30), 6.0
    w = ts.ridge_batch(X, y, [lam])[0, 0]
    # gradient of the course's objective (1/m)||y - Xw||^2 + l2 ||w||^2 vanishes there
    grad = -2 / 30 * X.T @ (y - X @ w) + 2 * ts.kh_to_l2(lam, 30) * w
    assert np.max(np.abs(grad)) < 1e-12


def test_teacher_mean_square_and_seeding():
    u = ts.make_teacher(50, tau2=0.3, seed=4)
    assert np.mean(u**2) == pytest.approx(0.3, rel=1e-12)
    assert np.array_equal(u, ts.make_teacher(50, tau2=0.3, seed=4))
    assert not np.array_equal(u, ts.make_teacher(50, tau2=0.3, seed=5))
    X, y = ts.sample(u, 8, trials=3, sigma2=0.2, seed=1)
    assert X.shape == (3, 8, 50) and y.shape == (3, 8)
    X2, y2 = ts.sample(u, 8, trials=3, sigma2=0.2, seed=1)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    X0, y0 = ts.sample(u, 8, trials=3, sigma2=0.0, seed=1)
    np.testing.assert_allclose(y0, X0 @ u)


def test_test_error_equals_fresh_sample_mse():
    u = ts.make_teacher(10, 1.0, seed=0)
    w = u + 0.3 * np.random.default_rng(2).standard_normal(10)
    Xt, yt = ts.sample(u, 200_000, trials=1, sigma2=0.4, seed=3)
    mc = rc.metrics.mse(yt[0], Xt[0] @ w)
    assert float(ts.test_error(w, u, 0.4)) == pytest.approx(mc, rel=0.01)


def test_direction_averaged_error_matches_monte_carlo_and_is_minimal_at_theory():
    rng = np.random.default_rng(5)
    N, m, sigma2, tau2, trials = 6, 9, 0.7, 0.5, 20_000
    X = rng.standard_normal((m, N))
    lams = np.array([0.2, ts.optimal_lambda(sigma2, tau2), 5.0])
    U = rng.standard_normal((trials, N))
    U *= np.sqrt(tau2 * N / (U**2).sum(1, keepdims=True))  # random directions, fixed length
    Y = U @ X.T + np.sqrt(sigma2) * rng.standard_normal((trials, m))
    W = ts.ridge_batch(np.broadcast_to(X, (trials, m, N)), Y, lams)
    mc = ((W - U[:, None]) ** 2).sum(-1).mean(0) + sigma2
    theory = ts.direction_averaged_error(np.linalg.eigvalsh(X.T @ X), lams, sigma2, tau2)
    np.testing.assert_allclose(mc, theory, rtol=0.03)
    fine = np.logspace(-2, 2, 4001)
    s = np.linalg.eigvalsh(X.T @ X)
    best = fine[np.argmin(ts.direction_averaged_error(s, fine, sigma2, tau2))]
    assert best == pytest.approx(sigma2 / tau2, rel=3e-3)


@pytest.mark.parametrize("m", [4, 10, 30, 60])
def test_ridgeless_error_matches_simulation(m):
    N, sigma2, tau2 = 16, 0.5, 1.0
    sim = ts.simulate(N, [m], [0.0], sigma2, tau2, trials=4000, seed=1).mean()
    assert sim == pytest.approx(ts.ridgeless_error(N, m, sigma2, tau2), rel=0.06)


def test_ridgeless_error_diverges_at_the_peak():
    assert all(np.isinf(ts.ridgeless_error(10, m, 0.5, 1.0)) for m in (9, 10, 11))
    assert ts.ridgeless_error(10, 5, 0.0, 1.0) == pytest.approx(5.0)  # noiseless: tau2*(N - m)


def test_asymptotic_error_matches_simulation_away_from_the_peak():
    N, sigma2, tau2 = 40, 0.5, 1.0  # finite-size corrections are O(1/N)
    lam = ts.optimal_lambda(sigma2, tau2)
    sim = ts.simulate(N, [20, 80], [lam], sigma2, tau2, trials=100, seed=2).mean(axis=(1, 2))
    theory = [ts.asymptotic_error(N, m, lam, sigma2, tau2) for m in (20, 80)]
    np.testing.assert_allclose(sim, theory, rtol=0.06)
    # at lam* the formula reduces to sigma2 * (N*g + 1)
    a = lam + 80 - N
    g = (-a + np.sqrt(a * a + 4 * lam * N)) / (2 * lam * N)
    assert theory[1] == pytest.approx(sigma2 * (N * g + 1), rel=1e-12)


def test_simulate_shape_and_nesting():
    E = ts.simulate(8, [3, 6], [0.1, 1.0], 0.5, trials=7, seed=3)
    assert E.shape == (2, 7, 2)
    teacher_seq, data_seq = np.random.SeedSequence(3).spawn(2)  # two streams from one seed
    u = ts.make_teacher(8, 1.0, teacher_seq)
    X, y = ts.sample(u, 6, 7, 0.5, data_seq)
    for j, k in enumerate([3, 6]):  # nested: the first k rows
        np.testing.assert_allclose(
            E[j], ts.test_error(ts.ridge_batch(X[:, :k], y[:, :k], [0.1, 1.0]), u, 0.5), rtol=1e-10
        )


def test_simulate_consecutive_seeds_share_no_stream():
    # the old scheme (teacher from seed, data from seed + 1) made seed s's data start with
    # seed s+1's teacher; spawned streams do not
    a = ts.simulate(6, [4], [1.0], 0.5, trials=50, seed=10)
    b = ts.simulate(6, [4], [1.0], 0.5, trials=50, seed=11)
    assert np.corrcoef(a.ravel(), b.ravel())[0, 1] < 0.5
    np.testing.assert_array_equal(a, ts.simulate(6, [4], [1.0], 0.5, trials=50, seed=10))
    with pytest.raises(ValueError, match="seed"):
        ts.simulate(6, [4], [1.0], 0.5, seed=-1)


def test_asymptotic_parts_sum_to_the_error_and_match_the_spectrum():
    N, sigma2, tau2 = 200, 0.5, 1.0
    rng = np.random.default_rng(8)
    for m in (100, 200, 400):
        X = rng.standard_normal((m, N))
        s = np.clip(np.linalg.eigvalsh(X.T @ X), 0, None)
        for lam in (0.1, 0.5, 5.0):
            bias2, var = ts.asymptotic_parts(N, m, lam, sigma2, tau2)
            total = ts.asymptotic_error(N, m, lam, sigma2, tau2)
            assert bias2 + var + sigma2 == pytest.approx(total, rel=1e-12)
            # one large random spectrum is close to the large-N limit (finite-size O(1/N))
            np.testing.assert_allclose(bias2, (tau2 * lam**2 / (s + lam) ** 2).sum(), rtol=0.1)
            np.testing.assert_allclose(var, (sigma2 * s / (s + lam) ** 2).sum(), rtol=0.1)


def test_asymptotic_parts_slopes_balance_at_the_optimum():
    N, m, sigma2, tau2, h = 20, 60, 0.5, 2.0, 1e-6
    for lam in (0.05, 0.25, 3.0):
        b_hi, v_hi = ts.asymptotic_parts(N, m, lam * (1 + h), sigma2, tau2)
        b_lo, v_lo = ts.asymptotic_parts(N, m, lam * (1 - h), sigma2, tau2)
        ratio = -(v_hi - v_lo) / (b_hi - b_lo)
        assert ratio == pytest.approx(sigma2 / (tau2 * lam), rel=1e-4)


@pytest.mark.parametrize(
    "call, arg",
    [
        (lambda: ts.kh_to_l2(-1.0, 5), "lam"),
        (lambda: ts.kh_to_l2(1.0, 0), "m"),
        (lambda: ts.l2_to_kh("a", 5), "l2"),
        (lambda: ts.make_teacher(0), "n_features"),
        (lambda: ts.make_teacher(3, tau2=0.0), "tau2"),
        (lambda: ts.sample(np.ones(3), 4, sigma2=-1.0), "sigma2"),
        (lambda: ts.sample(np.ones(3), 4, trials=True), "trials"),
        (lambda: ts.ridge_batch(np.ones((2, 3, 4)), np.ones((2, 4)), [1.0]), "y"),
        (lambda: ts.ridge_batch(np.ones((3, 4)), np.ones(3), [-1.0]), "lams"),
        (lambda: ts.ridge_batch(np.full((3, 4), np.nan), np.ones(3), [1.0]), "X"),
        (lambda: ts.test_error(np.ones(3), np.ones(4)), "W"),
        (lambda: ts.optimal_lambda(1.0, 0.0), "tau2"),
        (lambda: ts.direction_averaged_error([1.0, -1.0], [1.0], 1.0, 1.0), "s"),
        (lambda: ts.direction_averaged_error([1.0], [0.0], 1.0, 1.0), "lams"),
        (lambda: ts.asymptotic_error(10, 5, 0.0, 1.0, 1.0), "lam"),
        (lambda: ts.asymptotic_parts(10, 0, 1.0, 1.0, 1.0), "m"),
        (lambda: ts.simulate(5, [0], [1.0], 0.5), "ms"),
    ],
)
def test_bad_input_names_the_argument(call, arg):
    with pytest.raises((ValueError, TypeError), match=arg):
        call()
