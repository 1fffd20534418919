"""regcourse.conventions: every conversion checked against the other library's own computation
(scikit-learn, torch, and Keras 3 on the torch backend)."""

import math
import os
import warnings

os.environ.setdefault("KERAS_BACKEND", "torch")  # Keras 3 on torch, set before the import

import keras
import numpy as np
import pytest
import torch
from sklearn.linear_model import ElasticNet, Lasso, LogisticRegression, Ridge

from regcourse import conventions as cv
from regcourse import solvers, train
from regcourse.penalties import l1_penalty, l2_penalty, model_penalty

# Keras 3.15 calls np.array(x, copy=False) on torch tensors: numpy 2 warns, harmlessly.
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 6))
    y = X @ np.array([1.5, -1.0, 0.0, 0.0, 0.7, 0.0]) + 0.3 * rng.standard_normal(60) + 2.0
    return X, y


def test_round_trip_every_convention():
    for name in cv.CONVENTIONS:
        with_l1 = (
            "course",
            "keras",
            "sum_loss",
            "sklearn_lasso",
            "sklearn_elasticnet",
            "sklearn_logistic_l1_ratio",
        )
        l1 = 0.2 if name in with_l1 else 0.0
        l2 = 0.0 if name == "sklearn_lasso" else 0.03
        given = cv.from_course(name, l1=l1, l2=l2, n_samples=40)
        back = cv.to_course(name, n_samples=40, **given)
        assert back == pytest.approx({"l1": l1, "l2": l2}), name


def test_simple_factors():
    assert cv.to_course("torch_weight_decay", weight_decay=0.1) == {"l1": 0.0, "l2": 0.05}
    assert cv.to_course("goodfellow", alpha=0.4) == {"l1": 0.0, "l2": 0.2}
    assert cv.to_course("lecture_notes", lam=1.0, n_samples=50) == {"l1": 0.0, "l2": 0.01}
    assert cv.to_course("keras", l2=0.01) == {"l1": 0.0, "l2": 0.01}
    assert cv.to_course("keras_sgd_weight_decay", weight_decay=0.1) == {"l1": 0.0, "l2": 0.05}
    assert cv.from_course("keras_sgd_weight_decay", l2=0.02) == {"weight_decay": 0.04}
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
    sk = ElasticNet(**cv.from_course("sklearn_elasticnet", l1=0.1, l2=0.05), tol=1e-12, max_iter=100_000).fit(
        X, y
    )
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
    opt = torch.optim.LBFGS(
        [w, b],
        lr=1,
        max_iter=500,
        tolerance_grad=1e-14,
        tolerance_change=1e-16,
        line_search_fn="strong_wolfe",
    )

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
    (lam / (2 * m) * (W**2).sum()).backward()
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


# ---------------------------------------------------------------- Keras 3, run on the torch backend
# Keras computes in float32 (its torch backend returns float32 from 64-bit matrix products), so the
# comparisons below hold to float32 accuracy: 1e-5 on weights of order one.
KERAS_TOL = 1e-5


def _keras_data():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((32, 3)).astype(np.float32).astype(np.float64)
    y = np.tanh(X @ np.array([1.0, -0.5, 0.8])) + 0.1 * rng.standard_normal(32)
    return X, y.astype(np.float32).astype(np.float64)


def _keras_mlp(reg=None, seed=7):
    keras.utils.set_random_seed(seed)
    make = reg or (lambda: None)
    return keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.Dense(4, activation="tanh", kernel_regularizer=make()),
            keras.layers.Dense(1, kernel_regularizer=make()),
        ]
    )


def _twin(kmodel):
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1)).double()
    k1, b1, k2, b2 = (torch.tensor(v.numpy(), dtype=torch.float64) for v in kmodel.weights)
    with torch.no_grad():
        net[0].weight.copy_(k1.T)
        net[0].bias.copy_(b1)
        net[2].weight.copy_(k2.T)
        net[2].bias.copy_(b2)
    return net


