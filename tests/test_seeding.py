"""The course's one base seed: read from REGCOURSE_SEED, every seed derived from it."""

import numpy as np
import pytest

import regcourse as rc
from regcourse.seeding import ENV, SPAN


def test_default_base_is_zero(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    assert rc.seed_base() == 0
    assert rc.seed() == 0 and rc.seed(7) == 7
    assert rc.seeds(3, start=10) == range(10, 13)


def test_base_from_the_environment(monkeypatch):
    monkeypatch.setenv(ENV, " 4 ")
    assert rc.seed_base() == 4
    assert rc.seed(7) == 4 * SPAN + 7
    assert list(rc.seeds(2)) == [4 * SPAN, 4 * SPAN + 1]
    a = rc.rng(3).standard_normal(4)
    assert np.array_equal(a, np.random.default_rng(4 * SPAN + 3).standard_normal(4))


def test_bases_never_share_a_seed(monkeypatch):
    blocks = []
    for base in range(3):
        monkeypatch.setenv(ENV, str(base))
        blocks.append(set(rc.seeds(SPAN)))
    assert not (blocks[0] & blocks[1]) and not (blocks[1] & blocks[2])


@pytest.mark.parametrize("raw", ["x", "1.5", "-1"])
def test_bad_environment_value_names_the_variable(monkeypatch, raw):
    monkeypatch.setenv(ENV, raw)
    with pytest.raises(ValueError, match=ENV):
        rc.seed_base()


@pytest.mark.parametrize(
    "call, exc",
    [
        (lambda: rc.seed(-1), ValueError),
        (lambda: rc.seed(SPAN), ValueError),
        (lambda: rc.seed(1.0), TypeError),
        (lambda: rc.seed(True), TypeError),
        (lambda: rc.seeds(-2), ValueError),
        (lambda: rc.seeds(SPAN, start=1), ValueError),
        (lambda: rc.rng("3"), TypeError),
    ],
)
def test_bad_offsets_raise(monkeypatch, call, exc):
    monkeypatch.delenv(ENV, raising=False)
    with pytest.raises(exc):
        call()
