"""The student edition and the exercise tables, generated from the chapters' notebooks.

An exercise is a markdown cell holding a ``:::{exercise} Title`` box with a
``:label:`` and the line ``**Kind:** … · **Difficulty:** k/3 · **Time:** N min``;
its solution follows between a ``:::{solution-start} label`` marker cell and a
``:::{solution-end}`` marker cell (see CONTRIBUTING.md). The student edition
drops every solution cell except code cells holding nbgrader's
``### BEGIN SOLUTION`` / ``### END SOLUTION`` regions: each region becomes
``raise NotImplementedError("Exercise N.M")`` (N the chapter, M the exercise's
order in the notebook) and the cell is tagged ``raises-exception`` so that
executing the edition (nbval, nbclient) carries on past it. The nbgrader variant
keeps the marked regions in nbgrader answer cells for ``nbgrader generate_assignment``.
Any malformed exercise raises ValueError naming the notebook and the cell.
Command line: ``python -m regcourse student-edition|list-exercises|guide-table``.
"""

from __future__ import annotations

import ast
import copy
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

__all__ = [
    "Exercise",
    "NotebookEdition",
    "chapter_number",
    "chapter_title",
    "parse_notebook",
    "read_exercises",
    "split_answer_and_check",
    "student_notebook",
    "stub_solution_regions",
    "write_student_edition",
    "exercises_table",
    "guide_table",
    "update_guide",
    "embedded_block",
    "GUIDE_START",
    "GUIDE_END",
    "RAISES_TAG",
    "KINDS",
]

KINDS = ("derive", "implement", "experiment")
RAISES_TAG = "raises-exception"
GUIDE_START = "<!-- exercises:start -->"
GUIDE_END = "<!-- exercises:end -->"

_FENCE_OPEN = re.compile(r"^\s*(?P<fence>:{3,}|`{3,})\s*\{(?P<name>[\w-]+)\}\s*(?P<arg>.*?)\s*$")
_LABEL = re.compile(r"^\s*:label:\s*(?P<label>\S+)\s*$")
_META = re.compile(
    r"^\s*\*\*Kind:\*\*\s*(?P<kind>[^·|]+?)\s*[·|]\s*"
    r"\*\*Difficulty:\*\*\s*(?P<difficulty>\d+)\s*/\s*3\s*[·|]\s*"
    r"\*\*Time:\*\*\s*(?P<time>\d+)\s*min(?:utes)?\.?\s*$"
)
# exactly nbgrader's markers: the stripped line is '### BEGIN SOLUTION' / '### END SOLUTION'
_BEGIN = re.compile(r"^(?P<indent>\s*)### BEGIN SOLUTION\s*$")
_END = re.compile(r"^\s*### END SOLUTION\s*$")


@dataclass(frozen=True)
class Exercise:
    """One ``{exercise}`` box: where it is, what it is, and how its solution is marked."""

    chapter: int
    number: int
    label: str
    title: str
    kind: str
    difficulty: int
    minutes: int
    notebook: str
    cell: int
    has_solution: bool = False
    stubs: int = 0  # BEGIN/END SOLUTION regions in its solution's code cells

    @property
    def name(self) -> str:
        """'Exercise N.M', the name the checks and the stubs use."""
        return f"Exercise {self.chapter}.{self.number}"

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds, split: 'derive + implement' -> ('derive', 'implement')."""
        return _split_kinds(self.kind)


@dataclass
class NotebookEdition:
    """What the student edition of one notebook holds (for the report)."""

    source: Path
    target: Path | None
    exercises: list[Exercise]
    stubs: list[str] = field(default_factory=list)  # one 'Exercise N.M' per stub region
    removed_cells: int = 0
    graded: list[tuple[str, int]] = field(default_factory=list)  # nbgrader: (grade_id, points)


def chapter_number(path) -> int:
    """The chapter number N from a notebook file name 'NN_topic.ipynb'."""
    match = re.match(r"^(\d+)_", Path(path).name)
    if not match:
        raise ValueError(
            f"{Path(path).name}: a chapter's file name must start with its number, like 03_l1_sparsity.ipynb"
        )
    return int(match.group(1))


def chapter_title(nb) -> str:
    """The page title: the first '# Title' line of the first markdown cell that has one."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return ""


