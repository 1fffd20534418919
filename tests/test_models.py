"""regcourse.models: seeded builders, the sequence regressor, predict_proba."""

import numpy as np
import pytest
import torch

import regcourse as rc
from regcourse.models import SequenceRegressor, mlp, predict_proba


def _flat(model):
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()])


def test_mlp_shapes_and_layers():
    model = mlp(3, (5, 4), 2, seed=0)
    assert [tuple(p.shape) for p in model.parameters()] == [(5, 3), (5,), (4, 5), (4,), (2, 4), (2,)]
    assert model(torch.zeros(7, 3)).shape == (7, 2)
    assert sum(isinstance(m, torch.nn.ReLU) for m in model) == 2
    assert len(mlp(2, 10)) == 3  # Linear, ReLU, Linear


def test_mlp_is_seeded_and_leaves_global_rng_alone():
    torch.manual_seed(123)
    state = torch.get_rng_state()
    a, b, c = mlp(2, 8, seed=1), mlp(2, 8, seed=1), mlp(2, 8, seed=2)
    assert torch.equal(torch.get_rng_state(), state)
    assert torch.equal(_flat(a), _flat(b))
    assert not torch.equal(_flat(a), _flat(c))


def test_mlp_same_init_as_torch_default():
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(5)
        ref = torch.nn.Sequential(torch.nn.Linear(2, 6), torch.nn.ReLU(), torch.nn.Linear(6, 1))
    assert torch.equal(_flat(mlp(2, 6, 1, seed=5)), _flat(ref))


