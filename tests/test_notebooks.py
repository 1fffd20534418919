"""Hygiene of the chapter notebooks: committed without outputs, importing the library, asserting claims."""

import json
import re
from pathlib import Path

import pytest

CHAPTERS = sorted((Path(__file__).resolve().parents[1] / "chapters").glob("*.ipynb"))


def test_every_chapter_is_in_the_table_of_contents():
    toc = (Path(__file__).resolve().parents[1] / "_toc.yml").read_text(encoding="utf-8")
    listed = re.findall(r"file:\s*chapters/(\S+)", toc)
    assert len(CHAPTERS) >= 10
    assert listed == [p.stem for p in CHAPTERS], (listed, [p.stem for p in CHAPTERS])


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert "execution" not in nb["metadata"], f"{path.name}: notebook metadata holds 'execution'"
    assert "widgets" not in nb["metadata"], f"{path.name}: notebook metadata holds widget state"
    for i, cell in enumerate(nb["cells"]):
        where = f"{path.name}, cell {i}"
        assert "execution" not in cell.get("metadata", {}), f"{where}: metadata holds execution timestamps"
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{where}: has outputs; clear them before committing"
            assert cell["execution_count"] is None, f"{where}: has an execution count"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_kernel_is_python3(path):
    spec = json.loads(path.read_text(encoding="utf-8"))["metadata"].get("kernelspec", {})
    assert spec.get("name") == "python3", f"{path.name}: kernelspec {spec}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_starts_with_a_title_and_imports_the_library(path):
    cells = _cells(path)
    assert cells[0]["cell_type"] == "markdown" and _source(cells[0]).startswith("# "), (
        f"{path.name}: the first cell must be a markdown '# Title'"
    )
    first_code = next(_source(c) for c in cells if c["cell_type"] == "code")
    assert re.search(r"^import regcourse as rc$", first_code, re.M), (
        f"{path.name}: the first code cell must `import regcourse as rc`"
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_claims_are_asserted_and_no_forbidden_habits(path):
    code = "\n".join(_source(c) for c in _cells(path) if c["cell_type"] == "code")
    n_asserts = len(re.findall(r"^\s*assert\b", code, re.M))
    assert n_asserts >= 5, f"{path.name}: only {n_asserts} asserts"
    for pattern, why in [
        (r"^\s*[!%]pip\b", "installs packages from a cell"),
        (r"sys\.path\.(insert|append)", "edits sys.path"),
        (r"https?://", "reaches for the network"),
        (r"np\.random\.(seed|rand|randn|normal|uniform|choice)\(", "uses numpy's global RNG"),
    ]:
        assert not re.search(pattern, code, re.M), f"{path.name}: {why}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_ends_with_a_summary(path):
    headings = [
        line
        for c in _cells(path)
        if c["cell_type"] == "markdown"
        for line in _source(c).splitlines()
        if line.startswith("## ")
    ]
    assert headings and headings[-1].strip() == "## Summary", f"{path.name}: last section {headings[-1:]}"


# A literal seed in a chapter's code would not follow REGCOURSE_SEED: `make robust` could not
# vary it. Every seed comes from rc.seed / rc.seeds / rc.rng (regcourse/seeding.py).
_NUM = r"\s*\d[\d_]*\s*"  # a bare number, not an expression such as `100 + seed`
LITERAL_SEED = re.compile(
    rf"(default_rng|manual_seed|random\.seed)\({_NUM}\)"
    rf"|\bseed\s*=(?!=){_NUM}(,|\)|$)"
    rf"|\bSEEDS?\s*=(?!=)\s*(\d|range\({_NUM}(,{_NUM})?\)|\[\s*\d)"
)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_literal_seed(path):
    bad = [
        f"cell {i}: {line.strip()}"
        for i, c in enumerate(_cells(path))
        if c["cell_type"] == "code"
        for line in _source(c).splitlines()
        if LITERAL_SEED.search(line.split("#")[0])
    ]
    assert not bad, f"{path.name}: literal seeds (derive them from rc.seed / rc.seeds):\n" + "\n".join(bad)


def test_the_literal_seed_pattern_catches_the_usual_forms():
    for line in [
        "rng = np.random.default_rng(0)",
        "torch.manual_seed(3)",
        "mlp(2, 8, seed=1)",
        "SEED = 0",
        "SEEDS = range(5)",
        "SEEDS = range(0, 30)",
        "SEEDS = [0, 1]",
        "f(seed = 12)",
        "def descend(l2, seed=0):",
        "gen.manual_seed(7)",
    ]:
        assert LITERAL_SEED.search(line), line
    for line in [
        "rng = rc.rng()",
        "torch.manual_seed(rc.seed(2))",
        "mlp(2, 8, seed=seed)",
        "SEEDS = rc.seeds(30)",
        "f(seed=s + 1000)",
        "n_seeds = 30",
        "ts.sample(u, m, seed=100 + seed)",
        "np.random.default_rng(200 + seed)",
        "if seed == 0:",
    ]:
        assert not LITERAL_SEED.search(line), line


_INLINE_MATH = re.compile(r"(?<![$\\])\$(?!\$)([^$]+?)(?<!\\)\$")
_LIST_MARKER = re.compile(r"\n[ \t]*(?:[-+*]|\d+[.)])[ \t]")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_inline_math_does_not_wrap_onto_a_list_marker(path):
    """A `$...$` wrapped so that a line starts with `+ `, `- ` or `1. ` becomes a Markdown list."""
    for i, cell in enumerate(_cells(path)):
        if cell["cell_type"] != "markdown":
            continue
        for m in _INLINE_MATH.finditer(_source(cell)):
            assert not _LIST_MARKER.search(m.group(1)), (
                f"{path.name}, cell {i}: inline math {m.group(0)[:60]!r} wraps onto a line that "
                "Markdown reads as a list item; rewrap it"
            )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_cell_ids_are_valid(path):
    """nbformat >= 4.5 needs a unique id on every cell (a missing one is a warning today, an
    error in later nbformat versions); 4.4 notebooks carry none."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    ids = [c.get("id") for c in nb["cells"]]
    if (nb["nbformat"], nb["nbformat_minor"]) >= (4, 5):
        missing = [i for i, x in enumerate(ids) if x is None]
        assert not missing, f"{path.name}: cells {missing} have no id (nbformat 4.5)"
        assert len(set(ids)) == len(ids), f"{path.name}: duplicate cell ids"
    else:
        assert all(x is None for x in ids), f"{path.name}: cell ids in an nbformat 4.4 notebook"
