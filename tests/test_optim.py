"""regcourse.optim: ProximalSGD is updates.proximal_step; ISTA on a torch model reaches the lasso."""

import numpy as np
import pytest
import torch

from regcourse import optim as O
from regcourse import solvers, updates
from regcourse.data import make_sparse_regression


def test_step_is_proximal_step():
    rng = np.random.default_rng(0)
    W, g = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    p = torch.nn.Parameter(torch.tensor(W))
    opt = O.ProximalSGD([p], lr=0.1, l1=2.0, l2=0.3)
    p.grad = torch.tensor(g)
    opt.step()
    np.testing.assert_allclose(
        p.detach().numpy(), updates.proximal_step(W, g, 0.1, 2.0, 0.3), rtol=1e-15, atol=0
    )
    assert (p == 0).sum() > 0


def test_groups_and_closure():
    torch.manual_seed(0)
    lin = torch.nn.Linear(4, 2).double()
    X = torch.randn(5, 4, dtype=torch.float64)
    ref = torch.nn.Linear(4, 2).double()
    ref.load_state_dict(lin.state_dict())
    ref(X).pow(2).mean().backward()
    opt = O.ProximalSGD(O.param_groups(lin, l1=100.0), lr=0.1)

    def closure():
        opt.zero_grad()
        loss = lin(X).pow(2).mean()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert isinstance(loss, torch.Tensor)
    assert torch.all(lin.weight == 0)  # lr * l1 = 10 wipes every weight
    # the bias group has l1 = 0: a plain gradient step
    torch.testing.assert_close(lin.bias.detach(), (ref.bias - 0.1 * ref.bias.grad).detach())


def test_param_groups():
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    net[2].bias.requires_grad_(False)
    groups = O.param_groups(net, l1=0.1, l2=0.2)
    assert [len(g["params"]) for g in groups] == [2, 1]
    assert groups[0]["l1"] == 0.1 and groups[0]["l2"] == 0.2
    assert groups[1]["l1"] == 0.0 and groups[1]["l2"] == 0.0
    assert groups[0]["params"][0] is net[0].weight and groups[1]["params"][0] is net[0].bias
    assert [len(g["params"]) for g in O.param_groups(net, include_bias=True, weight_decay=1.0)] == [3]
    # the groups plug into torch's own optimizers
    opt = torch.optim.SGD(O.param_groups(net, weight_decay=0.5), lr=0.1)
    assert [g["weight_decay"] for g in opt.param_groups] == [0.5, 0.0]


@pytest.mark.parametrize(
    "kw, name", [(dict(lr=-1.0), "lr"), (dict(lr=0.1, l1=-1.0), "l1"), (dict(lr=0.1, l2=float("nan")), "l2")]
)
def test_bad_hyperparameters(kw, name):
    p = torch.nn.Parameter(torch.zeros(2))
    with pytest.raises(ValueError, match=name):
        O.ProximalSGD([p], **kw)
    with pytest.raises(ValueError, match="l1"):
        O.ProximalSGD([dict(params=[p], l1=-0.5)], lr=0.1)


def test_ista_on_a_torch_model_reaches_the_lasso_solution():
    X, y, _ = make_sparse_regression(80, 10, 3, noise=0.3, seed=4, correlation=0.3)
    l1 = 0.1
    w_ref, b_ref = solvers.lasso(X, y, l1)
    lin = torch.nn.Linear(10, 1).double()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    L = 2 * np.linalg.eigvalsh(np.cov(X.T, bias=True)).max() + 2  # smoothness bound (with intercept)
    opt = O.ProximalSGD(O.param_groups(lin, l1=l1), lr=1.0 / L)
    for _ in range(1500):
        opt.zero_grad()
        torch.mean((lin(Xt).squeeze(1) - yt) ** 2).backward()
        opt.step()
    w = lin.weight.detach().numpy()[0]
    np.testing.assert_allclose(w, w_ref, atol=1e-7)
    assert float(lin.bias.detach()) == pytest.approx(b_ref, abs=1e-7)
    assert np.array_equal(w == 0, w_ref == 0) and np.sum(w == 0) >= 3  # the same exact zeros


class _Tiny(torch.nn.Module):
    """Embedding -> Linear -> LayerNorm -> ReLU -> Linear, and a BatchNorm: every kind of parameter."""

    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Embedding(5, 3)
        self.lin = torch.nn.Linear(3, 4)
        self.norm = torch.nn.LayerNorm(4)
        self.bn = torch.nn.BatchNorm1d(4)
        self.out = torch.nn.Linear(4, 1)

    def forward(self, i):
        return self.out(torch.relu(self.bn(self.norm(self.lin(self.emb(i))))))


def test_param_groups_leave_norms_biases_and_embeddings_undecayed():
    torch.manual_seed(0)
    net = _Tiny()
    by_id = {id(p): n for n, p in net.named_parameters()}
    decayed = ["lin.weight", "out.weight"]
    # default: norm gains and shifts are 1-D, so they join the biases; the embedding is decayed
    g = O.param_groups(net, weight_decay=0.1)
    assert [by_id[id(p)] for p in g[0]["params"]] == ["emb.weight", *decayed]
    g = O.param_groups(net, exclude=torch.nn.Embedding, weight_decay=0.1)
    assert [by_id[id(p)] for p in g[0]["params"]] == decayed
    assert sorted(by_id[id(p)] for p in g[1]["params"]) == sorted(set(by_id.values()) - set(decayed))
    assert g[0]["weight_decay"] == 0.1 and g[1]["weight_decay"] == 0.0
    # excluding every module that holds a weight leaves a single, undecayed group
    (only,) = O.param_groups(net, exclude=(torch.nn.Embedding, torch.nn.Linear), weight_decay=0.1)
    assert only["weight_decay"] == 0.0 and len(only["params"]) == len(by_id)
    # in torch's AdamW with zero gradients, only the decayed group moves: p <- (1 - lr*wd) * p
    before = {n: p.detach().clone() for n, p in net.named_parameters()}
    opt = torch.optim.AdamW(g, lr=0.5)
    for p in net.parameters():
        p.grad = torch.zeros_like(p)
    opt.step()
    for n, p in net.named_parameters():
        factor = 1 - 0.5 * 0.1 if n in decayed else 1.0
        torch.testing.assert_close(p.detach(), factor * before[n], rtol=1e-6, atol=0)


def test_param_groups_exclude_validates_and_keeps_callers():
    net = _Tiny()
    for bad in ("Embedding", torch.nn.Embedding(2, 2), (int,), 3):
        with pytest.raises(TypeError, match="exclude"):
            O.param_groups(net, exclude=bad, l2=0.1)
    # the positional include_bias of existing callers still works, exclude=() changes nothing
    a = O.param_groups(net, True, l2=0.1)
    b = O.param_groups(net, True, exclude=(), l2=0.1)
    assert [[id(p) for p in g["params"]] for g in a] == [[id(p) for p in g["params"]] for g in b]
    assert len(a) == 1
