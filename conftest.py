"""pytest plug-ins for the chapters: nbval's cells stay together, and the book reuses their run.

With ``--book-cache DIR`` (``make test`` passes ``_build/.jupyter_cache``, where Jupyter Book 1
keeps executed notebooks), every chapter that nbval runs without a failing cell is stored, with
the outputs nbval saw, in that jupyter-cache. The next ``jupyter-book build`` finds each
chapter in the cache (the key is the hash of its code and metadata, outputs excluded) and
executes nothing: nbval stays the one executor, and the book shows what nbval checked.
A chapter with any failing or skipped cell is not stored, so the book executes it itself.
``--book-stale-only`` (``make book``) runs only the chapters that cache has no run of yet, so
that a cold build executes them over the cores instead of one after another.

With ``-n 2 --dist loadgroup`` (pytest-xdist), the scheduler below keeps each notebook's cells
on one worker, in order, and the nbgrader round on one worker, and hands out the longest units
first; every other test goes to whichever worker is free.
"""

from __future__ import annotations

import os
import time
import warnings
from pathlib import Path

import pytest


def pytest_addoption(parser):
    parser.addoption(
        "--book-cache",
        default=None,
        metavar="DIR",
        help="store each notebook nbval ran cleanly in this jupyter-cache, for the book",
    )
    parser.addoption(
        "--book-stale-only",
        action="store_true",
        help="with --book-cache: run only the notebooks the cache has no run of (make book)",
    )


def pytest_collection_modifyitems(config, items):
    """With --book-stale-only, deselect the cells of every notebook whose current code the
    book cache already holds a run of: the book will take that run, so nothing is left to do."""
    if not config.getoption("--book-stale-only"):
        return
    cache_dir = config.getoption("--book-cache")
    if not cache_dir:
        raise pytest.UsageError("--book-stale-only needs --book-cache DIR")
    notebooks = {Path(item.parent.fspath) for item in items if _is_nbval_cell(item)}
    cached = {str(path) for path in _cached(Path(cache_dir), notebooks)}

    def is_done(item):
        return _is_nbval_cell(item) and str(item.parent.fspath) in cached

    done = [item for item in items if is_done(item)]
    if done:
        config.hook.pytest_deselected(items=done)
        items[:] = [item for item in items if not is_done(item)]


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's `-n auto`
def pytest_xdist_auto_num_workers(config):
    """With --book-stale-only, one worker per stale notebook up to the number of cores, and
    none when the cache has them all (this process then deselects everything, without
    starting workers; the count is only a hint, the deselection above decides what runs).
    Otherwise None: pytest-xdist's own count."""
    if not config.getoption("--book-stale-only") or not config.getoption("--book-cache"):
        return None
    paths = [Path(a) for a in config.args]  # chapters/ holds one notebook per chapter, flat
    notebooks = {n for p in paths for n in (p.glob("*.ipynb") if p.is_dir() else [p])}
    notebooks = {n for n in notebooks if n.suffix == ".ipynb"}
    stale = notebooks - _cached(Path(config.getoption("--book-cache")), notebooks)
    return min(len(stale), os.cpu_count() or 1)


def _cached(cache_dir: Path, notebooks: set[Path]) -> set[Path]:
    """The notebooks whose current code the jupyter-cache in cache_dir has a run of."""
    if not notebooks or not (cache_dir / "global.db").exists():
        return set()
    import nbformat
    from jupyter_cache import get_cache

    cache, found = get_cache(str(cache_dir)), set()
    for path in notebooks:
        try:
            cache.match_cache_notebook(nbformat.read(path, as_version=4))
        except KeyError:
            continue
        found.add(path)
    return found


_runs: dict[str, dict] = {}  # notebook path -> {"outputs": {cell index: outputs}, "ok": bool}


def _is_nbval_cell(item) -> bool:
    return type(item).__name__ == "IPyNbCell" and hasattr(item, "cell_num")


