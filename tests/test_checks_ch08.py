"""Chapter 08's checks, tested both ways: the reference passes, stubs and typical mistakes fail."""

import pytest
import torch

import regcourse as rc
from regcourse.checks import CheckError


def groups_ref(model, l2):
    return [
        {"params": [p for p in model.parameters() if p.ndim >= 2], "weight_decay": 2 * l2},
        {"params": [p for p in model.parameters() if p.ndim < 2], "weight_decay": 0.0},
    ]


def groups_with(wd_w, wd_b, drop_biases=False):
    def make(model, l2):
        groups = [{"params": [p for p in model.parameters() if p.ndim >= 2], "weight_decay": wd_w(l2)}]
        if not drop_biases:
            groups.append({"params": [p for p in model.parameters() if p.ndim < 2], "weight_decay": wd_b(l2)})
        return groups

    return make


def rnn_ref(rnn, l2_ih, l2_hh):
    total = torch.zeros((), dtype=torch.float64)
    for name, p in rnn.named_parameters():
        if name.startswith("weight_ih"):
            total = total + l2_ih * (p**2).sum()
        elif name.startswith("weight_hh"):
            total = total + l2_hh * (p**2).sum()
    return total


def rnn_with(select, power=2, scale=1.0, swap=False):
    def penalty(rnn, l2_ih, l2_hh):
        if swap:
            l2_ih, l2_hh = l2_hh, l2_ih
        total = torch.zeros((), dtype=torch.float64)
        for name, p in rnn.named_parameters():
            if select(name):
                lam = l2_ih if "_ih_" in name else l2_hh
                total = total + scale * lam * (p.abs() ** power).sum()
        return total

    return penalty


def stub(*args):
    raise NotImplementedError("Exercise 8.x")


@pytest.mark.parametrize(
    "check, ref",
    [
        (rc.checks.check_decay_param_groups, groups_ref),
        (rc.checks.check_recurrent_penalty, rnn_ref),
    ],
)
def test_reference_passes_and_stub_fails(check, ref, capsys):
    check(ref)
    assert "✓" in capsys.readouterr().out
    with pytest.raises(CheckError, match="not done yet"):
        check(stub)


@pytest.mark.parametrize(
    "wrong, message",
    [
        (groups_with(lambda l2: l2, lambda l2: 0.0), "half as strong"),
        (groups_with(lambda l2: 2 * l2, lambda l2: 2 * l2), "biases are decayed"),
        (groups_with(lambda l2: l2, lambda l2: l2), "two mistakes"),
        (groups_with(lambda l2: 0.0, lambda l2: 2 * l2), "swapped"),
        (groups_with(lambda l2: 0.0, lambda l2: 0.0), "nothing is decayed"),
        (groups_with(lambda l2: 2 * l2, None, drop_biases=True), "in no group"),
        (lambda model, l2: None, "returned None"),
        (lambda model, l2: 3.0, "could not use your groups"),
    ],
)
def test_param_group_mistakes(wrong, message):
    with pytest.raises(CheckError, match=message):
        rc.checks.check_decay_param_groups(wrong)


@pytest.mark.parametrize(
    "wrong, message",
    [
        (rnn_with(lambda n: n.startswith("weight"), swap=True), "swapped"),
        (rnn_with(lambda n: True), "biases"),
        (rnn_with(lambda n: n.startswith("weight") and "_l0" in n), "only the first layer"),
        (rnn_with(lambda n: n.startswith("weight") and not n.endswith("reverse")), "reverse direction"),
        (rnn_with(lambda n: n.startswith("weight"), power=1), "L1 penalty"),
        (rnn_with(lambda n: n.startswith("weight"), scale=0.5), "factor 1/2"),
        (lambda rnn, a, b: float(rnn_ref(rnn, a, b).detach()), "carries gradients"),
        (lambda rnn, a, b: rnn_ref(rnn, a, b).detach(), "carries gradients"),
    ],
)
def test_recurrent_penalty_mistakes(wrong, message):
    with pytest.raises(CheckError, match=message):
        rc.checks.check_recurrent_penalty(wrong)


def test_recurrent_penalty_copies_are_caught():
    def on_copies(rnn, l2_ih, l2_hh):
        return rnn_ref(rnn, l2_ih, l2_hh).detach().requires_grad_()

    with pytest.raises(CheckError, match="gradient of your penalty"):
        rc.checks.check_recurrent_penalty(on_copies)
