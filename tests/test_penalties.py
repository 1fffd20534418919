"""regcourse.penalties against torch.linalg norms and torch autograd (float64)."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from regcourse import penalties as P

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
weights = arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 5)), elements=finite)
lams = st.floats(0, 10, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(weights)
def test_l1_l2_match_torch_norms(w):
    t = torch.from_numpy(w)
    assert P.l1_penalty(w) == pytest.approx(float(torch.linalg.vector_norm(t, ord=1)), rel=1e-12, abs=1e-12)
    # L2 penalty is the SQUARED Frobenius norm, not the norm
    fro = float(torch.linalg.matrix_norm(t, ord="fro"))
    assert P.l2_penalty(w) == pytest.approx(fro**2, rel=1e-10, abs=1e-10)


def test_l2_penalty_is_not_the_norm():
    w = np.array([3.0, 4.0])
    assert P.l2_penalty(w) == 25.0 and P.l1_penalty(w) == 7.0


def test_tensor_in_gives_differentiable_scalar():
    w = torch.tensor([[1.0, -2.0], [0.5, 3.0]], dtype=torch.float64, requires_grad=True)
    out = P.elastic_net_penalty(w, l1=0.3, l2=0.2)
    assert isinstance(out, torch.Tensor) and out.ndim == 0
    out.backward()
    expected = 0.3 * torch.sign(w) + 2 * 0.2 * w
    torch.testing.assert_close(w.grad, expected.detach())
    assert isinstance(P.l1_penalty(w.detach().numpy()), float)


@settings(max_examples=60, deadline=None)
@given(weights, lams, lams)
def test_penalty_grad_matches_autograd(w, l1, l2):
    t = torch.from_numpy(w.copy()).requires_grad_(True)
    (l1 * t.abs().sum() + l2 * (t * t).sum()).backward()
    np.testing.assert_allclose(P.penalty_grad(w, l1, l2), t.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_penalty_grad_at_zero_is_the_zero_subgradient():
    np.testing.assert_array_equal(P.penalty_grad(np.zeros(3), l1=1.0, l2=5.0), np.zeros(3))
    # and torch's abs makes the same choice, so model_penalty agrees with penalty_grad
    t = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    t.abs().sum().backward()
    assert torch.equal(t.grad, torch.zeros(3, dtype=torch.float64))


@pytest.mark.parametrize(
    "kw, err", [(dict(l1=-1), ValueError), (dict(l2=float("nan")), ValueError), (dict(l1="a"), TypeError)]
)
def test_bad_strengths(kw, err):
    with pytest.raises(err, match=next(iter(kw))):
        P.penalty_grad(np.ones(2), **kw)
    with pytest.raises(err, match=next(iter(kw))):
        P.elastic_net_penalty(np.ones(2), **kw)


def test_bad_weights():
    with pytest.raises(ValueError, match="w contains"):
        P.penalty_grad([1.0, np.nan], l1=1.0)
    with pytest.raises(TypeError, match="w"):
        P.l1_penalty("abc")


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv1d(2, 3, 3)
        self.rnn = torch.nn.RNN(3, 4, batch_first=True)
        self.norm = torch.nn.LayerNorm(4)
        self.out = torch.nn.Linear(4, 1)
        self.frozen = torch.nn.Linear(1, 1)
        self.frozen.requires_grad_(False)

    def forward(self, x):
        return self.out(self.norm(self.rnn(self.conv(x).transpose(1, 2))[0][:, -1]))


def test_penalized_parameters_are_the_weights():
    net = Net()
    names = {id(p): n for n, p in net.named_parameters()}
    got = {names[id(p)] for p in P.penalized_parameters(net)}
    assert got == {"conv.weight", "rnn.weight_ih_l0", "rnn.weight_hh_l0", "out.weight"}
    got_all = {names[id(p)] for p in P.penalized_parameters(net, include_bias=True)}
    assert got_all == {n for n, p in net.named_parameters() if p.requires_grad}
    with pytest.raises(TypeError, match="model"):
        P.penalized_parameters([torch.zeros(2)])


def test_model_penalty_value_and_gradient():
    torch.manual_seed(0)
    net = Net().double()
    with torch.no_grad():
        net.out.weight[0, 0] = 0.0  # a weight at zero: subgradient 0
    l1, l2 = 0.07, 0.3
    pen = P.model_penalty(net, l1=l1, l2=l2)
    Ws = [net.conv.weight, net.rnn.weight_ih_l0, net.rnn.weight_hh_l0, net.out.weight]
    manual = sum(l1 * W.abs().sum() + l2 * (W**2).sum() for W in Ws)
    assert pen.dtype == torch.float64
    torch.testing.assert_close(pen, manual)
    pen.backward()
    for W in Ws:
        expected = P.penalty_grad(W.detach().numpy(), l1, l2)
        np.testing.assert_allclose(W.grad.numpy(), expected, rtol=1e-12, atol=1e-15)
    for b in (net.conv.bias, net.out.bias, net.norm.weight, net.norm.bias):
        assert b.grad is None  # biases and norm gains are not penalized


def test_model_penalty_include_bias_and_custom():
    torch.manual_seed(1)
    lin = torch.nn.Linear(3, 2).double()
    custom = lambda w: (w.abs().exp() - 1).sum()
    got = P.model_penalty(lin, l2=0.5, include_bias=True, penalty=custom)
    expected = sum(0.5 * (p**2).sum() + custom(p) for p in lin.parameters())
    torch.testing.assert_close(got, expected)
    assert float(P.model_penalty(lin)) == 0.0
    with pytest.raises(TypeError, match="penalty"):
        P.model_penalty(lin, penalty=3.0)
    with pytest.raises(ValueError, match="l2"):
        P.model_penalty(lin, l2=-1.0)
