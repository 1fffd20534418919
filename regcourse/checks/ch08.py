"""Checks for chapter 08's exercises (regularizing neural networks in practice)."""
from __future__ import annotations

import copy

import torch

from ._core import CheckError, as_array, expect_close, passed, run

__all__ = ["check_decay_param_groups", "check_recurrent_penalty"]


def _toy_model():
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(8)
        return torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(),
                                   torch.nn.Linear(5, 2)).double()


def _toy_loss(model):
    x = torch.linspace(-1, 1, 12, dtype=torch.float64).reshape(4, 3)
    return ((model(x) - 0.3) ** 2).mean()


def _trajectory(model, lr, steps, wd_weights, wd_biases):
    """Explicit penalty 0.5*wd*sum p^2 in the loss (so its gradient is wd*p): the reference path."""
    model = copy.deepcopy(model)
    for _ in range(steps):
        model.zero_grad()
        loss = _toy_loss(model)
        for p in model.parameters():
            loss = loss + 0.5 * (wd_weights if p.ndim >= 2 else wd_biases) * (p * p).sum()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()]).numpy()


def check_decay_param_groups(decay_param_groups) -> None:
    """Exercise 8.1: ``decay_param_groups(model, l2)`` -> parameter groups so that
    ``torch.optim.SGD(groups, lr)`` minimises loss + l2 * sum W^2 over the weights only."""
    ex = "Exercise 8.1"
    lr, steps = 0.2, 3
    for l2 in (0.1, 0.03):
        model = _toy_model()
        start = copy.deepcopy(model)
        groups = run(decay_param_groups, model, l2, exercise=ex)
        if groups is None:
            raise CheckError(f"{ex}: decay_param_groups returned None. Did you forget `return`?")
        try:
            opt = torch.optim.SGD(groups, lr=lr)
        except (TypeError, ValueError) as err:
            raise CheckError(f"{ex}: torch.optim.SGD could not use your groups: {err}. Return a list "
                             f"of dicts like [{{'params': [...], 'weight_decay': ...}}, ...].") from None
        given = {id(p) for g in opt.param_groups for p in g["params"]}
        missing = [n for n, p in model.named_parameters() if id(p) not in given]
        if missing:
            raise CheckError(f"{ex}: these parameters are in no group, so they would never be trained: "
                             f"{missing}. Put the biases in a group with weight_decay=0.")
        for _ in range(steps):
            opt.zero_grad()
            _toy_loss(model).backward()
            opt.step()
        got = torch.cat([p.detach().reshape(-1) for p in model.parameters()]).numpy()
        expect_close(got, _trajectory(start, lr, steps, 2 * l2, 0.0), ex,
                     "the parameters after three SGD steps", rtol=1e-10, atol=1e-12, hints=[
            (_trajectory(start, lr, steps, l2, 0.0),
             "your decay is half as strong: torch adds weight_decay * w to the gradient, and the "
             "gradient of l2 * sum W^2 is 2 * l2 * W, so weight_decay = 2 * l2."),
            (_trajectory(start, lr, steps, 2 * l2, 2 * l2),
             "your biases are decayed too: give them their own group with weight_decay=0."),
            (_trajectory(start, lr, steps, l2, l2),
             "two mistakes: weight_decay should be 2 * l2, and the biases should get weight_decay=0."),
            (_trajectory(start, lr, steps, 0.0, 2 * l2),
             "the groups are swapped: the weights (ndim >= 2) get 2 * l2, the biases 0."),
            (_trajectory(start, lr, steps, 0.0, 0.0), "nothing is decayed: set weight_decay in the "
                                                      "weights' group."),
        ])
    passed(ex, "Parameter groups make the optimizer's weight_decay equal to the course's penalty "
               "l2 * sum W^2 on the weights, with unpenalized biases.")


