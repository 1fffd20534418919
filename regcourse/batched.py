"""Train many same-architecture models at once, vectorized over the models (any chapter that
repeats a network experiment over seeds).

    hist = fit_many(models, X, y, **kw)
         == [fit(models[i], X_i, y_i, seed=seed_i, **kw) for i in range(M)]   (to rounding)

How. The M models' parameters are stacked into tensors P with a leading model axis,
P[k][i] = parameter k of model i, and one pass computes the M data losses L_i(P[.][i]) at
once: batched matrix products for a ``Sequential`` of ``Linear`` layers and elementwise
activations, ``torch.func.vmap`` over ``functional_call`` for other modules. One backward of

    sum_i J_i,   J_i = L_i + l1 * sum|W_i| (+ sum penalty(W_i))

gives d/dP[k][i] = dJ_i/dW_i exactly, since J_i depends on model i's parameters only. The
optimizers used by ``fit`` (SGD with momentum and coupled weight_decay = 2*l2, Adam, AdamW's
decoupled decay, ProximalSGD's soft threshold) update every element from its own gradient and
state only (Adam's step count is per tensor, the same for all models, as all step together),
so one optimizer over the stacked tensors takes, element for element, the steps M separate
optimizers would: the trained weights and the History values (loss, penalty, val_loss,
weight_norm, sparsity, recorded every ``record_every`` epochs and after the last) equal those
of the loop of ``fit``. The only differences are rounding (summation order in the batched
products): below 1e-12 in float64 on the tests' problems and over 200 Adam epochs of the bench.
In float32 they stay at rounding level (~1e-7) while the gradients are large; once a network
fits its data (loss ~0.003) Adam divides tiny gradients by their tiny running scale, so rounding
noise gets full-size steps and single weights can drift apart by ~1e-2 (the losses by ~1e-5).
At the end the trained parameters
(and their last gradients) are copied back into each model in place.

Speed (bench/run.py --only fit_many): 30 seeds of mlp(2, 500, 1), 30 points, 200 Adam epochs,
History every epoch, 1 thread: budget >= 5x faster than the loop of ``fit`` (8.8x measured
on the project's 2-core machine). Each linear layer's
backward takes its batched products in the orientation that is fast for thin matrices.

Fallback to the plain loop of ``fit`` (same result, no speed-up): models with Dropout or
BatchNorm (their random masks and batch statistics are per model and per seed), per-model data
sets of different shapes, and modules ``vmap`` cannot batch. Full-batch only: ``batch_size``
raises (loop over ``fit`` for mini-batches). ``seed`` only matters for the fallback: full-batch
training of a model without dropout uses no randomness.
"""

from __future__ import annotations

import numbers

import numpy as np
import torch

from .optim import ProximalSGD
from .train import (
    History,
    _check_options,
    _data_loss,
    _inputs,
    _model_dtype,
    _targets,
    fit,
)

__all__ = ["fit_many"]

LAST_PATH = ["none"]  # diagnostic: "stacked", "vmap" or "loop", the path of the last fit_many

_MODE_DEPENDENT = (torch.nn.modules.dropout._DropoutNd, torch.nn.modules.batchnorm._BatchNorm)
_ELEMENTWISE = (
    torch.nn.ReLU,
    torch.nn.Tanh,
    torch.nn.Sigmoid,
    torch.nn.Identity,
    torch.nn.LeakyReLU,
    torch.nn.ELU,
    torch.nn.GELU,
    torch.nn.SiLU,
    torch.nn.Softplus,
    torch.nn.Hardtanh,
    torch.nn.Mish,
    torch.nn.SELU,
    torch.nn.CELU,
    torch.nn.Softsign,
    torch.nn.Tanhshrink,
)


# ---------------------------------------------------------------- validation


_PARTS = (
    "module structure",
    "parameters (name, shape, dtype, requires_grad)",
    "buffers (name, shape, dtype)",
)


