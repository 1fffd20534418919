"""Torch optimizers and parameter groups for penalties (chapters 03, 04, 08).

ProximalSGD takes, for every parameter p of a group with (lr, l1, l2),

    p <- soft_threshold(p - lr*(grad + 2*l2*p), lr*l1)

so an L1 penalty gives exact zeros in a torch model (ISTA applied to a network).
"""

from __future__ import annotations

import torch

from . import _validate as v
from .penalties import penalized_parameters

__all__ = ["ProximalSGD", "param_groups"]


class ProximalSGD(torch.optim.Optimizer):
    """SGD whose L1 part is a proximal (soft-threshold) step; l2 enters as 2*l2*p in the gradient.

    Every parameter of a group is penalized with that group's l1 and l2: use
    :func:`param_groups` to leave biases out.
    """

    def __init__(self, params, lr, l1=0.0, l2=0.0):
        defaults = dict(lr=v.nonneg("lr", lr), l1=v.nonneg("l1", l1), l2=v.nonneg("l2", l2))
        super().__init__(params, defaults)
        for group in self.param_groups:
            for key in ("lr", "l1", "l2"):
                v.nonneg(key, group[key])

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, l1, l2 = group["lr"], group["l1"], group["l2"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                d = p.grad if l2 == 0 else p.grad + 2.0 * l2 * p
                p.sub_(lr * d)
                if l1:
                    p.copy_(p.sign() * (p.abs() - lr * l1).clamp_min(0.0))
        return loss


def param_groups(model: torch.nn.Module, include_bias: bool = False, *, exclude=(), **penalty):
    """Two parameter groups: the weights with ``penalty`` (e.g. l1=..., l2=..., weight_decay=...)
    and the rest with every given penalty set to 0.

    Weights are the parameters with ndim >= 2; the 1-D ones (biases, and the gains and shifts
    of BatchNorm / LayerNorm) go in the second group unless ``include_bias``. ``exclude`` is a
    module type or a tuple of them (e.g. ``torch.nn.Embedding``) whose parameters also go in
    the second group: AdamW's common practice, no decay on biases, normalization gains and
    embeddings, is ``param_groups(model, exclude=torch.nn.Embedding, weight_decay=wd)``.
    """
    types = (exclude,) if isinstance(exclude, type) else exclude
    if not isinstance(types, (tuple, list)) or not all(
        isinstance(t, type) and issubclass(t, torch.nn.Module) for t in types
    ):
        raise TypeError(f"exclude must be a torch.nn.Module subclass or a tuple of them, got {exclude!r}")
    excluded = {id(p) for m in model.modules() if isinstance(m, tuple(types)) for p in m.parameters()}
    weights = [p for p in penalized_parameters(model, include_bias) if id(p) not in excluded]
    ids = {id(p) for p in weights}
    rest = [p for p in model.parameters() if p.requires_grad and id(p) not in ids]
    groups = [dict(params=weights, **penalty), dict(params=rest, **{k: 0.0 for k in penalty})]
    return [g for g in groups if g["params"]]
