"""Which chapters the nbgrader round of tests/test_nbgrader.py grades, for that test and for
tests/test_editions.py (whose own execution of a student edition that round makes redundant)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from regcourse import editions

CHAPTERS = Path(__file__).resolve().parents[1] / "chapters"
ALWAYS = 2  # the round's typical mistake is in chapter 2


def graded_chapters() -> list[int]:
    """$REGCOURSE_NBGRADER_CHAPTERS: chapter numbers ("2,7", the default) or "all"; 2 always."""
    every = sorted(editions.chapter_number(p) for p in CHAPTERS.glob("*.ipynb"))
    raw = os.environ.get("REGCOURSE_NBGRADER_CHAPTERS", "2,7").strip()
    if raw == "all":
        return every
    try:
        chosen = {int(n) for n in raw.split(",") if n.strip()}
    except ValueError:
        raise ValueError(f"REGCOURSE_NBGRADER_CHAPTERS={raw!r}: expected numbers like 2,7 or 'all'") from None
    return sorted(chosen | {ALWAYS})


def covers(session, path: Path) -> bool:
    """True when this pytest session also runs the round (nbgrader installed, its tests
    collected and not deselected) and the round grades the chapter at `path`."""
    return (
        importlib.util.find_spec("nbgrader") is not None
        and editions.chapter_number(path) in graded_chapters()
        and any(item.get_closest_marker("nbgrader") for item in session.items)
    )
