"""Checks for chapter 05's exercises (conventions, Adam vs AdamW)."""

from __future__ import annotations

import numpy as np
import torch

from ..conventions import to_course
from ._core import answer_dtype, as_numbers, as_tuple, expect_close, fresh_rng, passed, run

__all__ = ["check_adamw_step", "check_elasticnet_to_course"]


def _torch_adamw(w, grads, lr, wd, betas, eps):
    """Run torch.optim.AdamW from w over the given gradients; return the states before the last step."""
    p = torch.nn.Parameter(torch.tensor(w, dtype=torch.float64))
    opt = torch.optim.AdamW([p], lr=lr, weight_decay=wd, betas=betas, eps=eps)
    states = []
    for g in grads:
        st = opt.state.get(p, {})
        m = st["exp_avg"].clone().numpy() if st else np.zeros_like(w)
        v = st["exp_avg_sq"].clone().numpy() if st else np.zeros_like(w)
        states.append((p.detach().clone().numpy(), m, v))
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
    st = opt.state[p]
    return states, (p.detach().numpy().copy(), st["exp_avg"].numpy().copy(), st["exp_avg_sq"].numpy().copy())


def check_adamw_step(adamw_step) -> None:
    """Exercise 5.1: ``adamw_step(w, grad, m, v, t, lr, wd, beta1, beta2, eps) -> (w, m, v)``
    as torch's AdamW."""
    ex = "Exercise 5.1"
    rng = np.random.default_rng(5)
    fresh = fresh_rng()  # new cases on every call: no table of answers passes
    # (lr, wd, t, beta1, beta2, eps, gradient scale). The first case has t > 1: at t = 1 with
    # m = 0 the bias-corrected m_hat equals beta1*m + grad and two hints would coincide. The
    # fourth has other betas and an eps that matters (small gradients), so neither may be fixed.
    settings = [
        (0.05, 0.2, 4, 0.9, 0.999, 1e-8, 1.0),
        (0.1, 0.5, 1, 0.9, 0.999, 1e-8, 1.0),
        (0.01, 0.0, 3, 0.9, 0.999, 1e-8, 1.0),
        (0.02, 0.1, 5, 0.8, 0.99, 1e-3, 1e-3),
    ]
    settings += [
        (
            10 ** fresh.uniform(-3, -1),
            fresh.uniform(0, 1),
            int(fresh.integers(1, 9)),
            fresh.uniform(0.5, 0.95),
            fresh.uniform(0.9, 0.9999),
            10 ** fresh.uniform(-8, -3),
            10 ** fresh.uniform(-3, 0),
        )
        for _ in range(2)
    ]
    for k, (lr, wd, t_last, b1, b2, eps, scale) in enumerate(settings):
        source = rng if k < 4 else fresh
        n = 4 if k < 4 else int(fresh.integers(1, 7))
        w0 = 2.0 * source.standard_normal(n)
        grads = [source.standard_normal(n) * s * scale for s in np.linspace(1.0, 0.3, t_last)]
        states, (w_ref, m_ref, v_ref) = _torch_adamw(w0, grads, lr, wd, (b1, b2), eps)
        w, m, v = states[-1]
        g = grads[-1]
        t = t_last
        out = run(adamw_step, w.copy(), g.copy(), m.copy(), v.copy(), t, lr, wd, b1, b2, eps, exercise=ex)
        w_new, m_new, v_new = as_tuple(out, 3, ex, "adamw_step", "(w_new, m_new, v_new)")
        inputs = (
            f"t={t}",
            f"lr={lr:.3g}",
            f"wd={wd:.3g}",
            f"beta1={b1:.3g}",
            f"beta2={b2:.4g}",
            f"eps={eps:.2g}",
        )
        mh, vh = m_ref / (1 - b1**t), v_ref / (1 - b2**t)
        adam = lr * mh / (np.sqrt(vh) + eps)
        gc = g + wd * w  # coupled: the decay goes into the gradient (Adam with weight_decay)
        mc, vc = b1 * m + (1 - b1) * gc, b2 * v + (1 - b2) * gc**2
        coupled = w - lr * (mc / (1 - b1**t)) / (np.sqrt(vc / (1 - b2**t)) + eps)
        coupled_msg = (
            "you added wd*w to the gradient: that is Adam with an L2 penalty (torch's "
            "Adam(weight_decay)), not AdamW. AdamW's moments see the loss gradient only and "
            "the decay w*(1 - lr*wd) is applied separately."
        )
        expect_close(
            m_new,
            m_ref,
            ex,
            "m_new",
            rtol=1e-9,
            atol=1e-12,
            inputs=inputs,
            hints=[
                (mc, coupled_msg),
                (b1 * m + g, "m_new forgets the factor (1 - beta1) in front of the gradient."),
                (
                    mh,
                    "you returned the bias-corrected m_hat = m_new / (1 - beta1**t) as m_new: return "
                    "the moment itself; the correction only enters the step.",
                ),
                (0.9 * m + 0.1 * g, "m_new uses beta1 = 0.9, not the beta1 argument."),
            ],
        )
        expect_close(
            v_new,
            v_ref,
            ex,
            "v_new",
            rtol=1e-9,
            atol=1e-12,
            inputs=inputs,
            hints=[
                (vc, coupled_msg),
                (
                    vh,
                    "you returned the bias-corrected v_hat = v_new / (1 - beta2**t) as v_new: return "
                    "the moment itself; the correction only enters the step.",
                ),
                (0.999 * v + 0.001 * g**2, "v_new uses beta2 = 0.999, not the beta2 argument."),
                (
                    b2 * v + (1 - b2) * np.abs(g),
                    "v_new averages |grad|; Adam averages the squared gradient grad**2.",
                ),
                (b2 * v + g**2, "v_new forgets the factor (1 - beta2) in front of grad**2."),
            ],
        )
        expect_close(
            w_new,
            w_ref,
            ex,
            "w_new",
            rtol=1e-9,
            atol=1e-12,
            inputs=inputs,
            hints=[
                (coupled, coupled_msg),
                (
                    w * (1 - wd) - adam,
                    "the decay is not multiplied by the learning rate: torch's AdamW "
                    "multiplies w by (1 - lr*wd).",
                ),
                (
                    (w - adam) * (1 - lr * wd),
                    "you decayed the weights after the Adam step; torch decays the "
                    "old weights: w*(1 - lr*wd) - lr*m_hat/(sqrt(v_hat) + eps).",
                ),
                (
                    w * (1 - lr * wd) - lr * m_ref / (np.sqrt(v_ref) + eps),
                    "the bias correction is missing: divide m by (1 - beta1**t) and v by (1 - beta2**t).",
                ),
                (w - adam, "the weight decay is missing: AdamW multiplies w by (1 - lr*wd)."),
                (
                    w * (1 - lr * wd) - lr * mh / np.sqrt(vh + eps),
                    "eps is inside the square root: torch divides by sqrt(v_hat) + eps.",
                ),
                (
                    w * (1 - lr * wd) - lr * mh / (np.sqrt(vh) + 1e-8),
                    "the step uses eps = 1e-8, not the eps argument.",
                ),
            ],
        )
    passed(ex, "The decay multiplies every weight by the same 1 - lr*wd, whatever Adam's scaling.")


