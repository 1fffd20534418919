"""The student edition and the exercise tables (regcourse/editions.py, python -m regcourse).

Fast tests on synthetic notebooks built in tmp_path, then the same guarantees on
every real chapters/*.ipynb, and the proof: the student edition of every chapter
executes, and exactly its stub cells raise, each with its own 'Exercise N.M'.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import nbgrader_round
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from regcourse import editions

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
REAL = sorted(CHAPTERS.glob("*.ipynb"))
GUIDE = ROOT / "instructor_guide.md"
PY = sys.executable


# --- building synthetic chapters ---------------------------------------------------------


def box(title, label, kind="implement", difficulty=1, minutes=5, text="Do it."):
    return new_markdown_cell(
        f":::{{exercise}} {title}\n:label: {label}\n\n"
        f"**Kind:** {kind} · **Difficulty:** {difficulty}/3 · **Time:** {minutes} min\n\n"
        f"{text}\n:::"
    )


def start(label):
    return new_markdown_cell(f":::{{solution-start}} {label}\n:class: dropdown\n:::")


def end():
    return new_markdown_cell(":::{solution-end}\n:::")


def notebook(cells):
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def sample_cells():
    """A chapter with a derive, an implement (two regions, indented) and an experiment exercise."""
    return [
        new_markdown_cell("# A synthetic chapter\n\nWhat you will learn."),
        new_code_cell("import math\nSHARED = 3\nassert SHARED == 3"),
        box("Derive the thing", "ex-07-derive", kind="derive", difficulty=2, minutes=10),
        start("ex-07-derive"),
        new_markdown_cell("The secret derivation: $d/dw\\,\\lambda w^2 = 2\\lambda w$ (SECRET-MD)."),
        new_code_cell("secret_value = 2 * 0.5  # SECRET-CODE-1\nassert secret_value == 1.0"),
        end(),
        new_markdown_cell("Text between exercises stays."),
        box("Implement the gradient", "ex-07-grad", kind="implement", difficulty=1, minutes=5),
        start("ex-07-grad"),
        new_code_cell(
            "def grad(w, lam):\n"
            "    ### BEGIN SOLUTION\n"
            "    g = 2 * lam * w  # SECRET-CODE-2\n"
            "    return g\n"
            "    ### END SOLUTION\n"
            "\n"
            "def helper(x):\n"
            "    if x:\n"
            "        ### BEGIN SOLUTION\n"
            "        return x + 1  # SECRET-CODE-3\n"
            "        ### END SOLUTION\n"
            "    return 0\n"
            "\n"
            "assert grad(3.0, 0.5) == 3.0 and helper(1) == 2\nprint('checked')"
        ),
        new_markdown_cell("Why it works (SECRET-MD-2)."),
        end(),
        box("Try lambdas", "ex-07-try", kind="experiment", difficulty=3, minutes=20),
        start("ex-07-try"),
        new_code_cell("for lam in (0.1, 1.0):\n    print(lam * 7)  # SECRET-CODE-4"),
        end(),
        new_markdown_cell("## Summary\n\n- done"),
        new_code_cell("assert SHARED + 1 == 4"),
    ]


@pytest.fixture
def chapters(tmp_path):
    folder = tmp_path / "chapters"
    folder.mkdir()
    nb = notebook(sample_cells())
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="noise\n")]
    nb.cells[1].execution_count = 4
    nbformat.write(nb, folder / "07_synthetic.ipynb")
    nbformat.write(
        notebook([new_markdown_cell("# Exercise-free\n"), new_code_cell("x = 1")]), folder / "08_plain.ipynb"
    )
    return folder


def write_nb(folder, cells, name="05_bad.ipynb"):
    folder.mkdir(exist_ok=True)
    path = folder / name
    nbformat.write(notebook(cells), path)
    return path


def all_source(nb) -> str:
    return "\n".join(cell.source for cell in nb.cells)


# --- parsing ----------------------------------------------------------------------------


def test_parse_synthetic_chapter(chapters):
    exercises = editions.parse_notebook(chapters / "07_synthetic.ipynb")
    assert [
        (e.name, e.label, e.kind, e.difficulty, e.minutes, e.stubs, e.has_solution) for e in exercises
    ] == [
        ("Exercise 7.1", "ex-07-derive", "derive", 2, 10, 0, True),
        ("Exercise 7.2", "ex-07-grad", "implement", 1, 5, 2, True),
        ("Exercise 7.3", "ex-07-try", "experiment", 3, 20, 0, True),
    ]
    assert exercises[1].title == "Implement the gradient" and exercises[1].cell == 8
    assert editions.parse_notebook(chapters / "08_plain.ipynb") == []


def test_stub_regions_keep_indentation():
    src = "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\nf(1)"
    new, n = editions.stub_solution_regions(src, "Exercise 4.2")
    assert n == 1
    assert new == 'def f(x):\n    raise NotImplementedError("Exercise 4.2")\nf(1)'
    top, n = editions.stub_solution_regions(
        "### BEGIN SOLUTION\na = 1\n### END SOLUTION\nprint(a)", "Exercise 1.1"
    )
    assert n == 1 and top == 'raise NotImplementedError("Exercise 1.1")\nprint(a)'


# --- the student edition on synthetic chapters --------------------------------------------


def test_student_edition_synthetic(chapters, tmp_path):
    out = tmp_path / "student"
    reports = editions.write_student_edition(out, chapters)
    assert [r.target.name for r in reports] == ["07_synthetic.ipynb", "08_plain.ipynb"]
    assert reports[0].stubs == ["Exercise 7.2", "Exercise 7.2"]
    nb = nbformat.read(out / "07_synthetic.ipynb", as_version=4)
    nbformat.validate(nb)
    text = all_source(nb)
    assert "SECRET" not in text
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    assert "solution-start" not in text and "solution-end" not in text
    # every exercise box survives, in order
    boxes = [c.source for c in nb.cells if "{exercise}" in c.source]
    assert [re.search(r":label: (\S+)", b).group(1) for b in boxes] == [
        "ex-07-derive",
        "ex-07-grad",
        "ex-07-try",
    ]
    # the stub cell: both regions replaced at their indentation, tagged, the rest kept
    stubs = [c for c in nb.cells if "NotImplementedError" in c.source]
    assert len(stubs) == 1 and stubs[0].metadata["tags"] == [editions.RAISES_TAG]
    assert '    raise NotImplementedError("Exercise 7.2")\n' in stubs[0].source
    assert '        raise NotImplementedError("Exercise 7.2")\n    return 0' in stubs[0].source
    assert "def helper(x):" in stubs[0].source
    # non-solution cells kept, outputs stripped
    assert "Text between exercises stays." in text and "assert SHARED + 1 == 4" in text
    assert all(c.outputs == [] and c.execution_count is None for c in nb.cells if c.cell_type == "code")
    assert sum(editions.RAISES_TAG in c.metadata.get("tags", []) for c in nb.cells) == 1
    # the source is untouched
    src = nbformat.read(chapters / "07_synthetic.ipynb", as_version=4)
    assert "SECRET-CODE-2" in all_source(src) and src.cells[1].execution_count == 4


def test_student_edition_executes_synthetic(chapters, tmp_path):
    from nbclient import NotebookClient

    out = tmp_path / "student"
    editions.write_student_edition(out, chapters)
    nb = nbformat.read(out / "07_synthetic.ipynb", as_version=4)
    NotebookClient(
        nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(out)}}
    ).execute()
    errors = [
        (i, o)
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert len(errors) == 1
    assert errors[0][1].ename == "NotImplementedError" and "Exercise 7.2" in errors[0][1].evalue


@pytest.mark.parametrize("bad", ["chapters", "chapters/sub", "chapters/../chapters"])
def test_refuses_to_write_into_chapters(chapters, tmp_path, bad):
    before = {p: p.read_bytes() for p in chapters.iterdir()}
    with pytest.raises(ValueError, match="chapters directory"):
        editions.write_student_edition(tmp_path / bad, chapters)
    assert {p: p.read_bytes() for p in chapters.iterdir()} == before
    assert not (chapters / "sub").exists()


def test_refuses_to_overwrite_the_source_through_a_link(chapters, tmp_path):
    link = tmp_path / "alias"
    link.mkdir()
    (link / "07_synthetic.ipynb").hardlink_to(chapters / "07_synthetic.ipynb")
    with pytest.raises(ValueError, match="source notebook"):
        editions.write_student_edition(link, chapters)
    assert "SECRET-CODE-2" in (chapters / "07_synthetic.ipynb").read_text()


def test_refuses_a_file_and_an_empty_chapters_dir(chapters, tmp_path):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(ValueError, match="not a directory"):
        editions.write_student_edition(tmp_path / "afile", chapters)
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="no notebooks"):
        editions.write_student_edition(tmp_path / "out", tmp_path / "empty")


def test_markers_outside_a_solution_are_stubbed_too(tmp_path):
    path = write_nb(
        tmp_path / "ch",
        [
            box("One", "ex-05-one"),
            new_code_cell("def f():\n    ### BEGIN SOLUTION\n    return 42  # SECRET\n    ### END SOLUTION"),
        ],
        name="05_loose.ipynb",
    )
    nb, report = editions.student_notebook(path)
    assert "SECRET" not in all_source(nb) and report.stubs == ["Exercise 5.1"]
    assert nb.cells[1].metadata["tags"] == [editions.RAISES_TAG]


def test_solution_markers_may_open_and_close_a_text_cell(tmp_path):
    path = write_nb(
        tmp_path / "ch",
        [
            box("T", "ex-05-t", kind="derive"),
            new_markdown_cell(":::{solution-start} ex-05-t\n:class: dropdown\n:::\nSECRET one"),
            new_markdown_cell("SECRET two\n\n:::{solution-end}\n:::\n"),
            box("U", "ex-05-u", kind="derive"),
            new_markdown_cell(
                ":::{solution-start} ex-05-u\n:class: dropdown\n:::\nSECRET three\n:::{solution-end}\n:::"
            ),
            new_markdown_cell("after"),
        ],
    )
    assert [e.has_solution for e in editions.parse_notebook(path)] == [True, True]
    nb, report = editions.student_notebook(path)
    assert "SECRET" not in all_source(nb) and len(nb.cells) == 3 and nb.cells[-1].source == "after"
    assert report.removed_cells == 3


def test_markers_may_share_a_cell_with_text_outside_the_solution(tmp_path):
    """Text before a solution-start or after a solution-end stays; the solution between goes."""
    path = write_nb(
        tmp_path / "ch",
        [
            new_markdown_cell(
                "Intro text.\n\n"
                + box("T", "ex-05-t", kind="derive").source
                + "\n\n:::{solution-start} ex-05-t\n:class: dropdown\n:::\n\nSECRET one"
            ),
            new_code_cell("x = 1  # SECRET two"),
            new_markdown_cell("SECRET three\n\n:::{solution-end}\n:::\n\nAfter the solution."),
            new_markdown_cell(":::{solution-end}\n:::"),
        ],
    )
    with pytest.raises(ValueError, match="05_bad.ipynb, cell 3: solution-end without"):
        editions.parse_notebook(path)
    nb = nbformat.read(path, as_version=4)
    nb.cells.pop()
    nbformat.write(nb, path)
    [ex] = editions.parse_notebook(path)
    assert ex.has_solution and ex.cell == 0
    student, _ = editions.student_notebook(path)
    assert [c.source for c in student.cells] == [
        "Intro text.\n\n" + box("T", "ex-05-t", kind="derive").source,
        "After the solution.",
    ]


def nbgrader_clear_solutions(nb):
    """What `nbgrader generate_assignment` does to solutions (nbgrader's ClearSolutions, defaults:
    enforce_metadata=True, '### BEGIN SOLUTION' regions, stub '# YOUR CODE HERE' +
    'raise NotImplementedError()')."""
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        out, inside, replaced = [], False, False
        for line in cell.source.split("\n"):
            if line.strip() == "### BEGIN SOLUTION":
                assert not inside, "nested begin solution"
                inside = replaced = True
                indent = line[: line.find("### BEGIN SOLUTION")]
                out += [indent + "# YOUR CODE HERE", indent + "raise NotImplementedError()"]
            elif line.strip() == "### END SOLUTION":
                inside = False
            elif not inside:
                out.append(line)
        assert not inside, "no end solution statement found"
        is_solution = cell.metadata.get("nbgrader", {}).get("solution", False)
        assert is_solution or not replaced, "Solution region detected in a non-solution cell"
        cell.source = "\n".join(out)
    return nb


def test_nbgrader_source(chapters, tmp_path):
    out = tmp_path / "source" / "ch07"
    reports = editions.write_student_edition(out, chapters, nbgrader=True)
    assert reports[0].stubs == ["Exercise 7.2", "Exercise 7.2"]
    nb = nbformat.read(out / "07_synthetic.ipynb", as_version=4)
    text = all_source(nb)
    assert "SECRET-CODE-2" in text and "SECRET-CODE-3" in text  # the marked regions stay for nbgrader
    assert "SECRET-MD" not in text and "SECRET-CODE-1" not in text and "SECRET-CODE-4" not in text
    graded = [c for c in nb.cells if "nbgrader" in c.metadata]
    assert [c.metadata["nbgrader"]["grade_id"] for c in graded] == ["ex-07-grad", "ex-07-grad-check"]
    answer, test = graded
    assert answer.metadata["nbgrader"]["solution"] and not answer.metadata["nbgrader"]["grade"]
    assert test.metadata["nbgrader"] == {
        "grade": True,
        "grade_id": "ex-07-grad-check",
        "locked": True,
        "points": 1,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
    # the function whose body goes on after its marked region stays whole in the answer cell;
    # the code after it becomes the graded test
    assert answer.source.rstrip().endswith("    return 0")
    assert test.source.splitlines()[1:] == [
        "assert grad(3.0, 0.5) == 3.0 and helper(1) == 2",
        "print('checked')",
    ]
    assert reports[0].graded == [("ex-07-grad-check", 1)]
    released = nbgrader_clear_solutions(nb)
    assert "SECRET" not in all_source(released)
    assert "    # YOUR CODE HERE\n    raise NotImplementedError()" in all_source(released)


# --- malformed exercises: a clear ValueError naming the notebook and the cell --------------

MALFORMED = {
    "missing label": (
        [
            new_markdown_cell(
                ":::{exercise} T\n\n**Kind:** derive · **Difficulty:** 1/3 · **Time:** 5 min\n:::"
            )
        ],
        0,
        ":label:",
    ),
    "missing metadata line": (
        [new_markdown_cell(":::{exercise} T\n:label: ex-05-t\n\nno metadata\n:::")],
        0,
        "metadata line",
    ),
    "bad difficulty": ([box("T", "ex-05-t", difficulty=4)], 0, "difficulty 4/3"),
    "unknown kind": ([box("T", "ex-05-t", kind="ponder")], 0, "kind 'ponder'"),
    "missing title": (
        [
            new_markdown_cell(
                ":::{exercise}\n:label: ex-05-t\n\n**Kind:** derive · "
                "**Difficulty:** 1/3 · **Time:** 5 min\n:::"
            )
        ],
        0,
        "no title",
    ),
    "box not closed": (
        [
            new_markdown_cell(
                ":::{exercise} T\n:label: ex-05-t\n\n**Kind:** derive · "
                "**Difficulty:** 1/3 · **Time:** 5 min\n"
            )
        ],
        0,
        "not closed",
    ),
    "duplicate label": ([box("T", "ex-05-t"), box("U", "ex-05-t")], 1, "used twice"),
    "unmatched solution-start": (
        [box("T", "ex-05-t"), start("ex-05-t"), new_code_cell("x = 1")],
        1,
        "never closed",
    ),
    "unmatched solution-end": ([box("T", "ex-05-t"), end()], 1, "solution-end without"),
    "start names no exercise": ([box("T", "ex-05-t"), start("ex-05-other"), end()], 1, "names no exercise"),
    "nested solution-start": (
        [box("T", "ex-05-t"), box("U", "ex-05-u"), start("ex-05-t"), start("ex-05-u")],
        3,
        "not closed",
    ),
    "box inside a solution": (
        [box("T", "ex-05-t"), start("ex-05-t"), box("U", "ex-05-u"), end()],
        2,
        "inside the solution",
    ),
    "plain solution directive": (
        [box("T", "ex-05-t"), new_markdown_cell(":::{solution} ex-05-t\nx\n:::")],
        1,
        "solution-start",
    ),
    "BEGIN without END": (
        [
            box("T", "ex-05-t"),
            start("ex-05-t"),
            new_code_cell("def f():\n    ### BEGIN SOLUTION\n    return 1"),
            end(),
        ],
        2,
        "without a matching",
    ),
    "END without BEGIN": (
        [
            box("T", "ex-05-t"),
            start("ex-05-t"),
            new_code_cell("def f():\n    return 1\n    ### END SOLUTION"),
            end(),
        ],
        2,
        "without a '### BEGIN",
    ),
    "nested BEGIN": (
        [
            box("T", "ex-05-t"),
            start("ex-05-t"),
            new_code_cell("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION"),
            end(),
        ],
        2,
        "inside another",
    ),
    "marker without space": (
        [
            box("T", "ex-05-t"),
            start("ex-05-t"),
            new_code_cell("###BEGIN SOLUTION\nx = 1\n### END SOLUTION"),
            end(),
        ],
        2,
        "malformed solution marker",
    ),
    "garbled marker": (
        [
            box("T", "ex-05-t"),
            start("ex-05-t"),
            new_code_cell("# BEGIN SOLUTION here\nx = 1\n### END SOLUTION"),
            end(),
        ],
        2,
        "malformed solution marker",
    ),
    "marker before any box": (
        [new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION")],
        0,
        "before any exercise",
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_exercise_is_a_clear_error(tmp_path, case):
    cells, cell, message = MALFORMED[case]
    path = write_nb(tmp_path / "ch", cells)
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        editions.parse_notebook(path)
    assert f"05_bad.ipynb, cell {cell}" in str(info.value)
    with pytest.raises(ValueError, match="05_bad.ipynb"):
        editions.write_student_edition(tmp_path / "out", tmp_path / "ch")
    assert not (tmp_path / "out").exists()  # nothing written when a notebook is malformed


def test_file_name_without_chapter_number(tmp_path):
    path = write_nb(tmp_path / "ch", [box("T", "ex-05-t")], name="intro.ipynb")
    with pytest.raises(ValueError, match="intro.ipynb.*start with its number"):
        editions.parse_notebook(path)


# --- tables and the command line ---------------------------------------------------------


def test_tables(chapters):
    table = editions.exercises_table(editions.read_exercises(chapters))
    lines = table.splitlines()
    assert lines[0] == "| chapter | number | label | title | kind | difficulty | time |"
    assert lines[3] == "| 7 | 7.2 | ex-07-grad | Implement the gradient | implement | 1/3 | 5 min |"
    assert len(lines) == 5
    block = editions.guide_table(chapters)
    link = "[7. A synthetic chapter](chapters/07_synthetic.ipynb)"
    assert f"| 7.1 | {link} | Derive the thing | derive | 2/3 | 10 min |" in block
    assert "| 7.3 |  | Try lambdas | experiment | 3/3 | 20 min |" in block
    assert "3 exercises in 1 chapter, about 35 min in all (derive 1, implement 1, experiment 1)." in block


def test_combined_kind_and_pipes_in_titles(tmp_path):
    write_nb(
        tmp_path / "ch",
        [box("Norms |w| and w^2", "ex-05-t", kind="derive + implement"), start("ex-05-t"), end()],
    )
    [ex] = editions.read_exercises(tmp_path / "ch")
    assert ex.kinds == ("derive", "implement")
    assert "| Norms \\|w\\| and w^2 |" in editions.exercises_table([ex])
    assert (
        "(derive 1, implement 1, experiment 0; an exercise of two kinds counts in both)."
        in editions.guide_table(tmp_path / "ch")
    )


def test_update_guide(chapters, tmp_path):
    guide = tmp_path / "guide.md"
    guide.write_text(f"# Guide\n\nbefore\n\n{editions.GUIDE_START}\nold\n{editions.GUIDE_END}\n\nafter\n")
    block = editions.guide_table(chapters)
    assert editions.update_guide(guide, block) is True
    assert editions.embedded_block(guide) == block.strip()
    text = guide.read_text()
    assert text.startswith("# Guide\n\nbefore\n\n") and text.endswith(f"{editions.GUIDE_END}\n\nafter\n")
    assert editions.update_guide(guide, block) is False
    (tmp_path / "nomarkers.md").write_text("# no markers\n")
    with pytest.raises(ValueError, match="exercises:start"):
        editions.update_guide(tmp_path / "nomarkers.md", block)


def run_cli(*args, cwd=None):
    return subprocess.run(
        [PY, "-m", "regcourse", *map(str, args)], capture_output=True, text=True, cwd=cwd or ROOT, timeout=120
    )


def test_cli_subprocess(chapters, tmp_path):
    """`python -m regcourse student-edition`: writes and reports; refuses chapters/ with exit 1."""
    out = tmp_path / "student"
    done = run_cli("student-edition", out, "--chapters", chapters)
    assert done.returncode == 0, done.stderr
    assert f"wrote {out / '07_synthetic.ipynb'}: 3 exercises, 2 stubs (Exercise 7.2)" in done.stdout
    assert "2 notebooks, 3 exercises, 2 stubs" in done.stdout
    assert "SECRET" not in (out / "07_synthetic.ipynb").read_text()

    refused = run_cli("student-edition", chapters, "--chapters", chapters)
    assert refused.returncode != 0 and "refusing" in refused.stderr and "Traceback" not in refused.stderr


def test_cli_tables(chapters, tmp_path, capsys):
    from regcourse.__main__ import main

    assert main(["list-exercises", "--chapters", str(chapters)]) == 0
    assert capsys.readouterr().out == editions.exercises_table(editions.read_exercises(chapters))
    assert main(["guide-table", "--chapters", str(chapters)]) == 0
    assert capsys.readouterr().out == editions.guide_table(chapters)

    guide = tmp_path / "guide.md"
    guide.write_text(f"x\n{editions.GUIDE_START}\n{editions.GUIDE_END}\n")
    assert main(["guide-table", "--chapters", str(chapters), "--check", str(guide)]) == 1
    assert "guide-table --update" in capsys.readouterr().err
    assert main(["guide-table", "--chapters", str(chapters), "--update", str(guide)]) == 0
    assert "updated" in capsys.readouterr().out
    assert main(["guide-table", "--chapters", str(chapters), "--check", str(guide)]) == 0
    assert main(["student-edition", str(chapters / "x"), "--chapters", str(chapters)]) == 1
    assert "refusing" in capsys.readouterr().err

    write_nb(tmp_path / "bad", [box("T", "ex-05-t"), end()])
    assert main(["student-edition", str(tmp_path / "out"), "--chapters", str(tmp_path / "bad")]) == 1
    assert "05_bad.ipynb, cell 1: solution-end without" in capsys.readouterr().err
    assert main(["list-exercises", "--chapters", str(tmp_path / "bad")]) == 1
    assert "05_bad.ipynb, cell 1" in capsys.readouterr().err


# --- the real chapters -------------------------------------------------------------------

real = pytest.mark.parametrize("path", REAL, ids=[p.stem for p in REAL])


def solution_only_lines(path) -> tuple[set[str], set[str]]:
    """Lines of the solutions that appear nowhere else in the notebook, and the kept lines."""
    nb = nbformat.read(path, as_version=4)
    _, roles = editions._scan(nb, path)
    secret, kept = set(), set()
    for cell, (role, _, text) in zip(nb.cells, roles):
        lines = [ln.strip() for ln in cell.source.splitlines() if ln.strip()]
        if role in ("solution", "marker"):
            secret.update(lines)
        elif role == "partial":
            secret.update(lines)
            kept.update(ln.strip() for ln in text.splitlines() if ln.strip())
        elif role == "stub":
            inside = False
            for ln in lines:
                if ln.startswith("###") and "BEGIN SOLUTION" in ln:
                    inside = True
                elif ln.startswith("###") and "END SOLUTION" in ln:
                    inside = False
                else:
                    (secret if inside else kept).add(ln)
        elif role == "keep":
            kept.update(lines)
    return secret - kept - {":::"}, kept


@pytest.fixture(scope="module")
def real_edition(tmp_path_factory):
    if not REAL:
        pytest.skip("no chapters/*.ipynb yet")
    out = tmp_path_factory.mktemp("student")
    reports = editions.write_student_edition(out, CHAPTERS)
    return out, {r.source.name: r for r in reports}


@real
def test_real_chapter_student_edition_has_no_solutions(path, real_edition):
    out, reports = real_edition
    nb = nbformat.read(out / path.name, as_version=4)
    text = all_source(nb)
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    assert not any(re.match(r"\s*:{3,}\{solution-(start|end)\}", c.source) for c in nb.cells)
    student_lines = {ln.strip() for c in nb.cells for ln in c.source.splitlines()}
    leaked = sorted(solution_only_lines(path)[0] & student_lines)
    assert not leaked, f"solution lines left in the student edition of {path.name}: {leaked[:5]}"
    exercises = editions.parse_notebook(path)
    labels = [
        re.search(r":label:\s*(\S+)", c.source).group(1)
        for c in nb.cells
        if c.cell_type == "markdown" and "{exercise}" in c.source
    ]
    assert labels == [e.label for e in exercises], "an exercise box went missing"
    stubs = [c for c in nb.cells if 'NotImplementedError("Exercise' in c.source]
    assert all(editions.RAISES_TAG in c.metadata.get("tags", []) for c in stubs)
    assert sum(editions.RAISES_TAG in c.metadata.get("tags", []) for c in nb.cells) == len(stubs)
    assert len(reports[path.name].stubs) == sum(e.stubs for e in exercises)
    assert all(c.outputs == [] for c in nb.cells if c.cell_type == "code")


@real
def test_real_chapter_nbgrader_source_releases_no_solutions(path, tmp_path):
    nb, _ = editions.student_notebook(path, nbgrader=True)
    released = nbgrader_clear_solutions(nb)
    lines = {ln.strip() for c in released.cells for ln in c.source.splitlines()}
    leaked = sorted(solution_only_lines(path)[0] & lines)
    assert not leaked, f"nbgrader would release solution lines of {path.name}: {leaked[:5]}"


@real
def test_real_chapter_exercises_follow_the_format(path):
    """Labels ex-NN-name; ≥3 exercises; each has a solution; derive solutions assert; implement
    ones are stubbed and call a check that exists."""
    import regcourse as rc

    exercises = editions.parse_notebook(path)
    number = editions.chapter_number(path)
    assert len(exercises) >= 3, f"{path.name}: {len(exercises)} exercises, at least 3 wanted"
    nb = nbformat.read(path, as_version=4)
    _, roles = editions._scan(nb, path)
    for ex in exercises:
        assert re.fullmatch(rf"ex-{number:02d}-[a-z0-9-]+", ex.label), f"{path.name}: label {ex.label}"
        assert ex.has_solution, f"{path.name}: {ex.name} ({ex.label}) has no solution-start/end block"
        if "derive" in ex.kinds:  # the guide promises a numerical confirmation
            assert any(
                cell.cell_type == "code" and "assert" in cell.source
                for cell, (_, owner, _) in zip(nb.cells, roles)
                if owner == ex
            ), f"{path.name}: {ex.name} is a derive exercise whose solution asserts nothing"
        if "implement" in ex.kinds:
            assert ex.stubs >= 1, (
                f"{path.name}: {ex.name} is an implement exercise without ### BEGIN SOLUTION"
            )
            calls = [
                m
                for cell, (role, owner, _) in zip(nb.cells, roles)
                if role == "stub" and owner == ex
                for m in re.findall(r"rc\.checks\.(check_\w+)\(", cell.source)
            ]
            assert calls, f"{path.name}: {ex.name}'s stub cell calls no rc.checks.check_*"
            assert all(hasattr(rc.checks, c) for c in calls), f"{path.name}: unknown check in {calls}"


@real
def test_student_edition_executes(path, real_edition, request):
    """The proof: the edition runs top to bottom; exactly the stub cells raise, each naming its exercise."""
    from nbclient import NotebookClient

    if nbgrader_round.covers(request.session, path):
        pytest.skip(
            "executed as the untouched release in tests/test_nbgrader.py "
            "(test_the_untouched_release_runs_and_only_its_exercises_fail)"
        )

    out, _ = real_edition
    nb = nbformat.read(out / path.name, as_version=4)
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(out)}}
    ).execute()  # raises on an untagged error
    for i, cell in enumerate(nb.cells):
        if editions.RAISES_TAG not in cell.metadata.get("tags", []):
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        names = set(re.findall(r'NotImplementedError\("(Exercise \d+\.\d+)"\)', cell.source))
        assert errors, f"{path.name} cell {i}: the stub of {names} did not raise"
        assert errors[0].ename in ("CheckError", "NotImplementedError"), (
            f"{path.name} cell {i}: raised {errors[0].ename}: {errors[0].evalue}"
        )
        assert any(n in errors[0].evalue for n in names), (
            f"{path.name} cell {i}: the error names another exercise than {names}: {errors[0].evalue}"
        )


# --- the instructor guide ----------------------------------------------------------------


def test_instructor_guide_table_is_current():
    if not CHAPTERS.is_dir():
        pytest.skip("no chapters directory")
    assert GUIDE.exists(), "instructor_guide.md is missing"
    assert editions.embedded_block(GUIDE) == editions.guide_table(CHAPTERS).strip(), (
        "the exercise table in instructor_guide.md differs from the chapters; run "
        "`python -m regcourse guide-table --update instructor_guide.md`"
    )


def guide_section(start, end):
    text = GUIDE.read_text(encoding="utf-8")
    return text.split(start, 1)[1].split(end, 1)[0]


def test_instructor_guide_has_objectives_for_every_chapter():
    objectives = guide_section("<!-- objectives:start -->", "<!-- objectives:end -->")
    missing = [p.name for p in REAL if f"](chapters/{p.name})" not in objectives]
    assert not missing, f"instructor_guide.md: no learning objectives for {missing}"


def test_instructor_guide_examples_are_real(capsys):
    """The guide's stub example and the check messages it quotes are what the code produces."""
    import regcourse as rc

    text = GUIDE.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    source = next(b for b in blocks if "### BEGIN SOLUTION" in b and "l2_gradient" in b)
    assert textwrap.indent(source, "    ") in (ROOT / "CONTRIBUTING.md").read_text(), (
        "the guide's example is no longer the one in CONTRIBUTING.md"
    )
    stubbed, n = editions.stub_solution_regions(source, "Exercise 2.1")
    assert n == 1 and f"```python\n{stubbed}```" in text
    chapter2 = sorted(CHAPTERS.glob("02_*.ipynb"))
    if chapter2:  # the guide calls it chapter 2's first exercise
        assert editions.parse_notebook(chapter2[0])[0].label == "ex-02-l2-gradient"

    def l2_gradient(w, lam):
        return 2 * lam * w

    def stub(w, lam):
        raise NotImplementedError("Exercise 2.1")

    def half(w, lam):
        return lam * w

    def shifted(w, lam):  # no typical mistake: the mismatch report
        return 2 * lam * w + 0.01

    rc.checks.check_l2_gradient(l2_gradient)
    messages = [capsys.readouterr().out.strip()]
    for wrong in (stub, half, shifted):
        wrong.__name__ = "l2_gradient"
        with pytest.raises(rc.checks.CheckError) as info:
            rc.checks.check_l2_gradient(wrong)
        messages.append(f"CheckError: {info.value}")
    for message in messages:
        assert message in text, f"instructor_guide.md quotes a check message that changed; now: {message}"


@pytest.mark.parametrize(
    "source, answer, check",
    [
        ("x = 1", "x = 1", ""),  # no marked region
        ("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION", None, ""),  # nothing after
        (
            "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n\n\n# the check\ncheck(f)",
            "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION",
            "# the check\ncheck(f)",
        ),
    ],
)
def test_split_answer_and_check(source, answer, check):
    got = editions.split_answer_and_check(source)
    assert got == ((source if answer is None else answer), check)


def test_split_answer_and_check_rejects_a_cell_that_does_not_parse():
    with pytest.raises(ValueError, match="does not parse"):
        editions.split_answer_and_check("def f(:\n    ### BEGIN SOLUTION\n    ### END SOLUTION\nx")


def test_only_some_chapters(chapters, tmp_path):
    reports = editions.write_student_edition(tmp_path / "out", chapters, only=[8])
    assert [r.source.name for r in reports] == ["08_plain.ipynb"]
    with pytest.raises(ValueError, match=r"no chapter numbered \[3\]"):
        editions.write_student_edition(tmp_path / "out2", chapters, only=[3, 8])
