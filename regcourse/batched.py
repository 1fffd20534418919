"""Train many same-architecture models at once (chapters that repeat an experiment over seeds).

    fit_many(models, X, y, **kw) == [rc.fit(m, X_i, y_i, seed=s_i, **kw) for each model]

(vectorized version in progress; this is the reference loop with the final signature).
"""
from __future__ import annotations

import numbers

import torch

from .train import fit

__all__ = ["fit_many"]


def _per_model(name, value, n, allow_none=False):
    """``value`` repeated n times, or the list/tuple of n values it already is."""
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"{name} must be one value shared by all models or a list with one "
                             f"per model: got {len(value)} for {n} models")
        return list(value)
    if value is None and not allow_none:
        raise TypeError(f"{name} must be an array or a list of arrays, got None")
    return [value] * n


def _seeds(seed, n):
    seeds = _per_model("seed", seed, n)
    for s in seeds:
        if isinstance(s, bool) or not isinstance(s, numbers.Integral):
            raise TypeError(f"seed must be an integer or a list of integers, got {s!r}")
    return [int(s) for s in seeds]


def fit_many(models, X, y, *, loss="mse", lr, epochs, l1=0.0, l2=0.0, include_bias=False,
             optimizer="sgd", X_val=None, y_val=None, seed=0, penalty=None, weight_decay=0.0,
             momentum=0.0, batch_size=None, record_every=1):
    """Train every model of ``models`` in place as :func:`regcourse.fit` would; list of History."""
    if isinstance(models, torch.nn.Module) or not isinstance(models, (list, tuple)):
        raise TypeError(f"models must be a list of torch.nn.Module, got {type(models).__name__}")
    if not models:
        raise ValueError("models must be a non-empty list of torch.nn.Module")
    for i, m in enumerate(models):
        if not isinstance(m, torch.nn.Module):
            raise TypeError(f"models[{i}] must be a torch.nn.Module, got {type(m).__name__}")
    if batch_size is not None:
        raise ValueError("fit_many trains full-batch only (batch_size=None); "
                         "loop over rc.fit(..., batch_size=...) for mini-batches")
    n = len(models)
    Xs, ys = _per_model("X", X, n), _per_model("y", y, n)
    Xv, yv = _per_model("X_val", X_val, n, True), _per_model("y_val", y_val, n, True)
    seeds = _seeds(seed, n)
    return [fit(m, Xs[i], ys[i], loss=loss, lr=lr, epochs=epochs, l1=l1, l2=l2,
                include_bias=include_bias, optimizer=optimizer, X_val=Xv[i], y_val=yv[i],
                seed=seeds[i], penalty=penalty, weight_decay=weight_decay, momentum=momentum,
                record_every=record_every) for i, m in enumerate(models)]
