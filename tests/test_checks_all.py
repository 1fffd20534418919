"""Every exercise check, across chapters: a blank answer gets "not done yet" under the right number.

The number a check prints must be the number the book and the student edition give its
exercise, so it is read from the notebooks: the N.M of the exercise box a check is called under.
"""

import json
import re
from pathlib import Path

import pytest
from check_helpers import stub

import regcourse as rc
from regcourse.checks import CheckError

CHAPTERS = sorted((Path(__file__).resolve().parents[1] / "chapters").glob("*.ipynb"))


def _called_checks():
    """{check name: "N.M"} from the solution cells of every chapter."""
    found = {}
    for path in CHAPTERS:
        chapter = int(path.name[:2])
        number = 0
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] == "markdown":
                number += len(re.findall(r"^:{3,}\{exercise\}", source, re.M))
            for name in re.findall(r"rc\.checks\.(check_\w+)\(", source):
                found.setdefault(name, f"{chapter}.{number}")
    return found


CALLED = _called_checks()


def test_every_check_is_used_by_a_chapter():
    checks = [name for name in rc.checks.__all__ if name.startswith("check_")]
    assert len(checks) >= 20
    assert sorted(checks) == sorted(CALLED), "checks not called by any chapter, or calls to missing checks"


@pytest.mark.parametrize("name", sorted(CALLED))
def test_blank_answer_is_not_done_yet_under_its_own_number(name):
    with pytest.raises(CheckError, match=rf"^Exercise {re.escape(CALLED[name])} is not done yet"):
        getattr(rc.checks, name)(stub)
