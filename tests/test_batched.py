"""regcourse.batched.fit_many against a loop of regcourse.train.fit over deep copies (float64).

The reference is independent of the vectorized code: fit trains one nn.Module at a time with
torch's own optimizers and autograd; fit_many stacks M models' parameters and trains them with
batched products (or vmap) and one optimizer. They must agree to 1e-6 in weights, gradients of
the last step and every History column.
"""

import copy

import numpy as np
import pytest
import torch

import regcourse as rc
from regcourse import batched
from regcourse.batched import fit_many
from regcourse.data import make_moons, make_sparse_regression
from regcourse.train import fit

TOL = 1e-6
FIELDS = ("epoch", "loss", "penalty", "val_loss", "weight_norm", "sparsity")


def mlps(n=4, n_in=3, hidden=8, n_out=1, dropout=0.0, start=0):
    return [rc.models.mlp(n_in, hidden, n_out, seed=start + s, dropout=dropout).double() for s in range(n)]


def regression(seed, n=20, p=3):
    X, y, _ = make_sparse_regression(n, p, 2, noise=0.3, seed=seed)
    return X, y


def assert_same(models, refs, hist, ref_hist, tol=TOL):
    assert len(hist) == len(ref_hist) == len(models)
    for m, r in zip(models, refs):
        for (name, p), q in zip(m.named_parameters(), r.parameters()):
            assert torch.allclose(p, q, rtol=0, atol=tol), name
            assert (p.grad is None) == (q.grad is None), name
            if p.grad is not None:
                assert torch.allclose(p.grad, q.grad, rtol=0, atol=tol), name
        assert m.training == r.training
    for h, g in zip(hist, ref_hist):
        for f in FIELDS:
            a, b = h[f], g[f]
            assert a.shape == b.shape, f
            assert np.allclose(a, b, rtol=0, atol=tol), (f, np.abs(a - b).max())


def run_both(models, X, y, seeds=None, **kw):
    """fit_many on the models, the loop of fit on deep copies; returns both results."""
    refs = copy.deepcopy(models)
    n = len(models)
    seeds = list(range(n)) if seeds is None else seeds

    def per(a, i):
        return a[i] if isinstance(a, list) else a

    ref_hist = [
        fit(
            r,
            per(X, i),
            per(y, i),
            seed=seeds[i],
            **{k: (per(v, i) if k in ("X_val", "y_val") else v) for k, v in kw.items()},
        )
        for i, r in enumerate(refs)
    ]
    hist = fit_many(models, X, y, seed=seeds, **kw)
    return refs, hist, ref_hist


OPTIMIZERS = [
    dict(optimizer="sgd", lr=0.05),
    dict(optimizer="sgd", lr=0.05, momentum=0.9),
    dict(optimizer="adam", lr=0.01),
    dict(optimizer="adamw", lr=0.01, weight_decay=0.1),
    dict(optimizer="proximal", lr=0.05, l1=0.01),
]
PENALTIES = [
    dict(),
    dict(l2=0.01),
    dict(l1=0.003),
    dict(l1=0.003, l2=0.01),
    dict(l1=0.003, l2=0.01, include_bias=True),
]


def compatible(opt, pen):
    if opt["optimizer"] == "adamw":
        return not (pen.get("l1") or pen.get("l2"))
    return True


CASES = [(o, p) for o in OPTIMIZERS for p in PENALTIES if compatible(o, p)]


@pytest.mark.parametrize(
    "opt,pen",
    CASES,
    ids=[
        f"{o['optimizer']}{'+mom' if 'momentum' in o else ''}-{'_'.join(f'{k}' for k in p) or 'none'}"
        for o, p in CASES
    ],
)
@pytest.mark.parametrize("shared", [True, False], ids=["shared", "per_model"])
def test_equals_loop_of_fit(opt, pen, shared):
    kw = {**opt, **pen}
    data = [regression(100 + i) for i in range(4)]
    X = data[0][0] if shared else [d[0] for d in data]
    y = data[0][1] if shared else [d[1] for d in data]
    models = mlps()
    refs, hist, ref_hist = run_both(models, X, y, epochs=25, **kw)
    assert batched.LAST_PATH[0] == "stacked"
    assert_same(models, refs, hist, ref_hist)
    assert hist[0]["loss"][-1] < hist[0]["loss"][0]  # it trained


@pytest.mark.parametrize("shared_val", [True, False])
@pytest.mark.parametrize("record_every,epochs", [(1, 12), (3, 12), (5, 12), (20, 7)])
def test_validation_and_record_every(shared_val, record_every, epochs):
    data = [regression(200 + i) for i in range(3)]
    val = [regression(300 + i) for i in range(3)]
    X_val = val[0][0] if shared_val else [v[0] for v in val]
    y_val = val[0][1] if shared_val else [v[1] for v in val]
    models = mlps(3)
    refs, hist, ref_hist = run_both(
        models,
        [d[0] for d in data],
        [d[1] for d in data],
        optimizer="adam",
        lr=0.01,
        l2=0.01,
        epochs=epochs,
        X_val=X_val,
        y_val=y_val,
        record_every=record_every,
    )
    assert_same(models, refs, hist, ref_hist)
    expected = [e for e in range(epochs) if e % record_every == 0] + [epochs]
    assert hist[1].epoch == expected
    assert len(hist[1].val_loss) == len(expected)


