"""regcourse.train.fit against hand-written torch loops (float64) that differentiate the whole objective."""

import copy

import numpy as np
import pytest
import torch

from regcourse import solvers
from regcourse.data import make_moons, make_sparse_regression
from regcourse.optim import ProximalSGD
from regcourse.train import History, fit, predict


def regression(seed=0, n=40, p=5):
    X, y, _ = make_sparse_regression(n, p, 3, noise=0.3, seed=seed)
    return X + 1.0, y


def net(seed=0, p=5, hidden=8, out=1):
    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Linear(p, hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, out)
    ).double()


def weights_of(model):
    return [p for p in model.parameters() if p.ndim >= 2]


def manual(model, X, y, opt, epochs, l1=0.0, l2=0.0, include_bias=False, penalty=None):
    """Reference: the objective written out in full, differentiated by autograd."""
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    pen_params = list(model.parameters()) if include_bias else weights_of(model)
    for _ in range(epochs):
        opt.zero_grad()
        J = torch.mean((model(X).squeeze(1) - y) ** 2)
        for W in pen_params:
            J = J + l1 * W.abs().sum() + l2 * (W**2).sum()
            if penalty is not None:
                J = J + penalty(W)
        J.backward()
        opt.step()
    return model


def assert_same_params(a, b, rtol=1e-10, atol=1e-12):
    for (na, pa), (_, pb) in zip(a.named_parameters(), b.named_parameters()):
        torch.testing.assert_close(pa, pb, rtol=rtol, atol=atol, msg=na)


CASES = [
    dict(optimizer="sgd", lr=0.05, l2=0.1),
    dict(optimizer="sgd", lr=0.05, l2=0.1, include_bias=True),
    dict(optimizer="sgd", lr=0.05, l1=0.02, l2=0.05, momentum=0.9),
    dict(optimizer="sgd", lr=0.05, penalty=lambda w: (w.abs().exp() - 1).sum() * 0.01),
    dict(optimizer="adam", lr=0.01, l2=0.1),
    dict(optimizer="adam", lr=0.01, l1=0.01),
]


@pytest.mark.parametrize("kw", CASES, ids=lambda kw: "-".join(f"{k}" for k in kw))
def test_fit_is_gradient_descent_on_the_objective(kw):
    X, y = regression()
    a, b = net(), net()
    fit(a, X, y, epochs=25, **kw)
    params = dict(lr=kw["lr"])
    if kw.get("momentum"):
        params["momentum"] = kw["momentum"]
    Opt = torch.optim.SGD if kw["optimizer"] == "sgd" else torch.optim.Adam
    manual(
        b,
        X,
        y,
        Opt(b.parameters(), **params),
        25,
        kw.get("l1", 0.0),
        kw.get("l2", 0.0),
        kw.get("include_bias", False),
        kw.get("penalty"),
    )
    assert_same_params(a, b)


def test_sgd_l2_is_torch_weight_decay_2l2():
    """With include_bias=True the course's l2 is torch.optim.SGD(weight_decay=2*l2), step for step."""
    X, y = regression(1)
    a, b = net(1), net(1)
    fit(a, X, y, lr=0.05, epochs=20, l2=0.15, include_bias=True)
    manual(b, X, y, torch.optim.SGD(b.parameters(), lr=0.05, weight_decay=2 * 0.15), 20)
    assert_same_params(a, b)


def test_adamw_is_decoupled_and_spares_biases():
    X, y = regression(2)
    a, b = net(2), net(2)
    fit(a, X, y, optimizer="adamw", lr=0.01, epochs=20, weight_decay=0.5)
    groups = [
        dict(params=weights_of(b), weight_decay=0.5),
        dict(params=[p for p in b.parameters() if p.ndim < 2], weight_decay=0.0),
    ]
    manual(b, X, y, torch.optim.AdamW(groups, lr=0.01), 20)
    assert_same_params(a, b)
    c = net(2)  # ... and differs from Adam with an L2 penalty in the loss
    fit(c, X, y, optimizer="adam", lr=0.01, epochs=20, l2=0.25)
    assert (a[0].weight - c[0].weight).abs().max() > 1e-4


