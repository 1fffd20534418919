"""The machinery behind the exercise checks: run a learner's answer, compare, explain.

A check raises :class:`CheckError` (an AssertionError) with a message in the
reader's terms, or prints one line starting with a check mark. Whatever the answer
returns (None, text, a generator, a tensor that carries gradients, NaN, a value whose
conversion fails, ...), the helpers here turn it into a CheckError, never a traceback
from inside the check; :func:`guarded` (applied to every check by the package) is the
last safety net for anything they miss.

Tolerances: an answer computed in float64 is compared with ``rtol``/``atol``; one
computed in float32 (numpy or torch) keeps about 7 significant digits, so it is
compared with ``rtol >= F32_RTOL`` and ``atol >= F32_ATOL * max|expected|``, and a
mismatch message says when float32 rounding is the likely cause.
"""

from __future__ import annotations

import collections.abc
import functools
import re
import sys

import numpy as np

__all__ = [
    "CheckError",
    "run",
    "passed",
    "fresh_rng",
    "as_array",
    "as_tuple",
    "as_numbers",
    "answer_dtype",
    "expect_shape",
    "expect_close",
    "is_tensor",
    "as_torch_scalar",
    "grad_of",
    "guarded",
]

#: float32 tolerance: about 800 float32 rounding steps relative, and absolute relative to the
#: largest expected entry (a float32 computation's error scales with its largest intermediates).
F32_RTOL = 1e-4
F32_ATOL = 1e-5
#: tests may set an int here to make the checks' random cases reproducible; None = fresh entropy.
CASE_SEED = None


class CheckError(AssertionError):
    """A learner's answer is wrong; the message says how."""


# --- calling the learner's function -------------------------------------------------------------


def run(fn, *args, exercise: str, name: str | None = None, **kwargs):
    """Call the learner's ``fn``; turn a missing implementation or a crash into a CheckError."""
    label = name or getattr(fn, "__name__", None) or "your function"
    if not callable(fn):
        raise CheckError(
            f"{exercise}: expected a function, got {type(fn).__name__} {_safe_repr(fn)}. "
            "Pass the function itself (its name, without calling it)."
        )
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        raise CheckError(
            f"{exercise} is not done yet: {label} still raises NotImplementedError. "
            f"Replace the `raise NotImplementedError(...)` line with your code."
        ) from None
    except CheckError:
        raise
    except (Exception, SystemExit) as err:  # a crash in the learner's code: show it in their terms
        raise CheckError(
            f"{exercise}: {label} raised {type(err).__name__}: {_safe_str(err)} "
            f"(called with {_describe(args)})"
        ) from err


def passed(exercise: str, detail: str = "") -> None:
    """Print the one-line confirmation."""
    print(f"✓ {exercise}: correct." + (f" {detail}" if detail else ""))


def fresh_rng() -> np.random.Generator:
    """The generator for a check's random cases: fresh entropy on every call, so that no table of
    answers to fixed cases can pass (set ``CASE_SEED`` to reproduce a run)."""
    return np.random.default_rng(CASE_SEED)


# --- turning an answer into numbers ---------------------------------------------------------------


class _Unusable(Exception):
    """An answer that cannot be read as numbers; the message says why, in the learner's terms."""