def _models(models):
    if isinstance(models, torch.nn.ModuleList):
        models = list(models)
    if isinstance(models, torch.nn.Module) or not isinstance(models, (list, tuple)):
        raise TypeError(
            f"models must be a list of torch.nn.Module (rc.fit trains one model), got {type(models).__name__}"
        )
    if not models:
        raise ValueError("models must be a non-empty list of torch.nn.Module, got an empty list")
    for i, m in enumerate(models):
        if not isinstance(m, torch.nn.Module):
            raise TypeError(f"models[{i}] must be a torch.nn.Module, got {type(m).__name__}")
    first = _architecture(models[0])
    owner = {}
    for i, m in enumerate(models):
        arch = _architecture(m)
        for what, a, b in zip(_PARTS, first, arch):
            if a != b:
                raise ValueError(
                    f"models must share one architecture: models[{i}] differs from models[0] in its {what}"
                )
        for t in list(m.parameters()) + list(m.buffers()):
            j = owner.setdefault(id(t), i)
            if j != i:
                raise ValueError(
                    f"models[{i}] shares a parameter or buffer with models[{j}]: "
                    "pass separate models (e.g. copy.deepcopy)"
                )
    return list(models)


def _architecture(m):
    return (
        repr(m) + type(m).__qualname__,
        [
            (n, tuple(p.shape), p.dtype, p.requires_grad)
            for n, p in m.named_parameters(remove_duplicate=False)
        ],
        [(n, tuple(b.shape), b.dtype) for n, b in m.named_buffers(remove_duplicate=False)],
    )


def _per_model(name, value, n):
    """One value shared by all models (an array, a tensor) or a list/tuple with one per model."""
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(
                f"{name} must be one array shared by all models or a list with one "
                f"per model: got a list of {len(value)} for {n} models"
            )
        for i, x in enumerate(value):
            if x is None:
                raise TypeError(f"{name}[{i}] must be an array, got None")
        return list(value), True
    return [value] * n, False


def _seeds(seed, n):
    if isinstance(seed, (list, tuple, range, np.ndarray)):
        seeds = list(seed)
        if len(seeds) != n:
            raise ValueError(
                f"seed must be an integer or a list with one per model: got a "
                f"list of {len(seeds)} for {n} models"
            )
    else:
        seeds = [seed] * n
    for s in seeds:
        if isinstance(s, (bool, np.bool_)) or not isinstance(s, numbers.Integral):
            raise TypeError(f"seed must be an integer or a list of integers, got {s!r}")
    return [int(s) for s in seeds]


def _data(loss, Xs, ys, per_x, per_y, dtype, xname, yname):
    """Validated tensors, one per model (shared data converted once)."""

    def conv(f, vals, per, name):
        if not per:
            return [f(vals[0], name)] * len(vals)
        return [f(x, f"{name}[{i}]") for i, x in enumerate(vals)]

    Xt = conv(lambda x, nm: _inputs(x, nm, dtype), Xs, per_x, xname)
    yt = conv(lambda t, nm: _targets(loss, t, nm, dtype), ys, per_y, yname)
    for i, (a, b) in enumerate(zip(Xt, yt)):
        if len(a) != len(b):
            at = f" (model {i})" if per_x or per_y else ""
            raise ValueError(
                f"{xname} and {yname} must have the same number of rows{at}, got {len(a)} and {len(b)}"
            )
        if not (per_x or per_y):
            break
    return Xt, yt


def _stack(ts, per):
    """(M, ...) tensor for per-model data, the shared tensor itself otherwise; None if ragged."""
    if not per:
        return ts[0]
    if any(t.shape != ts[0].shape for t in ts):
        return None
    return torch.stack(ts)


# ---------------------------------------------------------------- batched forward


def _fast_layers(model, x_ndim):
    """The layers of a Sequential of Linear + elementwise activations fed (n, d) inputs, else None."""
    if type(model) is not torch.nn.Sequential or x_ndim != 2 or list(model.buffers()):
        return None
    layers = list(model)
    if not all(type(m) is torch.nn.Linear or type(m) in _ELEMENTWISE for m in layers):
        return None
    names = [n for n, _ in model.named_parameters(remove_duplicate=False)]
    if len(set(names)) != len(names) or len(names) != len(list(model.parameters())):
        return None  # tied weights
    return layers