def test_proximal_matches_proximal_sgd_and_zeros():
    X, y = regression(3)
    a, b = net(3), net(3)
    h = fit(a, X, y, optimizer="proximal", lr=0.05, epochs=30, l1=0.05, l2=0.01)
    groups = [
        dict(params=weights_of(b), l1=0.05, l2=0.01),
        dict(params=[p for p in b.parameters() if p.ndim < 2], l1=0.0, l2=0.0),
    ]
    manual(b, X, y, ProximalSGD(groups, lr=0.05), 30)
    assert_same_params(a, b)
    assert h["sparsity"][-1] > 0 and np.all(a[0].bias.detach().numpy() != 0)


def test_gradient_descent_converges_to_ridge():
    X, y, _ = make_sparse_regression(50, 4, 2, noise=0.5, seed=6)
    l2 = 0.2
    w_ref, b_ref = solvers.ridge(X, y, l2)
    lin = torch.nn.Linear(4, 1).double()
    fit(lin, X, y, lr=0.1, epochs=600, l2=l2)
    np.testing.assert_allclose(lin.weight.detach().numpy()[0], w_ref, atol=1e-8)
    assert float(lin.bias.detach()) == pytest.approx(b_ref, abs=1e-8)


def test_history_describes_the_weights():
    X, y = regression(4)
    Xv, yv = regression(5)
    l1, l2 = 0.01, 0.05
    model = net(4)
    h = fit(model, X, y, lr=0.05, epochs=12, l1=l1, l2=l2, X_val=Xv, y_val=yv, record_every=4)
    assert isinstance(h, History)
    ep = h["epoch"]
    assert ep[-1] == 12 and np.all(np.diff(ep) > 0) and set(ep) >= {4, 8, 12}
    for key in ("loss", "penalty", "val_loss", "weight_norm", "sparsity"):
        assert len(h[key]) == len(ep), key
    with torch.no_grad():  # the last entry is the trained model
        W = weights_of(model)

        def mse(A, b):
            return float(torch.mean((model(torch.from_numpy(A)).squeeze(1) - torch.from_numpy(b)) ** 2))

        assert h["loss"][-1] == pytest.approx(mse(X, y), rel=1e-12)
        assert h["val_loss"][-1] == pytest.approx(mse(Xv, yv), rel=1e-12)
        pen = float(sum(l1 * w.abs().sum() + l2 * (w**2).sum() for w in W))
        assert h["penalty"][-1] == pytest.approx(pen, rel=1e-12)
        norm = float(sum((w**2).sum() for w in W)) ** 0.5
        assert h["weight_norm"][-1] == pytest.approx(norm, rel=1e-12)
    np.testing.assert_allclose(h.objective, h["loss"] + h["penalty"])
    # entry "after 8 epochs" is the model a run of 8 epochs returns
    h8 = fit(net(4), X, y, lr=0.05, epochs=8, l1=l1, l2=l2)
    k = int(np.flatnonzero(ep == 8)[0])
    assert h["loss"][k] == pytest.approx(h8["loss"][-1], rel=1e-10)
    assert h["penalty"][k] == pytest.approx(h8["penalty"][-1], rel=1e-10)


def test_history_of_a_non_contiguous_weight_is_that_of_its_contiguous_copy():
    """The recorder reads contiguous weights through views made once; a transposed
    (non-contiguous) weight is flattened at each record instead: same history, every epoch."""
    X, y = regression(6)
    a = net(6)
    b = copy.deepcopy(a)
    a[0].weight = torch.nn.Parameter(a[0].weight.detach().t().contiguous().t())
    assert not a[0].weight.is_contiguous() and b[0].weight.is_contiguous()
    kw = dict(lr=0.1, epochs=20, l1=0.2, l2=0.01, optimizer="proximal")
    ha, hb = fit(a, X, y, **kw), fit(b, X, y, **kw)
    for key in ("loss", "penalty", "weight_norm", "sparsity"):
        np.testing.assert_allclose(ha[key], hb[key], rtol=1e-12, atol=0, err_msg=key)
    assert ha["sparsity"][-1] > 0  # the record follows the zeros the prox makes as they appear


