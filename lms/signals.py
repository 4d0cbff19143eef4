"""Extension points of the LMS, as blinker signals (STYLE rule 6).

``progress_changed`` is sent by ``tracking.record()`` after the progress projection moved for a learner, inside
the same transaction, with ``actor_key``, ``registration`` and ``activity_ids``. Receivers may record further
statements (a module or course completion, a certificate) through ``tracking.record()``.
"""

from blinker import Namespace

_signals = Namespace()

progress_changed = _signals.signal("lms.progress-changed")