@pytest.mark.parametrize("loss", ["bce", "ce"])
@pytest.mark.parametrize("opt", ["sgd", "adam", "proximal"])
def test_classification_losses(loss, opt):
    X, y = make_moons(30, noise=0.2, seed=5)
    if loss == "ce":
        y = np.where(X[:, 0] > 1.0, 2, y)  # three classes
    models = mlps(3, n_in=2, hidden=10, n_out=3 if loss == "ce" else 1)
    refs, hist, ref_hist = run_both(
        models, X, y, loss=loss, optimizer=opt, lr=0.05, l1=0.002, epochs=20, X_val=X[:10], y_val=y[:10]
    )
    assert_same(models, refs, hist, ref_hist)


def test_float32_models_and_torch_inputs():
    X, y = regression(7)
    models = [rc.models.mlp(3, (6, 5), 1, seed=s) for s in range(3)]  # float32, two hidden
    refs, hist, ref_hist = run_both(
        models, torch.as_tensor(X), torch.as_tensor(y), optimizer="adam", lr=0.01, l1=1e-3, l2=1e-3, epochs=15
    )
    assert batched.LAST_PATH[0] == "stacked"
    assert_same(models, refs, hist, ref_hist, tol=1e-5)


def test_custom_penalty_and_sparsity_from_proximal():
    X, y = regression(8)
    models = mlps(3)
    refs, hist, ref_hist = run_both(
        models, X, y, optimizer="proximal", lr=0.1, l1=0.05, epochs=40, penalty=lambda w: 0.01 * (w**4).sum()
    )
    assert_same(models, refs, hist, ref_hist)
    assert max(h.sparsity[-1] for h in hist) > 0  # exact zeros appeared, and match the loop


class Residual(torch.nn.Module):
    """Not a Sequential: trained through torch.func.vmap(functional_call)."""

    def __init__(self, seed):
        super().__init__()
        torch.manual_seed(seed)
        self.inp = torch.nn.Linear(3, 6)
        self.mid = torch.nn.Linear(6, 6)
        self.out = torch.nn.Linear(6, 1, bias=False)
        self.register_buffer("scale", torch.tensor(0.5))

    def forward(self, x):
        h = torch.tanh(self.inp(x))
        return self.out(h + self.scale * torch.relu(self.mid(h)))


@pytest.mark.parametrize(
    "opt",
    [
        dict(optimizer="sgd", lr=0.05, momentum=0.5, l2=0.01),
        dict(optimizer="adam", lr=0.01, l1=0.002, include_bias=True),
    ],
)
def test_vmap_path_for_other_modules(opt):
    data = [regression(400 + i) for i in range(3)]
    models = [Residual(s).double() for s in range(3)]
    refs, hist, ref_hist = run_both(
        models, [d[0] for d in data], data[0][1], epochs=15, X_val=data[1][0], y_val=data[1][1], **opt
    )
    assert batched.LAST_PATH[0] == "vmap"
    assert_same(models, refs, hist, ref_hist)


def test_frozen_parameters_and_mixed_activations():
    X, y = regression(9)
    models = []
    for s in range(3):
        torch.manual_seed(s)
        m = torch.nn.Sequential(
            torch.nn.Linear(3, 7),
            torch.nn.Tanh(),
            torch.nn.Linear(7, 5),
            torch.nn.LeakyReLU(0.1),
            torch.nn.Linear(5, 1),
        ).double()
        m[0].bias.requires_grad_(False)
        models.append(m)
    refs, hist, ref_hist = run_both(
        models, X, y, optimizer="adam", lr=0.01, l2=0.01, include_bias=True, epochs=15
    )
    assert batched.LAST_PATH[0] == "stacked"
    assert_same(models, refs, hist, ref_hist)
    assert torch.equal(models[1][0].bias, refs[1][0].bias)  # untouched, as in fit


def test_dropout_falls_back_to_the_loop_with_per_model_seeds():
    X, y = regression(10)
    models = mlps(3, dropout=0.3)
    refs, hist, ref_hist = run_both(models, X, y, seeds=[11, 12, 13], optimizer="adam", lr=0.01, epochs=10)
    assert batched.LAST_PATH[0] == "loop"
    assert_same(models, refs, hist, ref_hist, tol=0)
    other = mlps(3, dropout=0.3)  # the seeds matter: other seeds, other weights
    fit_many(other, X, y, seed=[21, 22, 23], optimizer="adam", lr=0.01, epochs=10)
    assert not torch.allclose(other[0][0].weight, models[0][0].weight)