def _gap(kmodel, net):
    mine = [net[0].weight.T, net[0].bias, net[2].weight.T, net[2].bias]
    return max(np.abs(v.numpy() - t.detach().numpy()).max() for v, t in zip(kmodel.weights, mine))


def _keras_fit(kmodel, optimizer, X, y, epochs=30):
    kmodel.compile(optimizer=optimizer, loss="mse")
    kmodel.fit(X, y[:, None], batch_size=len(y), epochs=epochs, shuffle=False, verbose=0)


def _torch_loop(net, opt, X, y, lr, decay_by_hand=0.0, epochs=30):
    Xt, yt = torch.tensor(X), torch.tensor(y)
    for _ in range(epochs):
        opt.zero_grad()
        torch.mean((net(Xt).squeeze(1) - yt) ** 2).backward()
        if decay_by_hand:
            with torch.no_grad():
                for p in net.parameters():
                    p.mul_(1 - lr * decay_by_hand)
        opt.step()


@pytest.mark.parametrize("kind", ["L1L2", "L1", "L2"])
def test_keras_regularizers_train_like_rc_fit(kind):
    X, y = _keras_data()
    l1, l2 = {"L1L2": (2e-3, 1e-2), "L1": (5e-3, 0.0), "L2": (0.0, 2e-2)}[kind]
    reg = {
        "L1L2": lambda: keras.regularizers.L1L2(l1=l1, l2=l2),
        "L1": lambda: keras.regularizers.L1(l1),
        "L2": lambda: keras.regularizers.L2(l2),
    }[kind]
    kmodel = _keras_mlp(reg)
    net, half = _twin(kmodel), _twin(kmodel)
    _keras_fit(kmodel, keras.optimizers.SGD(learning_rate=0.125), X, y)
    train.fit(net, X, y, lr=0.125, epochs=30, **cv.to_course("keras", l1=l1, l2=l2))
    train.fit(half, X, y, lr=0.125, epochs=30, l1=l1 / 2, l2=l2 / 2)
    assert _gap(kmodel, net) < KERAS_TOL
    assert _gap(kmodel, half) > 100 * KERAS_TOL


def test_keras_reported_loss_is_mean_loss_plus_penalty():
    X, y = _keras_data()
    kmodel = _keras_mlp(lambda: keras.regularizers.L1L2(l1=1e-2, l2=3e-2))
    kmodel.compile(optimizer="sgd", loss="mse")
    net = _twin(kmodel)
    with torch.no_grad():
        J = (
            torch.mean((net(torch.tensor(X)).squeeze(1) - torch.tensor(y)) ** 2)
            + model_penalty(net, l1=1e-2, l2=3e-2)
        ).item()
    assert kmodel.evaluate(X, y[:, None], batch_size=len(y), verbose=0) == pytest.approx(J, rel=1e-5)


def test_keras_sgd_weight_decay_is_l2_on_every_variable():
    X, y = _keras_data()
    wd = 0.1
    l2 = cv.to_course("keras_sgd_weight_decay", weight_decay=wd)["l2"]
    assert l2 == wd / 2
    kmodel = _keras_mlp()
    net_all, net_weights = _twin(kmodel), _twin(kmodel)
    _keras_fit(
        kmodel,
        keras.optimizers.SGD(learning_rate=0.125, **cv.from_course("keras_sgd_weight_decay", l2=l2)),
        X,
        y,
    )
    train.fit(net_all, X, y, lr=0.125, epochs=30, l2=l2, include_bias=True)
    train.fit(net_weights, X, y, lr=0.125, epochs=30, l2=l2)
    assert _gap(kmodel, net_all) < KERAS_TOL
    assert _gap(kmodel, net_weights) > 100 * KERAS_TOL  # the biases were decayed too
    kmodel = _keras_mlp()
    net = _twin(kmodel)
    opt = keras.optimizers.SGD(learning_rate=0.125, weight_decay=wd)
    opt.exclude_from_weight_decay(var_names=["bias"])
    _keras_fit(kmodel, opt, X, y)
    train.fit(net, X, y, lr=0.125, epochs=30, l2=l2)
    assert _gap(kmodel, net) < KERAS_TOL