# Test files whose tests share one expensive module fixture: all on one worker.
_ONE_WORKER_FILES = ("tests/test_nbgrader.py",)


def _scope(nodeid: str) -> str:
    """The unit of work a test belongs to: a notebook (its cells share one kernel and run in
    order), a file of _ONE_WORKER_FILES, or else the test alone."""
    path = nodeid.split("::", 1)[0]
    return path if path.endswith(".ipynb") or path in _ONE_WORKER_FILES else nodeid


def _priority(scope: str) -> int:
    """Longest units first, so that no worker is left with one at the end."""
    if scope in _ONE_WORKER_FILES:
        return 0
    if scope.endswith(".ipynb") or "::test_student_edition_executes[" in scope:
        return 1
    return 2


@pytest.hookimpl(optionalhook=True)  # the hook exists only when pytest-xdist is loaded
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadgroup`` as this project needs it: each notebook's cells together, in order,
    on one worker; the nbgrader round on one worker; every other test on its own; the longest
    units first. (pytest-xdist's own loadgroup reads groups from rewritten node ids, which
    pytest 9 no longer lets it rewrite, so its groups would be split.)"""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class NotebookScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _scope(nodeid)

        def _assign_work_unit(self, node) -> None:
            first = min(self.workqueue, key=_priority)  # stable: collection order within a rank
            self.workqueue.move_to_end(first, last=False)
            super()._assign_work_unit(node)

    return NotebookScheduling(config, log)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if not item.config.getoption("--book-cache") or not _is_nbval_cell(item):
        return
    report = outcome.get_result()
    run = _runs.setdefault(str(item.parent.fspath), {"outputs": {}, "counts": {}, "ok": True})
    if report.failed or report.skipped:
        run["ok"] = False
    elif call.when == "call":
        run["outputs"][item.cell_num] = _merge_streams(item.test_outputs or [])


def pytest_runtest_teardown(item, nextitem):
    cache_dir = item.config.getoption("--book-cache")
    if not cache_dir or not _is_nbval_cell(item):
        return
    if nextitem is not None and getattr(nextitem, "parent", None) is item.parent:
        return  # not the notebook's last cell yet
    path = str(item.parent.fspath)
    run = _runs.pop(path, None)
    if run and run["ok"]:
        try:
            _store(Path(cache_dir), Path(path), run["outputs"])
        except Exception as err:  # the book then executes the notebook itself
            warnings.warn(f"could not store {path} for the book: {err}", stacklevel=1)


def _merge_streams(outputs):
    """Consecutive stream outputs of one name as one output, as a notebook client stores them."""
    merged = []
    for out in outputs:
        if (
            merged
            and out.get("output_type") == "stream"
            and merged[-1].get("output_type") == "stream"
            and merged[-1].get("name") == out.get("name")
        ):
            merged[-1]["text"] += out["text"]
        else:
            merged.append(out)
    return merged


def _store(cache_dir: Path, path: Path, outputs: dict) -> None:
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    nb = nbformat.read(path, as_version=4)
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    if len(outputs) != len(code):
        return  # nbval did not run every code cell: let the book execute it
    for count, (index, outs) in enumerate(zip(code, outputs.values()), start=1):
        nb.cells[index].outputs = [nbformat.from_dict(o) for o in outs]
        nb.cells[index].execution_count = count
        for o in nb.cells[index].outputs:
            if o.get("output_type") == "execute_result":
                o["execution_count"] = count
    cache_dir.mkdir(parents=True, exist_ok=True)
    for attempt in range(20):  # several pytest-xdist workers may write the sqlite cache at once
        try:
            cache = get_cache(str(cache_dir))
            cache.cache_notebook_bundle(
                CacheBundleIn(nb, str(path), data={"executed_by": "nbval"}),
                check_validity=False,
                overwrite=True,
            )
            return
        except Exception:
            time.sleep(0.2 * (attempt + 1))