def test_seed_minibatches_and_global_rng_untouched():
    X, y = regression(7, n=64)
    kw = dict(lr=0.05, epochs=5, batch_size=16, l2=0.01)
    a, b, c = net(), net(), net()
    torch.manual_seed(123)
    state = torch.get_rng_state()
    fit(torch.nn.Sequential(torch.nn.Dropout(0.3), a), X, y, seed=1, **kw)
    assert torch.equal(torch.get_rng_state(), state)
    fit(torch.nn.Sequential(torch.nn.Dropout(0.3), b), X, y, seed=1, **kw)
    fit(torch.nn.Sequential(torch.nn.Dropout(0.3), c), X, y, seed=2, **kw)
    assert_same_params(a, b, rtol=0, atol=0)
    assert (a[0].weight - c[0].weight).abs().max() > 1e-6


def test_classification_and_predict():
    X, y = make_moons(200, noise=0.1, seed=0)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
    h = fit(model, X, y, loss="bce", lr=0.5, epochs=300)
    labels = predict(model, X, loss="bce")
    assert labels.shape == (200,) and set(np.unique(labels)) <= {0, 1}
    assert np.mean(labels == y) > 0.9 and h["loss"][-1] < h["loss"][0]
    torch.manual_seed(0)
    model2 = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 2))
    fit(model2, X, y, loss="ce", lr=0.5, epochs=300)
    assert np.mean(predict(model2, X, loss="ce") == y) > 0.9
    Xr, yr = regression()
    out = predict(net(), Xr)
    assert out.shape == (len(Xr),) and out.dtype == np.float64  # float64 model: float64 predictions


def test_float32_model_with_float64_data():
    X, y = regression()
    torch.manual_seed(0)
    model = torch.nn.Linear(5, 1)  # float32
    h = fit(model, X, y, lr=0.05, epochs=3)
    assert np.all(np.isfinite(h["loss"])) and predict(model, X).dtype == np.float32


@pytest.mark.parametrize(
    "kw, err, match",
    [
        (dict(weight_decay=0.1), ValueError, "weight_decay"),
        (dict(optimizer="adamw", l2=0.1), ValueError, "adamw"),
        (dict(optimizer="adam", momentum=0.9), ValueError, "momentum"),
        (dict(optimizer="lbfgs"), ValueError, "optimizer"),
        (dict(loss="hinge"), ValueError, "loss"),
        (dict(lr=0.0), ValueError, "lr"),
        (dict(epochs=2.5), TypeError, "epochs"),
        (dict(l2=-1.0), ValueError, "l2"),
        (dict(penalty="l2"), TypeError, "penalty"),
        (dict(batch_size=0), ValueError, "batch_size"),
        (dict(X_val=np.zeros((3, 5))), ValueError, "X_val and y_val"),
        (dict(X_val=np.zeros((3, 5)), y_val=np.zeros(2)), ValueError, "X_val and y_val"),
        (dict(loss="bce"), ValueError, "labels 0 or 1"),
        (dict(loss="ce"), TypeError, "integer class labels"),
    ],
)
def test_bad_arguments(kw, err, match):
    X, y = regression()
    args = dict(lr=0.1, epochs=2) | kw
    with pytest.raises(err, match=match):
        fit(net(), X, y, **args)


def test_bad_data():
    X, y = regression()
    with pytest.raises(ValueError, match="same number of rows"):
        fit(net(), X, y[:-1], lr=0.1, epochs=1)
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="X contains NaN"):
        fit(net(), Xn, y, lr=0.1, epochs=1)
    with pytest.raises(TypeError, match="model"):
        fit(lambda x: x, X, y, lr=0.1, epochs=1)


def test_fit_trains_in_place_and_leaves_the_input_alone():
    X, y = regression()
    X0 = X.copy()
    model = net()
    before = copy.deepcopy(model)
    fit(model, X, y, lr=0.05, epochs=3)
    np.testing.assert_array_equal(X, X0)
    assert (model[0].weight - before[0].weight).abs().max() > 0