def test_keras_sgd_momentum_decay_is_decoupled_torch_is_coupled():
    X, y = _keras_data()
    wd, mu, lr = 0.1, 0.9, 0.03
    kmodel = _keras_mlp()
    dec, coup = _twin(kmodel), _twin(kmodel)
    _keras_fit(kmodel, keras.optimizers.SGD(learning_rate=lr, momentum=mu, weight_decay=wd), X, y)
    _torch_loop(dec, torch.optim.SGD(dec.parameters(), lr=lr, momentum=mu), X, y, lr, decay_by_hand=wd)
    _torch_loop(coup, torch.optim.SGD(coup.parameters(), lr=lr, momentum=mu, weight_decay=wd), X, y, lr)
    assert _gap(kmodel, dec) < KERAS_TOL
    assert _gap(kmodel, coup) > 100 * KERAS_TOL
    with pytest.raises(ValueError, match="momentum"):
        cv.to_course("keras_sgd_weight_decay", weight_decay=wd, momentum=mu)


def test_torch_sgd_momentum_weight_decay_is_an_l2_penalty():
    X, y = _keras_data()
    Xt, yt = torch.tensor(X), torch.tensor(y)
    torch.manual_seed(2)
    a = torch.nn.Linear(3, 1).double()
    b = torch.nn.Linear(3, 1).double()
    b.load_state_dict(a.state_dict())
    wd = 0.2
    l2 = cv.to_course("torch_weight_decay", weight_decay=wd)["l2"]
    opt_a = torch.optim.SGD(a.parameters(), lr=0.05, momentum=0.9, weight_decay=wd)
    opt_b = torch.optim.SGD(b.parameters(), lr=0.05, momentum=0.9)
    for _ in range(50):
        opt_a.zero_grad()
        torch.mean((a(Xt).squeeze(1) - yt) ** 2).backward()
        opt_a.step()
        opt_b.zero_grad()
        penalty = l2 * sum((p**2).sum() for p in b.parameters())
        (torch.mean((b(Xt).squeeze(1) - yt) ** 2) + penalty).backward()
        opt_b.step()
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.allclose(p, q, atol=1e-12)


def test_keras_adam_weight_decay_is_adamw_not_torch_adam():
    X, y = _keras_data()
    lr, wd = 0.01, 0.5
    kmodel = _keras_mlp()
    w, a = _twin(kmodel), _twin(kmodel)
    _keras_fit(kmodel, keras.optimizers.Adam(learning_rate=lr, weight_decay=wd, epsilon=1e-12), X, y)
    _torch_loop(w, torch.optim.AdamW(w.parameters(), lr=lr, weight_decay=wd, eps=1e-12), X, y, lr)
    _torch_loop(a, torch.optim.Adam(a.parameters(), lr=lr, weight_decay=wd, eps=1e-12), X, y, lr)
    assert _gap(kmodel, w) < KERAS_TOL
    assert _gap(kmodel, a) > 100 * KERAS_TOL


def test_keras_lstm_regularizers_map_to_weight_ih_weight_hh_and_summed_biases():
    n_in, H = 3, 5
    torch.manual_seed(4)
    lstm = torch.nn.LSTM(n_in, H, batch_first=True).double()
    k = keras.layers.LSTM(
        H,
        kernel_regularizer=keras.regularizers.L2(0.02),
        recurrent_regularizer=keras.regularizers.L2(0.005),
        bias_regularizer=keras.regularizers.L1L2(l1=0.01, l2=0.03),
    )
    k.build((None, 4, n_in))
    b = (lstm.bias_ih_l0 + lstm.bias_hh_l0).detach()
    k.set_weights([lstm.weight_ih_l0.detach().T.numpy(), lstm.weight_hh_l0.detach().T.numpy(), b.numpy()])
    seq = np.random.default_rng(5).standard_normal((2, 4, n_in)).astype(np.float32)
    with torch.no_grad():
        ref = lstm(torch.tensor(seq, dtype=torch.float64))[0][:, -1].numpy()
    np.testing.assert_allclose(keras.ops.convert_to_numpy(k(seq)), ref, atol=1e-5)
    pen = sum(float(keras.ops.convert_to_numpy(p)) for p in k.losses)
    expected = (
        0.02 * l2_penalty(lstm.weight_ih_l0)
        + 0.005 * l2_penalty(lstm.weight_hh_l0)
        + 0.01 * l1_penalty(b)
        + 0.03 * l2_penalty(b)
    ).item()
    assert pen == pytest.approx(expected, rel=1e-6)