def check_elasticnet_to_course(elasticnet_to_course) -> None:
    """Exercise 5.3: ``elasticnet_to_course(alpha, l1_ratio) -> (l1, l2)`` for sklearn's ElasticNet."""
    ex = "Exercise 5.3"
    fresh = fresh_rng()  # new cases on every call: no table of answers passes
    # first a case where every hint differs (l1_ratio = 0.5 would make swapping r and 1 - r invisible)
    cases = [(0.3, 0.2), (0.3, 0.5), (1.0, 0.2), (0.05, 1.0), (2.0, 0.0), (0.7, 0.9)]
    cases += [(float(10 ** fresh.uniform(-2, 0.5)), float(fresh.uniform(0.05, 0.95))) for _ in range(3)]
    for alpha, r in cases:
        out = run(elasticnet_to_course, alpha, r, exercise=ex)
        got = as_numbers(
            as_tuple(out, 2, ex, "elasticnet_to_course", "(l1, l2)"), ex, "elasticnet_to_course", ("l1", "l2")
        )
        ref = to_course("sklearn_elasticnet", alpha=alpha, l1_ratio=r)
        expect_close(
            got,
            [ref["l1"], ref["l2"]],
            ex,
            "(l1, l2)",
            inputs=(alpha, r),
            dtype=answer_dtype(out),
            hints=[
                (
                    [alpha * r, alpha * (1 - r)],
                    "your l1 is half the right value: sklearn's data term is "
                    "(1/2m)||y - Xw||^2, so double the whole objective: "
                    "l1 = 2*alpha*l1_ratio.",
                ),
                (
                    [2 * alpha * r, alpha * (1 - r) / 2],
                    "your l2 is half the right value: doubling "
                    "(alpha*(1 - r)/2)*||w||^2 gives "
                    "l2 = alpha*(1 - l1_ratio).",
                ),
                (
                    [alpha * r, alpha * (1 - r) / 2],
                    "you copied sklearn's coefficients without doubling: its "
                    "data term has 1/(2m), the course's 1/m, so multiply both "
                    "by 2.",
                ),
                ([alpha * (1 - r), 2 * alpha * r], "l1 and l2 are swapped: l1_ratio weights the L1 part."),
                (
                    [2 * alpha * (1 - r), alpha * r],
                    "l1_ratio and 1 - l1_ratio are swapped: l1_ratio weights "
                    "the L1 part, l1 = 2*alpha*l1_ratio.",
                ),
                (
                    [2 * alpha * r, 2 * alpha * (1 - r)],
                    "your l2 is twice the right value: sklearn's L2 term is "
                    "alpha*(1 - l1_ratio)/2 * ||w||^2, and doubling it gives "
                    "l2 = alpha*(1 - l1_ratio).",
                ),
            ],
        )
    passed(ex, "sklearn's 1/(2m) data term is why both numbers double.")