class _StackedLinear(torch.autograd.Function):
    """M linear layers at once: x (n, in) shared or (M, n, in), W (M, out, in), b (M, out) or None
    -> x W^T + b of shape (M, n, out). The backward is autograd's maths (dx = G W, dW = G^T x,
    db = sum_n G) with each batched product taken in the orientation that is fast for its shape:
    torch's own choice for dW is up to 10x slower when one side of W is small (2 inputs, 1 output).
    """

    @staticmethod
    def forward(ctx, x, W, b):
        ctx.save_for_backward(x, W)
        ctx.has_bias = b is not None
        xe = x if x.ndim == 3 else x.expand(W.shape[0], *x.shape)
        return torch.bmm(xe, W.mT) if b is None else torch.baddbmm(b.unsqueeze(1), xe, W.mT)

    @staticmethod
    def backward(ctx, G):
        x, W = ctx.saved_tensors
        M, n_out, n_in = W.shape
        xe = x if x.ndim == 3 else x.expand(M, *x.shape)
        gx = gW = gb = None
        if ctx.needs_input_grad[0]:
            gx = torch.bmm(G, W)
            if x.ndim == 2:
                gx = gx.sum(0)
        if ctx.needs_input_grad[1]:
            gW = torch.bmm(G.mT, xe) if n_in >= n_out else torch.bmm(xe.mT, G).mT
        if ctx.has_bias and ctx.needs_input_grad[2]:
            gb = G.sum(1)
        return gx, gW, gb


def _fast_forward(layers, P, X):
    """Outputs (M, n, out) of M stacked MLPs; X is shared (n, d) or per model (M, n, d)."""
    h = X
    for k, layer in enumerate(layers):
        if isinstance(layer, torch.nn.Linear):
            h = _StackedLinear.apply(h, P[f"{k}.weight"], P.get(f"{k}.bias"))
        else:
            h = layer(h)
    return h


def _stacked_losses(loss, out, Y, M):
    """(M,) data losses; out (M, n, k), Y (M, ...) stacked targets (torch mean = sum / count)."""
    if loss == "mse":
        return ((out.reshape(Y.shape) - Y) ** 2).reshape(M, -1).mean(1)
    if loss == "bce":
        return (
            torch.nn.functional.binary_cross_entropy_with_logits(out.reshape(Y.shape), Y, reduction="none")
            .reshape(M, -1)
            .mean(1)
        )
    return (
        torch.nn.functional.cross_entropy(out.flatten(0, 1), Y.flatten(), reduction="none")
        .reshape(M, -1)
        .mean(1)
    )


class _Batched:
    """losses(P, X, Y) -> (M,) for stacked parameters P (dict name -> (M, ...))."""

    def __init__(self, template, loss, M, buffers, x_ndim):
        self.loss, self.M = loss, M
        self.layers = _fast_layers(template, x_ndim)
        self.path = "stacked" if self.layers is not None else "vmap"
        if self.layers is None:
            from torch.func import functional_call, vmap

            def one(p, b, x, t):
                return _data_loss(loss, functional_call(template, (p, b), (x,)), t)

            self._vmaps = {}
            self._one, self._vmap, self._buffers = one, vmap, buffers

    def __call__(self, P, X, Y, per_x, per_y):
        if self.layers is not None:
            out = _fast_forward(self.layers, P, X)
            if not per_y:
                Y = Y.expand(self.M, *Y.shape)
            return _stacked_losses(self.loss, out, Y, self.M)
        key = (per_x, per_y)
        if key not in self._vmaps:
            self._vmaps[key] = self._vmap(
                self._one, in_dims=(0, 0, 0 if per_x else None, 0 if per_y else None)
            )
        return self._vmaps[key](P, self._buffers, X, Y)


# ---------------------------------------------------------------- the function