def test_keras_adamw_class_is_adam_with_weight_decay():
    finals = []
    for cls in (keras.optimizers.Adam, keras.optimizers.AdamW):
        var = keras.Variable(np.array([2.0, -1.0, 0.5]))
        opt = cls(learning_rate=0.1, weight_decay=0.3)
        for g in ([1.0, 2.0, -1.0], [0.5, -1.0, 0.2], [0.1, 0.1, 0.1]):
            opt.apply([keras.ops.convert_to_tensor(np.array(g), dtype=var.dtype)], [var])
        finals.append(var.numpy())
    np.testing.assert_allclose(finals[0], finals[1], rtol=1e-6)
    assert keras.optimizers.AdamW().weight_decay == pytest.approx(0.004)


@pytest.mark.parametrize("name", sorted(cv.NO_COURSE_LAMBDA))
def test_conventions_without_a_course_lambda_say_why(name):
    with pytest.raises(ValueError, match="decoupled"):
        cv.to_course(name, weight_decay=0.1)
    with pytest.raises(ValueError, match="decoupled"):
        cv.from_course(name, l2=0.1)
    assert name not in cv.CONVENTIONS


def test_sklearn_logistic_l1_ratio_factors():
    # C * sum_i logloss_i + r ||w||_1 + (1 - r)/2 ||w||^2, divided by m C
    assert cv.to_course("sklearn_logistic_l1_ratio", C=0.25, l1_ratio=1, n_samples=400) == {
        "l1": 0.01,
        "l2": 0.0,
    }
    assert cv.from_course("sklearn_logistic_l1_ratio", l1=0.01, n_samples=400) == {"C": 0.25, "l1_ratio": 1.0}
    back = cv.to_course("sklearn_logistic_l1_ratio", C=0.5, l1_ratio=0.0, n_samples=10)
    assert back == pytest.approx(cv.to_course("sklearn_logistic", C=0.5, n_samples=10))
    mixed = cv.to_course("sklearn_logistic_l1_ratio", C=0.1, l1_ratio=0.25, n_samples=20)
    assert mixed == pytest.approx({"l1": 0.125, "l2": 0.1875})
    assert cv.from_course("sklearn_logistic_l1_ratio", n_samples=10) == {"C": math.inf, "l1_ratio": 0.0}
    assert cv.to_course("sklearn_logistic_l1_ratio", C=math.inf, l1_ratio=1, n_samples=10) == {
        "l1": 0.0,
        "l2": 0.0,
    }


def _logistic_labels(data):
    X, y = data
    return X, (y > np.median(y)).astype(float)


@pytest.mark.parametrize("l1", [0.1, 0.02])
def test_logistic_l1_C_matches_sklearn_saga(data, l1):
    """LogisticRegression(C, l1_ratio=1) is the course's mean log-loss + l1 ||w||_1 at C = 1/(m l1)."""
    X, y = _logistic_labels(data)
    kw = cv.from_course("sklearn_logistic_l1_ratio", l1=l1, n_samples=len(y))
    assert kw["l1_ratio"] == 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the l1_ratio spelling raises no deprecation warning
        sk = LogisticRegression(**kw, solver="saga", tol=1e-12, max_iter=100_000).fit(X, y)
    w, b = solvers.logistic_l1(X, y, l1)
    np.testing.assert_allclose(sk.coef_[0], w, atol=1e-7)
    assert sk.intercept_[0] == pytest.approx(b, abs=1e-7)
    assert np.array_equal(sk.coef_[0] == 0, w == 0) and np.any(w == 0)