def test_data_sets_of_different_sizes_fall_back_to_the_loop():
    data = [regression(500 + i, n=15 + 5 * i) for i in range(3)]
    models = mlps(3)
    refs, hist, ref_hist = run_both(
        models, [d[0] for d in data], [d[1] for d in data], optimizer="sgd", lr=0.05, l2=0.01, epochs=10
    )
    assert batched.LAST_PATH[0] == "loop"
    assert_same(models, refs, hist, ref_hist, tol=0)


def test_single_int_seed_range_and_tuple_inputs():
    X, y = regression(11)
    models = mlps(3)
    refs = copy.deepcopy(models)
    hist = fit_many(tuple(models), X, y, lr=0.05, epochs=8, seed=rc.seeds(3))
    ref_hist = [fit(r, X, y, lr=0.05, epochs=8, seed=s) for r, s in zip(refs, rc.seeds(3))]
    assert_same(models, refs, hist, ref_hist)
    hist = fit_many(torch.nn.ModuleList(models), X, y, lr=0.05, epochs=8, seed=3)
    assert len(hist) == 3


def test_trains_in_place_and_leaves_global_rng_alone():
    X, y = regression(12)
    models = mlps(2)
    before = [p.detach().clone() for p in models[0].parameters()]
    state = torch.random.get_rng_state()
    fit_many(models, X, y, lr=0.05, epochs=5)
    assert torch.equal(state, torch.random.get_rng_state())
    assert not torch.equal(before[0], models[0][0].weight)


# ---------------------------------------------------------------- errors


def test_error_empty_and_non_modules():
    X, y = regression(0)
    with pytest.raises(ValueError, match="models"):
        fit_many([], X, y, lr=0.1, epochs=1)
    with pytest.raises(TypeError, match=r"models\[1\]"):
        fit_many([mlps(1)[0], "net"], X, y, lr=0.1, epochs=1)
    with pytest.raises(TypeError, match="models must be a list"):
        fit_many(mlps(1)[0], X, y, lr=0.1, epochs=1)
    with pytest.raises(TypeError, match="models must be a list"):
        fit_many(None, X, y, lr=0.1, epochs=1)


@pytest.mark.parametrize(
    "other",
    [
        lambda: rc.models.mlp(3, 9, 1, seed=1).double(),  # another width
        lambda: rc.models.mlp(3, (8, 8), 1, seed=1).double(),  # another depth
        lambda: rc.models.mlp(3, 8, 1, seed=1),  # another dtype
        lambda: torch.nn.Sequential(
            torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1)
        ).double(),  # another activation
        lambda: rc.models.mlp(3, 8, 1, seed=1, dropout=0.2).double(),  # an extra layer
    ],
    ids=["width", "depth", "dtype", "activation", "dropout"],
)
def test_error_different_architectures(other):
    X, y = regression(0)
    with pytest.raises(ValueError, match=r"models\[1\] differs from models\[0\]"):
        fit_many([mlps(1)[0], other()], X, y, lr=0.1, epochs=1)


def test_error_shared_parameters():
    X, y = regression(0)
    m = mlps(1)[0]
    with pytest.raises(ValueError, match=r"models\[1\] shares"):
        fit_many([m, m], X, y, lr=0.1, epochs=1)


@pytest.mark.parametrize("name", ["X", "y", "X_val", "y_val", "seed"])
def test_error_list_lengths(name):
    X, y = regression(0)
    kw = dict(X=X, y=y, X_val=X, y_val=y, seed=0)
    kw[name] = [kw[name]] * 2 if name != "seed" else [1, 2]
    with pytest.raises(ValueError, match=f"{name} must be .* 2 for 3 models"):
        fit_many(mlps(3), kw.pop("X"), kw.pop("y"), lr=0.1, epochs=1, **kw)


def test_error_other_arguments():
    X, y = regression(0)
    ms = mlps(2)
    with pytest.raises(ValueError, match="batch_size"):
        fit_many(ms, X, y, lr=0.1, epochs=1, batch_size=4)
    with pytest.raises(TypeError, match="seed"):
        fit_many(ms, X, y, lr=0.1, epochs=1, seed=[1, 2.5])
    with pytest.raises(TypeError, match="seed"):
        fit_many(ms, X, y, lr=0.1, epochs=1, seed="0")
    with pytest.raises(ValueError, match="X_val and y_val"):
        fit_many(ms, X, y, lr=0.1, epochs=1, X_val=X)
    with pytest.raises(TypeError, match=r"X\[1\]"):
        fit_many(ms, [X, None], y, lr=0.1, epochs=1)
    with pytest.raises(ValueError, match="lr"):
        fit_many(ms, X, y, lr=0.0, epochs=1)
    with pytest.raises(ValueError, match="weight_decay"):
        fit_many(ms, X, y, lr=0.1, epochs=1, weight_decay=0.1)
    with pytest.raises(ValueError, match="same number of rows"):
        fit_many(ms, [X, X], [y, y[:-1]], lr=0.1, epochs=1)
    with pytest.raises(ValueError, match=r"y\[1\] contains NaN"):
        fit_many(ms, X, [y, np.full_like(y, np.nan)], lr=0.1, epochs=1)