def fit_many(
    models,
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
    """Train each of ``models`` (one architecture) in place as :func:`regcourse.fit` would, all
    at once; return the list of their :class:`~regcourse.train.History`.

    Keywords as in ``fit``. ``X``, ``y`` (and ``X_val``, ``y_val``): one array or tensor shared
    by all models, or a list/tuple with one per model (pass shared data as an array, not as a
    nested list). ``seed``: an integer or one per model (e.g. ``rc.seeds(30)``); it only matters
    for models with dropout, which go through the loop of ``fit``. ``batch_size`` must be None
    (full batch). See the module docstring for the maths and the equivalence with the loop.
    """
    models = _models(models)
    if batch_size is not None:
        raise ValueError(
            f"fit_many trains full-batch only (batch_size=None), got "
            f"batch_size={batch_size!r}: loop over rc.fit(..., batch_size=...) "
            "for mini-batches"
        )
    lr, epochs, record_every, l1, l2, weight_decay, momentum = _check_options(
        loss, optimizer, lr, epochs, record_every, l1, l2, weight_decay, momentum, penalty
    )
    M = len(models)
    Xs, per_x = _per_model("X", X, M)
    ys, per_y = _per_model("y", y, M)
    Xvs, per_xv = _per_model("X_val", X_val, M)
    yvs, per_yv = _per_model("y_val", y_val, M)
    seeds = _seeds(seed, M)
    has_val = X_val is not None or y_val is not None
    if has_val and (X_val is None or y_val is None):
        raise ValueError("give both X_val and y_val, or neither")
    dtype = _model_dtype(models[0])
    Xt, yt = _data(loss, Xs, ys, per_x, per_y, dtype, "X", "y")
    Xvt = yvt = [None] * M
    if has_val:
        Xvt, yvt = _data(loss, Xvs, yvs, per_xv, per_yv, dtype, "X_val", "y_val")

    def loop():
        return [
            fit(
                m,
                Xt[i],
                yt[i],
                loss=loss,
                lr=lr,
                epochs=epochs,
                l1=l1,
                l2=l2,
                include_bias=include_bias,
                optimizer=optimizer,
                X_val=Xvt[i],
                y_val=yvt[i],
                seed=seeds[i],
                penalty=penalty,
                weight_decay=weight_decay,
                momentum=momentum,
                record_every=record_every,
            )
            for i, m in enumerate(models)
        ]

    LAST_PATH[0] = "loop"
    if any(isinstance(mod, _MODE_DEPENDENT) for mod in models[0].modules()):
        return loop()
    Xb, Yb = _stack(Xt, per_x), _stack(yt, per_y)
    val = None
    if has_val:
        val = (_stack(Xvt, per_xv), _stack(yvt, per_yv), per_xv, per_yv)
        if Xvt[0].ndim != Xt[0].ndim:
            return loop()
    if Xb is None or Yb is None or (val is not None and (val[0] is None or val[1] is None)):
        return loop()  # per-model data sets of different shapes
    run = _Run(models, loss, l1, l2, include_bias, penalty)
    try:  # a module vmap cannot batch: the loop (which also raises fit's errors on bad data)
        run.probe(Xb, Yb, per_x, per_y, Xt[0].ndim, val)
    except Exception:
        return loop()
    LAST_PATH[0] = run.batched.path
    return run.train(optimizer, lr, weight_decay, momentum, epochs, record_every, (Xb, Yb, per_x, per_y), val)


class _Run:
    """Stacked parameters of M models and the vectorized training loop."""

    def __init__(self, models, loss, l1, l2, include_bias, penalty):
        self.models, self.M = models, len(models)
        self.loss, self.l1, self.l2, self.penalty = loss, l1, l2, penalty
        template = models[0]
        named = list(template.named_parameters())
        self.names = [n for n, _ in named]
        with torch.no_grad():
            self.P = {
                n: torch.stack([dict(m.named_parameters())[n].detach() for m in models]).requires_grad_(
                    p.requires_grad
                )
                for n, p in named
            }
            self.B = {
                n: torch.stack([dict(m.named_buffers())[n] for m in models])
                for n, _ in template.named_buffers()
            }
        self.weights = [n for n, p in named if p.requires_grad and (include_bias or p.ndim >= 2)]
        self.rest = [n for n, p in named if p.requires_grad and n not in self.weights]
        self.size = sum(self.P[n][0].numel() for n in self.weights)
        self.template = template

    def probe(self, X, Y, per_x, per_y, x_ndim, val):
        self.batched = _Batched(self.template, self.loss, self.M, self.B, x_ndim)
        with torch.set_grad_enabled(self.batched.path == "vmap"):
            losses = self.batched(self.P, X, Y, per_x, per_y)
            if losses.requires_grad:
                losses.sum().backward()
        if val is not None:
            with torch.no_grad():
                self.batched(self.P, *val)
        for p in self.P.values():
            p.grad = None

    def _optimizer(self, name, lr, weight_decay, momentum):
        w = [self.P[n] for n in self.weights]
        rest = [self.P[n] for n in self.rest]

        def groups(**pen):
            gs = [dict(params=w, **pen), dict(params=rest, **{k: 0.0 for k in pen})]
            return [g for g in gs if g["params"]]

        if name == "sgd":
            return torch.optim.SGD(groups(weight_decay=2.0 * self.l2), lr=lr, momentum=momentum)
        if name == "adam":
            return torch.optim.Adam(groups(weight_decay=2.0 * self.l2), lr=lr)
        if name == "adamw":
            return torch.optim.AdamW(groups(weight_decay=weight_decay), lr=lr)
        return ProximalSGD(groups(l1=self.l1, l2=self.l2), lr=lr)

    def _custom(self, detach=False):
        """(M,) sum over the penalized weights of penalty(W_i), model by model."""
        return torch.stack(
            [
                sum(self.penalty(self.P[n][i].detach() if detach else self.P[n][i]) for n in self.weights)
                for i in range(self.M)
            ]
        )

    @torch.no_grad()
    def _stats(self, losses, val):
        """One History row for all models: a (6, M) float64 tensor."""
        M = self.M
        if self.weights:
            flat = torch.cat([self.P[n].reshape(M, -1) for n in self.weights], dim=1)
            sq = (flat * flat).sum(1).double()
            zeros = (self.size - torch.count_nonzero(flat, dim=1)).double()
            pen = self.l2 * sq
            if self.l1:
                pen = pen + self.l1 * flat.abs().sum(1).double()
            sparsity = zeros / self.size
        else:
            sq = pen = sparsity = torch.zeros(M, dtype=torch.float64)
        if self.penalty is not None:
            pen = pen + (self._custom(detach=True).double() if self.weights else 0.0)
        val = torch.full((M,), float("nan"), dtype=torch.float64) if val is None else val.double()
        return torch.stack([losses.detach().double(), pen, val, sq.sqrt(), sparsity])

    def train(self, optimizer, lr, weight_decay, momentum, epochs, record_every, data, val):
        X, Y, per_x, per_y = data
        f = self.batched
        opt = self._optimizer(optimizer, lr, weight_decay, momentum)
        l1_in_loss = self.l1 if optimizer in ("sgd", "adam") else 0.0
        wts = [self.P[n] for n in self.weights]
        rows, recorded = [], []

        def val_losses():
            if val is None:
                return None
            with torch.no_grad():
                return f(self.P, val[0], val[1], val[2], val[3])

        for epoch in range(epochs):
            opt.zero_grad(set_to_none=True)
            losses = f(self.P, X, Y, per_x, per_y)
            if epoch % record_every == 0:
                recorded.append(epoch)
                rows.append(self._stats(losses, val_losses()))
            obj = losses.sum()
            if l1_in_loss:
                obj = obj + l1_in_loss * sum(w.abs().sum() for w in wts)
            if self.penalty is not None and wts:
                obj = obj + self._custom().sum()
            obj.backward()
            opt.step()
        with torch.no_grad():
            rows.append(self._stats(f(self.P, X, Y, per_x, per_y), val_losses()))
        recorded.append(epochs)
        table = torch.stack(rows).permute(2, 1, 0).tolist()  # (M, 5, rows)
        self._copy_back()
        histories = []
        for i in range(self.M):
            loss_, pen, vl, norm, sp = table[i]
            histories.append(
                History(
                    epoch=list(recorded),
                    loss=loss_,
                    penalty=pen,
                    val_loss=vl if val is not None else [],
                    weight_norm=norm,
                    sparsity=sp,
                )
            )
        return histories

    @torch.no_grad()
    def _copy_back(self):
        for i, m in enumerate(self.models):
            params = dict(m.named_parameters())
            for n in self.names:
                p, s = params[n], self.P[n]
                p.copy_(s[i])
                if s.requires_grad:  # as after fit: the gradient of the last step (or None)
                    p.grad = None if s.grad is None else s.grad[i].clone()
            m.train()
