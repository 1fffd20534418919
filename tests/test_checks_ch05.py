"""Chapter 05's checks, both ways: the reference passes, stubs and typical mistakes get their message."""

import numpy as np
import pytest
from check_helpers import stub

from regcourse.checks import CheckError, check_adamw_step, check_elasticnet_to_course


def adamw_ref(w, grad, m, v, t, lr, wd, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    step = lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return w * (1 - lr * wd) - step, m, v


def test_adamw_reference_passes(capsys):
    check_adamw_step(adamw_ref)
    assert "✓ Exercise 5.1" in capsys.readouterr().out


def test_adamw_stub():
    with pytest.raises(CheckError, match="not done yet"):
        check_adamw_step(stub)


def _variant(kind):
    def f(w, grad, m, v, t, lr, wd, beta1=0.9, beta2=0.999, eps=1e-8):
        g = grad + wd * w if kind == "coupled" else grad
        m2 = beta1 * m + (1 - beta1) * g
        v2 = beta2 * v + (1 - beta2) * g**2
        if kind == "no_bias_correction":
            step = lr * m2 / (np.sqrt(v2) + eps)
        else:
            step = lr * (m2 / (1 - beta1**t)) / (np.sqrt(v2 / (1 - beta2**t)) + eps)
        if kind == "coupled":
            return w - step, m2, v2
        if kind == "no_lr":
            return w * (1 - wd) - step, m2, v2
        if kind == "after":
            return (w - step) * (1 - lr * wd), m2, v2
        if kind == "no_decay":
            return w - step, m2, v2
        return w * (1 - lr * wd) - step, m2, v2

    return f


@pytest.mark.parametrize(
    "kind, message",
    [
        ("coupled", "Adam with an L2 penalty"),
        ("no_lr", "not multiplied by the learning rate"),
        ("after", "after the Adam step"),
        ("no_bias_correction", "bias correction is missing"),
        ("no_decay", "weight decay is missing"),
    ],
)
def test_adamw_typical_mistakes(kind, message):
    with pytest.raises(CheckError, match=message):
        check_adamw_step(_variant(kind))


def test_adamw_moment_mistakes():
    def no_one_minus_beta(w, grad, m, v, t, lr, wd, beta1=0.9, beta2=0.999, eps=1e-8):
        _, _, v2 = adamw_ref(w, grad, m, v, t, lr, wd, beta1, beta2, eps)
        return w, beta1 * m + grad, v2

    with pytest.raises(CheckError, match=r"\(1 - beta1\)"):
        check_adamw_step(no_one_minus_beta)

    def abs_v(w, grad, m, v, t, lr, wd, beta1=0.9, beta2=0.999, eps=1e-8):
        _, m2, _ = adamw_ref(w, grad, m, v, t, lr, wd, beta1, beta2, eps)
        return w, m2, beta2 * v + (1 - beta2) * np.abs(grad)

    with pytest.raises(CheckError, match="squared gradient"):
        check_adamw_step(abs_v)

    with pytest.raises(CheckError, match="tuple"):
        check_adamw_step(lambda *a, **k: np.zeros(4))


def test_elasticnet_reference_passes(capsys):
    check_elasticnet_to_course(lambda a, r: (2 * a * r, a * (1 - r)))
    assert "✓ Exercise 5.3" in capsys.readouterr().out


def test_elasticnet_stub():
    with pytest.raises(CheckError, match="not done yet"):
        check_elasticnet_to_course(stub)


@pytest.mark.parametrize(
    "fn, message",
    [
        (lambda a, r: (a * r, a * (1 - r)), "l1 is half"),
        (lambda a, r: (2 * a * r, a * (1 - r) / 2), "l2 is half"),
        (lambda a, r: (a * r, a * (1 - r) / 2), "without doubling"),
        (lambda a, r: (a * (1 - r), 2 * a * r), "swapped"),
        (lambda a, r: None, "returned None"),
    ],
)
def test_elasticnet_typical_mistakes(fn, message):
    with pytest.raises(CheckError, match=message):
        check_elasticnet_to_course(fn)
