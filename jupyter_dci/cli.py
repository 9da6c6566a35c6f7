r"""The ``jupyter-dci`` console command.

``jupyter-dci profile data.csv|data.parquet [--html out.html] [--json out.json]`` profiles a file
and prints a short summary with its alerts (unless ``--quiet``); ``--html`` writes the offline
report and ``--json`` the profile's ``to_dict()``. Progress goes to stderr, results to stdout.
An unreadable input ends with exit code 2 and one clear line on stderr.

Examples
--------
>>> import pathlib, tempfile
>>> tmp = tempfile.TemporaryDirectory()
>>> from jupyter_dci.cli import main
>>> path = pathlib.Path(tmp.name) / "d.csv"
>>> _ = path.write_text("a,b\n1,x\n2,y\n")
>>> main(["profile", str(path), "--quiet"])
0
>>> tmp.cleanup()
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:  # imported on use: `jupyter-dci --help` stays fast
    import pandas as pd

    from jupyter_dci.core.profile import DataFrameProfile

__all__ = ["main"]

EXIT_OK = 0
EXIT_BAD_INPUT = 2
_READERS = {".csv": "csv", ".tsv": "tsv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet"}


class _Progress:
    """A one-line progress bar on stderr (redrawn in place when stderr is a terminal)."""

    def __init__(self, stream: TextIO, *, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self.tty = stream.isatty()
        self.start = time.perf_counter()

    def note(self, text: str) -> None:
        if self.enabled:
            self.stream.write(f"{text}\n")
            self.stream.flush()

    def __call__(self, done: int, total: int, what: str) -> None:
        if not self.enabled:
            return
        width = 30
        filled = int(width * done / max(total, 1))
        bar = "#" * filled + "-" * (width - filled)
        line = f"profiling [{bar}] {done}/{total} columns ({what[:30]})"
        if self.tty:
            end = "\n" if done == total else ""
            self.stream.write(f"\r{line:<90}{end}")
        elif done == total or done % max(1, total // 10) == 0:
            self.stream.write(line + "\n")
        self.stream.flush()


def _fail(message: str) -> int:
    sys.stderr.write(f"jupyter-dci: error: {message}\n")
    return EXIT_BAD_INPUT


def _read(path: Path, fmt: str | None) -> pd.DataFrame:
    import pandas as pd

    kind = fmt or _READERS.get(path.suffix.lower())
    if kind is None:
        raise ValueError(
            f"cannot tell the format of {str(path)!r} from its extension {path.suffix!r}: "
            "use .csv, .tsv or .parquet, or pass --format csv|tsv|parquet"
        )
    if kind == "parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path, sep="\t" if kind == "tsv" else ",", low_memory=False)


def _summary(prof: DataFrameProfile, path: Path, out: TextIO) -> None:
    out.write(
        f"{path.name}: {prof.n_rows:,} rows x {prof.n_columns:,} columns, "
        f"{prof.n_duplicate_rows:,} duplicate rows, {prof.memory / 2**20:,.1f} MiB, "
        f"profiled in {prof.seconds:.2f} s\n"
    )
    if prof.sampled:
        out.write(f"sampled: counts are over {prof.n_rows_profiled:,} random rows\n")
    kinds: dict[str, int] = {}
    for col in prof.columns.values():
        kinds[col.kind] = kinds.get(col.kind, 0) + 1
    out.write("kinds: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) + "\n")
    out.write(f"{len(prof.alerts)} alerts\n")
    for alert in prof.alerts:
        out.write(f"  [{alert.severity}] {alert.kind}: {alert.message}\n")


def _profile_command(args: argparse.Namespace) -> int:
    from jupyter_dci.core.profile import profile

    progress = _Progress(sys.stderr, enabled=not args.quiet)
    path = Path(args.path)
    if not path.is_file():
        return _fail(f"{str(path)!r} is not a file. Pass the path of a .csv or .parquet file.")
    progress.note(f"reading {path} ...")
    try:
        df = _read(path, args.format)
    except (OSError, ValueError, ImportError, UnicodeDecodeError) as exc:
        # pandas, pyarrow and the csv parser raise subclasses of these on unreadable files.
        return _fail(f"cannot read {str(path)!r}: {exc}")
    except Exception as exc:  # any other parser failure is still "unreadable input"
        return _fail(f"cannot read {str(path)!r}: {type(exc).__name__}: {exc}")
    try:
        prof = profile(df, label=args.label, sample=args.sample, progress=progress)
    except ValueError as exc:
        return _fail(str(exc))
    if not args.quiet:
        _summary(prof, path, sys.stdout)
    if args.html:
        prof.to_html(args.html, title=f"Profile of {path.name}")
        progress.note(f"wrote {args.html}")
    if args.json:
        Path(args.json).write_text(json.dumps(prof.to_dict(), indent=1), encoding="utf-8")
        progress.note(f"wrote {args.json}")
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jupyter-dci", description="Data-centric iteration tools for tabular data."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    prof = sub.add_parser(
        "profile",
        help="profile a CSV or Parquet file",
        description="Profile a CSV or Parquet file: column summaries and data-quality alerts.",
    )
    prof.add_argument("path", help="a .csv, .tsv or .parquet file")
    prof.add_argument("--html", metavar="OUT.html", help="write the offline HTML report here")
    prof.add_argument("--json", metavar="OUT.json", help="write the profile as JSON here")
    prof.add_argument("--label", help="the label column (adds label alerts)")
    prof.add_argument("--sample", type=int, help="profile this many random rows only")
    prof.add_argument(
        "--format", choices=["csv", "tsv", "parquet"], help="the file format, if not its extension"
    )
    prof.add_argument("--quiet", action="store_true", help="no progress on stderr")
    prof.set_defaults(func=_profile_command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``jupyter-dci`` command and return its exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name; ``sys.argv[1:]`` by default.

    Returns
    -------
    int
        0 on success, 2 on unreadable input or a bad option.

    Examples
    --------
    >>> main(["profile", "/no/such/file.csv", "--quiet"])
    2
    """
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help and on usage errors
        return int(exc.code or 0)
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
