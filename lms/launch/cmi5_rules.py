"""The cmi5 statement rules (cmi5 Quartz 7.1, 9, 10), applied by the LRS to statements an AU sends in its session.

``check_statements`` is called by ``lms.xapi.statements.store`` before anything is stored. Statements sent with a
cmi5 launch credential (the token of a fetch URL) must belong to that credential's session and obey the session's
rules; a statement that breaks one is refused with the rule's section: 400 for a statement that is malformed for
cmi5, 403 for one the session does not allow now (before ``initialized``, after ``terminated`` or ``abandoned``, a
second ``completed`` or ``passed`` in the registration, a completion in Browse or Review mode). "cmi5 allowed"
statements (the session's context, no cmi5 category) pass. Other credentials are not concerned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import select

from lms.db import session, utcnow
from lms.launch.models import LaunchSession
from lms.tracking.models import Statement
from lms.tracking.vocabulary import CMI5, Verb
from lms.xapi.credentials import Principal
from lms.xapi.protocol import XAPIError

AU_VERBS = (Verb.INITIALIZED, Verb.COMPLETED, Verb.PASSED, Verb.FAILED, Verb.TERMINATED)
JUDGED = (Verb.COMPLETED, Verb.PASSED, Verb.FAILED)
NEEDS_DURATION = (Verb.COMPLETED, Verb.PASSED, Verb.FAILED, Verb.TERMINATED)


def _reject(status: int, index: int, section: str, message: str) -> XAPIError:
    return XAPIError(status, f"statements[{index}]: {message} (cmi5 {section})")


def _get(value, *path):
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _ids(activities) -> set[str]:
    if isinstance(activities, dict):
        activities = [activities]
    if not isinstance(activities, list):
        return set()
    return {activity.get("id") for activity in activities if isinstance(activity, dict)}


@dataclass
class _State:
    """The session's state while a batch is checked: what it had before, plus what the batch adds."""

    launch: LaunchSession
    registration_verbs: set[str] | None = None  # cmi5 defined completed/passed already stored in the registration
    seen: set[str] = field(default_factory=set)  # cmi5 defined verbs of this session (stored, then in the batch)


def check_statements(statements: list, principal: Principal) -> None:
    """Apply the cmi5 rules to statements sent with a cmi5 session's credential; others pass untouched.

    Raises XAPIError (400 or 403, naming the rule) and changes nothing then; otherwise records what the batch did
    to the session (initialized, terminated, completed, passed, failed, last statement time) and flushes.
    """
    launch = session.execute(select(LaunchSession).filter_by(lrs_client_id=principal.client.id, kind="cmi5")
                             ).scalar_one_or_none()
    if launch is None:
        return
    state = _State(launch, seen=_session_verbs(launch))
    for index, statement in enumerate(statements):
        if isinstance(statement, dict):
            _check(statement, index, state)
    launch.last_statement_at = utcnow()
    session.flush()


def _session_verbs(launch: LaunchSession) -> set[str]:
    seen = set()
    for verb, flag in ((Verb.INITIALIZED, launch.initialized_at), (Verb.TERMINATED, launch.terminated_at),
                       (Verb.COMPLETED, launch.has_completed), (Verb.PASSED, launch.has_passed),
                       (Verb.FAILED, launch.has_failed)):
        if flag:
            seen.add(verb)
    return seen


def _registration_verbs(state: _State) -> set[str]:
    """The cmi5 defined completed and passed statements already stored for this AU in this registration."""
    if state.registration_verbs is None:
        rows = session.execute(select(Statement.verb_id, Statement.full).where(
            Statement.registration == state.launch.registration,
            Statement.object_activity_id == state.launch.activity_id,
            Statement.verb_id.in_([Verb.COMPLETED, Verb.PASSED]), Statement.is_voided.is_(False)))
        state.registration_verbs = {verb for verb, full in rows
                                    if CMI5.CATEGORY in _ids(_get(full, "context", "contextActivities", "category"))}
    return state.registration_verbs


def _check(statement: dict, index: int, state: _State) -> None:
    launch = state.launch
    verb = _get(statement, "verb", "id")
    context = statement.get("context") if isinstance(statement.get("context"), dict) else {}
    categories = _ids(_get(context, "contextActivities", "category"))
    is_defined = CMI5.CATEGORY in categories
    if verb == Verb.VOIDED:
        raise _reject(403, index, "6.3", "an AU may not void statements")
    if "id" not in statement:
        raise _reject(400, index, "9.1", "the AU must give every statement an id")
    if "timestamp" not in statement:
        raise _reject(400, index, "9.7", "every statement must have a timestamp")
    if str(context.get("registration", "")).lower() != launch.registration:
        raise _reject(400, index, "9.6.1", f"context.registration must be the launch's registration "
                                           f"{launch.registration}")
    session_id = _get(context, "extensions", CMI5.SESSION_ID)
    if session_id is None:
        raise _reject(400, index, "9.6.3.1", f"context.extensions must carry the session id ({CMI5.SESSION_ID}) "
                                             "from LMS.LaunchData's contextTemplate")
    if session_id != launch.session_id:
        raise _reject(403, index, "9.6.3.1", "the session id is not this launch's: its credential serves only "
                                             "its own session")
    if launch.publisher_id not in _ids(_get(context, "contextActivities", "grouping")):
        raise _reject(400, index, "9.6.2.3", "context.contextActivities.grouping must hold the publisher id "
                                             f"activity {launch.publisher_id} from the contextTemplate")
    if launch.abandoned_at is not None:
        raise _reject(403, index, "9.3.6", "the session was abandoned: it takes no more statements")
    if Verb.TERMINATED in state.seen:
        raise _reject(403, index, "9.3.8", "the session is terminated: terminated must be its last statement")
    if Verb.INITIALIZED not in state.seen and not (is_defined and verb == Verb.INITIALIZED):
        raise _reject(403, index, "9.3.2", "initialized must be the session's first statement")
    if CMI5.MOVE_ON_CATEGORY in categories and not (is_defined and verb in JUDGED):
        raise _reject(400, index, "9.6.2.2", "only a cmi5 defined completed, passed or failed statement carries "
                                             "the moveOn category")
    if is_defined:
        _check_defined(statement, index, verb, context, categories, state)
    _apply(verb, is_defined, state)


