"""Time the course on this machine and check the budgets:  python bench/run.py  (or: make bench)

Measures
  1. each chapter notebook, executed top to bottom with nbclient in a fresh kernel
     (wall time including the kernel's start), and their total;
  2. the book build: cold (--all, empty execution cache) and cached rebuild (--all again),
     both into a temporary directory, so the working tree's _build is left alone;
  3. the overhead of regcourse.train.fit over a hand-written torch loop with
     torch.optim.SGD(weight_decay=2*l2) on the same model and data (the two give the
     same weights): ratio of the minimum CPU times (1 torch thread) over interleaved repeats.
Writes bench/results.md (markdown, for the README) and bench/results/results.json;
exits 1 naming each budget that was missed.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUDGET = {"notebook_s": 45.0, "course_s": 180.0, "cached_build_s": 30.0, "fit_ratio": 1.10}


# ---------------------------------------------------------------- machine


def machine():
    import torch

    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = "%.1f %.1f %.1f" % os.getloadavg()
    except OSError:
        load = "n/a"
    try:
        from importlib.metadata import version
        jb = version("jupyter-book")
    except Exception:  # noqa: BLE001 - the version is informative only
        jb = "n/a"
    return {"date": _dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "cores": os.cpu_count(),
            "cpu": cpu, "python": platform.python_version(), "torch": torch.__version__,
            "torch_threads": torch.get_num_threads(), "jupyter_book": jb, "load_avg_at_start": load}


def _children_cpu():
    """CPU seconds (user + system) used so far by this process's finished child processes."""
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


# ---------------------------------------------------------------- notebooks


def time_notebooks(paths, timeout):
    import nbformat
    from nbclient import NotebookClient

    times, cpu = {}, {}
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        t0, c0 = time.perf_counter(), _children_cpu()
        try:
            client.execute()
        except Exception as exc:  # noqa: BLE001 - reported, and it fails the run
            times[path.name] = cpu[path.name] = None
            print(f"  {path.name}: FAILED ({type(exc).__name__}: {str(exc).splitlines()[0][:200]})",
                  flush=True)
            continue
        times[path.name] = time.perf_counter() - t0
        cpu[path.name] = _children_cpu() - c0  # the kernel, once it has exited
        print(f"  {path.name}: {times[path.name]:.1f} s (kernel CPU {cpu[path.name]:.1f} s)", flush=True)
    return times, cpu


# ---------------------------------------------------------------- book build


def time_builds():
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb) if jb.exists() else "jupyter-book", "build", str(ROOT), "--all", "-W", "-n",
           "--keep-going"]
    out = {}
    with tempfile.TemporaryDirectory(prefix="regcourse-bench-") as tmp:
        for kind in ("cold", "cached"):
            if kind == "cold":
                shutil.rmtree(Path(tmp) / "_build", ignore_errors=True)  # empty execution cache
            t0, c0 = time.perf_counter(), _children_cpu()
            proc = subprocess.run(cmd + ["--path-output", tmp], cwd=ROOT, capture_output=True, text=True)
            dt, dc = time.perf_counter() - t0, _children_cpu() - c0
            ok = proc.returncode == 0
            out[kind] = dt if ok else None
            out[kind + "_cpu"] = dc
            print(f"  {kind} build: {dt:.1f} s (CPU {dc:.1f} s)"
                  f"{'' if ok else ' FAILED (exit %d)' % proc.returncode}", flush=True)
            if not ok:
                print("\n".join((proc.stdout + proc.stderr).splitlines()[-25:]))
            if kind == "cold":
                out["cache_filled"] = (Path(tmp) / "_build" / ".jupyter_cache").is_dir()
    return out


# ---------------------------------------------------------------- fit overhead


