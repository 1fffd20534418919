"""Chapter 06's checks, both ways: the reference passes, stubs and typical mistakes get their message."""

import numpy as np
import pytest
from check_helpers import stub

from regcourse.checks import CheckError, check_bias2_variance, check_refine_grid


def bv_ref(preds, f):
    return np.mean((preds.mean(axis=0) - f) ** 2), np.mean(preds.var(axis=0))


def refine_ref(lams, errors, n):
    i = int(np.argmin(errors))
    return np.geomspace(lams[max(i - 1, 0)], lams[min(i + 1, len(lams) - 1)], n)


def test_bias2_variance_reference(capsys):
    check_bias2_variance(bv_ref)
    assert "✓ Exercise 6.3" in capsys.readouterr().out


def test_bias2_variance_stub():
    with pytest.raises(CheckError, match="not done yet"):
        check_bias2_variance(stub)


@pytest.mark.parametrize(
    "fn, message",
    [
        (
            lambda p, f: (np.mean(p.mean(axis=0) - f) ** 2, np.mean(p.var(axis=0))),
            "squares the \\*average\\* error",
        ),
        (lambda p, f: (np.sqrt(bv_ref(p, f)[0]), bv_ref(p, f)[1]), "not its square"),
        (lambda p, f: (bv_ref(p, f)[0], np.mean(p.var(axis=0, ddof=1))), "ddof=1"),
        (lambda p, f: (bv_ref(p, f)[0], np.mean(p.var(axis=1))), "across test points"),
        (lambda p, f: (np.mean((p - f) ** 2), bv_ref(p, f)[1]), "total error"),
        (lambda p, f: 1.0, "pair"),
    ],
)
def test_bias2_variance_mistakes(fn, message):
    with pytest.raises(CheckError, match=message):
        check_bias2_variance(fn)


def test_refine_reference(capsys):
    check_refine_grid(refine_ref)
    assert "✓ Exercise 6.2" in capsys.readouterr().out


def test_refine_stub():
    with pytest.raises(CheckError, match="not done yet"):
        check_refine_grid(stub)


def _lin(lams, errors, n):
    i = int(np.argmin(errors))
    return np.linspace(lams[max(i - 1, 0)], lams[min(i + 1, len(lams) - 1)], n)


def _wrap(lams, errors, n):
    i = int(np.argmin(errors))
    return np.geomspace(lams[i - 1], lams[min(i + 1, len(lams) - 1)], n)


def _from_best(lams, errors, n):
    i = int(np.argmin(errors))
    return np.geomspace(lams[i], lams[min(i + 1, len(lams) - 1)], n)


@pytest.mark.parametrize(
    "fn, message",
    [
        (_lin, "linear scale"),
        (
            lambda lams, errors, n: np.geomspace(
                lams[np.argmin(errors)] / 10, lams[np.argmin(errors)] * 10, n
            ),
            "one decade",
        ),
        (_from_best, "starts at the best"),
        (_wrap, "wraps round"),
    ],
)
def test_refine_mistakes(fn, message):
    with pytest.raises(CheckError, match=message):
        check_refine_grid(fn)