def _check_defined(statement: dict, index: int, verb: str, context: dict, categories: set[str],
                   state: _State) -> None:
    launch = state.launch
    actor = statement.get("actor") or {}
    if actor.get("objectType", "Agent") != "Agent" or not isinstance(actor.get("account"), dict):
        raise _reject(400, index, "9.2", "the actor of a cmi5 defined statement is an Agent with an account")
    if verb not in AU_VERBS:
        raise _reject(400, index, "9.3", f"an AU's cmi5 defined statements use initialized, completed, passed, "
                                         f"failed or terminated, not {verb}")
    if _get(statement, "object", "id") != launch.activity_id:
        raise _reject(400, index, "9.4", f"the object of a cmi5 defined statement is the AU: {launch.activity_id}")
    result = statement.get("result") if isinstance(statement.get("result"), dict) else {}
    _check_result(result, index, verb, categories, context, launch)
    if launch.launch_mode != "Normal" and verb in JUDGED:
        raise _reject(403, index, "10.0", f"in {launch.launch_mode} mode an AU may not send {verb.rsplit('/', 1)[-1]}")
    if verb in state.seen:
        raise _reject(403, index, "9.3", f"{verb.rsplit('/', 1)[-1]} was already sent in this session")
    if verb in (Verb.PASSED, Verb.FAILED) and {Verb.PASSED, Verb.FAILED} & state.seen:
        raise _reject(403, index, "9.3", "a session holds at most one of passed and failed")
    if verb in (Verb.COMPLETED, Verb.PASSED) and verb in _registration_verbs(state):
        raise _reject(403, index, "9.3", f"this AU was already {verb.rsplit('/', 1)[-1]} in this registration")
    if verb == Verb.FAILED and Verb.PASSED in _registration_verbs(state):
        raise _reject(403, index, "9.3", "failed may not follow passed in a registration")


def _check_result(result: dict, index: int, verb: str, categories: set[str], context: dict,
                  launch: LaunchSession) -> None:
    score = result.get("score")
    if score is not None:
        if verb not in (Verb.PASSED, Verb.FAILED):
            raise _reject(400, index, "9.5.1", "only passed and failed statements carry a score")
        if isinstance(score, dict) and "raw" in score and not {"min", "max"} <= score.keys():
            raise _reject(400, index, "9.5.1", "a raw score needs min and max")
    success = result.get("success")
    if verb == Verb.PASSED and success is not True:
        raise _reject(400, index, "9.5.2", "a passed statement has result.success true")
    if verb == Verb.FAILED and success is not False:
        raise _reject(400, index, "9.5.2", "a failed statement has result.success false")
    if verb not in (Verb.PASSED, Verb.FAILED) and "success" in result:
        raise _reject(400, index, "9.5.2", "only passed and failed statements carry result.success")
    if verb == Verb.COMPLETED and result.get("completion") is not True:
        raise _reject(400, index, "9.5.3", "a completed statement has result.completion true")
    if verb != Verb.COMPLETED and "completion" in result:
        raise _reject(400, index, "9.5.3", "only completed statements carry result.completion")
    if verb in NEEDS_DURATION and "duration" not in result:
        raise _reject(400, index, "9.5.4.1", f"a {verb.rsplit('/', 1)[-1]} statement carries result.duration")
    if ("success" in result or "completion" in result) and CMI5.MOVE_ON_CATEGORY not in categories:
        raise _reject(400, index, "9.6.2.2", "a statement with result.success or result.completion carries the "
                                             "moveOn category")
    scaled = score.get("scaled") if isinstance(score, dict) else None
    if launch.mastery_score is None or scaled is None:
        return
    if _get(context, "extensions", CMI5.MASTERY_SCORE) != launch.mastery_score:
        raise _reject(400, index, "9.6.3.2", f"a scored {verb.rsplit('/', 1)[-1]} statement carries the "
                                             f"masteryScore {launch.mastery_score} in context.extensions")
    if verb == Verb.PASSED and scaled < launch.mastery_score:
        raise _reject(400, index, "9.3.4", f"a passed score ({scaled}) is at least the masteryScore "
                                           f"({launch.mastery_score})")
    if verb == Verb.FAILED and scaled >= launch.mastery_score:
        raise _reject(400, index, "9.3.5", f"a failed score ({scaled}) is below the masteryScore "
                                           f"({launch.mastery_score})")


def _apply(verb: str, is_defined: bool, state: _State) -> None:
    launch = state.launch
    if not is_defined:
        return
    state.seen.add(verb)
    now = datetime.now(timezone.utc)
    if verb == Verb.INITIALIZED:
        launch.initialized_at = now
    elif verb == Verb.TERMINATED:
        launch.terminated_at = now
    elif verb == Verb.COMPLETED:
        launch.has_completed = True
        _registration_verbs(state).add(verb)
    elif verb == Verb.PASSED:
        launch.has_passed = True
        _registration_verbs(state).add(verb)
    elif verb == Verb.FAILED:
        launch.has_failed = True
