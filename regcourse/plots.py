"""The figures the chapters reuse. Each function draws on a matplotlib Axes and returns it.

Call :func:`use_style` once at the top of a notebook for the course's look
(nothing is changed at import time).
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

__all__ = [
    "STYLE",
    "COLORS",
    "use_style",
    "training_curves",
    "weight_histogram",
    "regularization_path",
    "constraint_geometry",
    "decision_boundary",
]

COLORS = {
    "none": "#4c4c4c",
    "l1": "#d1495b",
    "l2": "#00798c",
    "elastic": "#edae49",
    "train": "#30638e",
    "val": "#d1495b",
    "test": "#d1495b",
}

STYLE = {
    "figure.figsize": (6.4, 3.6),
    "figure.dpi": 96,
    "savefig.dpi": 96,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "lines.linewidth": 1.8,
    "axes.prop_cycle": mpl.cycler(color=["#30638e", "#d1495b", "#00798c", "#edae49", "#66a182", "#4c4c4c"]),
}


def use_style():
    """Apply the course's figure style to matplotlib's rcParams."""
    mpl.rcParams.update(STYLE)


def _ax(ax):
    return plt.gca() if ax is None else ax


def training_curves(history, ax=None, keys=("loss", "val_loss"), log=True, label=""):
    """Plot history columns (default training and validation data loss) against the epoch."""
    ax = _ax(ax)
    names = {
        "loss": "training loss",
        "val_loss": "validation loss",
        "weight_norm": "‖W‖",
        "penalty": "penalty",
        "sparsity": "fraction of zero weights",
    }
    for key in keys:
        values = history[key]
        if len(values):
            ax.plot(history["epoch"], values, label=f"{label}{names.get(key, key)}")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss" if set(keys) <= {"loss", "val_loss"} else ", ".join(keys))
    if log:
        ax.set_yscale("log")
    ax.legend()
    return ax


def weight_histogram(weights: dict, ax=None, bins=60, range_=None):
    """Overlaid histograms of several weight vectors, e.g. {"none": w0, "L1": w1, "L2": w2}."""
    ax = _ax(ax)
    flat = {k: np.asarray(w, dtype=float).ravel() for k, w in weights.items()}
    if range_ is None:
        hi = max(float(np.abs(w).max()) for w in flat.values()) or 1.0
        range_ = (-hi, hi)
    for name, w in flat.items():
        ax.hist(
            w,
            bins=bins,
            range=range_,
            histtype="step",
            linewidth=1.8,
            color=COLORS.get(name.lower().split()[0]),
            label=name,
        )
    ax.set_xlabel("weight value")
    ax.set_ylabel("number of weights")
    ax.legend()
    return ax


def regularization_path(lams, coefs, ax=None, xlabel="λ", logx=True, highlight=None):
    """One line per coefficient: coefs[i, j] is coefficient j at penalty strength lams[i]."""
    ax = _ax(ax)
    coefs = np.asarray(coefs, dtype=float)
    for j in range(coefs.shape[1]):
        strong = highlight is not None and j in highlight
        ax.plot(lams, coefs[:, j], lw=2.0 if strong else 1.0, alpha=1.0 if strong else 0.6)
    if logx:
        ax.set_xscale("log")
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("coefficient")
    return ax


def constraint_geometry(loss_fn, ax=None, radius=1.0, extent=2.5, levels=12, kind=("l1", "l2")):
    """Contours of a two-weight loss ``loss_fn(W1, W2)`` with the L1 diamond and L2 circle of ``radius``."""
    ax = _ax(ax)
    g = np.linspace(-extent, extent, 301)
    W1, W2 = np.meshgrid(g, g)
    ax.contour(W1, W2, loss_fn(W1, W2), levels=levels, colors="#4c4c4c", linewidths=0.8, alpha=0.7)
    t = np.linspace(0, 2 * np.pi, 400)
    if "l2" in kind:
        ax.plot(radius * np.cos(t), radius * np.sin(t), color=COLORS["l2"], label="L2 ball  w₁²+w₂² ≤ r²")
    if "l1" in kind:
        d = np.array([[radius, 0], [0, radius], [-radius, 0], [0, -radius], [radius, 0]])
        ax.plot(d[:, 0], d[:, 1], color=COLORS["l1"], label="L1 ball  |w₁|+|w₂| ≤ r")
    ax.axhline(0, color="k", lw=0.5)
    ax.axvline(0, color="k", lw=0.5)
    ax.set_aspect("equal")
    ax.set_xlabel("w₁")
    ax.set_ylabel("w₂")
    ax.legend(loc="upper left")
    return ax


def decision_boundary(predict_proba, X, y, ax=None, resolution=200, pad=0.5):
    """Shade P(y=1 | x) from ``predict_proba(points) -> probabilities``; draw the 0.5 contour and the data."""
    ax = _ax(ax)
    X = np.asarray(X, dtype=float)
    x0 = np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, resolution)
    x1 = np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, resolution)
    G0, G1 = np.meshgrid(x0, x1)
    P = np.asarray(predict_proba(np.column_stack([G0.ravel(), G1.ravel()]))).reshape(G0.shape)
    ax.contourf(G0, G1, P, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.35)
    ax.contour(G0, G1, P, levels=[0.5], colors="k", linewidths=1.2)
    y = np.asarray(y).ravel()
    ax.scatter(X[y == 0, 0], X[y == 0, 1], s=18, c="#30638e", edgecolor="w", linewidth=0.5, label="class 0")
    ax.scatter(X[y == 1, 0], X[y == 1, 1], s=18, c="#d1495b", edgecolor="w", linewidth=0.5, label="class 1")
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    return ax
