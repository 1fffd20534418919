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
    np.testing.assert_allclose(fine, [1e-3, 10**-2.5, 1e-2, 10**-1.5, 1e-1])
    assert np.allclose(np.diff(np.log10(fine)), 0.5)
    # best at an end: the best itself is that end; unsorted input is sorted first
    np.testing.assert_allclose(
        tu.refine_grid(lams[::-1], [5.0, 4.0, 3.0, 2.0, 1.0], n=3), [1e-4, 10**-3.5, 1e-3]
    )
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
    assert res["best"] == pytest.approx(10**-1.3, rel=1e-9)
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
    assert big["variance"] < 0.1 * big["bias2"]
    assert big["bias2"] == pytest.approx(np.mean((Xt @ w) ** 2), rel=0.1)
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


def test_ridge_path_matches_solver_sklearn_and_min_norm():
    X, y, _ = rc.make_sparse_regression(40, 6, 3, seed=4)
    lams = [0.0, 1e-3, 0.1, 10.0]
    W, b = tu.ridge_path(X, y, lams)
    assert W.shape == (4, 6) and b.shape == (4,)
    for j, lam in enumerate(lams):
        w_ref, b_ref = rc.solvers.ridge(X, y, lam)
        np.testing.assert_allclose(W[j], w_ref, atol=1e-10)
        assert b[j] == pytest.approx(b_ref, abs=1e-10)
        if lam > 0:  # scikit-learn's sum convention: alpha = m * lam
            sk = Ridge(alpha=len(y) * lam).fit(X, y)
            np.testing.assert_allclose(W[j], sk.coef_, atol=1e-9)
    # wide data (p > m): at lam = 0 the minimum-norm interpolant, as numpy's lstsq gives
    Xw, yw, _ = rc.make_sparse_regression(8, 20, 3, seed=5)
    W0, b0 = tu.ridge_path(Xw, yw, [0.0, 0.5])
    Xc, yc = Xw - Xw.mean(0), yw - yw.mean()
    np.testing.assert_allclose(W0[0], np.linalg.lstsq(Xc, yc, rcond=None)[0], atol=1e-10)
    np.testing.assert_allclose(W0[1], rc.solvers.ridge(Xw, yw, 0.5)[0], atol=1e-10)
    # no intercept
    Wn, bn = tu.ridge_path(X, y, [0.1], fit_intercept=False)
    np.testing.assert_allclose(Wn[0], rc.solvers.ridge(X, y, 0.1, fit_intercept=False)[0], atol=1e-10)
    assert bn[0] == 0.0
    pred = tu.ridge_path_fitter(X, y, lams)(X[:5])
    assert pred.shape == (4, 5)
    np.testing.assert_allclose(pred[2], tu.ridge_fitter(X, y, 0.1)(X[:5]), atol=1e-10)
    with pytest.raises(ValueError, match="lams"):
        tu.ridge_path(X, y, [-1.0])
    with pytest.raises(ValueError, match="y"):
        tu.ridge_path(X, y[:-1], [1.0])
    with pytest.raises(TypeError, match="fit_intercept"):
        tu.ridge_path(X, y, [1.0], fit_intercept="yes")


def test_bias_variance_on_a_grid_equals_one_lambda_at_a_time():
    rng = np.random.default_rng(3)
    w = rng.standard_normal(4)
    Xt = rng.standard_normal((50, 4))

    def sample(r):
        X = r.standard_normal((20, 4))
        return X, X @ w + r.standard_normal(20)

    lams = [1e-3, 0.1, 1.0]
    grid = tu.bias_variance(tu.ridge_path_fitter, lams, sample, Xt, Xt @ w, n_sets=30, seed=7)
    assert grid["predictions"].shape == (30, 3, 50) and grid["per_set"].shape == (30, 3)
    for j, lam in enumerate(lams):
        one = tu.bias_variance(tu.ridge_fitter, lam, sample, Xt, Xt @ w, n_sets=30, seed=7)
        for key in ("bias2", "variance", "error", "error_se"):
            assert grid[key][j] == pytest.approx(one[key], rel=1e-9)
    # the Monte Carlo SE is the sd of the per-set errors over sqrt(K)
    one = tu.bias_variance(tu.ridge_fitter, 0.1, sample, Xt, Xt @ w, n_sets=30, seed=7)
    assert one["error_se"] == pytest.approx(one["per_set"].std(ddof=1) / np.sqrt(30))
    one_row = lambda X, y, lams: lambda Xn: tu.ridge_fitter(X, y, 0.1)(Xn)
    with pytest.raises(ValueError, match="predict shape"):
        tu.bias_variance(one_row, lams, sample, Xt, Xt @ w, n_sets=3)


