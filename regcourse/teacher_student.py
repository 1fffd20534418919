"""A linear teacher and a linear student with noisy targets (Krogh & Hertz 1992; chapters 09, 10).

Teacher u (N weights), inputs x ~ N(0, I_N), targets y = u.x + eps with eps ~ N(0, sigma2).
The student is ridge regression written in the paper's convention, a SUM over the m examples:

    E(w) = 1/2 * sum_mu (y_mu - w.x_mu)^2 + (lam/2) * ||w||^2,   w = (X^T X + lam*I)^(-1) X^T y.

Multiplying E by 2/m gives the course's (1/m)||y - Xw||^2 + l2*||w||^2 with l2 = lam/m
(same minimiser): see :func:`kh_to_l2`. On a fresh example the expected squared error is
exactly ||w - u||^2 + sigma2 (Gaussian inputs with identity covariance).

Theory (tau2 = ||u||^2 / N, the mean squared teacher weight): averaged over the noise and the
teacher's direction, the error of each eigen-direction s of X^T X is
tau2*lam^2/(s+lam)^2 + sigma2*s/(s+lam)^2, smallest at lam = sigma2/tau2 whatever s, hence
whatever m. Everything here is vectorised over independent trials: arrays carry a leading
``trials`` axis.
"""

from __future__ import annotations

import numpy as np

from . import _validate as v

__all__ = [
    "asymptotic_error",
    "asymptotic_parts",
    "direction_averaged_error",
    "kh_to_l2",
    "l2_to_kh",
    "make_teacher",
    "optimal_lambda",
    "ridge_batch",
    "ridgeless_error",
    "sample",
    "simulate",
    "test_error",
]


def _lams(lams) -> np.ndarray:
    lams = v.finite_array("lams", lams, ndim=(0, 1)).reshape(-1)
    if lams.size == 0:
        raise ValueError("lams must contain at least one value")
    if np.any(lams < 0):
        raise ValueError(f"lams must be >= 0, got {lams.min()!r}")
    return lams


def kh_to_l2(lam, m) -> float:
    """The course's l2 with the same minimiser as the paper's lam: l2 = lam / m."""
    return v.nonneg("lam", lam) / v.positive_int("m", m)


def l2_to_kh(l2, m) -> float:
    """The paper's lam with the same minimiser as the course's l2: lam = m * l2."""
    return v.nonneg("l2", l2) * v.positive_int("m", m)


def make_teacher(n_features, tau2=1.0, seed=0) -> np.ndarray:
    """A teacher vector of random direction whose mean squared weight ||u||^2/N is exactly ``tau2``."""
    n_features = v.positive_int("n_features", n_features)
    tau2 = v.positive("tau2", tau2)
    u = np.random.default_rng(seed).standard_normal(n_features)
    return u * np.sqrt(tau2 * n_features / (u @ u))


def sample(u, m, trials=1, sigma2=0.0, seed=0):
    """Draw ``trials`` training sets of m examples: X (trials, m, N) ~ N(0, 1), y = X u + N(0, sigma2)."""
    u = v.finite_array("u", u, ndim=1)
    m = v.positive_int("m", m)
    trials = v.positive_int("trials", trials)
    sigma2 = v.nonneg("sigma2", sigma2)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((trials, m, u.size))
    y = X @ u + np.sqrt(sigma2) * rng.standard_normal((trials, m))
    return X, y


