"""Time the course on this machine and check the budgets:  python bench/run.py  (or: make bench)

Measures
  1. each chapter notebook, executed top to bottom with nbclient in a fresh kernel
     (wall time including the kernel's start), and their total; then the whole course as
     `make notebooks` runs it on this machine: one notebook per core at a time (each
     chapter trains on one torch thread), from the first kernel's start to the last's end;
  2. the book build: cold (--all, empty execution cache) and cached rebuild (--all again),
     both into a temporary directory, so the working tree's _build is left alone;
  3. the overhead of regcourse.train.fit over a hand-written torch loop with
     torch.optim.SGD(weight_decay=2*l2) on the same model and data (the two give the
     same weights): ratio of the minimum CPU times (1 torch thread) over interleaved repeats;
  4. the speed-up of regcourse.fit_many (30 models trained at once, vectorized) over the loop
     of regcourse.fit on the same 30 models (same weights to 1e-4 in float32).
Writes bench/results.md (markdown, for the README) and bench/results/results.json;
exits 1 naming each budget that was missed. ``--only fit_many`` (or notebooks, build, fit)
runs one measurement alone and writes bench/results/<name>.md and .json instead.
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
BUDGET = {
    "notebook_s": 45.0,
    "course_s": 180.0,
    "cached_build_s": 30.0,
    "fit_ratio": 1.10,
    "fit_many_ratio": 5.0,
}  # fit_many_ratio is a minimum: loop time / fit_many time


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
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        load = "n/a"
    try:
        from importlib.metadata import version

        jb = version("jupyter-book")
    except Exception:
        jb = "n/a"
    return {
        "date": _dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "cores": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "jupyter_book": jb,
        "load_avg_at_start": load,
    }


def _children_cpu():
    """CPU seconds (user + system) used so far by this process's finished child processes."""
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


# ---------------------------------------------------------------- notebooks


def time_notebooks(paths, timeout):
    times, cpu = {}, {}
    for path in paths:
        c0 = _children_cpu()
        times[path.name], error = _execute_one(path, timeout)
        if error:
            cpu[path.name] = None
            print(f"  {path.name}: FAILED ({error})", flush=True)
            continue
        cpu[path.name] = _children_cpu() - c0  # the kernel, once it has exited
        print(f"  {path.name}: {times[path.name]:.1f} s (kernel CPU {cpu[path.name]:.1f} s)", flush=True)
    return times, cpu


