"""regcourse.tuning: grids, search, validation curves, bias-variance, seeds."""
import numpy as np
import pytest
from sklearn.linear_model import Ridge

import regcourse as rc
from regcourse import tuning as tu


def test_log_grid():
    np.testing.assert_allclose(tu.log_grid(-4, -1), [1e-4, 1e-3, 1e-2, 1e-1])
    np.testing.assert_allclose(tu.log_grid(0, 0), [1.0])
    with pytest.raises(ValueError, match="hi"):
        tu.log_grid(2, 1)
    with pytest.raises(TypeError, match="lo"):
        tu.log_grid(0.5, 2)


def test_refine_grid_between_neighbours_on_log_scale():
    lams = tu.log_grid(-4, 0)
    fine = tu.refine_grid(lams, [5.0, 4.0, 1.0, 3.0, 6.0], n=5)
    np.testing.assert_allclose(fine, [1e-3, 10 ** -2.5, 1e-2, 10 ** -1.5, 1e-1])
    assert np.allclose(np.diff(np.log10(fine)), 0.5)
    # best at an end: the best itself is that end; unsorted input is sorted first
    np.testing.assert_allclose(tu.refine_grid(lams[::-1], [5.0, 4.0, 3.0, 2.0, 1.0], n=3),
                               [1e-4, 10 ** -3.5, 1e-3])
    with pytest.raises(ValueError, match="errors"):
        tu.refine_grid(lams, [1.0, 2.0])
    with pytest.raises(ValueError, match="lams"):
        tu.refine_grid([0.0, 1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="n"):
        tu.refine_grid(lams, np.arange(5.0), n=1)


def test_grid_search_and_refine_find_the_minimum_of_a_known_curve():
    score = lambda lam: (np.log10(lam) + 1.3) ** 2  # minimum at 10**-1.3
    best, scores = tu.grid_search(score, tu.log_grid(-4, 1))
    assert best == pytest.approx(0.1) and len(scores) == 6
    res = tu.search_then_refine(score, tu.log_grid(-4, 1), n=41)  # steps of 0.05 decade
    assert res["best"] == pytest.approx(10 ** -1.3, rel=1e-9)
    assert res["best_score"] <= scores.min()
    with pytest.raises(TypeError, match="score"):
        tu.grid_search(3, [1.0])
    with pytest.raises(ValueError, match="lams"):
        tu.grid_search(score, [-1.0, 1.0])
    with pytest.raises(ValueError, match="score"):
        tu.grid_search(lambda lam: np.nan, [1.0])


def test_ridge_fitter_matches_sklearn_and_validation_curve():
    X, y, _ = rc.make_sparse_regression(50, 6, 3, seed=2)
    Xv, yv, _ = rc.make_sparse_regression(30, 6, 3, seed=3)
    lams = [0.01, 0.1, 1.0]
    tr, va = tu.validation_curve(tu.ridge_fitter, lams, X, y, Xv, yv)
    for lam, t, v in zip(lams, tr, va):
        sk = Ridge(alpha=len(y) * lam).fit(X, y)
        np.testing.assert_allclose(tu.ridge_fitter(X, y, lam)(Xv), sk.predict(Xv), atol=1e-10)
        assert t == pytest.approx(np.mean((sk.predict(X) - y) ** 2))
        assert v == pytest.approx(np.mean((sk.predict(Xv) - yv) ** 2))
    assert np.all(np.diff(tr) > 0)  # training error grows with lambda
    with pytest.raises(ValueError, match="X_val"):
        tu.validation_curve(tu.ridge_fitter, lams, X, y, Xv, yv[:-1])
    with pytest.raises(TypeError, match="fit"):
        tu.validation_curve(None, lams, X, y, Xv, yv)


def test_bias_variance_identity_and_limits():
    rng = np.random.default_rng(0)
    w = rng.standard_normal(5)
    Xt = rng.standard_normal((200, 5))

    def sample(r):
        X = r.standard_normal((30, 5))
        return X, X @ w + 0.5 * r.standard_normal(30)

    out = tu.bias_variance(tu.ridge_fitter, 0.0, sample, Xt, Xt @ w, n_sets=40, seed=1)
    assert out["predictions"].shape == (40, 200)
    assert out["error"] == pytest.approx(out["bias2"] + out["variance"], rel=1e-12)
    # least squares is unbiased for a linear truth: only the K-set average noise, about variance/K, remains
    assert out["bias2"] < 4 * out["variance"] / 40
    big = tu.bias_variance(tu.ridge_fitter, 1e4, sample, Xt, Xt @ w, n_sets=40, seed=1)
    # a huge penalty leaves only the (unpenalized) intercept: a constant, far from the truth
    assert big["variance"] < 0.1 * big["bias2"] and big["bias2"] == pytest.approx(np.mean((Xt @ w) ** 2), rel=0.1)
    # reproducible with the seed
    again = tu.bias_variance(tu.ridge_fitter, 0.0, sample, Xt, Xt @ w, n_sets=40, seed=1)
    assert again["bias2"] == out["bias2"]
    with pytest.raises(ValueError, match="n_sets"):
        tu.bias_variance(tu.ridge_fitter, 0.0, sample, Xt, Xt @ w, n_sets=1)
    with pytest.raises(ValueError, match="lam"):
        tu.bias_variance(tu.ridge_fitter, -1.0, sample, Xt, Xt @ w)
    with pytest.raises(TypeError, match="sample_train"):
        tu.bias_variance(tu.ridge_fitter, 0.0, None, Xt, Xt @ w)
    with pytest.raises(ValueError, match="f_test"):
        tu.bias_variance(tu.ridge_fitter, 0.0, sample, Xt, (Xt @ w)[:-1])


def test_over_seeds():
    stats = tu.over_seeds(lambda s: float(s), seeds=range(5))
    assert stats.mean == 2.0 and stats.sd == pytest.approx(np.std(range(5), ddof=1))
    assert str(stats).startswith("2 ± 1.6") and "n=5" in str(stats)
    with pytest.raises(ValueError, match="seeds"):
        tu.over_seeds(lambda s: 1.0, seeds=[0])
    with pytest.raises(TypeError, match="fn"):
        tu.over_seeds(None)
    with pytest.raises(ValueError, match="fn"):
        tu.over_seeds(lambda s: np.inf)
