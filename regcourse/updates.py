"""One-step update rules for a weight vector (chapters 02-03). All are pure: inputs are never modified.

With objective J(w) = L(w) + l1*sum|w| + l2*sum w^2 and learning rate lr (eta):

    sgd_step:      w - lr * (grad + l1*sign(w) + 2*l2*w)         (subgradient; sign(0) = 0)
    clipped_step:  the sgd step, but a weight that it carries across zero is set to 0
    proximal_step: soft_threshold(w - lr*(grad + 2*l2*w), lr*l1)  (ISTA)
    soft_threshold(w, t) = sign(w) * max(|w| - t, 0)
    group_soft_threshold(W, t, axis): each group w_g <- max(1 - t/||w_g||_2, 0) * w_g
        (the prox of t * sum_g ||w_g||_2, the group lasso; chapter 04)
"""

from __future__ import annotations

import numbers

import numpy as np

from . import _validate as v
from .penalties import _penalty_grad

__all__ = [
    "sgd_step",
    "soft_threshold",
    "group_soft_threshold",
    "proximal_step",
    "clipped_step",
    "decay_factor",
]


def _prepare(w, grad, lr, l1, l2):
    lr = v.nonneg("lr", lr)
    l1, l2 = v.nonneg("l1", l1), v.nonneg("l2", l2)
    w = v.finite_array("w", w)
    grad = v.finite_array("grad", grad)
    if grad.shape != w.shape:
        raise ValueError(f"grad must have the shape of w {w.shape}, got {grad.shape}")
    return w, grad, lr, l1, l2


def decay_factor(lr, l2) -> float:
    """The L2 rule's multiplicative factor c = 1 - 2*lr*l2 (w <- c*w with no data gradient).

    The pure decay converges to 0 for 0 < 2*lr*l2 < 2 (|c| < 1); it is monotone and keeps the
    sign only for 2*lr*l2 < 1 (0 < c < 1); between 1 and 2 it flips sign while shrinking.
    """
    return 1.0 - 2.0 * v.nonneg("lr", lr) * v.nonneg("l2", l2)


# The steps' arithmetic, without input checks: the public steps below check, then call these;
# loops that check their inputs once (rc.sparse.l1_sgd) call them directly.
def _sgd(w, grad, lr, l1, l2):
    return w - lr * (grad + _penalty_grad(w, l1, l2))


def _proximal(w, grad, lr, l1, l2):
    return _soft_threshold(w - lr * (grad + 2.0 * l2 * w), lr * l1)


def _clipped(w, grad, lr, l1, l2):
    out = _sgd(w, grad, lr, l1, l2)
    out[np.sign(out) * np.sign(w) < 0] = 0.0
    return out


def sgd_step(w, grad, lr, l1=0.0, l2=0.0) -> np.ndarray:
    """w - lr*(grad + l1*sign(w) + 2*l2*w): plain (sub)gradient descent on the penalized loss."""
    return _sgd(*_prepare(w, grad, lr, l1, l2))


def soft_threshold(w, t) -> np.ndarray:
    """sign(w) * max(|w| - t, 0): the proximal map of t*sum|w|; exact zeros for |w| <= t."""
    t = v.nonneg("t", t)
    return _soft_threshold(v.finite_array("w", w), t)


def _soft_threshold(w, t):
    return np.sign(w) * np.maximum(np.abs(w) - t, 0.0)


def group_soft_threshold(W, t, axis=0) -> np.ndarray:
    """Block soft threshold: the proximal map of t * sum_g ||w_g||_2 (the group lasso).

    A group is the set of entries sharing every index except the one along ``axis``: for a
    first-layer weight W of shape (out, in), ``axis=0`` makes one group per input column
    W[:, j]. Each group is scaled, w_g <- max(1 - t/||w_g||_2, 0) * w_g, so a group with
    ||w_g||_2 <= t becomes exactly zero as a whole and a kept one keeps its direction.
    ``axis=None`` makes the whole array one group.
    """
    t = v.nonneg("t", t)
    W = v.finite_array("W", W)
    if W.ndim == 0:
        raise ValueError("W must be an array with at least one dimension, got a scalar")
    if axis is not None:
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise TypeError(f"axis must be an integer or None, got {axis!r} ({type(axis).__name__})")
        if not -W.ndim <= axis < W.ndim:
            raise ValueError(f"axis must be in [{-W.ndim}, {W.ndim - 1}] for W of shape {W.shape}: {axis}")
    norm = np.sqrt(np.sum(W * W, axis=axis, keepdims=True))
    scale = np.maximum(1.0 - t / np.where(norm > 0, norm, 1.0), 0.0)
    return np.where(norm > t, scale, 0.0) * W


def proximal_step(w, grad, lr, l1=0.0, l2=0.0) -> np.ndarray:
    """soft_threshold(w - lr*(grad + 2*l2*w), lr*l1): a gradient step on the smooth part, then the L1 prox."""
    return _proximal(*_prepare(w, grad, lr, l1, l2))


def clipped_step(w, grad, lr, l1=0.0, l2=0.0) -> np.ndarray:
    """The plain subgradient step, except that a weight it would carry across zero is set to exactly 0.

    The sign compared is that of w before the step. A weight already at 0 gets no
    L1 push (sign(0) = 0) and moves with the data gradient alone.
    """
    return _clipped(*_prepare(w, grad, lr, l1, l2))