def _execute_one(path, timeout):
    """Execute one notebook in a fresh kernel: (wall time, None), or (None, the error in a line)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    t0 = time.perf_counter()
    try:
        client.execute()
    except Exception as exc:
        return None, f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    return time.perf_counter() - t0, None


def time_course_on_cores(paths, jobs, timeout, longest_first=None):
    """Wall time of the whole course with `jobs` notebooks running at once, each in its own
    kernel on one BLAS/torch thread (every chapter sets torch.set_num_threads(1)): what
    `make notebooks` does on a machine with `jobs` cores. The longest notebooks (by the
    serial times, when given) start first; a process that finishes takes the next one."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    order = sorted(paths, key=lambda p: -((longest_first or {}).get(p.name) or 0.0))
    env = {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    os.environ.update({k: "1" for k in env})  # inherited by the workers and their kernels
    try:
        ctx = multiprocessing.get_context("spawn")
        t0 = time.perf_counter()
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
            runs = pool.map(_execute_one, order, [timeout] * len(order))
            times = {p.name: t for p, (t, _) in zip(order, runs)}
        wall = time.perf_counter() - t0
    finally:
        for k, v in env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    for name, t in times.items():
        print(f"  {name}: {'FAILED' if t is None else f'{t:.1f} s'}", flush=True)
    print(f"  all {len(order)}, {jobs} at a time: {wall:.1f} s", flush=True)
    return {"jobs": jobs, "wall": None if None in times.values() else wall, "notebooks_s": times}


# ---------------------------------------------------------------- book build


def time_builds():
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [
        str(jb) if jb.exists() else "jupyter-book",
        "build",
        str(ROOT),
        "--all",
        "-W",
        "-n",
        "--keep-going",
    ]
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
            print(
                f"  {kind} build: {dt:.1f} s (CPU {dc:.1f} s)"
                f"{'' if ok else f' FAILED (exit {proc.returncode})'}",
                flush=True,
            )
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
        return torch.nn.Sequential(
            torch.nn.Linear(2, 32),
            torch.nn.Tanh(),
            torch.nn.Linear(32, 32),
            torch.nn.Tanh(),
            torch.nn.Linear(32, 1),
        )

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
        return rc.fit(
            m,
            X,
            y,
            loss="bce",
            lr=lr,
            epochs=epochs,
            l2=l2,
            include_bias=True,
            optimizer="sgd",
            record_every=record_every,
        )

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
    return {
        "epochs": epochs,
        "repeats": repeats,
        "hand_min_s": best["hand"],
        "fit_min_s": best["fit"],
        "ratio_of_min": best["fit"] / best["hand"],
        "ratio_median": statistics.median(f / h for f, h in zip(times["fit"], times["hand"])),
        "ratio_quiet": best["fit_quiet"] / best["hand"],
        "per_epoch_overhead_us": (best["fit"] - best["hand"]) / epochs * 1e6,
        "model": "MLP 2-32-32-1 (tanh), 256 moons points, BCE, full batch, SGD lr=0.5, l2=1e-3 "
        "on all parameters",
        "numpy": np.__version__,
    }


# ---------------------------------------------------------------- fit_many speed-up


FIT_MANY_SETUP = dict(models=30, hidden=500, points=30, epochs=200, loss="bce", optimizer="adam", lr=0.01)


def fit_many_speed(repeats):
    """CPU and wall time of rc.fit_many(30 models) against the loop of rc.fit over the same models.

    30 seeds of rc.models.mlp(2, 500, 1) on 30 two-moons points, 200 full-batch Adam epochs,
    History recorded every epoch (the default), one torch thread. Each repeat trains fresh deep
    copies of the same 30 models both ways, interleaved; the ratio is loop / fit_many of the
    minimum CPU times (and, for information, of the minimum wall times).
    """
    import copy

    import torch

    import regcourse as rc

    c = FIT_MANY_SETUP
    X, y = rc.make_moons(c["points"], noise=0.2, seed=0)
    models = [rc.models.mlp(2, c["hidden"], 1, seed=s) for s in range(c["models"])]
    kw = dict(loss=c["loss"], optimizer=c["optimizer"], lr=c["lr"], epochs=c["epochs"])

    def loop(ms):
        return [rc.fit(m, X, y, seed=i, **kw) for i, m in enumerate(ms)]

    def many(ms):
        return rc.fit_many(ms, X, y, seed=list(range(len(ms))), **kw)

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:

        def gap(a, b, ha, hb):
            with torch.no_grad():
                w = max(
                    float((p - q).abs().max())
                    for ma, mb in zip(a, b)
                    for p, q in zip(ma.parameters(), mb.parameters())
                )
            return w, max(abs(u - v) for h, g in zip(ha, hb) for u, v in zip(h.loss, g.loss))

        # The two must train the same models: in float64, to 1e-6 (5 of the models). In float32
        # they agree to rounding (~1e-7) until the loss is ~0.003, where Adam's scaling of tiny
        # gradients turns rounding noise into visible weight differences: reported, not asserted.
        a = [copy.deepcopy(m).double() for m in models[:5]]
        b = copy.deepcopy(a)
        diff64 = gap(a, b, loop(a), many(b))
        assert max(diff64) < 1e-6, f"fit_many and the loop of fit disagree in float64: {diff64}"
        a, b = copy.deepcopy(models), copy.deepcopy(models)
        diff32 = gap(a, b, loop(a), many(b))  # also the warm-up
        cpu, wall = {"loop": [], "fit_many": []}, {"loop": [], "fit_many": []}
        for _ in range(repeats):  # interleaved, so that the machine's state hits both alike
            for name, fn in (("loop", loop), ("fit_many", many)):
                ms = copy.deepcopy(models)
                t0, c0 = time.perf_counter(), time.process_time()
                fn(ms)
                cpu[name].append(time.process_time() - c0)
                wall[name].append(time.perf_counter() - t0)
    finally:
        torch.set_num_threads(threads)
    return {
        "repeats": repeats,
        "loop_cpu_min_s": min(cpu["loop"]),
        "fit_many_cpu_min_s": min(cpu["fit_many"]),
        "ratio_cpu": min(cpu["loop"]) / min(cpu["fit_many"]),
        "ratio_wall": min(wall["loop"]) / min(wall["fit_many"]),
        "ratio_median": statistics.median(a / b for a, b in zip(cpu["loop"], cpu["fit_many"])),
        "max_diff_float64": {"weights": diff64[0], "loss": diff64[1]},
        "max_diff_float32": {"weights": diff32[0], "loss": diff32[1]},
        "model": f"{c['models']} seeds of rc.models.mlp(2, {c['hidden']}, 1) (float32), "
        f"{c['points']} two-moons points, {c['loss'].upper()}, full batch, "
        f"{c['optimizer'].capitalize()} lr={c['lr']}, {c['epochs']} epochs, "
        "History every epoch",
    }


# ---------------------------------------------------------------- report


def report(info, nb, nb_cpu, builds, fit, misses, many=None, course=None):
    rows = ["| what | wall time | CPU time | budget | |", "|---|---:|---:|---:|---|"]

    def row(what, value, budget, unit="s", ok=None, cpu=None):
        meas = "failed" if value is None else f"{value:.2f}" if unit == "×" else f"{value:.1f} {unit}"
        lim = "" if budget is None else (f"< {budget:.2f}" if unit == "×" else f"< {budget:.0f} {unit}")
        mark = "" if budget is None else ("✓" if ok else "✗ over budget")
        cpu = "" if cpu is None else f"{cpu:.1f} s"
        rows.append(f"| {what} | {meas} | {cpu} | {lim} | {mark} |")

    for name, t in nb.items():
        row(
            f"`{name}`",
            t,
            BUDGET["notebook_s"],
            ok=t is not None and t < BUDGET["notebook_s"],
            cpu=nb_cpu.get(name),
        )
    if nb:
        total = None if None in nb.values() else sum(nb.values())
        cpu_total = None if None in nb_cpu.values() else sum(nb_cpu.values())
        row(f"all {len(nb)} notebooks, one after the other (one core)", total, None, cpu=cpu_total)
    if course:
        row(
            f"**all {len(course['notebooks_s'])} notebooks on {course['jobs']} cores**, "
            f"{course['jobs']} at a time (`make notebooks`)",
            course["wall"],
            BUDGET["course_s"],
            ok=course["wall"] is not None and course["wall"] < BUDGET["course_s"],
        )
    if builds:
        row("book build, cold (`--all`, empty cache)", builds["cold"], None, cpu=builds["cold_cpu"])
        row(
            "book rebuild, cached (`--all`)",
            builds["cached"],
            BUDGET["cached_build_s"],
            ok=builds["cached"] is not None and builds["cached"] < BUDGET["cached_build_s"],
            cpu=builds["cached_cpu"],
        )
    if fit:
        rows.append(
            f"| `rc.fit` / hand-written loop ({fit['epochs']} epochs, min of {fit['repeats']}) "
            f"| | {fit['ratio_of_min']:.2f}× | < {BUDGET['fit_ratio']:.2f}× | "
            f"{'✓' if fit['ratio_of_min'] < BUDGET['fit_ratio'] else '✗ over budget'} |"
        )
    if many:
        ok = many["ratio_cpu"] >= BUDGET["fit_many_ratio"]
        rows.append(
            f"| fit_many ratio: loop of `rc.fit` / `rc.fit_many`, 30 models "
            f"(min of {many['repeats']}) | {many['ratio_wall']:.2f}× | "
            f"{many['ratio_cpu']:.2f}× | ≥ {BUDGET['fit_many_ratio']:.2f}× | "
            f"{'✓' if ok else '✗ under budget'} |"
        )
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
        "The whole course: every chapter runs on one torch thread (`torch.set_num_threads(1)`; "
        "tiny full-batch models are fastest so), so a machine with k cores runs k notebooks at "
        "once; measured by executing them so, k at a time, longest first, each in a fresh "
        "kernel with one BLAS thread, from the first start to the last end.",
    ]
    if fit:
        head.append(
            f"Training loop: {fit['model']}; CPU time with 1 torch thread, minimum of "
            f"{fit['repeats']} interleaved runs of {fit['epochs']} epochs: hand-written loop "
            f"(`torch.optim.SGD(weight_decay=2*l2)`, records the loss) "
            f"{fit['hand_min_s'] * 1e3:.0f} ms, `rc.fit` (records loss, penalty, weight norm "
            f"and sparsity every epoch) {fit['fit_min_s'] * 1e3:.0f} ms, i.e. "
            f"{fit['per_epoch_overhead_us']:.0f} µs more per epoch (median of the per-run "
            f"ratios {fit['ratio_median']:.2f}); `rc.fit(record_every=epochs)` "
            f"{fit['ratio_quiet']:.2f}× the hand loop."
        )
    if many:
        head.append(
            f"Many seeds at once: {many['model']}; 1 torch thread, minimum of "
            f"{many['repeats']} interleaved runs: the loop of `rc.fit` "
            f"{many['loop_cpu_min_s']:.2f} s CPU, `rc.fit_many` "
            f"{many['fit_many_cpu_min_s']:.2f} s CPU (median of the per-run ratios "
            f"{many['ratio_median']:.2f}); the budget applies to the CPU-time ratio. "
            "Same results: largest difference between the two in float64 (5 of the "
            f"models) {many['max_diff_float64']['weights']:.0e} in the weights, "
            f"{many['max_diff_float64']['loss']:.0e} in the recorded losses; in float32 "
            f"{many['max_diff_float32']['weights']:.0e} and "
            f"{many['max_diff_float32']['loss']:.0e} (rounding, amplified by Adam near "
            "the end of training)."
        )
    foot = ["", "All budgets met." if not misses else "Over budget: " + "; ".join(misses) + "."]
    return "\n".join(head + [""] + rows + foot) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-notebooks", action="store_true")
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--skip-fit", action="store_true")
    ap.add_argument("--repeats", type=int, default=20, help="fit-overhead repeats (default 20)")
    ap.add_argument("--epochs", type=int, default=200, help="epochs per fit-overhead run (default 200)")
    ap.add_argument("--skip-fit-many", action="store_true")
    ap.add_argument(
        "--course-jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="notebooks at once for the whole-course time (default: the number of cores)",
    )
    ap.add_argument("--fit-many-repeats", type=int, default=5, help="fit_many speed-up repeats (default 5)")
    ap.add_argument(
        "--only",
        choices=("notebooks", "build", "fit", "fit_many"),
        help="run this measurement alone; results in bench/results/<name>.md/.json",
    )
    ap.add_argument("--out", type=Path, default=None, help="markdown report (default bench/results.md)")
    args = ap.parse_args(argv)
    if args.only:
        for name in ("notebooks", "build", "fit", "fit_many"):
            if name != args.only:
                setattr(args, "skip_" + name, True)
    results = ROOT / "bench" / "results"
    if args.out is None:
        args.out = results / f"{args.only}.md" if args.only else ROOT / "bench" / "results.md"
    raw = results / (f"{args.only}.json" if args.only else "results.json")

    info = machine()
    print(f"machine: {info}", flush=True)
    nb, nb_cpu, builds, fit, many, course = {}, {}, {}, {}, {}, {}
    if not args.skip_notebooks:
        paths = sorted((ROOT / "chapters").glob("*.ipynb"))
        print(f"notebooks ({len(paths)}):", flush=True)
        nb, nb_cpu = time_notebooks(paths, timeout=300)
        print(f"the whole course, {args.course_jobs} at a time:", flush=True)
        course = time_course_on_cores(paths, args.course_jobs, timeout=300, longest_first=nb)
    if not args.skip_build:
        print("book build:", flush=True)
        builds = time_builds()
    if not args.skip_fit:
        print("fit overhead:", flush=True)
        fit = fit_overhead(args.repeats, args.epochs)
        print(
            f"  hand {fit['hand_min_s']:.3f} s, fit {fit['fit_min_s']:.3f} s, "
            f"ratio {fit['ratio_of_min']:.3f} (median {fit['ratio_median']:.3f}; "
            f"without per-epoch history {fit['ratio_quiet']:.3f})",
            flush=True,
        )
    if not args.skip_fit_many:
        print("fit_many speed-up:", flush=True)
        many = fit_many_speed(args.fit_many_repeats)
        print(
            f"  loop {many['loop_cpu_min_s']:.3f} s, fit_many {many['fit_many_cpu_min_s']:.3f} s "
            f"CPU: ratio {many['ratio_cpu']:.2f} (wall {many['ratio_wall']:.2f}, median "
            f"{many['ratio_median']:.2f})",
            flush=True,
        )

    misses = []
    for name, t in nb.items():
        if t is None:
            misses.append(f"{name} failed to run")
        elif t >= BUDGET["notebook_s"]:
            misses.append(f"{name} took {t:.1f} s (budget {BUDGET['notebook_s']:.0f} s)")
    if course and (course["wall"] is None or course["wall"] >= BUDGET["course_s"]):
        took = "failed" if course["wall"] is None else f"took {course['wall']:.1f} s"
        misses.append(
            f"the whole course on {course['jobs']} cores {took} (budget {BUDGET['course_s']:.0f} s)"
        )
    if builds:
        if builds["cold"] is None or builds["cached"] is None:
            misses.append("the book build failed")
        elif builds["cached"] >= BUDGET["cached_build_s"]:
            misses.append(
                f"the cached rebuild took {builds['cached']:.1f} s (budget {BUDGET['cached_build_s']:.0f} s)"
            )
    if fit and fit["ratio_of_min"] >= BUDGET["fit_ratio"]:
        misses.append(
            f"rc.fit is {fit['ratio_of_min']:.2f}× a hand-written loop (budget {BUDGET['fit_ratio']:.2f}×)"
        )
    if many and many["ratio_cpu"] < BUDGET["fit_many_ratio"]:
        misses.append(
            f"rc.fit_many is only {many['ratio_cpu']:.2f}× faster than the loop of rc.fit "
            f"(budget ≥ {BUDGET['fit_many_ratio']:.2f}×)"
        )

    text = report(info, nb, nb_cpu, builds, fit, misses, many, course)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    raw.parent.mkdir(parents=True, exist_ok=True)
    raw.write_text(
        json.dumps(
            {
                "machine": info,
                "notebooks_s": nb,
                "notebooks_cpu_s": nb_cpu,
                "course_on_cores": course,
                "builds_s": builds,
                "fit": fit,
                "fit_many": many,
                "budgets": BUDGET,
                "missed": misses,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    print(text)
    for m in misses:
        print(f"BUDGET MISSED: {m}", file=sys.stderr)
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
