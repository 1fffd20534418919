"""regcourse.conventions: every conversion checked against the other library's own computation."""
import math

import numpy as np
import pytest
import torch
from sklearn.linear_model import ElasticNet, Lasso, LogisticRegression, Ridge

from regcourse import conventions as cv
from regcourse import solvers


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 6))
    y = X @ np.array([1.5, -1.0, 0.0, 0.0, 0.7, 0.0]) + 0.3 * rng.standard_normal(60) + 2.0
    return X, y


def test_round_trip_every_convention():
    for name in cv.CONVENTIONS:
        l1 = 0.2 if name in ("course", "keras", "sum_loss", "sklearn_lasso", "sklearn_elasticnet") else 0.0
        l2 = 0.0 if name == "sklearn_lasso" else 0.03
        given = cv.from_course(name, l1=l1, l2=l2, n_samples=40)
        back = cv.to_course(name, n_samples=40, **given)
        assert back == pytest.approx({"l1": l1, "l2": l2}), name


def test_simple_factors():
    assert cv.to_course("torch_weight_decay", weight_decay=0.1) == {"l1": 0.0, "l2": 0.05}
    assert cv.to_course("goodfellow", alpha=0.4) == {"l1": 0.0, "l2": 0.2}
    assert cv.to_course("lecture_notes", lam=1.0, n_samples=50) == {"l1": 0.0, "l2": 0.01}
    assert cv.to_course("keras", l2=0.01) == {"l1": 0.0, "l2": 0.01}
    assert cv.to_course("sum_loss", l1=2.0, l2=4.0, n_samples=4) == {"l1": 0.5, "l2": 1.0}
    assert cv.from_course("sklearn_lasso", l1=0.3) == {"alpha": 0.15}
    assert cv.from_course("sklearn_logistic", l2=0.0, n_samples=10) == {"C": math.inf}
    assert cv.to_course("sklearn_logistic", C=math.inf, n_samples=10)["l2"] == 0.0


def test_torch_weight_decay_equals_l2_gradient():
    torch.manual_seed(0)
    w = torch.randn(5, dtype=torch.float64, requires_grad=True)
    l2 = cv.to_course("torch_weight_decay", weight_decay=0.3)["l2"]
    (l2 * (w * w).sum()).backward()
    assert torch.allclose(w.grad, 0.3 * w.detach())


def test_ridge_lasso_elasticnet_match_sklearn(data):
    X, y = data
    n = len(y)
    w, b = solvers.ridge(X, y, 0.07)
    sk = Ridge(**cv.from_course("sklearn_ridge", l2=0.07, n_samples=n)).fit(X, y)
    np.testing.assert_allclose(sk.coef_, w, atol=1e-9)
    w, b = solvers.lasso(X, y, 0.1)
    sk = Lasso(**cv.from_course("sklearn_lasso", l1=0.1), tol=1e-12, max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(sk.coef_, w, atol=1e-8)
    assert np.array_equal(sk.coef_ == 0, w == 0)
    w, b = solvers.elastic_net(X, y, 0.1, 0.05)
    sk = ElasticNet(**cv.from_course("sklearn_elasticnet", l1=0.1, l2=0.05), tol=1e-12,
                    max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(sk.coef_, w, atol=1e-8)


def test_logistic_C_matches_torch(data):
    X, y = data
    labels = (y > np.median(y)).astype(int)
    l2 = 0.03
    C = cv.from_course("sklearn_logistic", l2=l2, n_samples=len(y))["C"]
    sk = LogisticRegression(C=C, tol=1e-12, max_iter=10_000).fit(X, labels)
    Xt, yt = torch.tensor(X), torch.tensor(labels, dtype=torch.float64)
    w = torch.zeros(6, dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([w, b], lr=1, max_iter=500, tolerance_grad=1e-14, tolerance_change=1e-16,
                            line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        J = torch.nn.functional.binary_cross_entropy_with_logits(Xt @ w + b, yt) + l2 * (w * w).sum()
        J.backward()
        return J

    opt.step(closure)
    np.testing.assert_allclose(sk.coef_[0], w.detach().numpy(), atol=1e-6)


def test_lecture_notes_gradient():
    torch.manual_seed(1)
    W = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    lam, m = 0.6, 30
    (lam / (2 * m) * (W ** 2).sum()).backward()
    l2 = cv.to_course("lecture_notes", lam=lam, n_samples=m)["l2"]
    assert torch.allclose(W.grad, 2 * l2 * W.detach())
    assert torch.allclose(W.grad, lam / m * W.detach())


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="source"):
        cv.to_course("pytorch", weight_decay=0.1)
    with pytest.raises(TypeError, match="source"):
        cv.to_course(3, weight_decay=0.1)
    with pytest.raises(ValueError, match="target"):
        cv.from_course("tensorflow", l2=0.1)
    with pytest.raises(ValueError, match="decoupled"):
        cv.to_course("torch_adamw", weight_decay=0.1)
    with pytest.raises(ValueError, match="decoupled"):
        cv.from_course("torch_adamw", l2=0.1)
    with pytest.raises(ValueError, match="n_samples"):
        cv.to_course("sklearn_ridge", alpha=1.0)
    with pytest.raises(ValueError, match="n_samples"):
        cv.from_course("lecture_notes", l2=1.0)
    with pytest.raises(TypeError, match="n_samples"):
        cv.to_course("sklearn_ridge", alpha=1.0, n_samples=10.5)
    with pytest.raises(ValueError, match="alpha"):
        cv.to_course("goodfellow", alpha=-1.0)
    with pytest.raises(TypeError, match="weight_decay"):
        cv.to_course("torch_weight_decay", weight_decay="0.1")
    with pytest.raises(ValueError, match="unknown parameter"):
        cv.to_course("goodfellow", lam=1.0)
    with pytest.raises(ValueError, match="l1"):
        cv.from_course("sklearn_ridge", l1=0.1, n_samples=10)
    with pytest.raises(ValueError, match="l2"):
        cv.from_course("sklearn_lasso", l1=0.1, l2=0.2)
    with pytest.raises(ValueError, match="l1_ratio"):
        cv.to_course("sklearn_elasticnet", alpha=1.0, l1_ratio=1.5)
    with pytest.raises(ValueError, match="l1_ratio"):
        cv.to_course("sklearn_elasticnet", alpha=1.0)
    with pytest.raises(ValueError, match="C"):
        cv.to_course("sklearn_logistic", C=0.0, n_samples=10)
    with pytest.raises(ValueError, match="l2"):
        cv.from_course("course", l2=-0.1)
