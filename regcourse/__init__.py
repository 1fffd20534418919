"""regcourse: the small, tested library behind the course on weight regularization.

Convention everywhere: regularized loss = data loss + l1 * sum|w| + l2 * sum w^2,
over weights; biases excluded unless ``include_bias=True``.
"""

from . import (
    batched,
    checks,
    conventions,
    data,
    implicit,
    metrics,
    models,
    optim,
    penalties,
    plots,
    seeding,
    solvers,
    stats,
    train,
    tuning,
    updates,
)
from .batched import fit_many
from .data import make_moons, make_sparse_regression, standardize
from .metrics import sparsity
from .penalties import l1_penalty, l2_penalty, model_penalty, penalty_grad
from .seeding import rng, seed, seed_base, seeds
from .train import fit

__version__ = "0.1.0"
__all__ = [
    "batched",
    "checks",
    "conventions",
    "data",
    "implicit",
    "metrics",
    "models",
    "optim",
    "penalties",
    "plots",
    "seeding",
    "solvers",
    "stats",
    "train",
    "tuning",
    "updates",
    "fit",
    "fit_many",
    "l1_penalty",
    "l2_penalty",
    "model_penalty",
    "penalty_grad",
    "sparsity",
    "make_moons",
    "make_sparse_regression",
    "standardize",
    "seed_base",
    "seed",
    "seeds",
    "rng",
]
