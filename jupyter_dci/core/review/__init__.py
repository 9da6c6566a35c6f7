"""Fix: a review of suspected label issues, decided one row at a time and written at once.

- ``_queue`` orders the suspects and keeps the scope (filters, a restriction to some rows).
- ``_decisions`` holds the frozen records (:class:`Decision`, :class:`Suspect`,
  :class:`Confusion`) and the key map.
- ``_session`` is the :class:`ReviewSession`: decide and undo.
- ``_writing`` writes a decision into the frame (or a tracked dataset's pending edits).

Examples
--------
>>> from jupyter_dci.core.review import key_map
>>> key_map(3)
['0', '1', '2']
"""

from jupyter_dci.core.review._decisions import MAX_CONFUSION_CLASSES
from jupyter_dci.core.review._session import (
    Confusion,
    Decision,
    ReviewSession,
    Suspect,
    key_map,
)

__all__ = ["MAX_CONFUSION_CLASSES", "Confusion", "Decision", "ReviewSession", "Suspect", "key_map"]
