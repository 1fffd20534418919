"""The machinery behind the exercise checks: run a learner's answer, compare, explain.

A check raises :class:`CheckError` (an AssertionError) with a message in the
reader's terms, or prints one line starting with a check mark.
"""
from __future__ import annotations

import numpy as np

__all__ = ["CheckError", "run", "passed", "as_array", "expect_shape", "expect_close"]


class CheckError(AssertionError):
    """A learner's answer is wrong; the message says how."""


def run(fn, *args, exercise: str, name: str | None = None, **kwargs):
    """Call the learner's ``fn``; turn a missing implementation or a crash into a CheckError."""
    label = name or getattr(fn, "__name__", "your function")
    if not callable(fn):
        raise CheckError(f"{exercise}: expected a function, got {type(fn).__name__} {fn!r}")
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        raise CheckError(f"{exercise} is not done yet: {label} still raises NotImplementedError. "
                         f"Replace the `raise NotImplementedError(...)` line with your code.") from None
    except CheckError:
        raise
    except Exception as err:  # a crash in the learner's code: show it in their terms
        raise CheckError(f"{exercise}: {label} raised {type(err).__name__}: {err} "
                         f"(called with {_describe(args)})") from err


def passed(exercise: str, detail: str = "") -> None:
    """Print the one-line confirmation."""
    print(f"✓ {exercise}: correct." + (f" {detail}" if detail else ""))


def as_array(value, exercise: str, what: str) -> np.ndarray:
    """The learner's value as a float array, or a CheckError saying what came back instead."""
    if value is None:
        raise CheckError(f"{exercise}: {what} returned None. Did you forget `return`?")
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise CheckError(f"{exercise}: {what} should be numbers, got {type(value).__name__} "
                         f"{value!r}") from None


def expect_shape(got: np.ndarray, expected: np.ndarray, exercise: str, what: str) -> None:
    """Raise when shapes differ: 'shapes differ: expected (3,), got (3, 1)'."""
    if got.shape != expected.shape:
        raise CheckError(f"{exercise}: shapes differ for {what}: expected {expected.shape}, "
                         f"got {got.shape}")


def expect_close(got, expected, exercise: str, what: str, rtol=1e-6, atol=1e-9,
                 hints=(), inputs=None) -> None:
    """Compare to the reference; on a mismatch try each ``(wrong_answer, message)`` hint first.

    ``hints`` lists typical wrong answers computed on the same input: when the
    learner's value equals one of them, its message is the diagnosis.
    """
    got = as_array(got, exercise, what)
    expected = np.asarray(expected, dtype=float)
    expect_shape(got, expected, exercise, what)
    if not np.all(np.isfinite(got)):
        raise CheckError(f"{exercise}: {what} contains NaN or inf"
                         + (f" for input {_describe(inputs)}" if inputs is not None else ""))
    if np.allclose(got, expected, rtol=rtol, atol=atol):
        return
    for wrong, message in hints:
        wrong = np.asarray(wrong, dtype=float)
        if wrong.shape == got.shape and np.allclose(got, wrong, rtol=rtol, atol=atol):
            raise CheckError(f"{exercise}: {message}")
    worst = np.unravel_index(np.argmax(np.abs(got - expected)), got.shape) if got.ndim else ()
    raise CheckError(f"{exercise}: {what} is wrong"
                     + (f" for input {_describe(inputs)}" if inputs is not None else "")
                     + f": expected {_short(expected)}, got {_short(got)}"
                     + (f" (largest difference at index {tuple(int(i) for i in worst)})" if worst else ""))


def _short(a) -> str:
    return np.array2string(np.asarray(a), precision=4, threshold=8, edgeitems=3)


def _describe(args) -> str:
    if isinstance(args, tuple):
        return ", ".join(_short(a) if isinstance(a, np.ndarray) else repr(a) for a in args)
    return _short(args) if isinstance(args, np.ndarray) else repr(args)