def _split_kinds(kind: str) -> tuple[str, ...]:
    return tuple(k for k in re.split(r"\s*(?:[,/+&]|\band\b)\s*", kind.lower()) if k)


def _where(path, index: int) -> str:
    return f"{Path(path).name}, cell {index}"


def _parse_box(lines: list[str], start: int, fence: str, title: str, where: str) -> dict:
    """Label, kind, difficulty and time of the exercise box opening at line ``start``."""
    body = []
    for line in lines[start + 1 :]:
        if line.strip() == fence:
            break
        body.append(line)
    else:
        raise ValueError(f"{where}: the exercise box '{title}' is not closed by a '{fence}' line")
    if not title:
        raise ValueError(f"{where}: the exercise box has no title; write ':::{{exercise}} Title'")
    labels = [m.group("label") for m in map(_LABEL.match, body) if m]
    if len(labels) != 1:
        raise ValueError(
            f"{where}: the exercise '{title}' needs exactly one ':label: ex-NN-name' "
            f"line, found {len(labels)}"
        )
    metas = [m for m in map(_META.match, body) if m]
    if len(metas) != 1:
        raise ValueError(
            f"{where}: the exercise '{title}' needs exactly one metadata line "
            f"'**Kind:** implement · **Difficulty:** 2/3 · **Time:** 10 min', "
            f"found {len(metas)}"
        )
    meta = metas[0]
    kind = meta.group("kind").strip()
    parts = _split_kinds(kind)
    if not parts or any(k not in KINDS for k in parts):
        raise ValueError(
            f"{where}: the exercise '{title}' has kind {kind!r}; use "
            f"{', '.join(KINDS)} (or a combination like 'derive + implement')"
        )
    difficulty, minutes = int(meta.group("difficulty")), int(meta.group("time"))
    if not 1 <= difficulty <= 3:
        raise ValueError(
            f"{where}: the exercise '{title}' has difficulty {difficulty}/3; use 1/3, 2/3 or 3/3"
        )
    if minutes <= 0:
        raise ValueError(f"{where}: the exercise '{title}' has time {minutes} min; it must be positive")
    return {"label": labels[0], "kind": kind, "difficulty": difficulty, "minutes": minutes}


def stub_solution_regions(source: str, exercise: str, where: str = "cell") -> tuple[str, int]:
    """Replace each ``### BEGIN SOLUTION`` … ``### END SOLUTION`` region by a NotImplementedError stub.

    The stub ``raise NotImplementedError("Exercise N.M")`` takes the BEGIN line's
    indentation. Returns the new source and the number of regions replaced.
    """
    out, inside, count, indent = [], False, 0, ""
    for number, line in enumerate(source.split("\n"), start=1):
        begin, end = _BEGIN.match(line), _END.match(line)
        if not (begin or end) and ("BEGIN SOLUTION" in line or "END SOLUTION" in line):
            raise ValueError(
                f"{where}, line {number}: malformed solution marker {line.strip()!r}; "
                f"write '### BEGIN SOLUTION' or '### END SOLUTION' on a line of its own"
            )
        if begin:
            if inside:
                raise ValueError(
                    f"{where}, line {number}: '### BEGIN SOLUTION' inside another "
                    f"solution region (missing '### END SOLUTION' above it)"
                )
            inside, indent = True, begin.group("indent")
        elif end:
            if not inside:
                raise ValueError(
                    f"{where}, line {number}: '### END SOLUTION' without a '### BEGIN SOLUTION' above it"
                )
            inside, count = False, count + 1
            out.append(f'{indent}raise NotImplementedError("{exercise}")')
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{where}: '### BEGIN SOLUTION' without a matching '### END SOLUTION'")
    return "\n".join(out), count


