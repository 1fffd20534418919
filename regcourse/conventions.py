"""Conversions between the course's penalty strengths and other conventions (chapter 05).

The course minimises  J = L + l1 * sum|w| + l2 * sum w^2,  with L the MEAN data loss
over the m = n_samples training examples, over the weights only.

    source                  its parameters            the course's (l1, l2)
    "course"                l1, l2                    (l1, l2)
    "keras"                 l1, l2 (L1L2 / L1 / L2)   (l1, l2)        loss is a mean over the batch
    "keras_sgd_weight_decay" weight_decay, momentum=0 (0, weight_decay / 2)  every variable, biases too
    "lecture_notes"         lam   (lam/2m)*sum||W||_F^2   (0, lam / (2m))    needs n_samples
    "goodfellow"            alpha (alpha/2) w^T w     (0, alpha / 2)
    "torch_weight_decay"    weight_decay              (0, weight_decay / 2)  SGD (any momentum), Adam
    "sum_loss"              l1, l2 on a SUM loss      (l1 / m, l2 / m)   needs n_samples
    "sklearn_ridge"         alpha                     (0, alpha / m)     needs n_samples
    "sklearn_lasso"         alpha                     (2 * alpha, 0)
    "sklearn_elasticnet"    alpha, l1_ratio           (2*alpha*l1_ratio, alpha*(1 - l1_ratio))
    "sklearn_logistic"      C   (L2, a SUM of log-losses)  (0, 1 / (2 * m * C))  needs n_samples
    "sklearn_logistic_l1_ratio" C, l1_ratio = r         (r / (m*C), (1 - r) / (2*m*C))  needs n_samples
                            LogisticRegression(C=C, l1_ratio=r), scikit-learn >= 1.8's spelling:
                            r = 1 is the L1 penalty (penalty="l1" before), r = 0 the L2 one.
                            The intercept is not penalized, except by solver="liblinear", which
                            fits it as the weight of a constant column intercept_scaling and
                            penalizes that weight like the others (chapter 03).

Decoupled weight decay under an adaptive or momentum optimizer is no penalty on the loss, so
these have no course lambda and raise a ValueError that says why (NO_COURSE_LAMBDA):
"torch_adamw", "keras_adamw", "keras_adam_weight_decay", and "keras_sgd_weight_decay" with
momentum > 0.

    to_course(source, n_samples=None, **params)     -> {"l1": ..., "l2": ...}
    from_course(target, l1=0, l2=0, n_samples=None) -> {param: value} for ``target``

so that ``to_course(t, **from_course(t, l1, l2, n_samples=m), n_samples=m)`` gives back (l1, l2).
"""

from __future__ import annotations

import math

from . import _validate as v

__all__ = ["CONVENTIONS", "NO_COURSE_LAMBDA", "to_course", "from_course"]

#: name -> (parameters, formula of its objective, the course's lambda, needs n_samples)
CONVENTIONS = {
    "course": (("l1", "l2"), "L + l1*sum|w| + l2*sum w^2 (L a mean)", "l1 = l1, l2 = l2", False),
    "keras": (
        ("l1", "l2"),
        "mean loss + l1*sum|w| + l2*sum w^2 (regularizers.L1L2)",
        "l1 = l1, l2 = l2",
        False,
    ),
    "keras_sgd_weight_decay": (
        ("weight_decay", "momentum"),
        "keras SGD(weight_decay=wd): w <- w - lr*wd*w on every trainable "
        "variable (biases too unless exclude_from_weight_decay), then the step",
        "l2 = weight_decay / 2 (momentum 0)",
        False,
    ),
    "lecture_notes": (("lam",), "L + (lam/2m) * sum_l ||W_l||_F^2", "l2 = lam / (2m)", True),
    "goodfellow": (("alpha",), "L + (alpha/2) w^T w", "l2 = alpha / 2", False),
    "torch_weight_decay": (
        ("weight_decay",),
        "gradient of L + weight_decay * w (SGD with any momentum, Adam)",
        "l2 = weight_decay / 2",
        False,
    ),
    "sum_loss": (("l1", "l2"), "sum_i loss_i + l1*sum|w| + l2*sum w^2", "l1 = l1 / m, l2 = l2 / m", True),
    "sklearn_ridge": (("alpha",), "||y - Xw||^2 + alpha ||w||^2 (a sum of squares)", "l2 = alpha / m", True),
    "sklearn_lasso": (("alpha",), "(1/2m)||y - Xw||^2 + alpha ||w||_1", "l1 = 2 alpha", False),
    "sklearn_elasticnet": (
        ("alpha", "l1_ratio"),
        "(1/2m)||y - Xw||^2 + alpha*r*||w||_1 + (alpha*(1-r)/2)*||w||^2",
        "l1 = 2 alpha r, l2 = alpha (1 - r)",
        False,
    ),
    "sklearn_logistic": (("C",), "(1/2) w^T w + C * sum_i logloss_i", "l2 = 1 / (2 m C)", True),
    "sklearn_logistic_l1_ratio": (
        ("C", "l1_ratio"),
        "C * sum_i logloss_i + r*||w||_1 + ((1-r)/2)*||w||^2 (l1_ratio = r)",
        "l1 = r / (m C), l2 = (1 - r) / (2 m C)",
        True,
    ),
}

