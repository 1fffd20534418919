"""The ``regcourse`` command: ``python -m regcourse student-edition OUT_DIR`` and friends.

regcourse student-edition OUT_DIR [--chapters DIR]   the notebooks without solutions
          (--nbgrader: source notebooks for `nbgrader generate_assignment` instead)
regcourse list-exercises [--chapters DIR]            every exercise, as a markdown table
regcourse guide-table [--chapters DIR] [--update FILE | --check FILE]
                                                     the instructor guide's exercise table
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import editions


def _default_chapters() -> Path:
    here = Path.cwd() / "chapters"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parent.parent / "chapters"


def _chapter_list(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--only takes chapter numbers like 2,5; got {text!r}") from None


def _student_edition(args) -> int:
    reports = editions.write_student_edition(
        args.out_dir, args.chapters, nbgrader=args.nbgrader, only=args.only
    )
    n_ex = n_stub = 0
    for r in reports:
        n_ex += len(r.exercises)
        n_stub += len(r.stubs)
        stubs = f" ({', '.join(dict.fromkeys(r.stubs))})" if r.stubs else ""
        graded = (
            (
                f", {editions._plural(len(r.graded), 'graded test')} worth "
                f"{editions._plural(sum(p for _, p in r.graded), 'point')}"
            )
            if args.nbgrader
            else ""
        )
        print(
            f"wrote {r.target}: {editions._plural(len(r.exercises), 'exercise')}, "
            f"{editions._plural(len(r.stubs), 'stub')}{stubs}, {r.removed_cells} solution cells "
            f"removed{graded}"
        )
    what = (
        "nbgrader source (solutions still inside ### BEGIN/END SOLUTION)"
        if args.nbgrader
        else "student edition"
    )
    print(
        f"{what} in {Path(args.out_dir)}: {editions._plural(len(reports), 'notebook')}, "
        f"{editions._plural(n_ex, 'exercise')}, {editions._plural(n_stub, 'stub')} "
        f"(cells tagged '{editions.RAISES_TAG}')"
    )
    return 0


def _list_exercises(args) -> int:
    print(editions.exercises_table(editions.read_exercises(args.chapters)), end="")
    return 0


def _guide_table(args) -> int:
    block = editions.guide_table(args.chapters)
    if args.update:
        changed = editions.update_guide(args.update, block)
        print(f"{args.update}: exercise table {'updated' if changed else 'already up to date'}")
        return 0
    if args.check:
        if editions.embedded_block(args.check) != block.strip():
            print(
                f"{args.check}: the exercise table is out of date; run "
                f"`python -m regcourse guide-table --update {args.check}`",
                file=sys.stderr,
            )
            return 1
        print(f"{args.check}: exercise table up to date")
        return 0
    print(block, end="")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="regcourse", description="Tools for the regcourse book.")
    sub = parser.add_subparsers(dest="command", required=True)

    def chapters_option(p):
        p.add_argument(
            "--chapters",
            type=Path,
            default=None,
            help="the directory of chapter notebooks (default: ./chapters)",
        )

    p = sub.add_parser("student-edition", help="write the notebooks without solutions")
    p.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    p.add_argument(
        "--nbgrader",
        action="store_true",
        help="write nbgrader source notebooks instead: unmarked solutions removed, marked "
        "regions kept in nbgrader answer cells, each check in a graded test cell, "
        "for `nbgrader generate_assignment` and `nbgrader autograde`",
    )
    p.add_argument(
        "--only",
        type=_chapter_list,
        default=None,
        metavar="N[,N...]",
        help="only these chapters, by number (e.g. 2,5); default: all",
    )
    chapters_option(p)
    p.set_defaults(run=_student_edition)

    p = sub.add_parser("list-exercises", help="print every exercise as a markdown table")
    chapters_option(p)
    p.set_defaults(run=_list_exercises)

    p = sub.add_parser("guide-table", help="print (or --update) the instructor guide's exercise table")
    chapters_option(p)
    group = p.add_mutually_exclusive_group()
    group.add_argument(
        "--update", type=Path, metavar="FILE", help="rewrite the table between the markers in FILE"
    )
    group.add_argument(
        "--check", type=Path, metavar="FILE", help="exit 1 when FILE's table differs from the generated one"
    )
    p.set_defaults(run=_guide_table)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    if args.chapters is None:
        args.chapters = _default_chapters()
    try:
        return args.run(args)
    except (ValueError, FileNotFoundError) as err:
        print(f"regcourse {args.command}: error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
