"""Chapter 04's checks, both ways: the reference passes, stubs and typical mistakes get their message."""

import numpy as np
import pytest
import torch
from check_helpers import stub

from regcourse.checks import CheckError, check_enet_prox, check_exp_penalty


def soft(v, t):
    return np.sign(v) * np.maximum(np.abs(v) - t, 0.0)


# --- Exercise 4.1: elastic-net proximal step -------------------------------------------------


def test_enet_prox_reference_passes(capsys):
    check_enet_prox(lambda v, t1, t2: soft(v, t1) / (1 + 2 * t2))
    assert "✓ Exercise 4.1" in capsys.readouterr().out


def test_enet_prox_stub():
    with pytest.raises(CheckError, match="not done yet"):
        check_enet_prox(stub)


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda v, t1, t2: soft(v, t1) / (1 + t2), "1 \\+ 2\\*t2, not 1 \\+ t2"),
        (lambda v, t1, t2: soft(v / (1 + 2 * t2), t1), "shrank before thresholding"),
        (lambda v, t1, t2: soft(v, t1), "left out the L2 term"),
        (lambda v, t1, t2: v / (1 + 2 * t2), "left out the L1 term"),
        (lambda v, t1, t2: (v - t1 * np.sign(v)) / (1 + 2 * t2), "crossed zero"),
        (lambda v, t1, t2: np.where(soft(v, t1) == 0, 1e-13, soft(v, t1) / (1 + 2 * t2)), "exactly 0.0"),
    ],
)
def test_enet_prox_typical_mistakes(wrong, message):
    with pytest.raises(CheckError, match=message):
        check_enet_prox(wrong)


# --- Exercise 4.4: exp penalty ---------------------------------------------------------------


def test_exp_penalty_reference_passes(capsys):
    check_exp_penalty(lambda w: torch.expm1(w.abs()).sum())
    assert "✓ Exercise 4.4" in capsys.readouterr().out


def test_exp_penalty_stub():
    with pytest.raises(CheckError, match="not done yet"):
        check_exp_penalty(stub)


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda w: (torch.exp(w) - 1).sum(), "absolute value first"),
        (lambda w: torch.exp(w.abs()).sum(), "forgot the - 1"),
        (lambda w: torch.expm1(w.abs()).mean(), "took the mean"),
        (lambda w: torch.expm1(w.abs()), "Did you forget .sum"),
        (lambda w: float(np.expm1(np.abs(w.detach().numpy())).sum()), "return a torch tensor"),
        (lambda w: torch.expm1(w.detach().abs()).sum(), "does not depend on w"),
    ],
)
def test_exp_penalty_typical_mistakes(wrong, message):
    with pytest.raises(CheckError, match=message):
        check_exp_penalty(wrong)
