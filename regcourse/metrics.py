"""Measurements of weights and predictions (all chapters).

sparsity(x, atol)   fraction of entries with |x| <= atol
weight_norms(model) {layer: ||W||_F}  (Frobenius = sqrt(sum W^2))
dense_bytes / sparse_bytes: storage of a weight vector dense vs as (index, value) pairs
"""

from __future__ import annotations

import numpy as np
import torch

from . import _validate as v
from .penalties import penalized_parameters

__all__ = [
    "sparsity",
    "count_zeros",
    "weight_norms",
    "flat_weights",
    "dense_bytes",
    "sparse_bytes",
    "mse",
    "accuracy",
]


def flat_weights(x, include_bias: bool = False) -> np.ndarray:
    """All entries of an array, a tensor, or a model's (penalized) weights, as one float64 vector."""
    if isinstance(x, torch.nn.Module):
        params = penalized_parameters(x, include_bias)
        if not params:
            return np.zeros(0)
        return torch.cat([p.detach().reshape(-1) for p in params]).double().cpu().numpy()
    return v.as_float_array("x", x).reshape(-1)


def sparsity(x, atol: float = 0.0, include_bias: bool = False) -> float:
    """Fraction of entries with |x| <= atol (atol=0: exact zeros) of an array, tensor or model's weights."""
    atol = v.nonneg("atol", atol)
    flat = flat_weights(x, include_bias)
    if flat.size == 0:
        raise ValueError("x has no entries")
    return float(np.mean(np.abs(flat) <= atol))


def count_zeros(x, atol: float = 0.0, include_bias: bool = False) -> int:
    """Number of entries with |x| <= atol."""
    atol = v.nonneg("atol", atol)
    return int(np.sum(np.abs(flat_weights(x, include_bias)) <= atol))


def weight_norms(model: torch.nn.Module, include_bias: bool = False) -> dict[str, float]:
    """{parameter name: Frobenius norm sqrt(sum W^2)} for each penalized parameter of a model."""
    ids = {id(p) for p in penalized_parameters(model, include_bias)}
    return {name: float(p.detach().norm()) for name, p in model.named_parameters() if id(p) in ids}


def dense_bytes(n_weights: int, value_bytes: int = 4) -> int:
    """Bytes to store ``n_weights`` values densely (float32 by default)."""
    return v.positive_int("n_weights", n_weights) * v.positive_int("value_bytes", value_bytes)


def sparse_bytes(n_nonzero: int, value_bytes: int = 4, index_bytes: int = 4) -> int:
    """Bytes to store only the non-zeros as (index, value) pairs (COO for a vector)."""
    if isinstance(n_nonzero, bool) or not isinstance(n_nonzero, (int, np.integer)):
        raise TypeError(f"n_nonzero must be an integer, got {n_nonzero!r} ({type(n_nonzero).__name__})")
    if n_nonzero < 0:
        raise ValueError(f"n_nonzero must be >= 0, got {n_nonzero!r}")
    return int(n_nonzero) * (
        v.positive_int("value_bytes", value_bytes) + v.positive_int("index_bytes", index_bytes)
    )


def mse(y, y_hat) -> float:
    """(1/n) * sum (y - y_hat)^2."""
    y = v.finite_array("y", y).reshape(-1)
    y_hat = v.finite_array("y_hat", y_hat).reshape(-1)
    v.same_rows("y", y, "y_hat", y_hat)
    return float(np.mean((y - y_hat) ** 2))


def accuracy(y, y_hat) -> float:
    """Fraction of equal labels."""
    y = np.asarray(y.detach().cpu() if hasattr(y, "detach") else y).reshape(-1)
    y_hat = np.asarray(y_hat.detach().cpu() if hasattr(y_hat, "detach") else y_hat).reshape(-1)
    v.same_rows("y", y, "y_hat", y_hat)
    if len(y) == 0:
        raise ValueError("y and y_hat are empty")
    return float(np.mean(y == y_hat))