def ridge_batch(X, y, lams) -> np.ndarray:
    """argmin_w 1/2||y - Xw||^2 + lam/2 ||w||^2 for every trial and every lam: shape (trials, len(lams), N).

    X has shape (trials, m, N) (or (m, N) for one trial), y (trials, m). Solved through the
    eigen-decomposition X^T X = V diag(s) V^T: w = V diag(1/(s + lam)) V^T X^T y. lam = 0 gives
    the minimum-norm least-squares solution (directions with s ~ 0 are left at 0).
    """
    X = v.finite_array("X", X, ndim=(2, 3))
    y = v.finite_array("y", y, ndim=(1, 2))
    if X.ndim == 2:
        X = X[None]
    if y.ndim == 1:
        y = y[None]
    if y.shape != X.shape[:2]:
        raise ValueError(f"y must have shape {X.shape[:2]} (trials, m) to match X, got {y.shape}")
    lams = _lams(lams)
    s, V, b = _eig_solve(X, y)
    return np.einsum("tln,tin->tli", _coefs(s, b, lams), V)


def _eig_solve(X, y):
    """Eigenvalues s and vectors V of X^T X, and b = V^T X^T y (the data in the eigenbasis)."""
    s, V = np.linalg.eigh(np.matmul(X.transpose(0, 2, 1), X))
    Xty = np.matmul(X.transpose(0, 2, 1), y[..., None])  # (trials, N, 1)
    return s, V, np.matmul(V.transpose(0, 2, 1), Xty)[..., 0]


def _coefs(s, b, lams):
    """Student weights in the eigenbasis, b / (s + lam), with 0 where s + lam ~ 0: (trials, L, N)."""
    denom = s[:, None, :] + lams[None, :, None]
    cutoff = 1e-10 * max(float(s.max(initial=0.0)), 1.0)
    ok = denom > cutoff
    return np.where(ok, b[:, None, :] / np.where(ok, denom, 1.0), 0.0)


def test_error(W, u, sigma2=0.0) -> np.ndarray:
    """Expected squared error on a fresh example x ~ N(0, I): ||w - u||^2 + sigma2, over W's last axis."""
    W = v.finite_array("W", W)
    u = v.finite_array("u", u, ndim=1)
    if W.shape[-1] != u.size:
        raise ValueError(f"W's last axis must have the teacher's length {u.size}, got {W.shape}")
    return ((W - u) ** 2).sum(axis=-1) + v.nonneg("sigma2", sigma2)


def optimal_lambda(sigma2, tau2) -> float:
    """Krogh & Hertz's optimal decay in the paper's (sum) convention: lam* = sigma2 / tau2."""
    return v.nonneg("sigma2", sigma2) / v.positive("tau2", tau2)


def direction_averaged_error(s, lams, sigma2, tau2) -> np.ndarray:
    """Test error averaged over noise and teacher direction, given the eigenvalues s of X^T X.

        sum_i [tau2*lam^2 + sigma2*s_i] / (s_i + lam)^2  + sigma2     (shape: s.shape[:-1] + (len(lams),))

    Directions with s_i = 0 contribute tau2 each (lam > 0) - the null space keeps no information.
    """
    s = v.finite_array("s", s, ndim=(1, 2))
    if np.any(s < 0):
        raise ValueError("s (eigenvalues of X^T X) must be >= 0")
    lams = _lams(lams)
    if np.any(lams == 0):
        raise ValueError("lams must be > 0 here (use ridgeless_error for lam = 0)")
    sigma2, tau2 = v.nonneg("sigma2", sigma2), v.nonneg("tau2", tau2)
    S = s[..., None, :]
    L = lams[:, None]
    return ((tau2 * L**2 + sigma2 * S) / (S + L) ** 2).sum(axis=-1) + sigma2


def ridgeless_error(n_features, m, sigma2, tau2) -> float:
    """Exact expected test error of the minimum-norm least-squares student (lam = 0), Gaussian inputs.

    m <= N-2:  tau2*(N - m) + sigma2*m/(N - m - 1) + sigma2
    m >= N+2:  sigma2*N/(m - N - 1) + sigma2
    otherwise: inf (the expectation diverges near m = N: the peak)
    """
    N, m = v.positive_int("n_features", n_features), v.positive_int("m", m)
    sigma2, tau2 = v.nonneg("sigma2", sigma2), v.nonneg("tau2", tau2)
    if m <= N - 2:
        return tau2 * (N - m) + sigma2 * m / (N - m - 1) + sigma2
    if m >= N + 2:
        return sigma2 * N / (m - N - 1) + sigma2
    return float("inf")


