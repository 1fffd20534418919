"""One base seed for the whole course (every chapter; ``make robust`` varies it).

    base      = int(os.environ["REGCOURSE_SEED"])    (0 when unset; the book prints base 0)
    seed(k)   = base * SPAN + k                       (k = 0 .. SPAN-1: one chapter's k-th stream)
    seeds(n)  = range(seed(start), seed(start) + n)   (n paired replicates)
    rng(k)    = numpy.random.default_rng(seed(k))

Bases never share a seed (each owns the block [base*SPAN, (base+1)*SPAN)), so a
robustness run over bases 0..K-1 draws K fresh, disjoint samples of every experiment.
"""

from __future__ import annotations

import numbers
import os

import numpy as np

__all__ = ["ENV", "SPAN", "seed_base", "seed", "seeds", "rng"]

ENV = "REGCOURSE_SEED"
SPAN = 100_000  # seeds per base; a chapter's offsets k must stay below it


def seed_base() -> int:
    """The course's base seed: the integer in $REGCOURSE_SEED (>= 0), or 0 when it is unset."""
    raw = os.environ.get(ENV, "").strip()
    if raw == "":
        return 0
    try:
        base = int(raw)
    except ValueError:
        raise ValueError(f"{ENV} must be a whole number >= 0, got {raw!r}") from None
    if base < 0:
        raise ValueError(f"{ENV} must be a whole number >= 0, got {raw!r}")
    return base


def _offset(name: str, k) -> int:
    if isinstance(k, bool) or not isinstance(k, numbers.Integral):
        raise TypeError(f"{name} must be a whole number, got {k!r} ({type(k).__name__})")
    if not 0 <= k < SPAN:
        raise ValueError(f"{name} must lie in [0, {SPAN}), got {k!r}")
    return int(k)


def seed(k: int = 0) -> int:
    """The k-th seed of the current base: ``seed_base() * SPAN + k``."""
    return seed_base() * SPAN + _offset("k", k)


def seeds(n: int, start: int = 0) -> range:
    """``n`` consecutive seeds of the current base, from offset ``start``: the replicates of an experiment."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"n must be a whole number, got {n!r} ({type(n).__name__})")
    start = _offset("start", start)
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n!r}")
    if start + n > SPAN:
        raise ValueError(f"start + n must be at most {SPAN}, got start={start}, n={n}")
    first = seed(start)
    return range(first, first + n)


def rng(k: int = 0) -> np.random.Generator:
    """``numpy.random.default_rng(seed(k))``: a generator on the k-th seed of the current base."""
    return np.random.default_rng(seed(k))