def is_tensor(value) -> bool:
    """True for a torch tensor (without importing torch when nobody has)."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.Tensor)


def _is_iterator(value) -> bool:
    return isinstance(value, collections.abc.Iterator) and not isinstance(value, (str, bytes))


def _convert(value):
    """(float64 array, set of dtype names), or raise _Unusable."""
    if value is None:
        raise _Unusable("returned None. Did you forget `return`?")
    if _is_iterator(value):
        raise _Unusable(
            f"returned a {type(value).__name__} (from `yield`, `map`, or a generator expression "
            "in round brackets), which is not a value yet: return an array, a number or a tuple, "
            "e.g. np.array([...]) or tuple(...)."
        )
    if isinstance(value, (str, bytes)):
        raise _Unusable(f"should be numbers, got text {_safe_repr(value)}: return the number itself.")
    if isinstance(value, (dict, set, frozenset)):
        raise _Unusable(f"should be numbers, got a {type(value).__name__} {_safe_repr(value)}.")
    if is_tensor(value):
        return _convert_tensor(value)
    if isinstance(value, (list, tuple)) and any(
        is_tensor(v) or isinstance(v, (list, tuple)) or _is_iterator(v) or v is None for v in value
    ):
        parts = [_convert(v) for v in value]
        try:
            arr = np.array([p[0] for p in parts], dtype=float)
        except ValueError:
            raise _Unusable(
                "should be numbers in a regular array, got parts of different shapes: "
                + ", ".join(str(p[0].shape) for p in parts)
            ) from None
        return arr, set().union(*(p[1] for p in parts)) if parts else {"float64"}
    try:
        raw = np.asarray(value)
    except Exception as err:  # ragged lists, objects whose __array__ raises, ...
        raise _Unusable(
            f"should be numbers, got {type(value).__name__} {_safe_repr(value)} "
            f"(numpy cannot read it: {_safe_str(err)})"
        ) from None
    kind = raw.dtype.kind
    if kind in "USa":
        raise _Unusable(f"should be numbers, got text {_safe_repr(value)}: return the number itself.")
    if kind in "mMV":
        raise _Unusable(f"should be numbers, got {raw.dtype} values {_safe_repr(value)}")
    if kind == "c":
        if np.any(raw.imag != 0):
            raise _Unusable(
                f"should be real numbers, got complex values {_short(raw)}: a square root or a "
                "power of a negative number, perhaps?"
            )
        raw = raw.real
    try:
        arr = raw.astype(float)
    except Exception as err:
        inner = _first_bad(raw)
        raise _Unusable(
            f"should be numbers, got {type(value).__name__} "
            + (f"containing {inner}" if inner else _safe_repr(value))
            + f" ({_safe_str(err)})"
        ) from None
    return arr, {raw.dtype.name}


def _convert_tensor(value):
    torch = sys.modules["torch"]
    name = str(value.dtype)  # 'torch.float32'
    try:
        t = value.detach()
        if t.layout != torch.strided:
            t = t.to_dense()
        t = t.cpu()
        if t.is_complex():
            if bool((t.imag != 0).any()):
                raise _Unusable(f"should be real numbers, got a complex tensor ({name})")
            t = t.real
        return t.to(torch.float64).numpy(), {name}
    except _Unusable:
        raise
    except Exception as err:
        raise _Unusable(f"is a tensor ({name}) that cannot be read: {_safe_str(err)}") from None


def _first_bad(raw) -> str:
    for item in raw.reshape(-1)[:1000]:
        try:
            float(item)
        except Exception:
            return f"{type(item).__name__} {_safe_repr(item, 40)}"
    return ""


def as_array(value, exercise: str, what: str) -> np.ndarray:
    """The learner's value as a float64 array, or a CheckError saying what came back instead."""
    try:
        return _convert(value)[0]
    except _Unusable as err:
        raise CheckError(f"{exercise}: {what} {err}") from None


def answer_dtype(value) -> str:
    """The least precise floating dtype in an answer: 'float16', 'float32' or 'float64' (prefixed
    'torch.' for tensors); integer and boolean answers count as 'float64'."""
    try:
        names = _convert(value)[1]
    except _Unusable:
        return "float64"
    return _least_precise(names)


def _bits(name: str) -> int:
    base = name.replace("torch.", "")
    if base in ("float16", "bfloat16"):
        return 16
    return 32 if base == "float32" else 64


def _least_precise(names) -> str:
    floats = [n for n in names if "float" in n]
    if not floats:
        return "float64"
    return min(floats, key=_bits)


