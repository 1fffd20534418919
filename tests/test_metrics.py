"""regcourse.metrics against numpy, torch.linalg and scikit-learn."""

import numpy as np
import pytest
import torch
from sklearn.metrics import accuracy_score, mean_squared_error

from regcourse import metrics as M


def test_sparsity_and_count_zeros():
    w = np.array([0.0, 1e-9, -2.0, 0.0, 3.0])
    assert M.sparsity(w) == 0.4 and M.count_zeros(w) == 2
    assert M.sparsity(w, atol=1e-6) == 0.6 and M.count_zeros(w, atol=1e-6) == 3
    assert M.sparsity(torch.tensor(w)) == 0.4
    with pytest.raises(ValueError, match="no entries"):
        M.sparsity([])
    with pytest.raises(ValueError, match="atol"):
        M.sparsity(w, atol=-1)


def test_model_weights_exclude_biases():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    with torch.no_grad():
        net[0].weight[:2] = 0.0  # 6 of the 12 + 8 = 20 weights
        net[0].bias.zero_()  # biases do not count
    assert M.flat_weights(net).shape == (20,) and M.flat_weights(net).dtype == np.float64
    assert M.sparsity(net) == pytest.approx(6 / 20)
    assert M.count_zeros(net, include_bias=True) == 6 + 4
    norms = M.weight_norms(net)
    assert set(norms) == {"0.weight", "2.weight"}
    for name, value in norms.items():
        W = dict(net.named_parameters())[name]
        assert value == pytest.approx(float(torch.linalg.matrix_norm(W.detach(), ord="fro")), rel=1e-6)
    assert set(M.weight_norms(net, include_bias=True)) == {"0.weight", "0.bias", "2.weight", "2.bias"}
    assert M.flat_weights(torch.nn.ReLU()).size == 0


def test_bytes():
    # the crossed feature of the syllabus: 10,000 x 20,000 buckets, 1 % non-zero
    n = 10_000 * 20_000
    assert M.dense_bytes(n) == 800_000_000
    assert M.sparse_bytes(n // 100) == (n // 100) * 8
    assert M.sparse_bytes(0) == 0 and M.dense_bytes(10, value_bytes=8) == 80
    assert M.sparse_bytes(np.int64(5), index_bytes=8) == 5 * 12
    with pytest.raises(TypeError, match="n_nonzero"):
        M.sparse_bytes(2.5)
    with pytest.raises(ValueError, match="n_nonzero"):
        M.sparse_bytes(-1)
    with pytest.raises(ValueError, match="n_weights"):
        M.dense_bytes(0)


def test_mse_and_accuracy_match_sklearn():
    rng = np.random.default_rng(0)
    y, y_hat = rng.standard_normal(30), rng.standard_normal(30)
    assert M.mse(y, y_hat) == pytest.approx(mean_squared_error(y, y_hat), rel=1e-14)
    assert M.mse(y[:, None], torch.tensor(y_hat)) == pytest.approx(mean_squared_error(y, y_hat))
    labels, pred = rng.integers(0, 3, 40), rng.integers(0, 3, 40)
    assert M.accuracy(labels, pred) == pytest.approx(accuracy_score(labels, pred))
    with pytest.raises(ValueError, match="same number of rows"):
        M.mse(y, y_hat[:-1])
    with pytest.raises(ValueError, match="y_hat contains"):
        M.mse(y, np.full(30, np.nan))
    with pytest.raises(ValueError, match="same number of rows"):
        M.accuracy(labels, pred[:3])
    with pytest.raises(ValueError, match="empty"):
        M.accuracy([], [])
