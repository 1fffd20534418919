"""Seeded toy data sets (all chapters). Pure numpy: no downloads, no scikit-learn at run time."""

from __future__ import annotations

import numpy as np

from . import _validate as v

__all__ = ["make_sparse_regression", "make_moons", "standardize", "train_test_split"]


def make_sparse_regression(
    n_samples, n_features, n_informative, noise=0.5, seed=0, correlation=0.0, weight_scale=1.0
):
    """X ~ N(0, S) with S_ij = correlation^|i-j|; y = X w_true + noise * N(0, 1).

    ``w_true`` has exactly ``n_informative`` non-zeros (the first ones, magnitudes in
    [0.5, 1.5] * weight_scale, random signs). Returns (X, y, w_true).
    """
    n_samples = v.positive_int("n_samples", n_samples)
    n_features = v.positive_int("n_features", n_features)
    if isinstance(n_informative, bool) or not isinstance(n_informative, (int, np.integer)):
        raise TypeError(f"n_informative must be an integer, got {n_informative!r}")
    if not 0 <= n_informative <= n_features:
        raise ValueError(f"n_informative must be between 0 and n_features={n_features}, got {n_informative}")
    noise = v.nonneg("noise", noise)
    weight_scale = v.positive("weight_scale", weight_scale)
    correlation = v.real("correlation", correlation)
    if not -1 < correlation < 1:
        raise ValueError(f"correlation must lie in (-1, 1), got {correlation}")
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features))
    if correlation:
        idx = np.arange(n_features)
        cov = correlation ** np.abs(idx[:, None] - idx[None, :])
        X = X @ np.linalg.cholesky(cov).T
    w_true = np.zeros(n_features)
    w_true[:n_informative] = (
        rng.uniform(0.5, 1.5, n_informative) * weight_scale * rng.choice([-1.0, 1.0], n_informative)
    )
    y = X @ w_true + noise * rng.standard_normal(n_samples)
    return X, y, w_true


def make_moons(n_samples, noise=0.2, seed=0):
    """Two interleaving half circles with Gaussian noise; returns (X of shape (n, 2), y in {0, 1})."""
    n_samples = v.positive_int("n_samples", n_samples)
    if n_samples < 2:
        raise ValueError(f"n_samples must be >= 2, got {n_samples}")
    noise = v.nonneg("noise", noise)
    rng = np.random.default_rng(seed)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out = np.linspace(0, np.pi, n_out)
    t_in = np.linspace(0, np.pi, n_in)
    X = np.vstack(
        [
            np.column_stack([np.cos(t_out), np.sin(t_out)]),
            np.column_stack([1 - np.cos(t_in), 0.5 - np.sin(t_in)]),
        ]
    )
    y = np.concatenate([np.zeros(n_out, dtype=np.int64), np.ones(n_in, dtype=np.int64)])
    X = X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(n_samples)
    return X[order], y[order]


def standardize(X_train, *others):
    """Scale every array by the *training* mean and std: (X - mean_train) / std_train.

    Returns the scaled training array followed by the others, then (mean, std).
    A constant training column keeps std 1 so nothing divides by zero.
    """
    X_train = v.finite_array("X_train", X_train, ndim=2)
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    out = [(X_train - mean) / std]
    for i, X in enumerate(others):
        X = v.finite_array(f"others[{i}]", X, ndim=2)
        if X.shape[1] != X_train.shape[1]:
            raise ValueError(f"others[{i}] has {X.shape[1]} columns, X_train has {X_train.shape[1]}")
        out.append((X - mean) / std)
    return (*out, mean, std)


def train_test_split(X, y, n_train, seed=0):
    """Shuffle rows with ``seed``; return X_train, X_test, y_train, y_test (``n_train`` training rows)."""
    X = np.asarray(X)
    y = np.asarray(y)
    v.same_rows("X", X, "y", y)
    n_train = v.positive_int("n_train", n_train)
    if n_train >= len(X):
        raise ValueError(f"n_train must be smaller than the {len(X)} rows, got {n_train}")
    order = np.random.default_rng(seed).permutation(len(X))
    tr, te = order[:n_train], order[n_train:]
    return X[tr], X[te], y[tr], y[te]