def fit_overhead(repeats, epochs):
    """CPU time of rc.fit against a hand-written loop doing the same steps (and recording the loss).

    One torch thread and process CPU time (not wall time): on a shared 2-core machine wall
    times swing with the other processes' load, CPU times much less. Runs are interleaved and
    the minimum of each is kept. Also times fit with record_every=epochs, i.e. without the
    per-epoch history, to separate the loop's own overhead from the recording's.
    """
    import numpy as np
    import torch

    import regcourse as rc

    X_np, y_np = rc.make_moons(256, noise=0.2, seed=0)
    X = torch.tensor(X_np, dtype=torch.float32)
    y = torch.tensor(y_np, dtype=torch.float32)
    lr, l2 = 0.5, 1e-3

    def model():
        torch.manual_seed(0)
        return torch.nn.Sequential(torch.nn.Linear(2, 32), torch.nn.Tanh(), torch.nn.Linear(32, 32),
                                   torch.nn.Tanh(), torch.nn.Linear(32, 1))

    def hand(m):
        opt = torch.optim.SGD(m.parameters(), lr=lr, weight_decay=2 * l2)
        losses = []
        for _ in range(epochs):
            opt.zero_grad(set_to_none=True)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(m(X).reshape(-1), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return losses

    def course(m, record_every=1):
        return rc.fit(m, X, y, loss="bce", lr=lr, epochs=epochs, l2=l2, include_bias=True,
                      optimizer="sgd", record_every=record_every)

    def course_quiet(m):
        return course(m, record_every=epochs)

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        a, b = model(), model()
        hand(a)
        course(b)  # warm-up, and the two must train the same model
        for pa, pb in zip(a.parameters(), b.parameters()):
            assert torch.allclose(pa, pb, atol=1e-4), "fit and the hand loop disagree: not the same run"
        times = {"hand": [], "fit": [], "fit_quiet": []}
        for _ in range(repeats):  # interleaved, so that the machine's state hits all alike
            for name, fn in (("hand", hand), ("fit", course), ("fit_quiet", course_quiet)):
                m = model()
                t0 = time.process_time()
                fn(m)
                times[name].append(time.process_time() - t0)
    finally:
        torch.set_num_threads(threads)
    best = {k: min(v) for k, v in times.items()}
    return {"epochs": epochs, "repeats": repeats, "hand_min_s": best["hand"], "fit_min_s": best["fit"],
            "ratio_of_min": best["fit"] / best["hand"],
            "ratio_median": statistics.median(f / h for f, h in zip(times["fit"], times["hand"])),
            "ratio_quiet": best["fit_quiet"] / best["hand"],
            "per_epoch_overhead_us": (best["fit"] - best["hand"]) / epochs * 1e6,
            "model": "MLP 2-32-32-1 (tanh), 256 moons points, BCE, full batch, SGD lr=0.5, l2=1e-3 "
                     "on all parameters",
            "numpy": np.__version__}


# ---------------------------------------------------------------- report


def report(info, nb, nb_cpu, builds, fit, misses):
    rows = ["| what | wall time | CPU time | budget | |", "|---|---:|---:|---:|---|"]

    def row(what, value, budget, unit="s", ok=None, cpu=None):
        meas = "failed" if value is None else f"{value:.2f}" if unit == "×" else f"{value:.1f} {unit}"
        lim = "" if budget is None else (f"< {budget:.2f}" if unit == "×" else f"< {budget:.0f} {unit}")
        mark = "" if budget is None else ("✓" if ok else "✗ over budget")
        cpu = "" if cpu is None else f"{cpu:.1f} s"
        rows.append(f"| {what} | {meas} | {cpu} | {lim} | {mark} |")

    for name, t in nb.items():
        row(f"`{name}`", t, BUDGET["notebook_s"], ok=t is not None and t < BUDGET["notebook_s"],
            cpu=nb_cpu.get(name))
    if nb:
        total = None if None in nb.values() else sum(nb.values())
        cpu_total = None if None in nb_cpu.values() else sum(nb_cpu.values())
        row(f"**all {len(nb)} notebooks**", total, BUDGET["course_s"],
            ok=total is not None and total < BUDGET["course_s"], cpu=cpu_total)
    if builds:
        row("book build, cold (`--all`, empty cache)", builds["cold"], None, cpu=builds["cold_cpu"])
        row("book rebuild, cached (`--all`)", builds["cached"], BUDGET["cached_build_s"],
            ok=builds["cached"] is not None and builds["cached"] < BUDGET["cached_build_s"],
            cpu=builds["cached_cpu"])
    if fit:
        rows.append(f"| `rc.fit` / hand-written loop ({fit['epochs']} epochs, min of {fit['repeats']}) "
                    f"| | {fit['ratio_of_min']:.2f}× | < {BUDGET['fit_ratio']:.2f}× | "
                    f"{'✓' if fit['ratio_of_min'] < BUDGET['fit_ratio'] else '✗ over budget'} |")
    head = [
        "# Benchmark",
        "",
        f"Measured by `make bench` (bench/run.py) on {info['date']}: {info['cores']} cores, "
        f"{info['cpu']}; Python {info['python']}, torch {info['torch']} "
        f"({info['torch_threads']} threads), jupyter-book {info['jupyter_book']}; "
        f"load average at start {info['load_avg_at_start']}.",
        "",
        "Notebooks: nbclient, a fresh kernel each, wall time including the kernel's start; CPU time "
        "is the kernel process's. Builds: `jupyter-book build . --all -W -n --keep-going` into a "
        "temporary directory (CPU time of the build and its kernels). Budgets apply to wall time; "
        "with a high load average, wall time exceeds CPU time by about the factor of contention.",
    ]
    if fit:
        head.append(f"Training loop: {fit['model']}; CPU time with 1 torch thread, minimum of "
                    f"{fit['repeats']} interleaved runs of {fit['epochs']} epochs: hand-written loop "
                    f"(`torch.optim.SGD(weight_decay=2*l2)`, records the loss) "
                    f"{fit['hand_min_s'] * 1e3:.0f} ms, `rc.fit` (records loss, penalty, weight norm "
                    f"and sparsity every epoch) {fit['fit_min_s'] * 1e3:.0f} ms, i.e. "
                    f"{fit['per_epoch_overhead_us']:.0f} µs more per epoch (median of the per-run "
                    f"ratios {fit['ratio_median']:.2f}); `rc.fit(record_every=epochs)` "
                    f"{fit['ratio_quiet']:.2f}× the hand loop.")
    foot = ["", "All budgets met." if not misses else "Over budget: " + "; ".join(misses) + "."]
    return "\n".join(head + [""] + rows + foot) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-notebooks", action="store_true")
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--skip-fit", action="store_true")
    ap.add_argument("--repeats", type=int, default=20, help="fit-overhead repeats (default 20)")
    ap.add_argument("--epochs", type=int, default=200, help="epochs per fit-overhead run (default 200)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md")
    args = ap.parse_args(argv)

    info = machine()
    print(f"machine: {info}", flush=True)
    nb, nb_cpu, builds, fit = {}, {}, {}, {}
    if not args.skip_notebooks:
        paths = sorted((ROOT / "chapters").glob("*.ipynb"))
        print(f"notebooks ({len(paths)}):", flush=True)
        nb, nb_cpu = time_notebooks(paths, timeout=300)
    if not args.skip_build:
        print("book build:", flush=True)
        builds = time_builds()
    if not args.skip_fit:
        print("fit overhead:", flush=True)
        fit = fit_overhead(args.repeats, args.epochs)
        print(f"  hand {fit['hand_min_s']:.3f} s, fit {fit['fit_min_s']:.3f} s, "
              f"ratio {fit['ratio_of_min']:.3f} (median {fit['ratio_median']:.3f}; "
              f"without per-epoch history {fit['ratio_quiet']:.3f})", flush=True)

    misses = []
    for name, t in nb.items():
        if t is None:
            misses.append(f"{name} failed to run")
        elif t >= BUDGET["notebook_s"]:
            misses.append(f"{name} took {t:.1f} s (budget {BUDGET['notebook_s']:.0f} s)")
    if nb and None not in nb.values() and sum(nb.values()) >= BUDGET["course_s"]:
        misses.append(f"the whole course took {sum(nb.values()):.1f} s (budget {BUDGET['course_s']:.0f} s)")
    if builds:
        if builds["cold"] is None or builds["cached"] is None:
            misses.append("the book build failed")
        elif builds["cached"] >= BUDGET["cached_build_s"]:
            misses.append(f"the cached rebuild took {builds['cached']:.1f} s "
                          f"(budget {BUDGET['cached_build_s']:.0f} s)")
    if fit and fit["ratio_of_min"] >= BUDGET["fit_ratio"]:
        misses.append(f"rc.fit is {fit['ratio_of_min']:.2f}× a hand-written loop "
                      f"(budget {BUDGET['fit_ratio']:.2f}×)")

    text = report(info, nb, nb_cpu, builds, fit, misses)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    raw = ROOT / "bench" / "results" / "results.json"
    raw.parent.mkdir(parents=True, exist_ok=True)
    raw.write_text(json.dumps({"machine": info, "notebooks_s": nb, "notebooks_cpu_s": nb_cpu,
                               "builds_s": builds, "fit": fit,
                               "budgets": BUDGET, "missed": misses}, indent=2), encoding="utf-8")
    print(text)
    for m in misses:
        print(f"BUDGET MISSED: {m}", file=sys.stderr)
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
