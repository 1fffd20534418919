"""Weight penalties in the course's convention (chapters 02-04).

    Omega_1(w) = sum_k |w_k|          (L1)
    Omega_2(w) = sum_k w_k^2          (L2, squared Euclidean / Frobenius norm)
    penalty    = l1 * Omega_1 + l2 * Omega_2, over weights; biases excluded unless asked.

Each function takes a numpy array or a torch tensor; a tensor in gives a
differentiable torch scalar out.
"""

from __future__ import annotations

import numpy as np
import torch

from . import _validate as v

__all__ = [
    "l1_penalty",
    "l2_penalty",
    "elastic_net_penalty",
    "penalty_grad",
    "penalized_parameters",
    "model_penalty",
]


def _check_array(w):
    if isinstance(w, torch.Tensor):
        return w
    return v.as_float_array("w", w)


def l1_penalty(w):
    """Omega_1(w) = sum |w_k| (a torch scalar for a tensor, a float for an array)."""
    w = _check_array(w)
    return w.abs().sum() if isinstance(w, torch.Tensor) else float(np.abs(w).sum())


def l2_penalty(w):
    """Omega_2(w) = sum w_k^2: the *squared* L2 norm, not the norm itself."""
    w = _check_array(w)
    return (w * w).sum() if isinstance(w, torch.Tensor) else float((w * w).sum())


def elastic_net_penalty(w, l1=0.0, l2=0.0):
    """l1 * sum |w_k| + l2 * sum w_k^2."""
    l1, l2 = v.nonneg("l1", l1), v.nonneg("l2", l2)
    return l1 * l1_penalty(w) + l2 * l2_penalty(w)


def penalty_grad(w, l1=0.0, l2=0.0) -> np.ndarray:
    """Gradient of l1*Omega_1 + l2*Omega_2: l1*sign(w) + 2*l2*w, with sign(0) = 0 (a subgradient)."""
    l1, l2 = v.nonneg("l1", l1), v.nonneg("l2", l2)
    return _penalty_grad(v.finite_array("w", w), l1, l2)


def _penalty_grad(w, l1, l2):
    """penalty_grad without the input checks (for the step rules of rc.updates)."""
    return l1 * np.sign(w) + 2.0 * l2 * w


def penalized_parameters(model: torch.nn.Module, include_bias: bool = False):
    """The parameters a penalty applies to: weights (ndim >= 2); 1-D ones (biases, norms) only
    if ``include_bias``."""
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    return [p for p in model.parameters() if p.requires_grad and (include_bias or p.ndim >= 2)]


def model_penalty(
    model: torch.nn.Module, l1=0.0, l2=0.0, include_bias: bool = False, penalty=None
) -> torch.Tensor:
    """l1 * sum|W| + l2 * sum W^2 over a module's weights (plus ``penalty(W)`` summed, if given).

    ``penalty`` is any callable tensor -> scalar tensor, for custom penalties
    such as ``lambda w: (w.abs().exp() - 1).sum()``.
    """
    l1, l2 = v.nonneg("l1", l1), v.nonneg("l2", l2)
    if penalty is not None and not callable(penalty):
        raise TypeError(f"penalty must be callable, got {type(penalty).__name__}")
    params = penalized_parameters(model, include_bias)
    total = torch.zeros((), dtype=params[0].dtype if params else torch.get_default_dtype())
    for p in params:
        if l1:
            total = total + l1 * p.abs().sum()
        if l2:
            total = total + l2 * (p * p).sum()
        if penalty is not None:
            total = total + penalty(p)
    return total
