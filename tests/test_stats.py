"""regcourse.stats.paired against numpy / scipy's paired t statistic."""

import math

import numpy as np
import pytest
from scipy import stats as sps

from regcourse import stats


def test_paired_matches_scipy_ttest_rel():
    rng = np.random.default_rng(0)
    a, b = rng.normal(1.0, 1.0, 40), rng.normal(0.7, 1.0, 40)
    g = stats.paired(a - b)
    ref = sps.ttest_rel(a, b)
    assert g.n == 40 and math.isclose(g.t, ref.statistic, rel_tol=1e-12)
    assert math.isclose(g.mean, np.mean(a - b)) and math.isclose(g.se, sps.sem(a - b), rel_tol=1e-12)
    assert g.wins + g.losses + g.ties == 40


def test_counts_and_text():
    g = stats.paired([1.0, -2.0, 0.0, 3.0])
    assert (g.wins, g.losses, g.ties) == (2, 1, 1)
    assert "2 wins / 1 losses / 1 ties" in str(g) and "n = 4" in str(g)
    assert stats.paired([2.0, 2.0]).t == math.inf and stats.paired([-1.0, -1.0]).t == -math.inf
    assert math.isnan(stats.paired([0.0, 0.0]).t)


def test_bad_input():
    with pytest.raises(ValueError, match="at least 2"):
        stats.paired([1.0])
    with pytest.raises(ValueError, match="d contains"):
        stats.paired([1.0, np.nan])
    with pytest.raises(ValueError, match="d"):
        stats.paired(np.ones((2, 2)))
    with pytest.raises(TypeError, match="d"):
        stats.paired("ab")


def test_two_arms_match_scipy_ttest_rel():
    a = np.array([1.0, 2.5, 0.3, 4.0, 2.0, 2.0])
    b = np.array([0.5, 2.0, 0.8, 3.0, 1.0, 2.0])
    p = stats.paired(a, b)
    assert (p.wins, p.losses, p.ties) == (4, 1, 1) and np.array_equal(p.d, a - b)
    assert p.z == p.t == pytest.approx(sps.ttest_rel(a, b).statistic)
    assert p.mean == pytest.approx(2.5 / 6) and "4 wins / 1 losses / 1 ties" in str(p)
    assert stats.paired(a - b).se == p.se
    with pytest.raises(ValueError, match="b must have the shape of a"):
        stats.paired(a, b[:-1])
    with pytest.raises(ValueError, match="a contains"):
        stats.paired([1.0, np.nan], [0.0, 0.0])
    with pytest.raises(ValueError, match="b contains"):
        stats.paired([1.0, 2.0], [0.0, np.inf])