def as_tuple(value, n: int, exercise: str, what: str, names: str = "") -> tuple:
    """The learner's ``n`` results as a tuple: a tuple, a list, or an array/tensor whose first axis
    has length ``n`` (a numpy pair) all count. ``names`` is shown in messages, e.g. '(w, b)'."""
    shape = "a pair" if n == 2 else f"a tuple of {n} values"
    want = f"{shape} {names}".rstrip()
    if value is None:
        raise CheckError(f"{exercise}: {what} returned None. Did you forget `return`? Return {want}.")
    if _is_iterator(value):
        raise CheckError(
            f"{exercise}: {what} returned a {type(value).__name__} (from `yield` or a generator "
            f"expression in round brackets), not a value: return {want}, e.g. tuple(...)."
        )
    if isinstance(value, (tuple, list)):
        items = tuple(value)
    elif (isinstance(value, np.ndarray) or is_tensor(value)) and value.ndim >= 1:
        items = tuple(value[i] for i in range(len(value)))
    else:
        raise CheckError(
            f"{exercise}: {what} should return {want}, got {type(value).__name__} {_safe_repr(value)}"
        )
    if len(items) != n:
        raise CheckError(
            f"{exercise}: {what} should return {want}, got {type(value).__name__} of {len(items)} "
            f"values {_safe_repr(value)}"
        )
    return items


def as_numbers(values, exercise: str, what: str, names=()) -> np.ndarray:
    """Each of ``values`` (from :func:`as_tuple`) as one number: a float, a numpy scalar, a 0-d or
    1-element array or tensor. Returns a float64 vector; a clear CheckError otherwise."""
    out = []
    for k, item in enumerate(values):
        label = names[k] if k < len(names) else f"value {k + 1}"
        arr = as_array(item, exercise, f"{what}: {label}")
        if arr.size != 1:
            raise CheckError(
                f"{exercise}: {what}: {label} should be one number, got an array of shape {arr.shape}"
                + (" (did you forget to average, e.g. np.mean(...)?)" if arr.size > 1 else "")
            )
        out.append(float(arr.reshape(())))
    return np.array(out)


# --- torch answers --------------------------------------------------------------------------------


def as_torch_scalar(value, exercise: str, what: str, not_tensor: str, not_scalar: str = ""):
    """The learner's value as a 0-d torch tensor (a 1-element tensor is reshaped, keeping its graph).

    ``not_tensor`` is the advice when the value is not a tensor, ``not_scalar`` when it has several
    entries.
    """
    if value is None:
        raise CheckError(f"{exercise}: {what} returned None. Did you forget `return`?")
    if not is_tensor(value):
        raise CheckError(
            f"{exercise}: return a torch tensor (got {type(value).__name__} {_safe_repr(value, 50)}); "
            + not_tensor
        )
    if value.numel() != 1:
        raise CheckError(
            f"{exercise}: the penalty must be one number (a scalar tensor), got shape "
            f"{tuple(value.shape)}. {not_scalar}".rstrip()
        )
    if value.is_complex() or not value.is_floating_point():
        raise CheckError(
            f"{exercise}: {what} returned a {value.dtype} tensor; a penalty is a real floating-point "
            "number (build it from the float parameters with torch operations)."
        )
    return value.reshape(())


def grad_of(out, inputs, exercise: str):
    """d out / d inputs by autograd (None for an input ``out`` does not depend on), or a CheckError
    when the graph cannot be differentiated (e.g. the learner's function already called backward)."""
    torch = sys.modules["torch"]
    try:
        return torch.autograd.grad(out, list(inputs), allow_unused=True)
    except Exception as err:
        raise CheckError(
            f"{exercise}: autograd cannot differentiate your result ({type(err).__name__}: "
            f"{_safe_str(err, 160)}). Return the tensor without calling .backward() on it, and build "
            "it with torch operations only."
        ) from None


# --- comparing ----------------------------------------------------------------------------------