def _has_markers(source: str) -> bool:
    return "BEGIN SOLUTION" in source or "END SOLUTION" in source


def _scan(nb, path) -> tuple[list[Exercise], list[tuple[str, Exercise | None, str | None]]]:
    """Every exercise of the notebook, and each cell's role ``(role, exercise, kept_source)``.

    Roles: 'keep' (outside any solution), 'solution' (inside one: removed), 'stub' (a
    code cell with BEGIN/END SOLUTION regions), 'marker' (a markdown cell with
    solution-start/-end markers and nothing outside the solution: removed) and
    'partial' (a markdown cell with markers and text outside the solution, which
    ``kept_source`` holds). Best practice is a marker cell of its own; text before a
    solution-start or after a solution-end in the same cell is kept, the rest removed.
    """
    name = Path(path).name
    chapter = chapter_number(path)
    found: list[dict] = []  # exercises, in order
    by_label: dict[str, dict] = {}
    roles: list[tuple[str, dict | None, str | None]] = []
    open_solution: tuple[dict, int] | None = None
    for index, cell in enumerate(nb.cells):
        where = _where(path, index)
        source = cell.source
        if cell.cell_type == "markdown":
            lines = source.splitlines()
            kept, has_marker, skip_fence = [], False, None
            for number, line in enumerate(lines):
                if skip_fence is not None:  # the closing fence of a solution-end directive
                    if line.strip() == skip_fence:
                        skip_fence = None
                        continue
                    if line.strip():
                        skip_fence = None
                match = _FENCE_OPEN.match(line)
                directive = match.group("name") if match else None
                if directive == "solution":
                    raise ValueError(
                        f"{where}: a '{{solution}}' directive; write the solution between "
                        f"':::{{solution-start}} label' and ':::{{solution-end}}' markers"
                    )
                if directive == "solution-start":
                    has_marker, label = True, match.group("arg").strip()
                    if open_solution is not None:
                        raise ValueError(
                            f"{where}: solution-start '{label}' while the solution of "
                            f"'{open_solution[0]['label']}' (cell {open_solution[1]}) "
                            f"is not closed by a solution-end"
                        )
                    if label not in by_label:
                        raise ValueError(
                            f"{where}: solution-start '{label}' names no exercise box above it in {name}"
                        )
                    if by_label[label]["has_solution"]:
                        raise ValueError(f"{where}: a second solution for '{label}'")
                    by_label[label]["has_solution"] = True
                    open_solution = (by_label[label], index)
                    continue
                if directive == "solution-end":
                    has_marker = True
                    if open_solution is None:
                        raise ValueError(f"{where}: solution-end without a solution-start above it")
                    open_solution, skip_fence = None, match.group("fence")
                    continue
                if directive == "exercise":
                    if open_solution is not None:
                        raise ValueError(
                            f"{where}: an exercise box inside the solution of "
                            f"'{open_solution[0]['label']}' (cell {open_solution[1]}); "
                            f"close it with a solution-end first"
                        )
                    info = _parse_box(lines, number, match.group("fence"), match.group("arg"), where)
                    if info["label"] in by_label:
                        raise ValueError(f"{where}: the label '{info['label']}' is used twice in {name}")
                    info.update(
                        number=len(found) + 1,
                        title=match.group("arg"),
                        cell=index,
                        has_solution=False,
                        stubs=0,
                    )
                    found.append(info)
                    by_label[info["label"]] = info
                if open_solution is None:
                    kept.append(line)
            if not has_marker:
                roles.append(("solution", open_solution[0], None) if open_solution else ("keep", None, None))
            else:
                text = "\n".join(kept).strip("\n")
                roles.append(("partial", None, text) if text.strip() else ("marker", None, None))
            continue
        # code and raw cells
        if cell.cell_type == "code" and _has_markers(source):
            owner = open_solution[0] if open_solution else (found[-1] if found else None)
            if owner is None:
                raise ValueError(f"{where}: a '### BEGIN SOLUTION' code cell before any exercise box")
            _, regions = stub_solution_regions(source, f"Exercise {chapter}.{owner['number']}", where)
            owner["stubs"] += regions
            roles.append(("stub", owner, None))
        elif open_solution is not None:
            roles.append(("solution", open_solution[0], None))
        else:
            roles.append(("keep", None, None))
    if open_solution is not None:
        raise ValueError(
            f"{_where(path, open_solution[1])}: the solution of "
            f"'{open_solution[0]['label']}' is never closed by a ':::{{solution-end}}' cell"
        )
    exercises = {id(info): Exercise(chapter=chapter, notebook=name, **info) for info in found}
    return list(exercises.values()), [
        (role, exercises[id(o)] if o else None, text) for role, o, text in roles
    ]


