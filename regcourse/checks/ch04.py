"""Checks for chapter 04's exercises (elastic net and per-layer penalties)."""

from __future__ import annotations

import numpy as np
import torch

from ._core import (
    CheckError,
    answer_dtype,
    as_array,
    as_torch_scalar,
    expect_close,
    fresh_rng,
    grad_of,
    passed,
    run,
)

__all__ = ["check_enet_prox", "check_exp_penalty"]


def _soft(v, t):
    return np.sign(v) * np.maximum(np.abs(v) - t, 0.0)


def check_enet_prox(enet_prox) -> None:
    """Exercise 4.1: ``enet_prox(v, t1, t2)`` = argmin_z 0.5(z-v)^2 + t1|z| + t2 z^2
    = soft(v, t1) / (1 + 2 t2)."""
    ex = "Exercise 4.1"
    rng = np.random.default_rng(41)
    # the first case tells every hint apart (with t2 = 0.5, dividing by 2*t2 would look like
    # leaving out the L2 term); t1 = 0 and t2 = 0 come last.
    cases = [
        (np.array([-2.0, -0.4, -0.1, 0.0, 0.1, 0.4, 2.0]), 0.3, 0.3),
        (rng.standard_normal(12) * 2, 0.5, 0.25),
        (rng.standard_normal((3, 3)), 0.2, 1.5),
        (np.array([1.0, -3.0]), 0.0, 0.5),
        (np.array([1.0, -3.0, 0.2]), 0.5, 0.0),
    ]
    fresh = fresh_rng()  # new cases on every call: no table of answers passes
    for shape in [(int(fresh.integers(3, 15)),), tuple(int(k) for k in fresh.integers(2, 5, size=2))]:
        t1, t2 = float(10 ** fresh.uniform(-1.5, 0)), float(10 ** fresh.uniform(-1.5, 0.5))
        v = 3 * t1 * fresh.standard_normal(shape)
        v.reshape(-1)[:2] = [t1, -t1]  # on the threshold: exactly 0
        cases.append((v, t1, t2))
    for v, t1, t2 in cases:
        got = run(enet_prox, v.copy(), t1, t2, exercise=ex)
        expected = _soft(v, t1) / (1 + 2 * t2)
        expect_close(
            got,
            expected,
            ex,
            "the elastic-net proximal step",
            inputs=(v, t1, t2),
            hints=[
                (
                    _soft(v, t1) / (1 + t2),
                    "the shrink factor is off: the derivative of t2*z^2 is 2*t2*z, "
                    "so divide by 1 + 2*t2, not 1 + t2.",
                ),
                (
                    _soft(v / (1 + 2 * t2), t1),
                    "you shrank before thresholding: the threshold applies to v "
                    "itself, soft(v, t1), and the division comes after.",
                ),
                (_soft(v, t1), "you left out the L2 term: divide the soft-threshold by 1 + 2*t2."),
                (v / (1 + 2 * t2), "you left out the L1 term: threshold first, soft(v, t1), then divide."),
                (
                    (v - t1 * np.sign(v)) / (1 + 2 * t2),
                    "small entries crossed zero: use max(|v| - t1, 0), "
                    "which gives exact zeros for |v| <= t1.",
                ),
                (
                    lambda v=v, t1=t1, t2=t2: _soft(v, t1) / (2 * t2),
                    "you divided by 2*t2: the quadratic 0.5*(z - v)^2 adds z to the derivative too, so "
                    "divide by 1 + 2*t2.",
                ),
            ],
        )
        got = as_array(got, ex, "the elastic-net proximal step")
        small = np.abs(v) <= t1
        if np.any(got[small] != 0.0):
            raise CheckError(
                f"{ex}: entries with |v| <= t1 must be exactly 0.0, got {got[small][got[small] != 0][:3]}"
            )
    # it really is the minimiser: compare with a brute-force search on a fine grid
    z = np.linspace(-3, 3, 60001)
    for v0 in (1.3, -0.2, -2.2):
        brute = z[np.argmin(0.5 * (z - v0) ** 2 + 0.3 * np.abs(z) + 0.5 * z * z)]
        mine = run(enet_prox, np.array([v0]), 0.3, 0.5, exercise=ex)
        expect_close(
            mine,
            [brute],
            ex,
            "the minimiser (by brute-force search)",
            rtol=0,
            atol=1e-3,
            inputs=(np.array([v0]), 0.3, 0.5),
        )
    passed(ex, "Threshold first (L1 makes the zeros), then shrink (L2 scales what is left).")


