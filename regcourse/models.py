"""Small seeded torch models the chapters train (chapter 08; any chapter may reuse them).

    mlp(n_in, hidden, n_out, seed)         Linear -> ReLU -> ... -> Linear, weights drawn with ``seed``
    SequenceRegressor(n_in, hidden, cell)  a GRU or LSTM over (batch, time, n_in), read out by a
                                           Linear layer from the last hidden state -> (batch, n_out);
                                           its forward is unrolled from elementary ops
    sequence_forward(params, x, cell)      that forward from a parameter dict, also for M stacked
                                           models at once (torch.func.stack_module_state)
    predict_proba(model)                   x -> P(y = 1 | x) as numpy, for rc.plots.decision_boundary

Every builder draws its initial weights from its own ``seed`` without touching
the caller's global torch random state.
"""

from __future__ import annotations

import numbers

import numpy as np
import torch

from . import _validate as v

__all__ = ["mlp", "SequenceRegressor", "sequence_forward", "predict_proba", "CELLS"]

CELLS = ("gru", "lstm")


def _seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an integer, got {seed!r}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed!r}")
    return int(seed)


def mlp(n_in, hidden, n_out=1, seed=0, dropout=0.0):
    """A ReLU multilayer perceptron ``n_in -> hidden[0] -> ... -> n_out`` (``hidden`` an int or a tuple).

    With ``dropout > 0`` a Dropout layer (drop probability ``dropout``) follows every ReLU.
    Weights and biases use torch's default initialisation, drawn with ``seed``.
    """
    n_in = v.positive_int("n_in", n_in)
    n_out = v.positive_int("n_out", n_out)
    widths = (
        (hidden,)
        if isinstance(hidden, numbers.Integral) and not isinstance(hidden, bool)
        else tuple(hidden)
        if isinstance(hidden, (tuple, list))
        else None
    )
    if widths is None:
        raise TypeError(f"hidden must be an integer or a tuple of integers, got {hidden!r}")
    widths = tuple(v.positive_int("hidden", h) for h in widths)
    dropout = v.nonneg("dropout", dropout)
    if dropout >= 1:
        raise ValueError(f"dropout must be a probability in [0, 1), got {dropout}")
    seed = _seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        layers, width = [], n_in
        for h in widths:
            layers += [torch.nn.Linear(width, h), torch.nn.ReLU()]
            if dropout:
                layers.append(torch.nn.Dropout(dropout))
            width = h
        layers.append(torch.nn.Linear(width, n_out))
        return torch.nn.Sequential(*layers)


class SequenceRegressor(torch.nn.Module):
    """h_T = GRU/LSTM(x_1..x_T); output = Linear(h_T). Input (batch, time, n_in) -> (batch, n_out).

    The recurrent layer is ``self.rnn`` (a one-layer ``torch.nn.GRU`` or ``torch.nn.LSTM``, whose
    ``rnn.weight_ih_l0`` maps the input to the hidden state and ``rnn.weight_hh_l0`` the previous
    hidden state to the next, biases ``bias_ih_l0``, ``bias_hh_l0``); the read-out is ``self.head``.
    Each weight matrix stacks the gates row-wise, in torch's order: 3H rows (r, z, n) for a GRU,
    4H rows (i, f, g, o) for an LSTM. With a_t = W_ih x_t + b_ih and b_t = W_hh h_{t-1} + b_hh
    split into those gates (h_0 = c_0 = 0):

        GRU   r = s(a_r + b_r), z = s(a_z + b_z), n = tanh(a_n + r * b_n), h_t = (1 - z) n + z h_{t-1}
        LSTM  i, f, o = s(a + b) per gate, g = tanh(a_g + b_g), c_t = f c_{t-1} + i g, h_t = o tanh(c_t)

    ``forward`` computes these equations step by step from the parameters
    (:func:`sequence_forward`, equal to ``self.rnn`` to rounding, tested), so that many models can
    run at once on stacked parameters, which torch's fused recurrent kernels do not allow.
    """

    def __init__(self, n_in, hidden, n_out=1, cell="gru", seed=0):
        super().__init__()
        n_in = v.positive_int("n_in", n_in)
        hidden = v.positive_int("hidden", hidden)
        n_out = v.positive_int("n_out", n_out)
        v.one_of("cell", cell, CELLS)
        seed = _seed(seed)
        self.cell = cell
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            rnn = torch.nn.GRU if cell == "gru" else torch.nn.LSTM
            self.rnn = rnn(n_in, hidden, batch_first=True)
            self.head = torch.nn.Linear(hidden, n_out)

    def forward(self, x):
        if x.ndim != 3:
            raise ValueError(f"x must have shape (batch, time, n_in), got {tuple(x.shape)}")
        return sequence_forward(dict(self.named_parameters()), x, self.cell)


