"""Full-batch training with a weight penalty, recording a history (chapters 01, 04, 06, 08).

The minimised objective is the course's

    J = data loss + l1 * sum|W| + l2 * sum W^2 (+ sum penalty(W))   over the weights
        (biases too when include_bias=True).

optimizer="sgd"      gradient descent on J. With l2=lam and include_bias=True it is step for
                     step torch.optim.SGD(weight_decay=2*lam) on the data loss.
optimizer="adam"     Adam on J (the L2 penalty goes through Adam's scaling).
optimizer="adamw"    AdamW on the data loss with decoupled weight_decay (l1, l2 must be 0).
optimizer="proximal" regcourse.optim.ProximalSGD: exact L1 zeros.

Inputs and float targets are cast to the dtype of the model's parameters (float64 models work).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from . import _validate as v
from .optim import ProximalSGD, param_groups
from .penalties import model_penalty, penalized_parameters

__all__ = ["fit", "History", "LOSSES", "OPTIMIZERS", "predict"]

LOSSES = ("mse", "bce", "ce")
OPTIMIZERS = ("sgd", "adam", "adamw", "proximal")


@dataclass
class History:
    """Per-epoch record of a training run: one entry per recorded epoch.

    Entry k describes the weights after ``epoch[k]`` epochs: epoch 0 is the
    initial model and the last entry the trained one.
    """

    epoch: list = field(default_factory=list)
    loss: list = field(default_factory=list)  # training data loss (no penalty)
    penalty: list = field(default_factory=list)  # l1*sum|W| + l2*sum W^2 (+ custom)
    val_loss: list = field(default_factory=list)  # data loss on (X_val, y_val), if given
    weight_norm: list = field(default_factory=list)  # sqrt(sum W^2) over penalized weights
    sparsity: list = field(default_factory=list)  # fraction of penalized weights exactly 0

    def __getitem__(self, key):
        return np.asarray(getattr(self, key), dtype=float)

    @property
    def objective(self):
        """loss + penalty, per recorded epoch."""
        return self["loss"] + self["penalty"]


def _model_dtype(model):
    """The dtype of the model's first floating-point parameter (torch's default if it has none)."""
    for p in model.parameters():
        if p.dtype.is_floating_point:
            return p.dtype
    return torch.get_default_dtype()


def _targets(loss, y, name, dtype=None):
    if isinstance(y, np.ndarray) or not isinstance(y, torch.Tensor):
        y = torch.as_tensor(np.asarray(y))
    if loss == "ce":
        if y.dtype.is_floating_point:
            raise TypeError(f"{name} must hold integer class labels for loss='ce', got {y.dtype}")
        return y.long()
    y = y.to(dtype or torch.get_default_dtype())
    if not torch.isfinite(y).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    if loss == "bce" and not ((y == 0) | (y == 1)).all():
        raise ValueError(f"{name} must hold labels 0 or 1 for loss='bce'")
    return y


def _inputs(X, name, dtype=None):
    X = torch.as_tensor(np.asarray(X) if not isinstance(X, torch.Tensor) else X)
    if X.is_complex():
        raise TypeError(f"{name} must hold real numbers, got {X.dtype}")
    X = X.to(dtype or torch.get_default_dtype())
    if not torch.isfinite(X).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return X


def _data_loss(loss, out, y):
    if loss == "mse":
        return torch.mean((out.reshape(y.shape) - y) ** 2)
    if loss == "bce":
        return torch.nn.functional.binary_cross_entropy_with_logits(out.reshape(y.shape), y)
    return torch.nn.functional.cross_entropy(out, y)


def _make_optimizer(name, model, lr, l1, l2, include_bias, weight_decay, momentum):
    if name == "sgd":
        return torch.optim.SGD(
            param_groups(model, include_bias, weight_decay=2.0 * l2), lr=lr, momentum=momentum
        )
    if name == "adam":  # torch Adam's weight_decay is the coupled L2 gradient, not AdamW's
        return torch.optim.Adam(param_groups(model, include_bias, weight_decay=2.0 * l2), lr=lr)
    if name == "adamw":
        return torch.optim.AdamW(param_groups(model, include_bias, weight_decay=weight_decay), lr=lr)
    return ProximalSGD(param_groups(model, include_bias, l1=l1, l2=l2), lr=lr)


def _check_options(loss, optimizer, lr, epochs, record_every, l1, l2, weight_decay, momentum, penalty):
    """The option checks shared by fit and fit_many: the validated numbers, or a named error."""
    v.one_of("loss", loss, LOSSES)
    v.one_of("optimizer", optimizer, OPTIMIZERS)
    lr = v.positive("lr", lr)
    epochs = v.positive_int("epochs", epochs)
    record_every = v.positive_int("record_every", record_every)
    l1, l2 = v.nonneg("l1", l1), v.nonneg("l2", l2)
    weight_decay = v.nonneg("weight_decay", weight_decay)
    momentum = v.nonneg("momentum", momentum)
    if weight_decay and optimizer != "adamw":
        raise ValueError(
            f"weight_decay={weight_decay} is AdamW's decoupled decay; use l2= with "
            f"optimizer={optimizer!r}, or optimizer='adamw'"
        )
    if optimizer == "adamw" and (l1 or l2):
        raise ValueError("optimizer='adamw' takes weight_decay=, not l1/l2")
    if momentum and optimizer != "sgd":
        raise ValueError(f"momentum is only used by optimizer='sgd', got optimizer={optimizer!r}")
    if penalty is not None and not callable(penalty):
        raise TypeError(f"penalty must be callable, got {type(penalty).__name__}")
    return lr, epochs, record_every, l1, l2, weight_decay, momentum


def fit(
    model,
    X,
    y,
    *,
    loss="mse",
    lr,
    epochs,
    l1=0.0,
    l2=0.0,
    include_bias=False,
    optimizer="sgd",
    X_val=None,
    y_val=None,
    seed=0,
    penalty=None,
    weight_decay=0.0,
    momentum=0.0,
    batch_size=None,
    record_every=1,
):
    """Train ``model`` in place on (X, y) and return its :class:`History`.

    Full-batch by default; ``batch_size`` switches to shuffled mini-batches drawn
    with ``seed``. ``seed`` also seeds torch inside the run (dropout), without
    touching the caller's global random state. ``weight_decay`` is AdamW's
    decoupled decay (only with optimizer="adamw"). ``penalty`` is a custom
    callable tensor -> scalar added over the same weights.
    """
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    lr, epochs, record_every, l1, l2, weight_decay, momentum = _check_options(
        loss, optimizer, lr, epochs, record_every, l1, l2, weight_decay, momentum, penalty
    )
    dtype = _model_dtype(model)
    X, y = _inputs(X, "X", dtype), _targets(loss, y, "y", dtype)
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same number of rows, got {len(X)} and {len(y)}")
    has_val = X_val is not None or y_val is not None
    if has_val:
        if X_val is None or y_val is None:
            raise ValueError("give both X_val and y_val, or neither")
        X_val, y_val = _inputs(X_val, "X_val", dtype), _targets(loss, y_val, "y_val", dtype)
        if len(X_val) != len(y_val):
            raise ValueError(
                f"X_val and y_val must have the same number of rows, got {len(X_val)} and {len(y_val)}"
            )
    if batch_size is not None:
        batch_size = v.positive_int("batch_size", batch_size)

    # An L2 penalty's gradient 2*l2*W enters through the optimizer's (coupled) weight_decay
    # on the weight group: the same step as differentiating l2*sum W^2, without the autograd
    # cost. L1 and custom penalties are differentiated in the loss (sign(0) = 0 in torch).
    opt = _make_optimizer(optimizer, model, lr, l1, l2, include_bias, weight_decay, momentum)
    l1_in_loss = l1 if optimizer in ("sgd", "adam") else 0.0
    record = _Recorder(
        model, loss, X, y, X_val, y_val, penalized_parameters(model, include_bias), l1, l2, penalty
    )
    full_batch = batch_size is None
    n = len(X)

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        gen = torch.Generator().manual_seed(seed)
        model.train()
        for epoch in range(epochs):  # `epoch` epochs are done; entry `epoch` describes these weights
            batches = [None] if full_batch else torch.randperm(n, generator=gen).split(batch_size)
            for i, idx in enumerate(batches):
                xb, yb = (X, y) if idx is None else (X[idx], y[idx])
                opt.zero_grad(set_to_none=True)
                data_loss = _data_loss(loss, model(xb), yb)
                if i == 0 and epoch % record_every == 0:
                    # full batch and no dropout: this forward pass *is* the training loss
                    reuse = data_loss.detach() if full_batch and not record.mode_matters else None
                    record(epoch, reuse)
                obj = data_loss
                if l1_in_loss or penalty is not None:
                    obj = obj + model_penalty(model, l1_in_loss, 0.0, include_bias, penalty)
                obj.backward()
                opt.step()
        record(epochs, None)
    model.train()
    return record.history()


_MODE_DEPENDENT = (torch.nn.modules.dropout._DropoutNd, torch.nn.modules.batchnorm._BatchNorm)


class _Recorder:
    """Collects one History row per call, describing the current weights: the training and
    validation data losses, the penalty l1*sum|W| + l2*sum W^2 (+ custom), ||W|| and the
    fraction of exact zeros over the penalized weights. It runs every epoch, so it is kept
    to a few tensor operations: flat views of the weights are made once, and the 0-d results
    are turned into numbers once, by ``history()``, at the end of training."""

    def __init__(self, model, loss, X, y, X_val, y_val, watched, l1, l2, penalty):
        self.model, self.loss = model, loss
        self.X, self.y, self.X_val, self.y_val = X, y, X_val, y_val
        self.watched, self.l1, self.l2, self.penalty = watched, l1, l2, penalty
        # flat views share the weights' storage (the optimizers update in place), made once;
        # with a non-contiguous weight, every record flattens copies instead
        self.views = (
            [p.detach().view(-1) for p in watched] if all(p.is_contiguous() for p in watched) else None
        )
        self.size = sum(p.numel() for p in watched)
        self.mode_matters = any(isinstance(m, _MODE_DEPENDENT) for m in model.modules())
        self.rows = {k: [] for k in ("epoch", "loss", "val_loss", "sq", "abs", "nonzero", "custom")}

    def _loss_on(self, X, y):  # the data loss of the current weights, outside autograd
        with torch.no_grad():
            if self.mode_matters:
                self.model.eval()
            out = _data_loss(self.loss, self.model(X), y)
            if self.mode_matters:
                self.model.train()
        return out

    def __call__(self, epoch, train_loss):
        """Record the weights after `epoch` epochs; `train_loss`: their training loss (a
        detached tensor), if known."""
        r = self.rows
        r["epoch"].append(epoch)
        r["loss"].append(self._loss_on(self.X, self.y) if train_loss is None else train_loss)
        if self.X_val is not None:
            r["val_loss"].append(self._loss_on(self.X_val, self.y_val))
        if self.size:
            flat = torch.cat(self.views or [p.detach().reshape(-1) for p in self.watched])
            r["sq"].append(flat.dot(flat))
            r["nonzero"].append(torch.count_nonzero(flat))
            if self.l1:
                r["abs"].append(flat.abs().sum())
        if self.penalty is not None:
            with torch.no_grad():
                r["custom"].append(float(sum(self.penalty(p.detach()) for p in self.watched)))

    def history(self):
        """The rows recorded so far, as a History of Python numbers."""
        r, n = self.rows, len(self.rows["epoch"])

        def numbers(key, default):
            return torch.stack(r[key]).tolist() if r[key] else [default] * n

        sq, abs_sum, nonzero = numbers("sq", 0.0), numbers("abs", 0.0), numbers("nonzero", 0)
        custom = r["custom"] or [0.0] * n
        return History(
            epoch=list(r["epoch"]),
            loss=numbers("loss", None),
            val_loss=numbers("val_loss", None) if r["val_loss"] else [],
            penalty=[self.l2 * q + self.l1 * a + c for q, a, c in zip(sq, abs_sum, custom)],
            weight_norm=[q**0.5 for q in sq],
            sparsity=[(self.size - k) / self.size if self.size else 0.0 for k in nonzero],
        )


@torch.no_grad()
def predict(model, X, loss="mse"):
    """Model output as numpy: values for 'mse', labels 0/1 for 'bce', class indices for 'ce'."""
    v.one_of("loss", loss, LOSSES)
    model.eval()
    out = model(_inputs(X, "X", _model_dtype(model)))
    if loss == "mse":
        return (
            out.reshape(len(out), -1).squeeze(1).numpy()
            if out.ndim > 1 and out.shape[1] == 1
            else out.numpy()
        )
    if loss == "bce":
        return (out.reshape(-1) > 0).long().numpy()
    return out.argmax(dim=1).numpy()