def test_mlp_dropout_layers_active_only_in_training():
    model = mlp(2, 50, 1, seed=0, dropout=0.5)
    assert sum(isinstance(m, torch.nn.Dropout) for m in model) == 1
    x = torch.ones(4, 2)
    model.eval()
    assert torch.equal(model(x), model(x))
    model.train()
    torch.manual_seed(0)
    assert not torch.equal(model(x), model(x))


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(n_in=0, hidden=3), ValueError, "n_in"),
        (dict(n_in=2, hidden=0), ValueError, "hidden"),
        (dict(n_in=2, hidden="3"), TypeError, "hidden"),
        (dict(n_in=2, hidden=True), TypeError, "hidden"),
        (dict(n_in=2, hidden=3, n_out=0), ValueError, "n_out"),
        (dict(n_in=2, hidden=3, dropout=1.0), ValueError, "dropout"),
        (dict(n_in=2, hidden=3, dropout=-0.1), ValueError, "dropout"),
        (dict(n_in=2, hidden=3, seed=-1), ValueError, "seed"),
        (dict(n_in=2, hidden=3, seed=1.5), TypeError, "seed"),
    ],
)
def test_mlp_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        mlp(**kwargs)


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_sequence_regressor(cell):
    model = SequenceRegressor(3, 5, n_out=2, cell=cell, seed=0)
    x = torch.randn(4, 7, 3, generator=torch.Generator().manual_seed(0))
    out = model(x)
    assert out.shape == (4, 2)
    # the unrolled forward is torch's GRU/LSTM: the read-out of its last hidden state
    seq, _ = model.rnn(x)
    assert torch.allclose(out, model.head(seq[:, -1]), atol=1e-6)
    assert model.rnn.weight_ih_l0.shape == ((3 if cell == "gru" else 4) * 5, 3)
    names = dict(model.named_parameters())
    assert "rnn.weight_ih_l0" in names and "rnn.weight_hh_l0" in names
    assert torch.equal(_flat(model), _flat(SequenceRegressor(3, 5, n_out=2, cell=cell, seed=0)))
    # the penalty covers both recurrent matrices and the head, not the biases
    penalized = {id(p) for p in rc.penalties.penalized_parameters(model)}
    assert {n for n, p in model.named_parameters() if id(p) in penalized} == {
        "rnn.weight_ih_l0",
        "rnn.weight_hh_l0",
        "head.weight",
    }


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_sequence_regressor_matches_torch_in_float64_and_vmaps(cell):
    from torch.func import functional_call, stack_module_state, vmap

    models = [SequenceRegressor(2, 4, cell=cell, seed=s).double() for s in range(3)]
    x = torch.randn(5, 6, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    for m in models:
        seq, _ = m.rnn(x)
        torch.testing.assert_close(m(x), m.head(seq[:, -1]), rtol=1e-12, atol=1e-12)
    params, buffers = stack_module_state(models)
    one_by_one = torch.stack([m(x) for m in models])
    out = vmap(lambda p, b: functional_call(models[0], (p, b), (x,)))(params, buffers)
    torch.testing.assert_close(out, one_by_one, rtol=1e-12, atol=1e-12)
    xs = torch.stack([x, 2 * x, -x])  # stacked parameters, one data set per model
    stacked = rc.models.sequence_forward(params, xs, cell)
    torch.testing.assert_close(
        stacked, torch.stack([m(d) for m, d in zip(models, xs)]), rtol=1e-12, atol=1e-12
    )
    with pytest.raises(ValueError, match="x must have shape"):
        rc.models.sequence_forward(params, x, cell)


def test_sequence_regressor_bad_input():
    with pytest.raises(ValueError, match="cell"):
        SequenceRegressor(1, 2, cell="rnn")
    with pytest.raises(ValueError, match="hidden"):
        SequenceRegressor(1, 0)
    with pytest.raises(ValueError, match="x must have shape"):
        SequenceRegressor(1, 2)(torch.zeros(3, 1))


def test_sequence_regressor_trains_with_fit():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((32, 6, 1))
    y = X[:, :, 0].sum(axis=1)
    model = SequenceRegressor(1, 8, seed=0)
    h = rc.fit(model, X, y, lr=0.02, epochs=60, optimizer="adam", l2=1e-4)
    assert h["loss"][-1] < 0.3 * h["loss"][0]


def test_predict_proba_binary_matches_sigmoid_and_labels():
    X, y = rc.make_moons(40, seed=0)
    model = mlp(2, 16, 1, seed=0)
    rc.fit(model, X, y, loss="bce", lr=0.05, epochs=50, optimizer="adam")
    p = predict_proba(model)(X)
    assert p.shape == (40,) and p.dtype == np.float64 and np.all((p >= 0) & (p <= 1))
    with torch.no_grad():
        ref = torch.sigmoid(model(torch.tensor(X, dtype=torch.float32))).reshape(-1).double().numpy()
    np.testing.assert_allclose(p, ref, rtol=1e-6)
    np.testing.assert_array_equal((p > 0.5).astype(int), rc.train.predict(model, X, "bce"))


def test_predict_proba_two_classes_is_softmax_class_one():
    model = mlp(2, 4, 2, seed=3).double()
    x = np.array([[0.1, -0.2], [1.0, 2.0]])
    with torch.no_grad():
        ref = torch.softmax(model(torch.tensor(x)), dim=1)[:, 1].numpy()
    np.testing.assert_allclose(predict_proba(model)(x), ref, rtol=1e-12)


def test_predict_proba_turns_dropout_off_and_checks_input():
    model = mlp(2, 30, 1, seed=0, dropout=0.5)
    f = predict_proba(model)
    x = np.ones((3, 2))
    np.testing.assert_array_equal(f(x), f(x))
    with pytest.raises(ValueError, match="points"):
        f(np.ones(2))
    with pytest.raises(TypeError, match="model"):
        predict_proba("not a model")


def test_decision_boundary_smoke():
    import matplotlib

    matplotlib.use("Agg")
    X, y = rc.make_moons(20, seed=1)
    ax = rc.plots.decision_boundary(predict_proba(mlp(2, 4, seed=0)), X, y, resolution=20)
    assert ax is not None