def parse_notebook(nb_or_path) -> list[Exercise]:
    """The exercises of one chapter notebook, in order; ValueError on a malformed one."""
    nb, path = _load(nb_or_path)
    return _scan(nb, path)[0]


def _load(nb_or_path):
    if isinstance(nb_or_path, (str, Path)):
        path = Path(nb_or_path)
        return nbformat.read(path, as_version=4), path
    nb = nb_or_path
    path = nb.metadata.get("regcourse_path")  # for in-memory notebooks in tests
    if path is None:
        raise TypeError(
            "nb_or_path must be a notebook file path (a notebook object needs "
            "metadata.regcourse_path for its name)"
        )
    return nb, Path(path)


def _chapter_files(chapters) -> list[Path]:
    chapters = Path(chapters)
    if not chapters.is_dir():
        raise FileNotFoundError(f"chapters directory {chapters} does not exist")
    return sorted(chapters.glob("*.ipynb"))


def read_exercises(chapters) -> list[Exercise]:
    """Every exercise of every ``chapters/*.ipynb``, chapter by chapter."""
    return [ex for path in _chapter_files(chapters) for ex in parse_notebook(path)]


def _strip(cell) -> None:
    if cell.cell_type == "code":
        cell.outputs = []
        cell.execution_count = None
    for key in ("execution", "collapsed", "scrolled", "jupyter"):
        cell.metadata.pop(key, None)


def student_notebook(nb_or_path, nbgrader: bool = False):
    """The student edition of one notebook, and a :class:`NotebookEdition` describing it.

    With ``nbgrader=True``, the source for ``nbgrader generate_assignment`` instead:
    the same cells are removed, but the marked regions stay and their cells become
    nbgrader "autograded answer" cells (``metadata.nbgrader.solution``), which
    nbgrader's ClearSolutions then replaces by its own stub; the check call after each
    answer moves into a locked "autograder tests" cell worth the exercise's difficulty in
    points (``grade_id`` = label + ``-check``), which ``nbgrader autograde`` scores.
    """
    nb, path = _load(nb_or_path)
    exercises, roles = _scan(nb, path)
    new = copy.deepcopy(nb)
    report = NotebookEdition(source=path, target=None, exercises=exercises)
    cells, grade_ids = [], set()
    for index, (cell, (role, owner, text)) in enumerate(zip(new.cells, roles)):
        if role in ("marker", "solution"):
            report.removed_cells += 1
            continue
        if role == "partial":
            cell.source = text
        if role == "stub":
            stubbed, regions = stub_solution_regions(cell.source, owner.name, _where(path, index))
            report.stubs += [owner.name] * regions
            test = None
            if nbgrader:
                grade_id = owner.label if owner.label not in grade_ids else f"{owner.label}-cell{index}"
                grade_ids.add(grade_id)
                cell.source, check = split_answer_and_check(cell.source)
                cell.metadata["nbgrader"] = _nbgrader_meta(grade_id, solution=True)
                if check:
                    test = nbformat.v4.new_code_cell(
                        f"# Autograded: {owner.name} ({_plural(owner.difficulty, 'point')}). "
                        f"The check's message says what is wrong.\n{check}"
                    )
                    test.metadata["nbgrader"] = _nbgrader_meta(
                        f"{grade_id}-check", grade=True, points=owner.difficulty
                    )
                    report.graded.append((test.metadata["nbgrader"]["grade_id"], owner.difficulty))
            else:
                cell.source = stubbed
            _tag_raises(cell)
            if test is not None:
                _tag_raises(test)
                _strip(cell)
                cells += [cell, test]
                continue
        _strip(cell)
        cells.append(cell)
    new.cells = cells
    for key in ("execution", "jupytext", "regcourse_path"):
        new.metadata.pop(key, None)
    new.metadata["regcourse"] = {"edition": "nbgrader-source" if nbgrader else "student", "source": path.name}
    return new, report


