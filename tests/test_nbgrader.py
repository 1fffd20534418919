"""The real nbgrader round, as an instructor runs it (see the instructor guide):

    nbgrader quickstart → python -m regcourse student-edition source/rc --nbgrader
    → nbgrader generate_assignment rc → nbgrader autograde rc → nbgrader generate_feedback rc
    (here for the one student whose feedback the tests read)

for three submissions: every reference answer (full marks), the untouched release (0), and
the reference answers with one typical mistake (loses exactly that exercise's points, and
the feedback carries the check's hint). Chapters: $REGCOURSE_NBGRADER_CHAPTERS (numbers, or
"all"); `make test` grades chapters 2 and 7, `make nbgrader-all` every chapter.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader_round import graded_chapters

pytest.importorskip("nbgrader", reason="nbgrader is a test dependency: pip install -r requirements.txt")

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ASSIGNMENT = "rc"
# one typical mistake: the L2 gradient without its factor 2 (chapter 2 is always graded)
WRONG_ID = "ex-02-l2-gradient"
WRONG_ANSWER = "def l2_gradient(w, lam):\n    return lam * np.asarray(w, dtype=float)"
WRONG_HINT = "off by a factor of 2"

pytestmark = pytest.mark.nbgrader  # one round, on one worker (see conftest.py)


def _nbgrader(course: Path, *args: str) -> str:
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")  # alembic
    proc = subprocess.run(
        [str(BIN / "nbgrader"), *args], cwd=course, env=env, text=True, capture_output=True, timeout=1800
    )
    assert proc.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout + proc.stderr


def _with_answer(nb, grade_id: str, source: str):
    hits = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    assert len(hits) == 1, f"no answer cell {grade_id}"
    hits[0].source = source
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Run the whole round once; return (course folder, gradebook scores, points per test)."""
    from nbgrader.api import Gradebook

    top = tmp_path_factory.mktemp("nbgrader")
    _nbgrader(top, "quickstart", "course")
    course = top / "course"
    shutil.rmtree(course / "source" / "ps1")  # quickstart's example assignment
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as cfg:
        cfg.write('\nc.IncludeHeaderFooter.header = ""\nc.ExecutePreprocessor.timeout = 900\n')
    source = course / "source" / ASSIGNMENT
    subprocess.run(
        [
            sys.executable,
            "-m",
            "regcourse",
            "student-edition",
            str(source),
            "--nbgrader",
            "--only",
            ",".join(map(str, graded_chapters())),
            "--chapters",
            str(ROOT / "chapters"),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    points = {
        c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
        for path in sorted(source.glob("*.ipynb"))
        for c in nbformat.read(path, as_version=4).cells
        if c.metadata.get("nbgrader", {}).get("grade")
    }
    _nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    release = course / "release" / ASSIGNMENT
    for student in ("reference", "blank", "mistake"):
        (course / "submitted" / student / ASSIGNMENT).mkdir(parents=True)
    for path in sorted(source.glob("*.ipynb")):
        shutil.copy(path, course / "submitted" / "reference" / ASSIGNMENT / path.name)
        shutil.copy(release / path.name, course / "submitted" / "blank" / ASSIGNMENT / path.name)
        nb = nbformat.read(path, as_version=4)
        if path.name.startswith("02_"):
            nb = _with_answer(nb, WRONG_ID, WRONG_ANSWER)
        nbformat.write(nb, course / "submitted" / "mistake" / ASSIGNMENT / path.name)
    _nbgrader(course, "autograde", ASSIGNMENT, "--force")
    _nbgrader(course, "generate_feedback", ASSIGNMENT, "--student", "mistake", "--force")  # the one read
    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in ("reference", "blank", "mistake"):
            sub = gb.find_submission(ASSIGNMENT, student)
            scores[student] = {g.cell.name: (g.score, g.max_score) for nb in sub.notebooks for g in nb.grades}
    return course, scores, points


def test_every_implement_check_is_a_graded_cell(graded):
    _, scores, points = graded
    assert points and set(scores["reference"]) == set(points)
    assert all(p >= 1 for p in points.values())


def test_reference_answers_get_full_marks(graded):
    _, scores, points = graded
    got = {k: s for k, (s, _) in scores["reference"].items()}
    assert got == {k: float(p) for k, p in points.items()}, got
    assert sum(got.values()) > 0


def test_the_untouched_release_gets_zero(graded):
    _, scores, _ = graded
    assert sum(s for s, _ in scores["blank"].values()) == 0
    assert sum(m for _, m in scores["blank"].values()) > 0


def test_one_mistake_costs_exactly_its_own_points(graded):
    _, scores, points = graded
    wrong = WRONG_ID + "-check"
    got = {k: s for k, (s, _) in scores["mistake"].items()}
    assert got[wrong] == 0
    assert {k: v for k, v in got.items() if k != wrong} == {
        k: float(p) for k, p in points.items() if k != wrong
    }
    assert sum(got.values()) == sum(points.values()) - points[wrong]


def test_feedback_shows_the_checks_hint(graded):
    course, _, _ = graded
    html = (course / "feedback" / "mistake" / ASSIGNMENT / "02_l2_weight_decay.html").read_text()
    assert WRONG_HINT in html and "Exercise 2.1" in html


def test_the_untouched_release_runs_and_only_its_exercises_fail(graded):
    """The blank submission is the student edition as nbgrader releases it, run top to bottom by
    autograde: only answer cells and their graded check cells fail, and each check cell with a
    check's message naming its exercise. So nothing after an exercise depends on its solution.
    For these chapters this run is the student edition's execution (tests/test_editions.py
    does not execute them a second time)."""
    course, _, _ = graded
    autograded = sorted((course / "autograded" / "blank" / ASSIGNMENT).glob("*.ipynb"))
    assert [p.name for p in autograded] == [
        p.name for p in sorted((course / "source" / ASSIGNMENT).glob("*.ipynb"))
    ]
    for path in autograded:
        nb = nbformat.read(path, as_version=4)
        checks = 0
        for i, cell in enumerate(nb.cells):
            meta = cell.metadata.get("nbgrader", {})
            errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
            if not (meta.get("solution") or meta.get("grade")):
                assert not errors, (
                    f"{path.name} cell {i} fails without the solutions: "
                    f"{errors[0].ename}: {errors[0].evalue}\n{cell.source[:300]}"
                )
            elif meta.get("grade") and cell.cell_type == "code":
                checks += 1
                exercise = re.search(r"Exercise \d+\.\d+", cell.source).group(0)
                assert errors, f"{path.name} cell {i}: the check of {exercise} passed a blank answer"
                assert errors[0].ename in ("CheckError", "NotImplementedError"), (
                    f"{path.name} cell {i}: {errors[0].ename}: {errors[0].evalue}"
                )
                assert exercise in errors[0].evalue, (
                    f"{path.name} cell {i}: the message does not name {exercise}: {errors[0].evalue}"
                )
        assert checks, f"{path.name}: no graded check cell"
