"""The workbench's profile: cached per generation of the data, large frames in a worker.

The header's alert counts and the Overview tab read the same profile. It is computed again
only when the data changed (the state's generation moved); from
:data:`BACKGROUND_PROFILE_ROWS` rows, inside a kernel, it is computed in a worker thread so
the workbench shows at once and the kernel stays responsive.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from jupyter_dci.widgets._profile import ProfileResult
from jupyter_dci.widgets._profile import profile as _profile
from jupyter_dci.widgets.inspect._jobs import Job
from jupyter_dci.widgets.inspect._state import WorkbenchState

__all__ = ["BACKGROUND_PROFILE_ROWS", "Profiler"]

#: From this many rows, inside a kernel, the Overview's profile is computed in a worker
#: thread: the workbench shows at once (header, tabs, a progress bar), the kernel stays
#: responsive, and the alerts and column cards fill in when the profile is done.
BACKGROUND_PROFILE_ROWS = 200_000


class Profiler:
    """The profile of a workbench's data, computed in this thread or in a worker.

    Examples
    --------
    >>> import pandas as pd
    >>> profiler = Profiler(WorkbenchState(pd.DataFrame({"x": [1, 2]})))
    >>> profiler.current().n_rows, profiler.running
    (2, False)
    """

    def __init__(self, state: WorkbenchState) -> None:
        self.state = state
        self.job: Job | None = None
        #: What the last background profile raised, for the Overview to show once.
        self.error: BaseException | None = None

    @property
    def running(self) -> bool:
        """Whether a background profile is being computed."""
        return self.job is not None

    def wanted_in_background(self, loop: asyncio.AbstractEventLoop | None) -> bool:
        """Whether the Overview should profile in a worker: stale, large, inside a kernel."""
        state = self.state
        return (
            not state.profile_fresh
            and loop is not None
            and len(state.frame) >= BACKGROUND_PROFILE_ROWS
        )

    def current(self) -> ProfileResult:
        """Return the profile of the data as it is now (cached, or computed here)."""
        state = self.state
        if state.profile_fresh:
            return state.profile
        if self.job is not None:  # computing in the background: maybe the one
            self.job.join()
        if not state.profile_fresh:
            state.keep_profile(state.generation, _profile(state.frame, label=state.label))
        return state.profile

    def take_error(self) -> BaseException | None:
        """Return (once) what the last background profile raised, if anything."""
        error, self.error = self.error, None
        return error

    def start(
        self,
        loop: asyncio.AbstractEventLoop,
        progress: Callable[[int, int, str], None],
        done: Callable[[], None],
    ) -> None:
        """Profile the data of now in a worker; ``done()`` runs on ``loop`` when it ends."""
        if self.job is not None:
            return  # one is running: its end fills the tab, for the data of then
        state = self.state
        generation, frame, label = state.generation, state.frame, state.label

        def work(_check: Any) -> Any:
            return _profile(frame, label=label, progress=progress)

        def keep(outcome: Any) -> None:
            # In the worker, so that current(), joining it, finds the result.
            if isinstance(outcome, BaseException):
                self.error = outcome
            else:
                state.keep_profile(generation, outcome)

        def finished(_outcome: Any) -> None:
            self.job = None
            done()

        self.job = Job("inspect-profile", work, keep=keep, done=finished, loop=loop).start()
