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
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

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
            _write(self.stream, text)
            self.stream.flush()

    def __call__(self, done: int, total: int, what: str) -> None:
        if not self.enabled:
            return
        width = 30
        filled = int(width * done / max(total, 1))
        bar = "#" * filled + "-" * (width - filled)
        line = printable(f"profiling [{bar}] {done}/{total} columns ({what[:30]})")
        if self.tty:
            end = "\n" if done == total else ""
            self.stream.write(f"\r{line:<90}{end}")
        elif done == total or done % max(1, total // 10) == 0:
            self.stream.write(line + "\n")
        self.stream.flush()


def printable(text: str) -> str:
    r"""Escape what a terminal would obey rather than show: control and format characters.

    Column names, values and paths come from the data; written raw, an escape sequence in a
    column name could clear the screen, retitle the terminal or hide the text after it, and a
    right-to-left override could show a name reversed.

    Examples
    --------
    >>> printable("price\x1b[2J\x07 \u202egnp.exe")
    'price\\x1b[2J\\x07 \\u202egnp.exe'
    >>> printable("prix café")
    'prix café'
    """
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch.isprintable():
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    return "".join(out)


def _write(stream: TextIO, line: str) -> None:
    stream.write(printable(line) + "\n")


def _fail(message: str) -> int:
    _write(sys.stderr, f"jupyter-dci: error: {message}")
    return EXIT_BAD_INPUT


def _writable(option: str, value: str | None) -> str | None:
    """Say why an output path cannot be written, before any work is done (None if it can)."""
    if value is None:
        return None
    target = Path(value)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        return f"--{option} {value!r} is a folder; give a file path such as report.{option}"
    if not folder.is_dir():
        return f"--{option} {value!r}: the folder {str(folder)!r} does not exist; create it first"
    if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        return f"--{option} {value!r} cannot be written (permission denied); choose another path"
    return None


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
    size = (
        f"{prof.memory / 2**20:,.1f} MiB"
        if prof.engine == "pandas"
        else f"computed in {prof.engine}, never in memory"
    )
    _write(
        out,
        f"{path.name}: {prof.n_rows:,} rows x {prof.n_columns:,} columns, "
        f"{prof.n_duplicate_rows:,} duplicate rows, {size}, profiled in {prof.seconds:.2f} s",
    )
    if prof.sampled:
        _write(out, f"sampled: counts are over {prof.n_rows_profiled:,} random rows")
    kinds: dict[str, int] = {}
    for col in prof.columns.values():
        kinds[col.kind] = kinds.get(col.kind, 0) + 1
    _write(out, "kinds: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    _write(out, f"{len(prof.alerts)} alerts")
    for alert in prof.alerts:
        _write(out, f"  [{alert.severity}] {alert.kind}: {alert.message}")


def _profile_command(args: argparse.Namespace) -> int:
    from jupyter_dci.core.profile import profile
    from jupyter_dci.errors import InvalidParameterError

    progress = _Progress(sys.stderr, enabled=not args.quiet)
    path = Path(args.path)
    if not path.is_file():
        return _fail(f"{str(path)!r} is not a file. Pass the path of a .csv or .parquet file.")
    for option in ("html", "json"):
        problem = _writable(option, getattr(args, option))
        if problem is not None:
            return _fail(problem)
    kind = args.format or _READERS.get(path.suffix.lower())
    if kind == "parquet" and args.sample is None:
        # Profiled in DuckDB, where the file is: any size, a bounded memory.
        progress.note(f"profiling {path} in its engine ...")
        try:
            prof = profile(str(path), label=args.label, progress=progress)
        except InvalidParameterError as exc:  # a bad option, e.g. an unknown --label
            return _fail(str(exc))
        except Exception as exc:  # DuckDB's errors on an unreadable file share no base class
            return _fail(f"cannot read {str(path)!r}: {type(exc).__name__}: {exc}")
        return _report(prof, path, args, progress)
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
    return _report(prof, path, args, progress)


def _report(prof: DataFrameProfile, path: Path, args: argparse.Namespace, progress: Any) -> int:
    """Print the summary, write the files asked for; a write that fails is one clear line."""
    if not args.quiet:
        _summary(prof, path, sys.stdout)
    try:
        if args.html:
            prof.to_html(args.html, title=f"Profile of {path.name}")
            progress.note(f"wrote {args.html}")
        if args.json:
            Path(args.json).write_text(json.dumps(prof.to_dict(), indent=1), encoding="utf-8")
            progress.note(f"wrote {args.json}")
    except OSError as exc:  # disk full, a folder removed meanwhile...
        return _fail(f"cannot write {exc.filename or 'the output'!r}: {exc.strerror or exc}")
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
