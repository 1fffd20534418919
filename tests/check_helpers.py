"""What the per-chapter check tests share: a blank answer, and the test both ways."""

from __future__ import annotations

import pytest

from regcourse.checks import CheckError


def stub(*args, **kwargs):
    """A blank answer, as the student edition leaves it."""
    raise NotImplementedError("Exercise")


def reference_passes_and_stub_fails(check, reference, exercise, capsys):
    """`check` accepts `reference` and prints '✓ <exercise>'; it rejects `stub` as not done yet."""
    check(reference)
    assert f"✓ {exercise}" in capsys.readouterr().out
    with pytest.raises(CheckError, match=f"{exercise} is not done yet"):
        check(stub)
