"""Extension points of the LMS, as blinker signals (STYLE rule 6).

``progress_changed`` is sent once by each ``tracking.record()`` whose statements moved the progress projection,
inside the same transaction, with ``changes``: a list of ``ProgressChange`` (``actor_key``, ``registration``,
``activity_ids``), one per learner and registration. One signal per batch lets receivers look up everything they
need in one query (a batch of 100 statements from 100 learners must not cost 100 look-ups per receiver).
Receivers may record further statements (a module or course completion, a certificate) through
``tracking.record()``.

``statements_recorded`` is sent by ``tracking.record()`` right after the new statements are inserted (before the
projection), inside the same transaction, with ``statements``: every statement just stored, as
``tracking.services.StoredStatement`` (row ``id``, ``statement_id``, indexed values, ``full`` JSON), in the order
given. Statements ``record()`` skipped as already stored are not in it; statements voided on arrival are. Receivers
add rows to the same transaction (the forwarding outbox does), so what they write commits or rolls back with them.
"""

from dataclasses import dataclass

from blinker import Namespace

_signals = Namespace()

progress_changed = _signals.signal("lms.progress-changed")


@dataclass(frozen=True)
class ProgressChange:
    actor_key: str
    registration: str  # "" for statements without a registration
    activity_ids: tuple[str, ...]
statements_recorded = _signals.signal("lms.statements-recorded")
