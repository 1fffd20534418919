"""Small seeded torch models the chapters train (chapter 08; any chapter may reuse them).

    mlp(n_in, hidden, n_out, seed)         Linear -> ReLU -> ... -> Linear, weights drawn with ``seed``
    SequenceRegressor(n_in, hidden, cell)  a GRU or LSTM over (batch, time, n_in), read out by a
                                           Linear layer from the last hidden state -> (batch, n_out)
    predict_proba(model)                   x -> P(y = 1 | x) as numpy, for rc.plots.decision_boundary

Every builder draws its initial weights from its own ``seed`` without touching
the caller's global torch random state.
"""

from __future__ import annotations

import numbers

import numpy as np
import torch

from . import _validate as v

__all__ = ["mlp", "SequenceRegressor", "predict_proba", "CELLS"]

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

    The recurrent layer is ``self.rnn`` (its weights are ``rnn.weight_ih_l0``, input to hidden,
    and ``rnn.weight_hh_l0``, hidden to hidden); the read-out is ``self.head``.
    """

    def __init__(self, n_in, hidden, n_out=1, cell="gru", seed=0):
        super().__init__()
        n_in = v.positive_int("n_in", n_in)
        hidden = v.positive_int("hidden", hidden)
        n_out = v.positive_int("n_out", n_out)
        v.one_of("cell", cell, CELLS)
        seed = _seed(seed)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            rnn = torch.nn.GRU if cell == "gru" else torch.nn.LSTM
            self.rnn = rnn(n_in, hidden, batch_first=True)
            self.head = torch.nn.Linear(hidden, n_out)

    def forward(self, x):
        if x.ndim != 3:
            raise ValueError(f"x must have shape (batch, time, n_in), got {tuple(x.shape)}")
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


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
