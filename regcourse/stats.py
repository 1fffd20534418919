"""Paired comparisons over seeds (every chapter; the course's way of stating a random effect).

For per-seed differences d_i = metric_A(seed i) - metric_B(seed i), both arms on the same
data and initialization (``paired(d)``, or ``paired(a, b)`` for d = a - b):

    mean = (1/n) sum_i d_i,   SE = sd(d) / sqrt(n)   (sd with ddof = 1),   t = mean / SE,
    wins = #{d_i > 0},  losses = #{d_i < 0},  ties = #{d_i = 0}.

"A beats B" is asserted as ``mean > 3 * SE`` (one-sided p ~ 0.001) and the size the text states.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import _validate as v

__all__ = ["Paired", "paired"]


@dataclass(frozen=True)
class Paired:
    """The n paired differences ``d``, their mean, standard error and win/loss/tie counts."""

    d: np.ndarray
    mean: float
    se: float
    wins: int
    losses: int
    ties: int

    @property
    def n(self) -> int:
        """The number of paired differences."""
        return len(self.d)

    @property
    def t(self) -> float:
        """mean / SE (inf with the sign of the mean when SE = 0 and mean != 0; nan for all zeros)."""
        if self.se > 0:
            return self.mean / self.se
        return math.copysign(math.inf, self.mean) if self.mean else math.nan

    @property
    def z(self) -> float:
        """The same ratio as ``t`` (mean / SE), under the name of a z-score."""
        return self.t

    def __str__(self) -> str:
        return (
            f"{self.mean:.3g} ± {self.se:.2g} (SE, n = {self.n}); "
            f"{self.wins} wins / {self.losses} losses / {self.ties} ties"
        )


def paired(a, b=None) -> Paired:
    """Summarise the paired differences d = a - b (or ``a`` itself when ``b`` is None).

    One finite number per seed, at least two; ``a`` and ``b`` one-dimensional and of the
    same length, both arms run on the same data and initialization.
    """
    name = "d" if b is None else "a"
    d = v.finite_array(name, a, ndim=1)
    if b is not None:
        b = v.finite_array("b", b, ndim=1)
        if b.shape != d.shape:
            raise ValueError(f"b must have the shape of a {d.shape}, got {b.shape}")
        d = d - b
    if len(d) < 2:
        raise ValueError(f"{name} must hold at least 2 paired differences, got {len(d)}")
    return Paired(
        d=d,
        mean=float(d.mean()),
        se=float(d.std(ddof=1) / math.sqrt(len(d))),
        wins=int(np.sum(d > 0)),
        losses=int(np.sum(d < 0)),
        ties=int(np.sum(d == 0)),
    )
