"""Run the chapters under many seed bases and tabulate which asserts fail:  make robust

    python bench/robust.py                      # every chapter on bases 0..9 (K = 10)
    python bench/robust.py --k 20               # bases 0..19
    python bench/robust.py --bases 10-19,42     # chosen bases
    python bench/robust.py --chapters 05,08     # some chapters (by number or file-name prefix)

Each (chapter, base) pair runs in a fresh kernel with REGCOURSE_SEED=base, in parallel over
--jobs worker processes (default: the machine's cores). A claim that fails on one base is
wrong as stated (see the README). Writes a markdown table, chapter x base, with a check mark
or the failing cell's error, to --out (default bench/robust.md) and exits 1 if any run failed.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import os
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"


def parse_bases(text: str) -> list[int]:
    """'0-9,42' -> [0, 1, ..., 9, 42]."""
    bases: list[int] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        lo, _, hi = part.partition("-")
        try:
            lo_i, hi_i = int(lo), int(hi or lo)
        except ValueError:
            raise SystemExit(f"--bases: {part!r} is not a number or a range a-b") from None
        if lo_i < 0 or hi_i < lo_i:
            raise SystemExit(f"--bases: {part!r} is not a range of whole numbers >= 0")
        bases.extend(range(lo_i, hi_i + 1))
    return sorted(set(bases))


def pick_chapters(spec: str | None) -> list[Path]:
    every = sorted(CHAPTERS.glob("*.ipynb"))
    if not spec:
        return every
    chosen = []
    for key in filter(None, (k.strip() for k in spec.split(","))):
        hits = [p for p in every if p.name.startswith(key) or p.stem == key]
        if not hits:
            raise SystemExit(f"--chapters: no notebook in chapters/ starts with {key!r}")
        chosen.extend(h for h in hits if h not in chosen)
    return chosen


def run_one(path: str, base: int, timeout: int) -> tuple[str, int, bool, str, float]:
    """Execute one notebook under REGCOURSE_SEED=base in a fresh kernel: (name, base, ok, error, s)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    os.environ["REGCOURSE_SEED"] = str(base)
    os.environ.setdefault("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    t0 = time.perf_counter()
    ok, err = True, ""
    try:
        NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(Path(path).parent)}},
        ).execute()
    except CellExecutionError as e:
        ok = False
        cell = next(
            (
                i
                for i, c in enumerate(nb.cells)
                if c.cell_type == "code"
                and any(o.get("output_type") == "error" for o in c.get("outputs", []))
            ),
            "?",
        )
        err = f"cell {cell}: {e.ename}: {str(e.evalue).splitlines()[0] if e.evalue else ''}"
    except CellTimeoutError as e:
        ok, err = False, f"timeout after {timeout} s ({str(e).splitlines()[0]})"
    except Exception as e:
        ok, err = False, f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
    return Path(path).name, base, ok, err[:240], time.perf_counter() - t0


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--k", type=int, default=10, help="run bases 0..K-1 (default 10)")
    ap.add_argument("--bases", help="explicit bases, e.g. 10-19,42 (overrides --k)")
    ap.add_argument("--chapters", help="comma-separated chapter numbers or name prefixes")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    ap.add_argument("--out", default=str(ROOT / "bench" / "robust.md"))
    args = ap.parse_args(argv)
    if args.k < 1:
        raise SystemExit(f"--k must be >= 1, got {args.k}")
    if args.jobs < 1:
        raise SystemExit(f"--jobs must be >= 1, got {args.jobs}")
    bases = parse_bases(args.bases) if args.bases else list(range(args.k))
    chapters = pick_chapters(args.chapters)
    t0 = time.perf_counter()
    results = {}
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(run_one, str(p), b, args.timeout) for b in bases for p in chapters]
        for fut in as_completed(futures):
            name, base, ok, err, secs = fut.result()
            results[name, base] = (ok, err, secs)
            print(f"{name} base {base}: {'ok' if ok else 'FAIL ' + err} ({secs:.1f} s)", flush=True)
    wall = time.perf_counter() - t0
    failures = [(n, b, e) for (n, b), (ok, e, _) in sorted(results.items()) if not ok]
    cpu = platform.processor() or "unknown"
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    lines = [
        "# Robustness run: every claim on many seed bases",
        "",
        f"Written by `bench/robust.py` on {_dt.datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores "
        f"({cpu}), Python {platform.python_version()}, {args.jobs} parallel kernels; "
        f"wall time {wall:.0f} s. Bases: {', '.join(map(str, bases))} "
        f"(`REGCOURSE_SEED`; base b draws its seeds from [b·100000, (b+1)·100000)).",
        "",
        f"**{len(results) - len(failures)} of {len(results)} runs passed.**",
        "",
        "| chapter | " + " | ".join(str(b) for b in bases) + " | slowest run |",
        "|---|" + "---|" * len(bases) + "---:|",
    ]
    for p in chapters:
        cells = ["✓" if results[p.name, b][0] else "✗" for b in bases]
        slow = max(results[p.name, b][2] for b in bases)
        lines.append(f"| `{p.stem}` | " + " | ".join(cells) + f" | {slow:.1f} s |")
    if failures:
        lines += ["", "## Failures", ""] + [f"- `{n}`, base {b}: {_escape(e)}" for n, b, e in failures]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
