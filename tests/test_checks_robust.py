"""Every exercise check, attacked: no answer crashes a check, fools it, or is misdiagnosed.

- a battery of bad answers (None, text, NaN, a generator, a tensor that carries gradients, an
  exception, a value whose conversion raises, ...), at the first call and at a later one, gets a
  CheckError naming the exercise from every one of the checks, never another exception, and never
  the last-resort message of the safety net (each check handles them itself);
- shortcut answers tailored to the cases a check used to have (a lookup table of its cases, a
  fixed grid ratio, parameters chosen by name, hard-coded constants, ...) now fail;
- correct but unusual answers (a list for a tuple, a numpy pair, float32, numpy scalars, torch
  tensors) pass;
- every hint is unambiguous: on the first case where a typical mistake differs from the right
  answer, no other hint gives the same value;
- the solution in each chapter passes its check.

The checks draw fresh random cases on every call, so every run of this file tries new inputs.
"""

import contextlib
import io
import json
import re
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

import regcourse as rc
from regcourse import editions
from regcourse.checks import CheckError, _core

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_checks_all import CALLED
from test_checks_ch08 import rnn_ref  # the reference LSTM/GRU penalty, one copy

CHAPTERS = Path(__file__).resolve().parents[1] / "chapters"
GUARD = "the check could not use what your function returned"
CHECKS = sorted(n for n in rc.checks.__all__ if n.startswith("check_"))
# the number each check's messages carry: the chapter's, else (a chapter not written yet) the docstring's
LABEL = {
    n: CALLED.get(n) or re.match(r"Exercise (\d+\.\d+)", getattr(rc.checks, n).__doc__).group(1)
    for n in CHECKS
}


def quiet(check, answer):
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the bad answers make torch warn (duplicate parameters, ...)
        check(answer)


def verdict(name, answer):
    """(message, problem): the check's CheckError message, and what is wrong with how it rejected
    ``answer`` (None when it raised a CheckError naming its exercise, by itself)."""
    try:
        quiet(getattr(rc.checks, name), answer)
    except CheckError as err:
        message = str(err)
        if not message.startswith(f"Exercise {LABEL[name]}"):
            return message, f"the message does not start with Exercise {LABEL[name]}: {message}"
        if GUARD in message:
            return message, f"the safety net caught it, the check did not: {message}"
        return message, None
    except KeyboardInterrupt:
        raise
    except BaseException as err:
        return None, f"raised {type(err).__name__} instead of CheckError: {err}"
    return None, "the answer passed"


def fails(name, answer, match=None):
    """The check rejects ``answer`` with a CheckError naming its exercise; returns the message."""
    message, problem = verdict(name, answer)
    assert problem is None, problem
    if match is not None:
        assert re.search(match, message), message
    return message


def passes(name, answer):
    quiet(getattr(rc.checks, name), answer)


# --- reference answers ---------------------------------------------------------------------------


def soft(v, t):
    return np.sign(v) * np.maximum(np.abs(v) - t, 0.0)