_ADAM_DECOUPLED = (
    "applies decoupled weight decay w <- w - lr*weight_decay*w outside Adam's scaling "
    "(AdamW); under Adam that equals no L2 penalty on the loss (full batch it tends to "
    "min L subject to max|w| <= 1/weight_decay), so there is no course lambda for it "
    "(chapter 05). For plain SGD, decoupled decay wd equals l2 = wd / 2."
)
_KERAS_MOMENTUM = (
    "keras SGD's weight_decay is decoupled: w <- w - lr*weight_decay*w outside the "
    "momentum buffer, while an L2 penalty's gradient goes through the buffer (as in "
    "torch's SGD(momentum, weight_decay)); with momentum > 0 it equals no penalty on "
    "the loss, so there is no course lambda (chapter 05). With momentum=0 it is "
    "l2 = weight_decay / 2."
)

#: name -> why that convention has no course lambda
NO_COURSE_LAMBDA = {
    "torch_adamw": "torch's AdamW " + _ADAM_DECOUPLED,
    "keras_adamw": "keras.optimizers.AdamW " + _ADAM_DECOUPLED,
    "keras_adam_weight_decay": (
        "keras.optimizers.Adam(weight_decay=...), unlike torch's Adam(weight_decay), " + _ADAM_DECOUPLED
    ),
}


def _name(kind: str, name) -> str:
    if not isinstance(name, str):
        raise TypeError(f"{kind} must be a convention name (str), got {type(name).__name__}")
    if name in NO_COURSE_LAMBDA:
        raise ValueError(f"{kind}={name!r}: {NO_COURSE_LAMBDA[name]}")
    return v.one_of(kind, name, CONVENTIONS)


def _m(name: str, n_samples) -> float:
    if n_samples is None:
        raise ValueError(
            f"n_samples is needed for the {name!r} convention "
            f"({CONVENTIONS[name][2]}, m = number of training examples)"
        )
    return float(v.positive_int("n_samples", n_samples))


