"""Work off the kernel's thread: a worker with progress and cancel, written once.

The workbench runs two long computations this way (the profile of a large frame, the
out-of-sample probabilities). Both need the same things: run in a daemon thread so the
kernel keeps answering; turn any exception into a result that the tab shows (logging the
unexpected ones, since a worker's traceback has nowhere else to go); stop early when asked;
and hand the result back on the kernel's event loop, where widgets may be touched.

Examples
--------
>>> job = Job("example", lambda check: check() or 42)
>>> job.run()
42
>>> job.cancel()
>>> isinstance(Job("x", lambda check: 1, cancel=job.cancelled).run(), CancelledError)
True
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import Any

from jupyter_dci.errors import DCIError

__all__ = ["CancelledError", "Job", "running_loop"]

log = logging.getLogger(__name__)


class CancelledError(Exception):
    """A job's result when it was cancelled (also raised inside it to stop the work)."""


def running_loop() -> asyncio.AbstractEventLoop | None:
    """Return the event loop running in this thread (a kernel's), or None (a script)."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class Job:
    """One computation, run in a worker thread or at once, whose outcome is delivered.

    Parameters
    ----------
    name : str
        Names the thread and the log messages.
    work : callable
        ``work(check)``, returning the result; it calls ``check()`` between steps, which
        raises :class:`CancelledError` once :meth:`cancel` was called.
    keep : callable, optional
        ``keep(outcome)``, called in the worker as soon as the outcome exists (so a thread
        that joins the worker finds it without waiting for the loop).
    done : callable, optional
        ``done(outcome)``, called on ``loop`` (from the worker) or at once without a loop.
    loop : asyncio.AbstractEventLoop, optional
        The kernel's loop, where ``done`` runs.
    cancel : threading.Event, optional
        Share a cancel flag with the caller (a new one by default).

    The outcome is the result, :class:`CancelledError`, or the exception ``work`` raised.
    """

    def __init__(
        self,
        name: str,
        work: Callable[[Callable[[], None]], Any],
        *,
        keep: Callable[[Any], None] | None = None,
        done: Callable[[Any], None] | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        self.name = name
        self._work = work
        self._keep = keep
        self._done = done
        self._loop = loop
        self.cancelled = cancel if cancel is not None else threading.Event()
        self.thread: threading.Thread | None = None

    def check(self) -> None:
        """Raise :class:`CancelledError` when the job was asked to stop."""
        if self.cancelled.is_set():
            raise CancelledError

    def cancel(self) -> None:
        """Ask the work to stop at its next ``check()``."""
        self.cancelled.set()

    def is_alive(self) -> bool:
        """Whether the worker thread is running."""
        return self.thread is not None and self.thread.is_alive()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the worker thread (at once when there is none)."""
        if self.thread is not None:
            self.thread.join(timeout)

    def start(self) -> Job:
        """Run the work in a daemon thread; the outcome arrives through ``keep``/``done``."""
        self.thread = threading.Thread(target=self.run, name=f"dci-{self.name}", daemon=True)
        self.thread.start()
        return self

    def run(self) -> Any:
        """Run the work in this thread; deliver and return its outcome."""
        outcome = self._outcome()
        if self._keep is not None:
            self._keep(outcome)
        if self._done is not None:
            done = self._done
            loop = self._loop
            if loop is not None and loop.is_running():
                loop.call_soon_threadsafe(done, outcome)
            else:
                done(outcome)
        return outcome

    def _outcome(self) -> Any:
        try:
            result = self._work(self.check)
            self.check()  # cancelled during the last step: nothing is kept
            return result
        except CancelledError:
            return CancelledError()
        except Exception as exc:  # shown by the caller: a worker's error goes nowhere else
            if not isinstance(exc, DCIError):
                log.exception("jupyter_dci: %s failed", self.name)
            return exc