def adamw(w, grad, m, v, t, lr, wd, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return w * (1 - lr * wd) - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


def refine(lams, errors, n):
    i = int(np.argmin(errors))
    return np.geomspace(lams[max(i - 1, 0)], lams[min(i + 1, len(lams) - 1)], n)


def ridge_pf(X, y, l2s):
    xm, ym = X.mean(axis=0), y.mean()
    Xc, yc = X - xm, y - ym
    w = np.linalg.solve(Xc.T @ Xc + len(y) * np.diag(l2s), Xc.T @ yc)
    return w, ym - xm @ w


def groups(model, l2):
    return [
        {"params": [p for p in model.parameters() if p.ndim >= 2], "weight_decay": 2 * l2},
        {"params": [p for p in model.parameters() if p.ndim < 2], "weight_decay": 0.0},
    ]


def _descend(X, y, lr, steps, w):
    for _ in range(steps):
        w = w - lr * 2 / len(y) * X.T @ (X @ w - y)
    return w


def hessian(w1, w2, t, l2):
    off = 4 * w1 * w2 - 2 * t
    return np.array([[2 * w2**2 + 2 * l2, off], [off, 2 * w1**2 + 2 * l2]])


REFERENCE = {
    "check_worst_case_perturbation": lambda w, eps: eps * w / np.linalg.norm(w),
    "check_min_norm_interpolant": lambda X, y: X.T @ np.linalg.solve(X @ X.T, y),
    "check_l2_gradient": lambda w, lam: 2 * lam * w,
    "check_l2_step": lambda w, g, lr, lam: (1 - 2 * lr * lam) * w - lr * g,
    "check_ridge_closed_form": lambda X, y, lam: np.linalg.solve(
        X.T @ X + len(y) * lam * np.eye(X.shape[1]), X.T @ y
    ),
    "check_soft_threshold": soft,
    "check_cumulative_penalty": rc.sparse.cumulative_penalty,
    "check_l1_max": lambda X, y: np.max(np.abs(2 / len(y) * (X - X.mean(0)).T @ (y - y.mean()))),
    "check_enet_prox": lambda v, t1, t2: soft(v, t1) / (1 + 2 * t2),
    "check_exp_penalty": lambda w: torch.expm1(w.abs()).sum(),
    "check_adamw_step": adamw,
    "check_elasticnet_to_course": lambda a, r: (2 * a * r, a * (1 - r)),
    "check_refine_grid": refine,
    "check_bias2_variance": lambda p, f: (np.mean((p.mean(0) - f) ** 2), np.mean(p.var(0))),
    "check_scale_with_train_stats": lambda A, B: ((A - A.mean(0)) / A.std(0), (B - A.mean(0)) / A.std(0)),
    "check_ridge_per_feature": ridge_pf,
    "check_decay_param_groups": groups,
    "check_recurrent_penalty": rnn_ref,
    "check_kh_ridge": lambda X, y, lam: np.linalg.solve(X.T @ X + lam * np.eye(X.shape[1]), X.T @ y),
    "check_product_hessian": hessian,
    "check_equivalent_l2": lambda l2, s: l2 * s**2,
    "check_gd_weights": lambda X, y, lr, steps, w0: _descend(X, y, lr, steps, w0),
    "check_dropout_penalty": lambda w, X, p: p / (1 - p) * np.sum(w**2 * np.mean(X**2, axis=0)),
    "check_equilibrium_norm": lambda lr, l2, g: (
        (np.asarray(lr) ** 2 * np.asarray(g) ** 2 / (1 - (1 - 2 * np.asarray(lr) * l2) ** 2)) ** 0.25
    ),
    "check_layer_norm": lambda Z: (Z - Z.mean(1, keepdims=True)) / Z.std(1, keepdims=True),
}


def reference(name):
    """The reference answer for ``name``; a check added without one here is skipped, not failed."""
    if name not in REFERENCE:
        pytest.skip(f"{name}: add its reference answer to REFERENCE in tests/test_checks_robust.py")
    return REFERENCE[name]


def test_the_checks_are_the_modules_checks_and_guarded():
    modules = [m for n, m in sorted(vars(rc.checks).items()) if re.fullmatch(r"ch\d\d", n)]
    assert sorted(name for m in modules for name in m.__all__) == CHECKS
    assert all(getattr(rc.checks, n)._guarded for n in CHECKS)


@pytest.mark.parametrize("name", CHECKS)
def test_reference_passes(name):
    passes(name, reference(name))


# --- the battery of bad answers ------------------------------------------------------------------


class BadArray:
    def __array__(self, *args, **kwargs):
        raise RuntimeError("no array for you")

    def __float__(self):
        raise ZeroDivisionError("no float either")

    def __len__(self):
        raise TypeError("no len")

    def __iter__(self):
        raise TypeError("no iter")


def _raise(err):
    def answer(*args, **kwargs):
        raise err

    return answer


BAD = {
    "None": lambda *a, **k: None,
    "text": lambda *a, **k: "the answer",
    "numeric text": lambda *a, **k: "1.5",
    "NaN": lambda *a, **k: float("nan"),
    "inf array": lambda *a, **k: np.full(3, np.inf),
    "NaN array": lambda *a, **k: np.full((2, 2), np.nan),
    "ValueError": _raise(ValueError("bad value")),
    "SystemExit": _raise(SystemExit(1)),
    "generator": lambda *a, **k: (x for x in range(3)),
    "map": lambda *a, **k: map(float, [1, 2]),
    "tensor with grad": lambda *a, **k: torch.ones(3, dtype=torch.float64, requires_grad=True),
    "0-d tensor with grad": lambda *a, **k: torch.tensor(0.5, requires_grad=True),
    "bfloat16 tensor": lambda *a, **k: torch.ones(2, dtype=torch.bfloat16),
    "0-d array": lambda *a, **k: np.array(2.0),
    "empty array": lambda *a, **k: np.array([]),
    "big array": lambda *a, **k: np.zeros((40, 40)),
    "unconvertible": lambda *a, **k: BadArray(),
    "list of unconvertibles": lambda *a, **k: [BadArray(), BadArray()],
    "dict": lambda *a, **k: {"w": 1.0},
    "ragged list": lambda *a, **k: [[1.0, 2.0], [3.0]],
    "complex": lambda *a, **k: np.array([1 + 1j, 2.0]),
    "tensors with grad": lambda *a, **k: [torch.ones(2, requires_grad=True)] * 2,
    "tuple of None": lambda *a, **k: (None, None, None),
    "pair of generators": lambda *a, **k: ((x for x in "ab"), (x for x in "cd")),
    "a function": lambda *a, **k: print,
    "a module": lambda *a, **k: torch.nn.Linear(2, 2),
}


def late(name, bad):
    """Right on the first call, then ``bad``: the bad value arrives in the middle of a check."""
    calls = []

    def answer(*args, **kwargs):
        calls.append(1)
        return (REFERENCE[name] if len(calls) == 1 else bad)(*args, **kwargs)

    return answer


LATE = [
    "None",
    "NaN array",
    "ValueError",
    "generator",
    "tensor with grad",
    "unconvertible",
    "text",
    "tuple of None",
]


@pytest.mark.parametrize("name", CHECKS)
def test_bad_answers_get_a_check_error(name):
    """Each bad answer at the first call, and the most telling ones at a later call."""
    problems = []
    for bad, answer in BAD.items():
        later = bad in LATE and name in REFERENCE
        for when, fn in [("first", answer)] + ([("later", late(name, answer))] if later else []):
            _, problem = verdict(name, fn)
            if problem:
                problems.append(f"{bad} ({when} call): {problem}")
    assert not problems, "\n".join(problems)


def test_not_a_function():
    for name in CHECKS:
        assert "expected a function" in fails(name, np.zeros(3))


# --- shortcuts that passed before ----------------------------------------------------------------


def _key(args):
    parts = []
    for a in args:
        a = np.asarray(a) if not isinstance(a, torch.Tensor) else a.detach().numpy()
        parts.append((a.shape, a.tobytes()))
    return tuple(parts)


@pytest.mark.parametrize(
    "name",
    [
        n
        for n in CHECKS
        if n not in ("check_exp_penalty", "check_decay_param_groups", "check_recurrent_penalty")
    ],
)
def test_a_table_of_the_cases_seen_once_fails(name):
    """Record the reference's answers on one run, then answer from that table: the next run's
    fresh cases are not in it (the answer raises KeyError there)."""
    table, answer = {}, reference(name)

    def recorder(*args):
        table[_key(args)] = out = answer(*args)
        return out

    passes(name, recorder)
    fails(name, lambda *args: table[_key(args)], "KeyError")


def test_refine_grid_shortcuts():
    def by_ratio(lams, errors, n):
        i, r = int(np.argmin(errors)), lams[1] / lams[0]
        return np.geomspace(lams[i] / r if i else lams[i], lams[i] * r if i < len(lams) - 1 else lams[i], n)

    def last_index_6(lams, errors, n):
        i = int(np.argmin(errors))
        return np.geomspace(lams[max(i - 1, 0)], lams[min(i + 1, 6)], n)

    def factor_3(lams, errors, n):
        i = int(np.argmin(errors))
        return np.geomspace(lams[i] / 3 if i else lams[i], lams[i] * 3 if i < len(lams) - 1 else lams[i], n)

    fails("check_refine_grid", by_ratio, "fixed factor")
    fails("check_refine_grid", factor_3, "fixed factor")
    fails("check_refine_grid", last_index_6, "is wrong")
    fails("check_refine_grid", lambda lams, e, n: refine(lams, -np.asarray(e), n), "largest error")
    fails("check_refine_grid", lambda lams, e, n: np.log10(refine(lams, e, n)), "log10")


def _groups_by(select, factor=2.0):
    def make(model, l2):
        named = list(model.named_parameters())
        chosen = [p for k, (n, p) in enumerate(named) if select(k, n, p)]
        others = [p for k, (n, p) in enumerate(named) if not select(k, n, p)]
        return [{"params": chosen, "weight_decay": factor * l2}, {"params": others, "weight_decay": 0.0}]

    return make


def test_param_group_shortcuts():
    by_name = "chose the decayed parameters by their name"
    fails("check_decay_param_groups", _groups_by(lambda k, n, p: "weight" in n), by_name)
    fails("check_decay_param_groups", _groups_by(lambda k, n, p: "bias" not in n), by_name)
    fails("check_decay_param_groups", _groups_by(lambda k, n, p: k % 2 == 0), r"params\[0::2\]")

    def linear_only(model, l2):
        ids = {id(m.weight) for m in model.modules() if isinstance(m, torch.nn.Linear)}
        return _groups_by(lambda k, n, p: id(p) in ids)(model, l2)

    fails("check_decay_param_groups", linear_only, "Linear layers' weights only")
    fails("check_decay_param_groups", lambda model, l2: groups(model, 0.1), "is wrong")  # a fixed l2

    def modifies(model, l2):
        with torch.no_grad():
            for p in model.parameters():
                p.zero_()
        return groups(model, l2)

    fails("check_decay_param_groups", modifies, "changed the model")
    fails(
        "check_decay_param_groups",
        lambda model, l2: groups(model, l2) + [{"params": [next(model.parameters())]}],
        "more than one parameter group",
    )
    fails("check_decay_param_groups", lambda model, l2: [{"p": 1}], "no key 'params'")
    fails(
        "check_decay_param_groups",
        lambda model, l2: [{"params": list(model.parameters()), "weight_decay": "x"}],
        "could not take a step",
    )


def test_recurrent_penalty_shortcuts():
    def first_layer(rnn, a, b):
        return a * (rnn.weight_ih_l0**2).sum() + b * (rnn.weight_hh_l0**2).sum()

    def no_reverse(rnn, a, b):
        return sum(
            a * (getattr(rnn, f"weight_ih_l{k}") ** 2).sum()
            + b * (getattr(rnn, f"weight_hh_l{k}") ** 2).sum()
            for k in range(rnn.num_layers)
        )

    def by_position(rnn, a, b):  # right only when every layer has its two biases
        ps = list(rnn.parameters())
        return sum(a * (p**2).sum() for p in ps[0::4]) + sum(b * (p**2).sum() for p in ps[1::4])

    def called_backward(rnn, a, b):
        total = rnn_ref(rnn, a, b)
        total.backward()
        return total

    def zeroes_the_net(rnn, a, b):
        total = rnn_ref(rnn, a, b)
        with torch.no_grad():
            for p in rnn.parameters():
                p.zero_()
        return total

    fails("check_recurrent_penalty", first_layer, "only the first layer")
    fails("check_recurrent_penalty", no_reverse, "reverse direction")
    fails("check_recurrent_penalty", by_position, "reverse direction")
    fails("check_recurrent_penalty", called_backward, "without calling .backward")
    fails("check_recurrent_penalty", zeroes_the_net, "changed the network")
    fails("check_recurrent_penalty", lambda rnn, a, b: rnn_ref(rnn, a, b) ** 0.5, "is wrong")
    fails("check_recurrent_penalty", lambda rnn, a, b: torch.stack([rnn_ref(rnn, a, b)] * 2), "one number")


def test_exp_penalty_gradient_at_zero_must_be_finite():
    fails("check_exp_penalty", lambda w: (torch.exp(torch.sqrt(w**2)) - 1).sum(), "at w = 0")
    fails(
        "check_exp_penalty",
        lambda w: torch.tensor(float(torch.expm1(w.detach().abs()).sum()), requires_grad=True),
        "does not depend on w",
    )
    fails("check_exp_penalty", lambda w: torch.expm1(w.abs()).sum().backward(), "returned None")
    fails("check_exp_penalty", lambda w: torch.tensor(3), "int64")


def test_adamw_shortcuts():
    def fixed_betas(w, grad, m, v, t, lr, wd, beta1=0.9, beta2=0.999, eps=1e-8):
        return adamw(w, grad, m, v, t, lr, wd)

    def m_hat(w, grad, m, v, t, lr, wd, beta1=0.9, beta2=0.999, eps=1e-8):
        w2, m2, v2 = adamw(w, grad, m, v, t, lr, wd, beta1, beta2, eps)
        return w2, m2 / (1 - beta1**t), v2

    def eps_inside(w, grad, m, v, t, lr, wd, beta1=0.9, beta2=0.999, eps=1e-8):
        _, m2, v2 = adamw(w, grad, m, v, t, lr, wd, beta1, beta2, eps)
        return w * (1 - lr * wd) - lr * (m2 / (1 - beta1**t)) / np.sqrt(v2 / (1 - beta2**t) + eps), m2, v2

    def fixed_eps(w, grad, m, v, t, lr, wd, beta1=0.9, beta2=0.999, eps=1e-8):
        return adamw(w, grad, m, v, t, lr, wd, beta1, beta2)

    fails("check_adamw_step", fixed_betas, "beta1 = 0.9, not the beta1 argument")
    fails("check_adamw_step", m_hat, "bias-corrected m_hat")
    fails("check_adamw_step", eps_inside, "inside the square root")
    fails("check_adamw_step", fixed_eps, "eps = 1e-8, not the eps")


def test_hints_that_used_to_coincide_on_the_first_case():
    # 4.1 at t2 = 0.5: dividing by 2*t2 looked like leaving out the L2 term
    fails("check_enet_prox", lambda v, t1, t2: soft(v, t1) / (2 * t2), "divided by 2\\*t2")
    fails("check_enet_prox", lambda v, t1, t2: soft(v, t1), "left out the L2 term")
    # 5.1 at t = 1 with m = 0: m_hat = m_new / (1 - beta1) equalled "forgets (1 - beta1)"
    fails("check_adamw_step", lambda w, g, m, v, t, lr, wd, b1, b2, eps: (w, b1 * m + g, v), r"\(1 - beta1\)")
    # 5.3 at l1_ratio = 0.5: swapping r and 1 - r gave the right answer
    fails("check_elasticnet_to_course", lambda a, r: (2 * a * (1 - r), a * r), "l1_ratio and 1 - l1_ratio")
    # 8.2: a one-layer net cannot tell "first layer only" from "weight_ih_l0 and weight_hh_l0 only"
    fails(
        "check_recurrent_penalty",
        lambda rnn, a, b: a * (rnn.weight_ih_l0**2).sum() + b * (rnn.weight_hh_l0**2).sum(),
        "^Exercise 8.2: only the first layer",
    )


# --- correct but unusual answers -----------------------------------------------------------------


def f32(fn):
    """The reference, computed and returned in float32 (numpy)."""

    def answer(*args):
        args = [np.asarray(a, dtype=np.float32) if isinstance(a, np.ndarray) else a for a in args]
        out = fn(*args)
        if isinstance(out, tuple):
            return tuple(np.asarray(o, dtype=np.float32) for o in out)
        return np.asarray(out, dtype=np.float32)

    return answer


def as_torch(fn, dtype=torch.float64):
    def answer(*args):
        out = fn(*args)
        if isinstance(out, tuple):
            return tuple(torch.as_tensor(np.asarray(o), dtype=dtype) for o in out)
        return torch.as_tensor(np.asarray(out), dtype=dtype)

    return answer


def as_list(fn):
    return lambda *args: list(fn(*args))


def stacked(fn):
    return lambda *args: np.stack([np.asarray(o, dtype=float) for o in fn(*args)])


def one_element(fn):
    return lambda *args: np.array([fn(*args)]).reshape(1)


UNUSUAL = [
    ("check_worst_case_perturbation", f32(REFERENCE["check_worst_case_perturbation"])),
    ("check_worst_case_perturbation", as_torch(REFERENCE["check_worst_case_perturbation"], torch.float32)),
    ("check_worst_case_perturbation", as_list(REFERENCE["check_worst_case_perturbation"])),
    ("check_min_norm_interpolant", lambda X, y: np.linalg.pinv(X) @ y),
    ("check_min_norm_interpolant", lambda X, y: np.linalg.lstsq(X, y, rcond=None)[0]),
    (
        "check_min_norm_interpolant",
        lambda X, y: (
            torch.linalg.pinv(torch.tensor(X, dtype=torch.float32)) @ torch.tensor(y, dtype=torch.float32)
        ),
    ),
    ("check_l2_gradient", lambda w, lam: torch.func.grad(lambda t: lam * (t**2).sum())(torch.tensor(w))),
    ("check_l2_gradient", f32(REFERENCE["check_l2_gradient"])),
    ("check_l2_step", f32(REFERENCE["check_l2_step"])),
    ("check_l2_step", lambda w, g, lr, lam: (w - lr * (g + 2 * lam * w)).tolist()),
    ("check_ridge_closed_form", f32(REFERENCE["check_ridge_closed_form"])),
    ("check_soft_threshold", lambda w, t: np.where(np.abs(w) > t, w - t * np.sign(w), 0.0)),
    ("check_soft_threshold", f32(soft)),
    (
        "check_soft_threshold",
        lambda w, t: torch.sign(torch.tensor(w)) * torch.clamp(torch.tensor(w).abs() - t, min=0),
    ),
    ("check_cumulative_penalty", as_list(rc.sparse.cumulative_penalty)),
    ("check_cumulative_penalty", stacked(rc.sparse.cumulative_penalty)),
    ("check_cumulative_penalty", f32(rc.sparse.cumulative_penalty)),
    ("check_l1_max", one_element(REFERENCE["check_l1_max"])),
    ("check_l1_max", f32(REFERENCE["check_l1_max"])),
    ("check_l1_max", lambda X, y: float(REFERENCE["check_l1_max"](X, y))),
    ("check_enet_prox", f32(REFERENCE["check_enet_prox"])),
    ("check_enet_prox", as_list(REFERENCE["check_enet_prox"])),
    ("check_exp_penalty", lambda w: torch.expm1(w.float().abs()).sum()),
    ("check_exp_penalty", lambda w: (torch.exp(w.abs()) - 1).sum().reshape(1)),
    ("check_adamw_step", as_list(adamw)),
    ("check_adamw_step", stacked(adamw)),
    ("check_adamw_step", f32(adamw)),
    ("check_adamw_step", as_torch(adamw)),
    ("check_elasticnet_to_course", lambda a, r: [2 * a * r, a * (1 - r)]),
    ("check_elasticnet_to_course", lambda a, r: np.array([2 * a * r, a * (1 - r)])),
    ("check_elasticnet_to_course", lambda a, r: (np.float32(2 * a * r), torch.tensor([a * (1 - r)]))),
    ("check_refine_grid", lambda lams, e, n: np.logspace(*np.log10(refine(lams, e, n)[[0, -1]]), n)),
    ("check_refine_grid", as_list(refine)),
    ("check_refine_grid", as_torch(refine, torch.float32)),
    ("check_bias2_variance", stacked(REFERENCE["check_bias2_variance"])),
    ("check_bias2_variance", as_torch(REFERENCE["check_bias2_variance"], torch.float32)),
    ("check_bias2_variance", lambda p, f: [np.array([v]) for v in REFERENCE["check_bias2_variance"](p, f)]),
    ("check_scale_with_train_stats", as_list(REFERENCE["check_scale_with_train_stats"])),
    ("check_scale_with_train_stats", as_torch(REFERENCE["check_scale_with_train_stats"])),
    ("check_ridge_per_feature", as_list(ridge_pf)),
    (
        "check_ridge_per_feature",
        lambda X, y, l2s: (ridge_pf(X, y, l2s)[0], np.array([ridge_pf(X, y, l2s)[1]])),
    ),
    ("check_decay_param_groups", lambda model, l2: (g for g in groups(model, l2))),
    ("check_decay_param_groups", lambda model, l2: tuple(reversed(groups(model, l2)))),
    (
        "check_decay_param_groups",
        lambda model, l2: [
            {
                "params": [p for n, p in model.named_parameters() if p.ndim < 2 and "bias" in n],
                "weight_decay": 0,
            },
            {"params": [p for n, p in model.named_parameters() if p.ndim < 2 and "bias" not in n]},
            {"params": [p for p in model.parameters() if p.ndim >= 2], "weight_decay": 2 * l2},
        ],
    ),
    (
        "check_recurrent_penalty",
        lambda rnn, a, b: sum(a * (w[0] ** 2).sum() + b * (w[1] ** 2).sum() for w in rnn.all_weights),
    ),
    ("check_recurrent_penalty", lambda rnn, a, b: rnn_ref(rnn, a, b).reshape(1, 1)),
    (
        "check_recurrent_penalty",
        lambda rnn, a, b: sum(
            (a if "_ih_" in n else b) * (p.float() ** 2).sum()
            for n, p in rnn.named_parameters()
            if n.startswith("weight")
        ),
    ),
    (
        "check_kh_ridge",
        lambda X, y, lam: np.linalg.lstsq(X.T @ X + lam * np.eye(X.shape[1]), X.T @ y, rcond=None)[0],
    ),
    ("check_kh_ridge", f32(REFERENCE["check_kh_ridge"])),
    (
        "check_product_hessian",
        lambda w1, w2, t, l2: torch.autograd.functional.hessian(
            lambda w: (w[0] * w[1] - t) ** 2 + l2 * (w**2).sum(), torch.tensor([w1, w2])
        ),
    ),
    ("check_product_hessian", lambda *a: hessian(*a).tolist()),
    ("check_equivalent_l2", one_element(REFERENCE["check_equivalent_l2"])),
    ("check_equivalent_l2", lambda l2, s: torch.tensor(l2 * s**2, dtype=torch.float32)),
    ("check_equivalent_l2", lambda l2, s: np.float32(l2) * np.float32(s) ** 2),
]


@pytest.mark.parametrize("name, answer", UNUSUAL, ids=[f"{n}-{k}" for k, (n, _) in enumerate(UNUSUAL)])
def test_correct_but_unusual_answer_passes(name, answer):
    if name not in CHECKS:
        pytest.skip(f"{name} is no longer a check")
    passes(name, answer)


# --- the safety net -----------------------------------------------------------------------------


def test_guarded_turns_any_crash_of_a_check_into_a_check_error():
    def check_something(answer):
        """Exercise 99.9: docstring label."""
        ex = "Exercise 99.1"
        return answer()[ex]  # crashes on anything but a dict holding ex

    guarded = _core.guarded(check_something)
    with pytest.raises(CheckError, match=rf"^Exercise 99\.1: {GUARD} \(TypeError"):
        guarded(lambda: 3)
    with pytest.raises(CheckError, match="^Exercise 99.1 is not done yet"):
        guarded(lambda: _core.run(_raise(NotImplementedError()), exercise="Exercise 99.1"))
    assert guarded(lambda: {"Exercise 99.1": 7}) == 7 and _core.guarded(guarded) is guarded

    def no_label(answer):
        """Exercise 99.9: docstring label."""
        raise RuntimeError("boom")

    with pytest.raises(CheckError, match=r"^Exercise 99\.9: "):
        _core.guarded(no_label)(None)


# --- messages ------------------------------------------------------------------------------------


def test_mismatch_reports_differences_tolerance_and_dtypes():
    message = fails("check_l2_gradient", lambda w, lam: 2 * lam * w + 0.01)
    assert "Largest absolute difference 0.01" in message
    assert "largest relative difference" in message and "allowed: 1e-09 + 1e-06 × |expected|" in message
    assert "Dtypes: yours float64, the reference float64." in message


def test_a_float32_answer_that_misses_by_rounding_says_so():
    # a float32 answer off by 1e-3 relative: more than float32 tolerance, little enough to be rounding
    message = fails("check_l2_gradient", lambda w, lam: (2 * lam * w * (1 + 2e-4)).astype(np.float32))
    assert "Dtypes: yours float32" in message and "float32 rounding is the cause" in message
    message = fails("check_l2_gradient", lambda w, lam: torch.tensor(3 * lam * w, dtype=torch.float32))
    assert "torch.float32" in message and "too large to be float32 rounding" in message
    message = fails("check_l2_gradient", lambda w, lam: torch.tensor(2 * lam * w, dtype=torch.float16))
    assert "torch.float16, which keeps about 3 significant digits" in message


def test_shape_messages():
    assert "one number" in fails("check_l1_max", lambda X, y: np.abs(X.T @ y))
    assert "transposed" in fails("check_l2_step", lambda *a: REFERENCE["check_l2_step"](*a).T)
    assert "another shape" in fails("check_l2_gradient", lambda w, lam: (2 * lam * w).reshape(-1, 1))


# --- hints are unambiguous -----------------------------------------------------------------------


def _record(monkeypatch):
    calls = []
    for module in {getattr(rc.checks, n).__wrapped__.__module__ for n in CHECKS}:
        mod = sys.modules[module]
        original = mod.expect_close

        def recorder(got, expected, exercise, what, *args, _orig=original, **kwargs):
            calls.append((exercise, what, expected, kwargs))
            return _orig(got, expected, exercise, what, *args, **kwargs)

        monkeypatch.setattr(mod, "expect_close", recorder)
    return calls


@pytest.mark.parametrize("name", CHECKS)
def test_each_hint_is_unambiguous_where_its_mistake_first_shows(name, monkeypatch):
    answer = reference(name)
    calls = _record(monkeypatch)
    passes(name, answer)
    seen = set()
    for exercise, what, expected, kwargs in calls:
        expected = np.asarray(expected, dtype=float)
        rtol, atol = kwargs.get("rtol", 1e-6), kwargs.get("atol", 1e-9)
        values = [(_core._hint_value(v), m) for v, m in kwargs.get("hints", ())]
        values = [
            (v, m)
            for v, m in values
            if v is not None
            and v.shape == expected.shape
            and np.all(np.isfinite(v))
            and not _core._close(v, expected, rtol, atol)
        ]
        for value, message in values:
            if message in seen:
                continue
            seen.add(message)  # the first case where this mistake shows: nothing else may look like it
            others = [m for v, m in values if m != message and _core._close(value, v, rtol, atol)]
            assert not others, f"{exercise} {what}: '{message[:50]}' coincides with '{others[0][:50]}'"


# --- the chapters' own solutions -----------------------------------------------------------------


def _solutions():
    found = []
    for path in sorted(CHAPTERS.glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] == "code" and "### BEGIN SOLUTION" in source:
                for name in re.findall(r"rc\.checks\.(check_\w+)\(", source):
                    found.append((name, path.name, source))
    return found


SOLUTIONS = _solutions()


@pytest.mark.parametrize("name, chapter, source", SOLUTIONS, ids=[s[0] for s in SOLUTIONS])
def test_the_chapter_solution_passes_its_check(name, chapter, source):
    answer, _ = editions.split_answer_and_check(source)
    namespace = {"np": np, "torch": torch, "rc": rc}
    exec(compile(answer, chapter, "exec"), namespace)
    fn = re.search(rf"rc\.checks\.{name}\((\w+)\)", source).group(1)
    passes(name, namespace[fn])


def test_every_check_called_by_a_chapter_has_a_solution_there():
    assert sorted({s[0] for s in SOLUTIONS}) == sorted(CALLED)