def split_answer_and_check(source: str) -> tuple[str, str]:
    """Split a solution cell after its last ``### END SOLUTION``: (the answer, the code after it).

    The split falls before the first top-level statement that starts below the last END
    line, so a function whose body goes on after its marked region stays whole. In the
    nbgrader edition the answer stays in the answer cell and the code after it (the
    ``rc.checks.check_…`` call) moves to a graded, locked test cell of its own, so a wrong
    answer costs that test's points only.
    """
    lines = source.split("\n")
    last = max((i for i, line in enumerate(lines) if _END.match(line)), default=None)
    if last is None:
        return source, ""
    try:
        body = ast.parse(source).body
    except SyntaxError as err:
        raise ValueError(f"a solution cell does not parse as Python (line {err.lineno}): {err.msg}") from None
    after = [node.lineno - 1 for node in body if node.lineno - 1 > last]
    if not after:
        return source, ""
    cut = after[0]
    while cut - 1 > last and (not lines[cut - 1].strip() or lines[cut - 1].lstrip().startswith("#")):
        cut -= 1  # blank lines and comments just before it go with it
    return "\n".join(lines[:cut]).rstrip("\n"), "\n".join(lines[cut:]).strip("\n")


def _nbgrader_meta(grade_id: str, solution: bool = False, grade: bool = False, points: int = 0) -> dict:
    """nbgrader's cell metadata (schema 3): an answer cell, or a locked autograder-test cell."""
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": not solution,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if grade:
        meta["points"] = points
    return meta


def _tag_raises(cell) -> None:
    tags = list(cell.metadata.get("tags", []))
    if RAISES_TAG not in tags:
        tags.append(RAISES_TAG)
    cell.metadata["tags"] = tags


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


def write_student_edition(
    out_dir, chapters="chapters", nbgrader: bool = False, only=None
) -> list[NotebookEdition]:
    """Write the student edition of every ``chapters/*.ipynb`` into ``out_dir``.

    ``nbgrader=True`` writes nbgrader source notebooks instead (see :func:`student_notebook`).
    ``only``: chapter numbers to include (default all), e.g. ``[2, 5]``.

    Refuses (ValueError) to write into the chapters directory or over a source
    notebook. Every notebook is converted before anything is written.
    """
    sources = _chapter_files(chapters)
    if not sources:
        raise FileNotFoundError(f"no notebooks (*.ipynb) in {chapters}")
    if only is not None:
        wanted = {int(n) for n in only}
        missing = wanted - {chapter_number(p) for p in sources}
        if missing:
            raise ValueError(f"only={sorted(wanted)}: no chapter numbered {sorted(missing)} in {chapters}")
        sources = [p for p in sources if chapter_number(p) in wanted]
    out = Path(out_dir).resolve()
    chapters_dir = Path(chapters).resolve()
    if _inside(out, chapters_dir):
        raise ValueError(
            f"out_dir {out_dir} is inside the chapters directory {chapters}: refusing "
            f"to write the student edition over the course's sources; pick another "
            f"directory, e.g. student/"
        )
    if out.exists() and not out.is_dir():
        raise ValueError(f"out_dir {out_dir} exists and is not a directory")
    for source in sources:
        target = out / source.name
        if target.exists() and target.samefile(source):
            raise ValueError(
                f"out_dir {out_dir}: {target} is the source notebook {source}; refusing to overwrite it"
            )
    editions = []
    for source in sources:
        nb, report = student_notebook(source, nbgrader=nbgrader)
        report.target = out / source.name
        editions.append((nb, report))
    out.mkdir(parents=True, exist_ok=True)
    for nb, report in editions:
        nbformat.validate(nb)
        nbformat.write(nb, report.target)
    return [report for _, report in editions]


