"""Checks for chapter 08's exercises (regularizing neural networks in practice)."""

from __future__ import annotations

import copy

import torch

from ._core import (
    CheckError,
    answer_dtype,
    as_torch_scalar,
    expect_close,
    fresh_rng,
    grad_of,
    is_tensor,
    passed,
    run,
)

__all__ = ["check_decay_param_groups", "check_recurrent_penalty"]


class _Mixed(torch.nn.Module):
    """Parameters in no tidy order: a 1-D offset first, a matrix not called ``weight``, an embedding,
    a LayerNorm (whose 1-D gain is called ``weight``), a Linear layer and a 0-d gain."""

    def __init__(self):
        super().__init__()
        self.offset = torch.nn.Parameter(0.1 * torch.randn(4))
        self.proj = torch.nn.Parameter(0.5 * torch.randn(3, 4))
        self.emb = torch.nn.Embedding(4, 4)
        self.norm = torch.nn.LayerNorm(4)
        self.head = torch.nn.Linear(4, 2)
        self.gain = torch.nn.Parameter(torch.tensor(1.3))

    def forward(self, x):
        tokens = torch.arange(x.shape[0]) % 4
        h = x @ self.proj + self.offset + self.emb(tokens)
        return self.gain * self.head(torch.tanh(self.norm(h)))