def _exp_ref(w):
    return torch.expm1(w.abs()).sum()


def check_exp_penalty(exp_penalty) -> None:
    """Exercise 4.4: ``exp_penalty(w)`` = sum(exp(|w|) - 1) as a differentiable torch scalar."""
    ex = "Exercise 4.4"
    gen = torch.Generator().manual_seed(44)
    cases = [
        torch.tensor([-2.0, -0.5, 0.3, 1.0, 0.0], dtype=torch.float64),
        torch.randn(4, 3, generator=gen, dtype=torch.float64),
        torch.randn(6, generator=gen, dtype=torch.float64) * 2,
    ]
    fresh = fresh_rng()  # new cases on every call: no table of answers passes
    for shape in [(int(fresh.integers(2, 12)),), tuple(int(k) for k in fresh.integers(1, 5, size=3))]:
        w_new = fresh.standard_normal(shape) * fresh.uniform(0.3, 2.0)
        w_new.reshape(-1)[fresh.integers(w_new.size)] = 0.0
        cases.append(torch.from_numpy(w_new))
    for w0 in cases:
        w = w0.clone().requires_grad_(True)
        got = as_torch_scalar(
            run(exp_penalty, w, exercise=ex),
            ex,
            "exp_penalty",
            "use torch functions (torch.exp, .abs(), .sum()) so autograd can differentiate it.",
            "Did you forget .sum()?",
        )
        kind = answer_dtype(got)
        d = w0.detach()
        expect_close(
            got,
            float(_exp_ref(d)),
            ex,
            "the penalty value",
            inputs=d,
            hints=[
                (
                    float((torch.exp(d) - 1).sum()),
                    "negative weights are penalized too little: take the absolute value first, exp(|w|) - 1.",
                ),
                (
                    float(torch.exp(d.abs()).sum()),
                    "you forgot the - 1: without it a zero weight costs 1 "
                    "and the penalty is off by the number of weights.",
                ),
                (float(torch.expm1(d.abs()).mean()), "you took the mean; the penalty sums over the weights."),
            ],
        )
        grad = grad_of(got, [w], ex)[0] if got.requires_grad else None
        if grad is None:
            raise CheckError(
                f"{ex}: the result does not depend on w through autograd (was it "
                "computed with numpy, or detached?). Use torch operations on w."
            )
        nz = d != 0
        expect_close(
            grad[nz],
            (d.sign() * d.abs().exp())[nz],
            ex,
            "the gradient at non-zero weights",
            inputs=d,
            dtype=kind,
        )
        at_zero = grad[~nz].detach()
        if not bool(torch.isfinite(at_zero).all()) or bool((at_zero.abs() > 1 + 1e-6).any()):
            raise CheckError(
                f"{ex}: the gradient of your penalty at w = 0 is {at_zero.tolist()}: "
                "exp(|w|) - 1 has a kink at 0 with slopes -1 and 1, so autograd should "
                "give a value in [-1, 1] (torch's abs gives 0). A NaN or inf there comes "
                "from writing |w| as sqrt(w**2), whose derivative at 0 is infinite: use "
                "w.abs(). A NaN gradient would break training as soon as a weight is 0."
            )
    passed(ex, "Near 0 it behaves like L1 (slope 1), far out it grows faster than L2.")
