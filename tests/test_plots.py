"""regcourse.plots: every figure draws, labels its axes and leaves global state alone at import."""

import importlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from regcourse import plots
from regcourse.train import History


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def test_import_changes_no_rcparams():
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        before = dict(matplotlib.rcParams)
        importlib.reload(plots)  # re-runs the module's top level, as a first import would
        assert dict(matplotlib.rcParams) == before, "importing regcourse.plots changed rcParams"


def test_use_style():
    with matplotlib.rc_context():
        plots.use_style()
        assert matplotlib.rcParams["axes.grid"] is True
        assert matplotlib.rcParams["axes.spines.top"] is False


def test_training_curves(ax):
    h = History(
        epoch=[0, 1, 2],
        loss=[1.0, 0.5, 0.25],
        val_loss=[1.1, 0.7, 0.6],
        penalty=[0.1] * 3,
        weight_norm=[1, 2, 3],
        sparsity=[0, 0, 0],
    )
    assert plots.training_curves(h, ax=ax) is ax
    assert [line.get_label() for line in ax.get_lines()] == ["training loss", "validation loss"]
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss" and ax.get_yscale() == "log"
    assert ax.get_legend() is not None
    fig, ax2 = plt.subplots()
    plots.training_curves(History(epoch=[0, 1], loss=[1, 2]), ax=ax2, log=False)
    assert len(ax2.get_lines()) == 1  # no validation data: no empty line
    plt.close(fig)


def test_weight_histogram(ax):
    rng = np.random.default_rng(0)
    plots.weight_histogram({"none": rng.standard_normal(100), "L2": 0.3 * rng.standard_normal(100)}, ax=ax)
    assert ax.get_xlabel() == "weight value" and ax.get_ylabel() == "number of weights"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["none", "L2"]


def test_regularization_path(ax):
    lams = np.logspace(-3, 1, 5)
    plots.regularization_path(lams, np.outer(1 / (1 + lams), [1, -2, 0.5]), ax=ax, highlight=[1])
    assert len(ax.get_lines()) == 4  # 3 coefficients + the zero line
    assert ax.get_xscale() == "log" and ax.get_ylabel() == "coefficient"
    assert ax.get_lines()[1].get_linewidth() == 2.0


def test_constraint_geometry(ax):
    plots.constraint_geometry(lambda a, b: (a - 1) ** 2 + 2 * (b - 0.5) ** 2, ax=ax, radius=0.8)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(labels) == 2 and ax.get_xlabel() and ax.get_ylabel()
    diamond = [line for line in ax.get_lines() if "L1" in line.get_label()][0]
    np.testing.assert_allclose(np.abs(diamond.get_xdata()) + np.abs(diamond.get_ydata()), 0.8)


def test_decision_boundary(ax):
    from regcourse.data import make_moons

    X, y = make_moons(40, seed=0)
    plots.decision_boundary(lambda P: 1 / (1 + np.exp(-P[:, 0])), X, y, ax=ax, resolution=30)
    assert ax.get_xlabel() and ax.get_ylabel() and len(ax.collections) >= 2