def _toy_models():
    """A stack of Linear layers (where taking every other parameter, or those named 'weight', happens
    to work), one with LayerNorm, BatchNorm and a Linear layer without bias, and a mixed module."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(8)
        return [
            torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2)).double(),
            torch.nn.Sequential(
                torch.nn.Linear(3, 6),
                torch.nn.LayerNorm(6),
                torch.nn.Tanh(),
                torch.nn.Linear(6, 4, bias=False),
                torch.nn.BatchNorm1d(4),
                torch.nn.Tanh(),
                torch.nn.Linear(4, 2),
            ).double(),
            _Mixed().double(),
        ]


def _toy_loss(model):
    x = torch.linspace(-1, 1, 12, dtype=torch.float64).reshape(4, 3)
    return ((model(x) - 0.3) ** 2).mean()


def _trajectory(model, lr, steps, decay):
    """Explicit penalty 0.5*wd*sum p^2 in the loss (so its gradient is wd*p), with the coefficient
    ``decay(index, name, p)`` for each parameter: the reference path of plain gradient descent."""
    model = copy.deepcopy(model)
    wds = [decay(k, name, p) for k, (name, p) in enumerate(model.named_parameters())]
    for _ in range(steps):
        model.zero_grad()
        loss = _toy_loss(model)
        for wd, p in zip(wds, model.parameters()):
            loss = loss + 0.5 * wd * (p * p).sum()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()]).numpy()


def _by_ndim(on_weights, on_others):
    return lambda k, name, p: on_weights if p.ndim >= 2 else on_others


def check_decay_param_groups(decay_param_groups) -> None:
    """Exercise 8.1: ``decay_param_groups(model, l2)`` -> parameter groups so that
    ``torch.optim.SGD(groups, lr)`` minimises loss + l2 * sum W^2 over the weights only."""
    ex = "Exercise 8.1"
    lr, steps = 0.2, 3
    fresh = fresh_rng()  # a fresh strength on every call: no fixed weight_decay passes
    models = _toy_models()
    runs = [(models[0], 0.1)] + [(model, float(fresh.uniform(0.01, 0.2))) for model in models]
    by_name = (
        "you chose the decayed parameters by their name: normalization layers (LayerNorm, "
        "BatchNorm) call their 1-D gains `weight` too, and a model may hold matrices with other "
        "names. Decay exactly the parameters with p.ndim >= 2."
    )
    for model, l2 in runs:
        model = copy.deepcopy(model)
        start = copy.deepcopy(model)
        groups = run(decay_param_groups, model, l2, exercise=ex)
        if groups is None:
            raise CheckError(f"{ex}: decay_param_groups returned None. Did you forget `return`?")
        if any(not torch.equal(p, q) for p, q in zip(model.parameters(), start.parameters())):
            raise CheckError(
                f"{ex}: your function changed the model's parameters; it should only sort them into groups."
            )
        try:
            opt = torch.optim.SGD(groups, lr=lr)
        except Exception as err:
            raise CheckError(
                f"{ex}: torch.optim.SGD could not use your groups: {_safe(err)}. Return a "
                f"list of dicts like [{{'params': [...], 'weight_decay': ...}}, ...]."
            ) from None
        given = {id(p) for g in opt.param_groups for p in g["params"]}
        missing = [n for n, p in model.named_parameters() if id(p) not in given]
        if missing:
            raise CheckError(
                f"{ex}: these parameters are in no group, so they would never be trained: "
                f"{missing}. Put the biases (and every parameter with fewer than two "
                f"dimensions) in a group with weight_decay=0."
            )
        try:
            for _ in range(steps):
                opt.zero_grad()
                _toy_loss(model).backward()
                opt.step()
        except Exception as err:
            raise CheckError(
                f"{ex}: torch.optim.SGD could not take a step with your groups: {_safe(err)}"
            ) from None
        got = torch.cat([p.detach().reshape(-1) for p in model.parameters()]).numpy()
        w2 = 2 * l2
        linear = {f"{m}.weight" for m, module in start.named_modules() if isinstance(module, torch.nn.Linear)}

        def path(decay, start=start):
            return lambda: _trajectory(start, lr, steps, decay)

        expect_close(
            got,
            _trajectory(start, lr, steps, _by_ndim(w2, 0.0)),
            ex,
            "the parameters after three SGD steps",
            rtol=1e-10,
            atol=1e-12,
            inputs=(type(model).__name__, f"l2={l2:.3g}"),
            hints=[
                (
                    path(_by_ndim(l2, 0.0)),
                    "your decay is half as strong: torch adds weight_decay * w to the gradient, and the "
                    "gradient of l2 * sum W^2 is 2 * l2 * W, so weight_decay = 2 * l2.",
                ),
                (
                    path(_by_ndim(w2, w2)),
                    "your biases are decayed too: give them (and every parameter with fewer than two "
                    "dimensions, such as normalization gains) their own group with weight_decay=0.",
                ),
                (
                    path(_by_ndim(l2, l2)),
                    "two mistakes: weight_decay should be 2 * l2, and the biases should get weight_decay=0.",
                ),
                (
                    path(_by_ndim(0.0, w2)),
                    "the groups are swapped: the weights (ndim >= 2) get 2 * l2, the biases 0.",
                ),
                (path(_by_ndim(0.0, 0.0)), "nothing is decayed: set weight_decay in the weights' group."),
                (path(lambda k, name, p, w2=w2: w2 if "weight" in name else 0.0), by_name),
                (path(lambda k, name, p, w2=w2: 0.0 if "bias" in name else w2), by_name),
                (
                    path(lambda k, name, p, w2=w2, linear=linear: w2 if name in linear else 0.0),
                    "you decayed the Linear layers' weights only: embeddings, convolution kernels and "
                    "any other matrix a model holds are weights too. Decay exactly the parameters "
                    "with p.ndim >= 2.",
                ),
                (
                    path(lambda k, name, p, w2=w2: w2 if k % 2 == 0 else 0.0),
                    "you decayed every other parameter (params[0::2]): that picks the weights only in a "
                    "stack of Linear layers with biases. Decay exactly the parameters with p.ndim >= 2.",
                ),
            ],
        )
    passed(
        ex,
        "Parameter groups make the optimizer's weight_decay equal to the course's penalty "
        "l2 * sum W^2 on the weights, with unpenalized biases.",
    )


def _rnn_label(rnn) -> str:
    return (
        f"{type(rnn).__name__}(num_layers={rnn.num_layers}, bidirectional={rnn.bidirectional}, "
        f"bias={rnn.bias})"
    )


def _safe(err) -> str:
    if isinstance(err, KeyError):
        return f"a group has no key {err} (each group is a dict with a 'params' list)"
    text = " ".join(str(err).split())
    return text if len(text) <= 200 else text[:199] + "…"


def _rnn_cases():
    """Deep, bidirectional, batch-first and bias-free GRUs and LSTMs (the first one, two layers in
    one direction, keeps the hints 'only the first layer' and 'reverse direction' apart)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(80)
        return [
            torch.nn.LSTM(3, 4, num_layers=2).double(),
            torch.nn.GRU(2, 3, bidirectional=True).double(),
            torch.nn.GRU(1, 2, batch_first=True).double(),
            torch.nn.LSTM(2, 3, num_layers=2, bidirectional=True).double(),
            torch.nn.GRU(3, 2, num_layers=3, bidirectional=True, bias=False, batch_first=True).double(),
        ]


def _rnn_penalty(
    rnn, l2_ih, l2_hh, power=2, layers=None, kinds=("weight",), reverse=True, norm=False, mean=False
):
    total = 0.0
    for name, p in rnn.named_parameters():
        kind, part, layer = name.split("_")[0], name.split("_")[1], name.split("_")[2]
        if (
            kind not in kinds
            or (layers is not None and layer not in layers)
            or (not reverse and name.endswith("_reverse"))
        ):
            continue
        lam = l2_ih if part == "ih" else l2_hh
        terms = p.detach().abs() ** power
        size = float(terms.mean() if mean else terms.sum())
        total += lam * (size**0.5 if norm else size)
    return total