def expect_shape(got: np.ndarray, expected: np.ndarray, exercise: str, what: str) -> None:
    """Raise when shapes differ: 'shapes differ for w: expected (3,), got (3, 1)'."""
    got, expected = np.asarray(got), np.asarray(expected)
    if got.shape == expected.shape:
        return
    extra = ""
    if expected.ndim == 0:
        extra = f" The answer is one number; you returned an array of {got.size} values."
    elif got.ndim == 0:
        extra = f" You returned one number; an array of shape {expected.shape} is asked for."
    elif got.size == expected.size:
        if got.shape == expected.shape[::-1] and got.ndim == 2:
            extra = " Your array is transposed."
        else:
            extra = f" Same number of entries in another shape: reshape your result to {expected.shape}."
    raise CheckError(
        f"{exercise}: shapes differ for {what}: expected {expected.shape}, got {got.shape}.{extra}"
    )


def _tolerance(expected: np.ndarray, rtol: float, atol: float, dtype: str):
    if _bits(dtype) >= 64:
        return rtol, atol
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    return max(rtol, F32_RTOL), max(atol, F32_ATOL * scale)


def _close(a, b, rtol, atol) -> bool:
    with np.errstate(all="ignore"):
        return bool(np.all(np.abs(a - b) <= atol + rtol * np.abs(b)))


def _hint_value(wrong):
    if callable(wrong):
        try:
            with np.errstate(all="ignore"):
                wrong = wrong()
        except Exception:  # a hint that cannot be computed on this input does not apply
            return None
    try:
        with np.errstate(all="ignore"):
            return np.asarray(wrong, dtype=float)
    except Exception:
        return None


def expect_close(
    got, expected, exercise: str, what: str, rtol=1e-6, atol=1e-9, hints=(), inputs=None, dtype=None
) -> None:
    """Compare to the reference; on a mismatch try each ``(wrong_answer, message)`` hint first.

    ``hints`` lists typical wrong answers computed on the same input (a value, or a function of no
    arguments computed only on a mismatch): when the learner's value equals one of them, its message
    is the diagnosis. ``dtype`` overrides the answer's detected precision (e.g. 'float32' for a
    gradient autograd returns in float64 from a float32 computation).
    """
    try:
        arr, names = _convert(got)
    except _Unusable as err:
        raise CheckError(f"{exercise}: {what} {err}") from None
    kind = dtype or _least_precise(names)
    expected = np.asarray(expected, dtype=float)
    if arr.shape != expected.shape and arr.size == 1 and expected.size == 1:
        arr = arr.reshape(expected.shape)  # a 1-element array where one number is asked: fine
    expect_shape(arr, expected, exercise, what)
    where = f" for input {_describe(inputs)}" if inputs is not None else ""
    bad = ~np.isfinite(arr)
    if np.any(bad):
        first = tuple(int(i) for i in np.argwhere(bad)[0]) if arr.ndim else ()
        values = "NaN" if np.all(np.isnan(arr[bad])) else "NaN or inf"
        raise CheckError(
            f"{exercise}: {what} contains {values}{where}"
            + (f" ({int(bad.sum())} of {arr.size} entries, first at index {first})" if arr.ndim else "")
            + (f"; it is {kind}, whose largest number is about 3.4e38" if _bits(kind) < 64 else "")
            + ": look for a division by zero, a log or sqrt of a negative number, or an overflow."
        )
    rtol_e, atol_e = _tolerance(expected, rtol, atol, kind)
    if _close(arr, expected, rtol_e, atol_e):
        return
    matches = []
    for wrong, message in hints:
        value = _hint_value(wrong)
        if value is None or value.shape != expected.shape or not np.all(np.isfinite(value)):
            continue
        if _close(value, expected, rtol_e, atol_e):  # this mistake gives the right answer here
            continue
        if _close(arr, value, rtol_e, atol_e) and message not in matches:
            matches.append(message)
    if matches:
        if len(matches) == 1:
            raise CheckError(f"{exercise}: {matches[0]}")
        raise CheckError(
            f"{exercise}: {what} is wrong{where}, and on this input it equals several typical "
            "mistakes: " + " Or: ".join(matches)
        )
    raise CheckError(
        f"{exercise}: {what} is wrong{where}: {_difference(arr, expected, rtol_e, atol_e, kind)}"
    )