def test_logistic_penalty_l1_spelling_is_deprecated(data):
    X, y = _logistic_labels(data)
    with pytest.warns(FutureWarning, match="penalty"):
        LogisticRegression(penalty="l1", l1_ratio=1, C=1.0, solver="liblinear").fit(X, y)


def test_logistic_elastic_net_mix_matches_sklearn_kkt(data):
    """0 < l1_ratio < 1: scikit-learn's saga solution satisfies the course's optimality conditions
    for (l1, l2) = (r / (m C), (1 - r) / (2 m C)): grad + 2 l2 w = -l1 sign(w) on the non-zeros,
    |grad| <= l1 on the zeros (the gradient of the mean log-loss by torch autograd)."""
    X, y = _logistic_labels(data)
    C, r, m = 0.05, 0.6, len(y)
    course = cv.to_course("sklearn_logistic_l1_ratio", C=C, l1_ratio=r, n_samples=m)
    sk = LogisticRegression(C=C, l1_ratio=r, solver="saga", tol=1e-13, max_iter=200_000).fit(X, y)
    w = torch.tensor(sk.coef_[0], requires_grad=True)
    z = torch.tensor(X) @ w + float(sk.intercept_[0])
    torch.nn.functional.binary_cross_entropy_with_logits(z, torch.tensor(y)).backward()
    g = w.grad.numpy() + 2 * course["l2"] * sk.coef_[0]
    nz = sk.coef_[0] != 0
    assert nz.any() and (~nz).any()
    np.testing.assert_allclose(g[nz], -course["l1"] * np.sign(sk.coef_[0][nz]), atol=1e-7)
    assert np.all(np.abs(g[~nz]) <= course["l1"] + 1e-7)


def test_sklearn_logistic_l1_ratio_errors():
    with pytest.raises(ValueError, match="l1_ratio"):
        cv.to_course("sklearn_logistic_l1_ratio", C=1.0, n_samples=10)
    with pytest.raises(ValueError, match="C"):
        cv.to_course("sklearn_logistic_l1_ratio", l1_ratio=1.0, n_samples=10)
    with pytest.raises(ValueError, match="C"):
        cv.to_course("sklearn_logistic_l1_ratio", C=0.0, l1_ratio=1.0, n_samples=10)
    with pytest.raises(ValueError, match="C"):
        cv.to_course("sklearn_logistic_l1_ratio", C=-2.0, l1_ratio=1.0, n_samples=10)
    with pytest.raises(ValueError, match="l1_ratio"):
        cv.to_course("sklearn_logistic_l1_ratio", C=1.0, l1_ratio=1.5, n_samples=10)
    with pytest.raises(ValueError, match="l1_ratio"):
        cv.to_course("sklearn_logistic_l1_ratio", C=1.0, l1_ratio=-0.1, n_samples=10)
    with pytest.raises(TypeError, match="l1_ratio"):
        cv.to_course("sklearn_logistic_l1_ratio", C=1.0, l1_ratio="one", n_samples=10)
    with pytest.raises(ValueError, match="n_samples"):
        cv.to_course("sklearn_logistic_l1_ratio", C=1.0, l1_ratio=1.0)
    with pytest.raises(ValueError, match="n_samples"):
        cv.from_course("sklearn_logistic_l1_ratio", l1=0.1)
    with pytest.raises(ValueError, match="l1"):
        cv.from_course("sklearn_logistic_l1_ratio", l1=-0.1, n_samples=10)
    with pytest.raises(ValueError, match="unknown parameter"):
        cv.to_course("sklearn_logistic_l1_ratio", C=1.0, l1_ratio=1.0, penalty="l1", n_samples=10)
