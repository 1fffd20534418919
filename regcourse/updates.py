"""One-step update rules for a weight vector (chapters 02-03). All are pure: inputs are never modified.

With objective J(w) = L(w) + l1*sum|w| + l2*sum w^2 and learning rate lr (eta):

    sgd_step:      w - lr * (grad + l1*sign(w) + 2*l2*w)         (subgradient; sign(0) = 0)
    clipped_step:  the sgd step, but a weight that it carries across zero is set to 0
    proximal_step: soft_threshold(w - lr*(grad + 2*l2*w), lr*l1)  (ISTA)
    soft_threshold(w, t) = sign(w) * max(|w| - t, 0)
"""

from __future__ import annotations

import numpy as np

from . import _validate as v
from .penalties import penalty_grad

__all__ = ["sgd_step", "soft_threshold", "proximal_step", "clipped_step", "decay_factor"]


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


def sgd_step(w, grad, lr, l1=0.0, l2=0.0) -> np.ndarray:
    """w - lr*(grad + l1*sign(w) + 2*l2*w): plain (sub)gradient descent on the penalized loss."""
    w, grad, lr, l1, l2 = _prepare(w, grad, lr, l1, l2)
    return w - lr * (grad + penalty_grad(w, l1, l2))


def soft_threshold(w, t) -> np.ndarray:
    """sign(w) * max(|w| - t, 0): the proximal map of t*sum|w|; exact zeros for |w| <= t."""
    t = v.nonneg("t", t)
    w = v.finite_array("w", w)
    return np.sign(w) * np.maximum(np.abs(w) - t, 0.0)


def proximal_step(w, grad, lr, l1=0.0, l2=0.0) -> np.ndarray:
    """soft_threshold(w - lr*(grad + 2*l2*w), lr*l1): a gradient step on the smooth part, then the L1 prox."""
    w, grad, lr, l1, l2 = _prepare(w, grad, lr, l1, l2)
    return soft_threshold(w - lr * (grad + 2.0 * l2 * w), lr * l1)


def clipped_step(w, grad, lr, l1=0.0, l2=0.0) -> np.ndarray:
    """The plain subgradient step, except that a weight it would carry across zero is set to exactly 0.

    The sign compared is that of w before the step. A weight already at 0 gets no
    L1 push (sign(0) = 0) and moves with the data gradient alone.
    """
    w, grad, lr, l1, l2 = _prepare(w, grad, lr, l1, l2)
    out = w - lr * (grad + penalty_grad(w, l1, l2))
    out[np.sign(out) * np.sign(w) < 0] = 0.0
    return out