def _difference(got, expected, rtol, atol, kind) -> str:
    diff = np.abs(got - expected)
    with np.errstate(all="ignore"):
        rel = np.where(expected != 0, diff / np.abs(expected), np.where(diff > 0, np.inf, 0.0))
    text = f"expected {_short(expected)}, got {_short(got)}. Largest absolute difference {diff.max():.3g}"
    if got.ndim:
        worst = tuple(int(i) for i in np.unravel_index(np.argmax(diff), got.shape))
        text += f" (at index {worst})"
    rel_max = float(rel.max())
    text += (
        f", largest relative difference {rel_max:.3g}"
        if np.isfinite(rel_max)
        else (", where the expected value is 0")
    )
    text += f"; allowed: {atol:.1g} + {rtol:.1g} × |expected|. Dtypes: yours {kind}, the reference float64."
    bits = _bits(kind)
    scale = float(np.max(np.abs(expected))) or 1.0
    # float32 keeps about 7 digits, but a computation that cancels (X - mean with a large mean) or
    # solves an ill-conditioned system loses some: misses up to ~3e-4 of the scale can be rounding.
    if bits < 64 and (diff.max() <= 3e-4 * scale or bits == 16):
        digits = "about 7" if bits == 32 else "about 3"
        text += (
            f" Your answer is {kind}, which keeps {digits} significant digits, and it misses by "
            f"little: if your formula is right, {kind.replace('torch.', '')} rounding is the cause "
            "(where a computation cancels or solves an ill-conditioned system, it loses digits). "
            "Compute in float64 (np.float64, torch.float64)."
        )
    elif bits < 64:
        text += f" (The difference is too large to be {kind.replace('torch.', '')} rounding.)"
    elif kind == "float64" and np.all(got == np.round(got)) and not np.all(expected == np.round(expected)):
        text += " Your values are all whole numbers: did something round (an int array, // division)?"
    return text


# --- the safety net -----------------------------------------------------------------------------


def guarded(check):
    """Wrap a check so that it raises nothing but CheckError, whatever the answer does.

    The checks handle answers themselves; this turns a crash the check did not foresee (an
    answer no helper above anticipated) into a CheckError naming the exercise (taken from the
    check's ``ex`` variable, else its docstring).
    """
    if getattr(check, "_guarded", False):
        return check

    @functools.wraps(check)
    def wrapper(*args, **kwargs):
        try:
            return check(*args, **kwargs)
        except CheckError:
            raise
        except (Exception, SystemExit) as err:
            exercise = _exercise_of(check, err)
            raise CheckError(
                f"{exercise}: the check could not use what your function returned "
                f"({type(err).__name__}: {_safe_str(err)}). Return what the exercise asks for."
            ) from err

    wrapper._guarded = True
    return wrapper


def _exercise_of(check, err) -> str:
    tb = err.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code is check.__code__:
            label = tb.tb_frame.f_locals.get("ex")
            if isinstance(label, str):
                return label
        tb = tb.tb_next
    found = re.match(r"\s*(Exercise \d+\.\d+)", check.__doc__ or "")
    return found.group(1) if found else check.__name__


# --- text ---------------------------------------------------------------------------------------


def _safe_str(value, limit: int = 300) -> str:
    try:
        text = str(value)
    except Exception:
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _safe_repr(value, limit: int = 80) -> str:
    if isinstance(value, np.ndarray) or is_tensor(value):
        try:
            return _short(value)
        except Exception:
            pass
    try:
        text = " ".join(repr(value).split())
    except Exception:
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _short(a) -> str:
    if is_tensor(a):
        a = a.detach().cpu().to(sys.modules["torch"].float64).numpy()
    return np.array2string(np.asarray(a), precision=4, threshold=8, edgeitems=3).replace("\n", "")


def _describe(args) -> str:
    if isinstance(args, tuple):
        return ", ".join(_describe_one(a) for a in args)
    return _describe_one(args)


def _describe_one(a) -> str:
    return _safe_repr(a, 60)