def test_bias_variance_predicts_an_independent_test_error():
    """sigma^2 + bias^2 + variance from one set of fits = test error of other fits on fresh noise."""
    rng = np.random.default_rng(11)
    w = 0.5 * rng.standard_normal(8)
    Xt = rng.standard_normal((300, 8))
    f = Xt @ w

    def sample(r):
        X = r.standard_normal((15, 8))
        return X, X @ w + r.standard_normal(15)

    a = tu.bias_variance(tu.ridge_fitter, 0.05, sample, Xt, f, n_sets=400, seed=1)
    b = tu.bias_variance(tu.ridge_fitter, 0.05, sample, Xt, f, n_sets=400, seed=2)
    y_new = f + np.random.default_rng(3).standard_normal((400, 300))
    per = np.mean((b["predictions"] - y_new) ** 2, axis=1)
    z = (per.mean() - (1.0 + a["bias2"] + a["variance"])) / np.hypot(per.std(ddof=1) / 20, a["error_se"])
    assert abs(z) < 4


def test_vectorized_search_equals_the_loop():
    X, y, _ = rc.make_sparse_regression(40, 10, 5, seed=8)
    Xv, yv, _ = rc.make_sparse_regression(30, 10, 5, seed=9)
    one = lambda lam: np.mean((tu.ridge_fitter(X, y, lam)(Xv) - yv) ** 2)
    many = lambda lams: np.mean((tu.ridge_path_fitter(X, y, lams)(Xv) - yv) ** 2, axis=1)
    a = tu.search_then_refine(one, tu.log_grid(-4, 2))
    b = tu.search_then_refine(many, tu.log_grid(-4, 2), vectorized=True)
    assert a["best"] == b["best"] and a["coarse_best"] == b["coarse_best"]
    np.testing.assert_allclose(a["fine_scores"], b["fine_scores"], rtol=1e-10)
    with pytest.raises(ValueError, match="scores"):
        tu.grid_search(lambda lams: [1.0], [0.1, 1.0], vectorized=True)
    with pytest.raises(TypeError, match="vectorized"):
        tu.grid_search(one, [0.1], vectorized=1)


def test_kfold_indices_match_sklearn_kfold_and_partition_the_rows():
    from sklearn.model_selection import KFold

    for n, k in [(10, 5), (53, 5), (7, 3), (12, 12)]:
        ours = tu.kfold_indices(n, k)
        for (tr, te), (sk_tr, sk_te) in zip(ours, KFold(n_splits=k).split(np.zeros(n))):
            np.testing.assert_array_equal(np.sort(tr), sk_tr)
            np.testing.assert_array_equal(te, sk_te)
        shuffled = tu.kfold_indices(n, k, seed=3)
        assert [len(te) for _, te in shuffled] == [len(te) for _, te in ours]
        assert sorted(np.concatenate([te for _, te in shuffled])) == list(range(n))
        for tr, te in shuffled:
            assert len(np.intersect1d(tr, te)) == 0 and len(tr) + len(te) == n
    a, b = tu.kfold_indices(20, 4, seed=1), tu.kfold_indices(20, 4, seed=1)
    assert all(np.array_equal(x[1], y[1]) for x, y in zip(a, b))
    assert not np.array_equal(a[0][1], tu.kfold_indices(20, 4, seed=2)[0][1])
    with pytest.raises(ValueError, match="k"):
        tu.kfold_indices(5, 6)
    with pytest.raises(ValueError, match="k"):
        tu.kfold_indices(5, 1)
    with pytest.raises(TypeError, match="n"):
        tu.kfold_indices(5.0, 2)
    with pytest.raises(TypeError, match="seed"):
        tu.kfold_indices(5, 2, seed=0.5)


def test_cv_curve_matches_sklearn_cross_val_score_on_the_same_folds():
    from sklearn.model_selection import cross_val_score

    X, y, _ = rc.make_sparse_regression(50, 8, 4, seed=12)
    lams = [1e-3, 0.03, 1.0]
    folds = tu.kfold_indices(50, 5, seed=4)
    cv = tu.cv_curve(tu.ridge_fitter, X, y, lams, folds=folds)
    for j, lam in enumerate(lams):  # 40 training rows per fold: Ridge(alpha = 40 * lam)
        sk = -cross_val_score(Ridge(alpha=40 * lam), X, y, cv=folds, scoring="neg_mean_squared_error")
        np.testing.assert_allclose(cv["scores"][:, j], sk, rtol=1e-9)
        assert cv["mean"][j] == pytest.approx(sk.mean(), rel=1e-9)
        assert cv["sd"][j] == pytest.approx(sk.std(ddof=1), rel=1e-9)
    assert cv["se"] == pytest.approx(cv["sd"] / np.sqrt(5))
    assert cv["best"] == lams[int(np.argmin(cv["mean"]))]
    # unequal folds (53 rows): each fold's alpha is its own training size times lam
    X3, y3, _ = rc.make_sparse_regression(53, 8, 4, seed=13)
    cv3 = tu.cv_curve(tu.ridge_fitter, X3, y3, [0.1], k=5, seed=6)
    for f, (tr, te) in enumerate(cv3["folds"]):
        sk = Ridge(alpha=len(tr) * 0.1).fit(X3[tr], y3[tr]).predict(X3[te])
        assert cv3["scores"][f, 0] == pytest.approx(np.mean((sk - y3[te]) ** 2), rel=1e-9)
    # the grid version gives the same numbers
    cvv = tu.cv_curve(tu.ridge_path_fitter, X, y, lams, folds=folds, vectorized=True)
    np.testing.assert_allclose(cvv["scores"], cv["scores"], rtol=1e-9)
    with pytest.raises(ValueError, match="folds"):
        tu.cv_curve(tu.ridge_fitter, X, y, lams, folds=[(np.arange(10), np.array([99]))] * 2)
    with pytest.raises(ValueError, match="folds"):
        tu.cv_curve(tu.ridge_fitter, X, y, lams, folds=folds[:1])
    one_row = lambda X, y, lams: tu.ridge_fitter(X, y, 0.1)
    with pytest.raises(ValueError, match="shape"):
        tu.cv_curve(one_row, X, y, lams, folds=folds, vectorized=True)
    with pytest.raises(TypeError, match="fit"):
        tu.cv_curve(None, X, y, lams)
    with pytest.raises(ValueError, match="y"):
        tu.cv_curve(tu.ridge_fitter, X, y[:-1], lams)


