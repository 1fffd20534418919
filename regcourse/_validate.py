"""Argument checks shared by the library: clear errors that name the argument."""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = [
    "real",
    "nonneg",
    "positive",
    "positive_int",
    "as_float_array",
    "finite_array",
    "same_rows",
    "regression_data",
    "intercept_means",
    "one_of",
]


def _is_real(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def real(name: str, value) -> float:
    """Return ``value`` as float; raise if it is not a finite real number (a 0-d array or tensor is fine)."""
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:
        value = value.item()
    if not _is_real(value):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return value


def nonneg(name: str, value) -> float:
    """Return ``value`` as float; raise if it is not a finite real number >= 0."""
    value = real(name, value)
    if value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return value


def positive(name: str, value) -> float:
    """Return ``value`` as float; raise if it is not a finite real number > 0."""
    value = nonneg(name, value)
    if value == 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return value


def positive_int(name: str, value) -> int:
    """Return ``value``; raise if it is not an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value!r}")
    return int(value)


def as_float_array(name: str, x, ndim: int | tuple[int, ...] | None = None) -> np.ndarray:
    """Convert ``x`` to a float64 array (a copy-free view when possible) and check its rank."""
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be an array of numbers, got {type(x).__name__}")
    if hasattr(x, "detach"):  # torch tensor (any dtype, e.g. bfloat16, that numpy lacks)
        x = x.detach().cpu()
        x = x.resolve_conj().numpy() if x.is_complex() else x.double().numpy()
    try:
        arr = np.asarray(x)
        complex_ = np.iscomplexobj(arr)  # astype(float) would silently drop the imaginary part
        if not complex_:
            arr = arr.astype(np.float64, copy=False)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of numbers: {err}") from None
    if complex_:
        raise TypeError(f"{name} must hold real numbers, got complex dtype {arr.dtype}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else ndim
        if arr.ndim not in allowed:
            raise ValueError(
                f"{name} must have {' or '.join(map(str, allowed))} dimension(s), got shape {arr.shape}"
            )
    return arr


def finite_array(name: str, x, ndim=None) -> np.ndarray:
    """Like :func:`as_float_array`, and raise if any entry is NaN or infinite."""
    arr = as_float_array(name, x, ndim)
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} contains {bad} NaN or infinite value(s)")
    return arr


def same_rows(name_a: str, a, name_b: str, b) -> None:
    """Raise if ``a`` and ``b`` do not have the same number of rows."""
    for name, x in ((name_a, a), (name_b, b)):
        if np.ndim(x) == 0:
            raise ValueError(f"{name} must be an array with rows, got a scalar {x!r}")
    if len(a) != len(b):
        raise ValueError(
            f"{name_a} and {name_b} must have the same number of rows, got {len(a)} and {len(b)}"
        )


def regression_data(X, y):
    """``X`` (m, p) and ``y`` (m,) as finite float arrays with the same m >= 1 rows."""
    X = finite_array("X", X, ndim=2)
    y = finite_array("y", y, ndim=1)
    same_rows("X", X, "y", y)
    if len(y) == 0:
        raise ValueError("X and y must have at least one row")
    return X, y


def intercept_means(X, y, fit_intercept):
    """(mean of X's columns, mean of y) to centre on, or zeros when ``fit_intercept`` is False."""
    if not isinstance(fit_intercept, (bool, np.bool_)):
        raise TypeError(f"fit_intercept must be True or False, got {fit_intercept!r}")
    if fit_intercept:
        return X.mean(axis=0), float(y.mean())
    return np.zeros(X.shape[1]), 0.0


def one_of(name: str, value, options) -> str:
    """Raise unless ``value`` is one of ``options``."""
    if value not in options:
        raise ValueError(f"unknown {name} {value!r}; choose one of {sorted(options)}")
    return value