def _rnn_cases():
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(80)
        return [torch.nn.LSTM(3, 4, num_layers=2).double(),
                torch.nn.GRU(2, 3, bidirectional=True).double(),
                torch.nn.GRU(1, 2, batch_first=True).double()]


def _rnn_penalty(rnn, l2_ih, l2_hh, power=2, layers=None, kinds=("weight",), reverse=True):
    total = 0.0
    for name, p in rnn.named_parameters():
        kind, part, layer = name.split("_")[0], name.split("_")[1], name.split("_")[2]
        if kind not in kinds or (layers is not None and layer not in layers) \
                or (not reverse and name.endswith("_reverse")):
            continue
        lam = l2_ih if part == "ih" else l2_hh
        total += lam * float((p.detach().abs() ** power).sum())
    return total


def check_recurrent_penalty(recurrent_penalty) -> None:
    """Exercise 8.2: ``recurrent_penalty(rnn, l2_ih, l2_hh)`` = l2_ih * sum W_ih^2 + l2_hh * sum W_hh^2
    over every layer and direction of a torch GRU/LSTM, biases excluded, as a differentiable tensor."""
    ex = "Exercise 8.2"
    for rnn in _rnn_cases():
        for l2_ih, l2_hh in [(0.3, 0.01), (0.0, 2.0)]:
            got = run(recurrent_penalty, rnn, l2_ih, l2_hh, exercise=ex)
            if not isinstance(got, torch.Tensor) or not got.requires_grad:
                raise CheckError(f"{ex}: return a torch tensor that carries gradients (got "
                                 f"{type(got).__name__}); build it from the parameters with torch "
                                 f"operations such as (W ** 2).sum(), without .item() or numpy.")
            value = as_array(got, ex, "recurrent_penalty")
            expect_close(value, _rnn_penalty(rnn, l2_ih, l2_hh), ex, "the penalty",
                         inputs=(type(rnn).__name__, l2_ih, l2_hh), hints=[
                (_rnn_penalty(rnn, l2_hh, l2_ih), "l2_ih and l2_hh are swapped: weight_ih_* are the "
                                                  "input-to-hidden weights, weight_hh_* the recurrent ones."),
                (_rnn_penalty(rnn, l2_ih, l2_hh, kinds=("weight", "bias")),
                 "you penalized the biases (bias_ih_*, bias_hh_*) too: use the weights only."),
                (_rnn_penalty(rnn, l2_ih, l2_hh, layers=("l0",)),
                 "only the first layer is penalized: sum over every layer "
                 "(weight_ih_l0, weight_ih_l1, ...)."),
                (_rnn_penalty(rnn, l2_ih, l2_hh, reverse=False),
                 "the reverse direction of a bidirectional layer is missing (weight_ih_l0_reverse, ...)."),
                (_rnn_penalty(rnn, l2_ih, l2_hh, power=1),
                 "that is an L1 penalty (sum |W|); square the weights."),
                (0.5 * _rnn_penalty(rnn, l2_ih, l2_hh), "off by a factor 1/2: the course's penalty is "
                                                        "l2 * sum W^2, not l2/2 * sum W^2."),
            ])
            grads = torch.autograd.grad(got, [p for _, p in rnn.named_parameters()], allow_unused=True)
            for (name, p), g in zip(rnn.named_parameters(), grads):
                lam = l2_ih if "_ih_" in name else l2_hh
                want = 2 * lam * p.detach() if name.startswith("weight") else torch.zeros_like(p)
                g = torch.zeros_like(p) if g is None else g
                if not torch.allclose(g, want, rtol=1e-8, atol=1e-12):
                    raise CheckError(f"{ex}: the gradient of your penalty with respect to {name} should "
                                     f"be {'2 * lam * W' if name.startswith('weight') else '0'}; "
                                     f"check that you use the parameters themselves, not copies.")
    passed(ex, "One strength for the input-to-hidden weights and another for the recurrent ones, "
               "for any number of layers and directions.")