def to_course(source: str, n_samples=None, **params) -> dict:
    """The course's {"l1", "l2"} for a penalty written in the ``source`` convention.

    Example: ``to_course("sklearn_ridge", alpha=4.0, n_samples=100)`` -> {"l1": 0.0, "l2": 0.04}.
    """
    source = _name("source", source)
    names = CONVENTIONS[source][0]
    unknown = sorted(set(params) - set(names))
    if unknown:
        raise ValueError(f"unknown parameter(s) {unknown} for source {source!r}; it takes {list(names)}")
    p = {k: params.get(k, 0.0) for k in names}
    if source == "sklearn_elasticnet":
        if "alpha" not in params or "l1_ratio" not in params:
            raise ValueError("source 'sklearn_elasticnet' needs both alpha and l1_ratio")
        alpha, r = v.nonneg("alpha", p["alpha"]), v.nonneg("l1_ratio", p["l1_ratio"])
        if r > 1:
            raise ValueError(f"l1_ratio must lie in [0, 1], got {r}")
        return {"l1": 2.0 * alpha * r, "l2": alpha * (1.0 - r)}
    if source == "sklearn_logistic_l1_ratio":
        if "C" not in params or "l1_ratio" not in params:
            raise ValueError(
                "source 'sklearn_logistic_l1_ratio' needs both C and l1_ratio "
                "(l1_ratio=1 for the L1 penalty, 0 for L2)"
            )
        C = v.positive("C", p["C"]) if p["C"] != math.inf else math.inf
        r = v.nonneg("l1_ratio", p["l1_ratio"])
        if r > 1:
            raise ValueError(f"l1_ratio must lie in [0, 1], got {r}")
        inv = 1.0 / (_m(source, n_samples) * C)  # 1 / (m C): the course's strength per unit
        return {"l1": r * inv, "l2": (1.0 - r) * inv / 2.0}
    if source == "sklearn_logistic":
        if "C" not in params:
            raise ValueError("source 'sklearn_logistic' needs C")
        C = v.positive("C", p["C"]) if p["C"] != math.inf else math.inf
        return {"l1": 0.0, "l2": 1.0 / (2.0 * _m(source, n_samples) * C)}
    vals = {k: v.nonneg(k, val) for k, val in p.items()}
    if source in ("course", "keras"):
        return {"l1": vals["l1"], "l2": vals["l2"]}
    if source == "keras_sgd_weight_decay":
        if vals["momentum"]:
            raise ValueError(
                f"source='keras_sgd_weight_decay' with momentum={vals['momentum']}: {_KERAS_MOMENTUM}"
            )
        return {"l1": 0.0, "l2": vals["weight_decay"] / 2.0}
    if source == "lecture_notes":
        return {"l1": 0.0, "l2": vals["lam"] / (2.0 * _m(source, n_samples))}
    if source == "goodfellow":
        return {"l1": 0.0, "l2": vals["alpha"] / 2.0}
    if source == "torch_weight_decay":
        return {"l1": 0.0, "l2": vals["weight_decay"] / 2.0}
    if source == "sum_loss":
        m = _m(source, n_samples)
        return {"l1": vals["l1"] / m, "l2": vals["l2"] / m}
    if source == "sklearn_ridge":
        return {"l1": 0.0, "l2": vals["alpha"] / _m(source, n_samples)}
    return {"l1": 2.0 * vals["alpha"], "l2": 0.0}  # sklearn_lasso


def from_course(target: str, l1=0.0, l2=0.0, n_samples=None) -> dict:
    """The ``target`` convention's parameters for the course's (l1, l2), as a dict of keyword arguments.

    Example: ``from_course("torch_weight_decay", l2=0.01)`` -> {"weight_decay": 0.02};
    ``from_course("sklearn_logistic_l1_ratio", l1=0.01, n_samples=400)`` -> {"C": 0.25,
    "l1_ratio": 1.0}, the keywords of ``LogisticRegression`` (with solver="saga").
    Raises ValueError when the target cannot express the penalty (e.g. an L1 part for Ridge).
    ``keras_sgd_weight_decay`` returns {"weight_decay": 2*l2} for plain SGD (momentum 0): it decays
    the biases too unless they are excluded with ``exclude_from_weight_decay``.
    """
    target = _name("target", target)
    l1, l2 = v.nonneg("l1", l1), v.nonneg("l2", l2)
    if target in ("course", "keras"):
        return {"l1": l1, "l2": l2}
    if target == "sum_loss":
        m = _m(target, n_samples)
        return {"l1": l1 * m, "l2": l2 * m}
    if target == "sklearn_lasso":
        if l2:
            raise ValueError(f"l2={l2}: sklearn_lasso has no L2 part; use 'sklearn_elasticnet'")
        return {"alpha": l1 / 2.0}
    if target == "sklearn_elasticnet":
        alpha = l1 / 2.0 + l2
        return {"alpha": alpha, "l1_ratio": (l1 / 2.0) / alpha if alpha else 0.0}
    if target == "sklearn_logistic_l1_ratio":
        m = _m(target, n_samples)
        total = l1 + 2.0 * l2  # = 1 / (m C)
        return {"C": 1.0 / (m * total) if total else math.inf, "l1_ratio": l1 / total if total else 0.0}
    if l1:
        raise ValueError(f"l1={l1}: the {target!r} convention has no L1 part")
    if target == "lecture_notes":
        return {"lam": 2.0 * _m(target, n_samples) * l2}
    if target == "goodfellow":
        return {"alpha": 2.0 * l2}
    if target in ("torch_weight_decay", "keras_sgd_weight_decay"):
        return {"weight_decay": 2.0 * l2}
    if target == "sklearn_ridge":
        return {"alpha": _m(target, n_samples) * l2}
    m = _m(target, n_samples)  # sklearn_logistic
    return {"C": 1.0 / (2.0 * m * l2) if l2 else math.inf}