def _cell_text(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip()


def exercises_table(exercises) -> str:
    """A markdown table of every exercise (chapter, number, label, title, kind, difficulty, time)."""
    rows = [
        "| chapter | number | label | title | kind | difficulty | time |",
        "|---|---|---|---|---|---|---|",
    ]
    for ex in exercises:
        rows.append(
            f"| {ex.chapter} | {ex.chapter}.{ex.number} | {ex.label} | {_cell_text(ex.title)} "
            f"| {ex.kind} | {ex.difficulty}/3 | {ex.minutes} min |"
        )
    return "\n".join(rows) + "\n"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _hours(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d} min" if hours else f"{rest} min"


def guide_table(chapters="chapters") -> str:
    """The block the instructor guide embeds between its exercise markers (no markers)."""
    files = _chapter_files(chapters)
    rows = ["| Exercise | Chapter | Title | Kind | Difficulty | Time |", "|:--|:--|:--|:--|:-:|--:|"]
    all_exercises = []
    for path in files:
        nb = nbformat.read(path, as_version=4)
        exercises = _scan(nb, path)[0]
        title = _cell_text(chapter_title(nb)) or path.stem
        link = f"[{chapter_number(path)}. {title}](chapters/{path.name})"
        for ex in exercises:
            rows.append(
                f"| {ex.chapter}.{ex.number} | {link if ex.number == 1 else ''} "
                f"| {_cell_text(ex.title)} | {ex.kind} | {ex.difficulty}/3 | {ex.minutes} min |"
            )
        all_exercises += exercises
    if not all_exercises:
        return "No exercises yet.\n"
    counts = {k: sum(k in ex.kinds for ex in all_exercises) for k in KINDS}
    total = sum(ex.minutes for ex in all_exercises)
    n_chapters = len({ex.chapter for ex in all_exercises})
    by_kind = ", ".join(f"{k} {n}" for k, n in counts.items())
    if any(len(ex.kinds) > 1 for ex in all_exercises):
        by_kind += "; an exercise of two kinds counts in both"
    summary = (
        f"{_plural(len(all_exercises), 'exercise')} in {_plural(n_chapters, 'chapter')}, "
        f"about {_hours(total)} in all ({by_kind})."
    )
    return "\n".join(rows) + "\n\n" + summary + "\n"


def update_guide(guide, block: str) -> bool:
    """Put ``block`` between the guide's exercise markers; True when the file changed."""
    guide = Path(guide)
    text = guide.read_text(encoding="utf-8")
    if (
        text.count(GUIDE_START) != 1
        or text.count(GUIDE_END) != 1
        or text.index(GUIDE_START) > text.index(GUIDE_END)
    ):
        raise ValueError(
            f"{guide} must contain the lines {GUIDE_START} and {GUIDE_END} once each, in that order"
        )
    head, rest = text.split(GUIDE_START)
    _, tail = rest.split(GUIDE_END)
    new = f"{head}{GUIDE_START}\n{block.strip()}\n{GUIDE_END}{tail}"
    if new != text:
        guide.write_text(new, encoding="utf-8")
        return True
    return False


def embedded_block(guide) -> str:
    """The text between the guide's exercise markers, stripped."""
    text = Path(guide).read_text(encoding="utf-8")
    if GUIDE_START not in text or GUIDE_END not in text:
        raise ValueError(f"{guide} has no {GUIDE_START} … {GUIDE_END} block")
    return text.split(GUIDE_START, 1)[1].split(GUIDE_END, 1)[0].strip()