def _stieltjes(N, m, lam):
    """g = (1/N) tr (X^T X + lam I)^(-1) for large N, and its derivative g' = dg/dlam."""
    a = lam + m - N
    g = (-a + np.sqrt(a * a + 4 * lam * N)) / (2 * lam * N)
    return g, -(N * g * g + g) / (2 * lam * N * g + a)


def asymptotic_parts(n_features, m, lam, sigma2, tau2) -> tuple[float, float]:
    """Large-N (bias², variance) of the ridge student, lam > 0: the two sums of
    :func:`direction_averaged_error`, with g as in :func:`asymptotic_error`,

        bias² = sum_i tau2*lam^2/(s_i+lam)^2 = N*tau2*lam^2*(-g'),
        variance = sum_i sigma2*s_i/(s_i+lam)^2 = N*sigma2*(g + lam*g').

    Their slopes obey -d(variance)/dlam = (sigma2/(tau2*lam)) * d(bias²)/dlam in every direction,
    so they balance at lam* = sigma2/tau2, wherever the two curves themselves cross.
    """
    N, m = v.positive_int("n_features", n_features), v.positive_int("m", m)
    lam = v.positive("lam", lam)
    sigma2, tau2 = v.nonneg("sigma2", sigma2), v.nonneg("tau2", tau2)
    g, dg = _stieltjes(N, m, lam)
    return float(N * tau2 * lam**2 * (-dg)), float(N * sigma2 * (g + lam * dg))


def asymptotic_error(n_features, m, lam, sigma2, tau2) -> float:
    """Large-N test error of the ridge student (Krogh & Hertz's formula), lam > 0.

    With g = (1/N) tr (X^T X + lam I)^(-1), which for large N solves lam*N*g^2 + (lam + m - N)*g - 1 = 0,
    the error is N*[tau2*lam^2*(-g') + sigma2*(g + lam*g')] + sigma2 (bias² + variance + noise,
    :func:`asymptotic_parts`); at lam = sigma2/tau2 it is sigma2*(N*g + 1).
    """
    bias2, variance = asymptotic_parts(n_features, m, lam, sigma2, tau2)
    return bias2 + variance + v.nonneg("sigma2", sigma2)


def simulate(n_features, ms, lams, sigma2, tau2=1.0, trials=1000, seed=0) -> np.ndarray:
    """Test errors of the ridge student, shape (len(ms), trials, len(lams)).

    One teacher; each trial draws max(ms) examples and the training set of size m is its first
    m rows (nested sets: smoother curves over m). The teacher and the data come from two
    independent streams spawned from ``seed`` (``numpy.random.SeedSequence(seed).spawn(2)``),
    so runs with consecutive seeds share no random numbers.
    """
    ms = [v.positive_int("ms", k) for k in np.atleast_1d(ms).tolist()]
    lams = _lams(lams)
    sigma2, tau2 = v.nonneg("sigma2", sigma2), v.positive("tau2", tau2)
    teacher_seed, data_seed = _streams(seed)
    u = make_teacher(n_features, tau2, teacher_seed)
    X, y = sample(u, max(ms), trials, sigma2, data_seed)
    out = []
    for k in ms:  # the error ||w - u||^2 is rotation invariant: measure it in the eigenbasis
        s, V, b = _eig_solve(X[:, :k], y[:, :k])
        uv = np.matmul(V.transpose(0, 2, 1), u)  # (trials, N)
        out.append(((_coefs(s, b, lams) - uv[:, None, :]) ** 2).sum(axis=-1) + sigma2)
    return np.stack(out)


def _streams(seed):
    """Two independent seed sequences (teacher, data) spawned from one whole-number ``seed``."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    return np.random.SeedSequence(int(seed)).spawn(2)