def test_ridge_loo_shortcut_matches_refits_sklearn_and_the_hat_matrix():
    from sklearn.linear_model import RidgeCV

    X, y, _ = rc.make_sparse_regression(25, 6, 6, seed=14)
    m, lams = 25, np.array([1e-3, 0.05, 2.0])
    out = tu.ridge_loo(X, y, lams)
    for j, lam in enumerate(lams):
        # explicit leave-one-out: refit on the other 24 rows keeping alpha = m * lam fixed
        e = [
            y[i] - tu.ridge_fitter(np.delete(X, i, 0), np.delete(y, i), lam * m / (m - 1))(X[i : i + 1])[0]
            for i in range(m)
        ]
        np.testing.assert_allclose(out["loo_residuals"][j], e, rtol=1e-8, atol=1e-10)
        assert out["loo"][j] == pytest.approx(np.mean(np.square(e)), rel=1e-8)
        # the hat matrix built directly: Z = [1, X], penalty diag(0, m lam, ...)
        Z = np.column_stack([np.ones(m), X])
        H = Z @ np.linalg.solve(Z.T @ Z + np.diag([0.0] + [m * lam] * 6), Z.T)
        r = y - H @ y
        assert out["df"][j] == pytest.approx(np.trace(H), rel=1e-9)
        assert out["gcv"][j] == pytest.approx(np.mean(r**2) / (1 - np.trace(H) / m) ** 2, rel=1e-9)
    sk = RidgeCV(alphas=m * lams, store_cv_results=True).fit(X, y)
    np.testing.assert_allclose(out["loo"], sk.cv_results_.mean(axis=0), rtol=1e-7)
    # keeping the mean-convention lam on 24 rows is a slightly different (weaker) refit
    e_same = [y[0] - tu.ridge_fitter(X[1:], y[1:], 2.0)(X[:1])[0]]
    assert abs(e_same[0] - out["loo_residuals"][2, 0]) > 1e-6
    with pytest.raises(ValueError, match="h_ii = 1"):
        tu.ridge_loo(X[:5], y[:5], [0.0])  # 6 inputs, 5 rows: least squares interpolates
    with pytest.raises(ValueError, match="lams"):
        tu.ridge_loo(X, y, [-1.0])
    with pytest.raises(ValueError, match="rows"):
        tu.ridge_loo(X[:2], y[:2], [1.0])


def test_standardized_fit_matches_sklearn_pipeline_in_the_folds():
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(15)
    X = rng.standard_normal((60, 5)) * [1.0, 10.0, 0.1, 100.0, 3.0] + [0.0, 5.0, -2.0, 50.0, 1.0]
    y = X @ [1.0, 0.1, 5.0, 0.01, 0.3] + rng.standard_normal(60)
    folds = tu.kfold_indices(60, 4, seed=1)  # 45 training rows per fold
    for lam in (0.01, 0.3):
        cv = tu.cv_curve(tu.standardized(tu.ridge_fitter), X, y, [lam], folds=folds)
        sk = -cross_val_score(
            make_pipeline(StandardScaler(), Ridge(alpha=45 * lam)),
            X,
            y,
            cv=folds,
            scoring="neg_mean_squared_error",
        )
        np.testing.assert_allclose(cv["scores"][:, 0], sk, rtol=1e-9)
    # standardizing outside the folds is a different (leaky) procedure
    Xs = (X - X.mean(0)) / X.std(0)
    leaky = tu.cv_curve(tu.ridge_fitter, Xs, y, [0.3], folds=folds)
    assert not np.allclose(leaky["scores"], cv["scores"])
    grid = tu.cv_curve(tu.standardized(tu.ridge_path_fitter), X, y, [0.01, 0.3], folds=folds, vectorized=True)
    np.testing.assert_allclose(grid["scores"][:, 1], cv["scores"][:, 0], rtol=1e-9)
    # a constant column keeps sd 1 (no division by zero)
    Xc = np.column_stack([X, np.ones(60)])
    assert np.all(np.isfinite(tu.standardized(tu.ridge_fitter)(Xc, y, 0.1)(Xc)))
    with pytest.raises(TypeError, match="fit"):
        tu.standardized(3)