def sequence_forward(params, x, cell):
    """SequenceRegressor's output from a dict of its parameters (``dict(model.named_parameters())``).

    Every parameter may carry a leading model axis (``torch.func.stack_module_state`` of M models),
    with ``x`` of shape (M, batch, time, n_in): then M models run at once, (M, batch, n_out).
    """
    v.one_of("cell", cell, CELLS)
    W_ih, b_ih = params["rnn.weight_ih_l0"], params["rnn.bias_ih_l0"]
    W_hh, b_hh = params["rnn.weight_hh_l0"], params["rnn.bias_hh_l0"]
    if x.ndim != W_ih.ndim + 1:
        raise ValueError(
            f"x must have shape ({'M, ' if W_ih.ndim == 3 else ''}batch, time, n_in) "
            f"for these parameters, got {tuple(x.shape)}"
        )
    stacked = W_ih.ndim == 3
    if stacked:  # every step at once: a = x W_ih^T + b_ih, (M, B, T, G)
        a = torch.baddbmm(b_ih.unsqueeze(1), x.flatten(1, 2), W_ih.mT).unflatten(1, x.shape[1:3])
    else:
        a = torch.nn.functional.linear(x, W_ih, b_ih)
    h = x.new_zeros(*x.shape[:-2], W_hh.shape[-1])
    c = h
    for a_t in a.unbind(-2):  # unbind: one backward for all steps, not one full-size slice each
        b = (
            torch.baddbmm(b_hh.unsqueeze(1), h, W_hh.mT)
            if stacked
            else torch.nn.functional.linear(h, W_hh, b_hh)
        )
        H = h.shape[-1]  # few, wide operations: their count, not their size, sets the cost
        if cell == "gru":
            r, z = torch.sigmoid(a_t[..., : 2 * H] + b[..., : 2 * H]).chunk(2, dim=-1)
            n = torch.tanh(a_t[..., 2 * H :] + r * b[..., 2 * H :])
            h = n + z * (h - n)  # = (1 - z) n + z h
        else:
            gates = a_t + b
            i, f, _, o = torch.sigmoid(gates).chunk(4, dim=-1)
            c = f * c + i * torch.tanh(gates[..., 2 * H : 3 * H])
            h = o * torch.tanh(c)
    if stacked:
        return torch.baddbmm(params["head.bias"].unsqueeze(1), h, params["head.weight"].mT)
    return torch.nn.functional.linear(h, params["head.weight"], params["head.bias"])


def predict_proba(model):
    """Return ``f(points) -> P(y=1 | x)`` (numpy, shape (n,)) for a classifier ``model``.

    One output: the sigmoid of the logit (trained with loss='bce'); two or more: the softmax
    probability of class 1 (loss='ce'). The model is put in eval mode (dropout off).
    """
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")

    @torch.no_grad()
    def proba(points):
        model.eval()
        dtype = next(model.parameters()).dtype
        x = torch.as_tensor(np.asarray(points, dtype=float), dtype=dtype)
        if x.ndim != 2:
            raise ValueError(f"points must have shape (n, n_features), got {tuple(x.shape)}")
        out = model(x)
        if out.ndim == 1 or out.shape[1] == 1:
            return torch.sigmoid(out.reshape(-1)).double().numpy()
        return torch.softmax(out, dim=1)[:, 1].double().numpy()

    return proba