def check_recurrent_penalty(recurrent_penalty) -> None:
    """Exercise 8.2: ``recurrent_penalty(rnn, l2_ih, l2_hh)`` = l2_ih * sum W_ih^2 + l2_hh * sum W_hh^2
    over every layer and direction of a torch GRU/LSTM, biases excluded, as a differentiable tensor."""
    ex = "Exercise 8.2"
    fresh = fresh_rng()  # fresh strengths on every call: no table of answers passes
    carry = (
        "build it from the parameters with torch operations such as (W ** 2).sum(), without .item() or numpy."
    )
    for k, rnn in enumerate(_rnn_cases()):
        pairs = [(0.3, 0.01), (0.0, 2.0)] if k < 3 else [(0.3, 0.01)]
        pairs.append((float(10 ** fresh.uniform(-2, 0.5)), float(10 ** fresh.uniform(-2, 0.5))))
        params = list(rnn.named_parameters())
        for l2_ih, l2_hh in pairs:
            before = [p.detach().clone() for _, p in params]
            expected = _rnn_penalty(rnn, l2_ih, l2_hh)
            answer = run(recurrent_penalty, rnn, l2_ih, l2_hh, exercise=ex)
            if answer is not None and (not is_tensor(answer) or not answer.requires_grad):
                raise CheckError(
                    f"{ex}: return a torch tensor that carries gradients (got "
                    f"{type(answer).__name__}); {carry}"
                )
            got = as_torch_scalar(answer, ex, "recurrent_penalty", carry, "Sum the terms into one number.")
            if any(not torch.equal(p, q) for (_, p), q in zip(params, before)):
                raise CheckError(
                    f"{ex}: your function changed the network's parameters; it should only read them."
                )
            kind = answer_dtype(got)
            expect_close(
                got,
                expected,
                ex,
                "the penalty",
                inputs=(_rnn_label(rnn), f"l2_ih={l2_ih:.3g}", f"l2_hh={l2_hh:.3g}"),
                hints=[
                    (
                        _rnn_penalty(rnn, l2_hh, l2_ih),
                        "l2_ih and l2_hh are swapped: weight_ih_* are the "
                        "input-to-hidden weights, weight_hh_* the recurrent ones.",
                    ),
                    (
                        _rnn_penalty(rnn, l2_ih, l2_hh, kinds=("weight", "bias")),
                        "you penalized the biases (bias_ih_*, bias_hh_*) too: use the weights only.",
                    ),
                    (
                        _rnn_penalty(rnn, l2_ih, l2_hh, layers=("l0",)),
                        "only the first layer is penalized: sum over every layer "
                        "(weight_ih_l0, weight_ih_l1, ...).",
                    ),
                    (
                        _rnn_penalty(rnn, l2_ih, l2_hh, reverse=False),
                        "the reverse direction of a bidirectional layer is missing (weight_ih_l0_reverse, "
                        "...).",
                    ),
                    (
                        _rnn_penalty(rnn, l2_ih, l2_hh, power=1),
                        "that is an L1 penalty (sum |W|); square the weights.",
                    ),
                    (
                        0.5 * _rnn_penalty(rnn, l2_ih, l2_hh),
                        "off by a factor 1/2: the course's penalty is l2 * sum W^2, not l2/2 * sum W^2.",
                    ),
                    (
                        _rnn_penalty(rnn, l2_ih, l2_hh, norm=True),
                        "you used the norm ||W||, not its square: the penalty is l2 * sum W^2 = l2 * "
                        "||W||^2.",
                    ),
                    (
                        _rnn_penalty(rnn, l2_ih, l2_hh, mean=True),
                        "you averaged W**2 (a mean); the penalty sums over the entries.",
                    ),
                ]
                + (
                    []
                    if rnn.num_layers == 1 or not rnn.bidirectional
                    else [  # else it is one of the above
                        (
                            _rnn_penalty(rnn, l2_ih, l2_hh, layers=("l0",), reverse=False),
                            "only weight_ih_l0 and weight_hh_l0 are penalized: sum over every layer and, "
                            "in a "
                            "bidirectional network, both directions (look at rnn.named_parameters()).",
                        ),
                    ]
                ),
            )
            grads = grad_of(got, [p for _, p in params], ex)
            rtol, atol = (1e-8, 1e-12) if kind.endswith("float64") else (1e-4, 1e-5)
            for (name, p), g in zip(params, grads):
                lam = l2_ih if "_ih_" in name else l2_hh
                want = 2 * lam * p.detach() if name.startswith("weight") else torch.zeros_like(p)
                g = torch.zeros_like(p) if g is None else g.to(p.dtype)
                scale = float(want.abs().max()) if want.numel() else 0.0
                if not torch.allclose(g, want, rtol=rtol, atol=atol * max(scale, 1e-7)):
                    raise CheckError(
                        f"{ex}: the gradient of your penalty with respect to {name} should "
                        f"be {'2 * lam * W' if name.startswith('weight') else '0'}; "
                        f"check that you use the parameters themselves, not copies."
                    )
    passed(
        ex,
        "One strength for the input-to-hidden weights and another for the recurrent ones, "
        "for any number of layers and directions.",
    )
