"""The SCORM run time on the server: launching a SCO for a learner, and what its content commits.

A launch finds or starts the learner's attempt at the SCO (``ScormAttempt``) and returns the CMI values the player
loads into the SCORM API before the content starts: the learner, ``entry`` (``ab-initio`` for a new attempt,
``resume`` after a suspend), the manifest's data (mastery score, launch data, time limit...) and, for a resumed
attempt, everything content stored (location, suspend data, interactions...).

Each commit (content's Commit, and Terminate's last one) is checked against the version's data model
(``scorm.cmi.check_commit``: a value content may not set is refused element by element and never stored), laid
over the stored state, and the changes become statements of ADL's xAPI SCORM Profile (``scorm.events``):
initialized or resumed, responded, scored, completed, passed or failed, suspended or terminated, recorded through
``tracking.record()`` so that progress, module and course completion and certificates follow. The attempt state
(location, suspend data, preferences) is a State document under the attempt's IRI, and the list of attempts one
under the SCO's, as the profile describes.

Attempts follow the package: Terminate without ``exit = suspend`` ends the attempt, and the next launch starts a
new one from scratch; a 2004 ``attemptLimit`` caps them (the last attempt then opens for review, recording
nothing). At the end of a session the LMS adds the session time to the total time and, as the specifications say,
marks completed a SCO that never said (1.2: no ``lesson_status``; 2004: ``completionSetByContent`` false).

Plain functions: they flush; the view commits once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from flask import current_app
from sqlalchemy import select

from lms.accounts.models import User
from lms.catalog.outline import ItemOutline, VersionOutline, outline
from lms.db import new_uuid, session, utcnow
from lms.launch.scorm_models import ScormAttempt
from lms.learning import activities
from lms.learning.models import Enrollment
from lms.learning.services import actor
from lms.tracking import statements as build
from lms.tracking.services import actor_key, record
from lms.tracking.vocabulary import VERB_DISPLAY, ActivityType
from lms.xapi import documents
from scorm.cmi import MODELS, CmiError, add_session_time, as_text, check_commit, initial_state, outcome, writable
from scorm.events import ATTEMPT_STATE, PROFILE, commit_events
from scorm.manifest import SCORM_12, Item

log = logging.getLogger(__name__)

ACTIVITY_STATE = "https://w3id.org/xapi/scorm/activity-state"
CATEGORY = {"objectType": "Activity", "id": PROFILE}
MAX_COMMIT_BYTES = 2 * 1024 * 1024  # a full 2004 data model with 64,000 characters of suspend data fits easily
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


class ScoUnavailable(Exception):
    """A session that cannot go on: the SCO is no longer in the learner's version of the course."""


# --- tokens --------------------------------------------------------------------------------------------------

def attempt_token(attempt: ScormAttempt) -> str:
    """The token the player page carries to commit to this attempt: a signature of the attempt, its learner and
    a random value kept with it, under the app's secret key (never stored as such)."""
    message = f"lms-scorm-attempt|{attempt.attempt_id}|{attempt.user_id}|{attempt.nonce}".encode()
    return hmac.new(current_app.config["SECRET_KEY"].encode(), message, hashlib.sha256).hexdigest()


def attempt_by_token(attempt_id: str, token: str, user: User) -> ScormAttempt | None:
    """The learner's attempt a commit URL names, or None when it is not theirs or the token does not match."""
    attempt = session.execute(select(ScormAttempt).filter_by(attempt_id=str(attempt_id).lower())
                              ).scalar_one_or_none()
    if attempt is None or attempt.user_id != user.id:
        return None
    return attempt if hmac.compare_digest(attempt_token(attempt), token or "") else None


# --- launching -----------------------------------------------------------------------------------------------

@dataclass
class Launch:
    attempt: ScormAttempt
    cmi: dict[str, str]  # loaded into the SCORM API before content starts
    token: str
    is_review: bool  # no attempt left: the last one opens for review and nothing is recorded
    attempt_limit: int | None


def _manifest_item(item: ItemOutline) -> Item:
    """The manifest data of a SCO, as ``scorm.cmi.initial_state`` reads it."""
    launch = item.launch
    return Item(identifier=launch["identifier"], title=item.title.get("en", ""),
                mastery_score=launch.get("mastery_score"), scaled_passing_score=launch.get("scaled_passing_score"),
                completion_threshold=launch.get("completion_threshold"), launch_data=launch.get("launch_data"),
                max_time_allowed=launch.get("max_time_allowed"), time_limit_action=launch.get("time_limit_action"))


def _latest_attempt(user: User, registration: str, sco: str) -> ScormAttempt | None:
    return session.execute(select(ScormAttempt).filter_by(user_id=user.id, registration=registration, sco=sco)
                           .order_by(ScormAttempt.number.desc()).limit(1)).scalar_one_or_none()


def attempts_used(user: User, registration: str, sco: str) -> int:
    latest = _latest_attempt(user, registration, sco)
    return latest.number if latest is not None else 0


def launch(user: User, enrollment: Enrollment, item: ItemOutline) -> Launch:
    """Start a session of a SCO for a learner: the open attempt resumes, else a new attempt begins (or, when the
    package's attempt limit is reached, the last attempt opens for review).

    Raises ValueError for an item that is not a SCO. Flushes.
    """
    if item.kind != "sco" or not item.launch:
        raise ValueError("only a SCORM SCO has a run-time session")
    version = item.launch["version"]
    model = MODELS[version]
    limit = item.launch.get("attempt_limit")
    latest = _latest_attempt(user, enrollment.registration, item.slug)
    if latest is not None and not latest.is_open and limit and latest.number >= limit:
        review = dict(latest.state)
        review.update({model.mode: "review", model.credit: "no-credit", model.entry: ""})
        for name in (model.exit, model.session_time, "adl.nav.request"):
            review.pop(name, None)
        return Launch(attempt=latest, cmi=_for_player(version, review), token=attempt_token(latest),
                      is_review=True, attempt_limit=limit)
    if latest is None or not latest.is_open:
        state = initial_state(version, learner_id=user.public_id, learner_name=user.display_name,
                              item=_manifest_item(item))
        attempt = ScormAttempt(user_id=user.id, registration=enrollment.registration, sco=item.slug,
                               number=(latest.number + 1) if latest is not None else 1, version=version,
                               state=state, nonce=secrets.token_hex(16), started_at=utcnow())
        session.add(attempt)
    else:
        attempt = latest
        state = dict(attempt.state)
        was_suspended = state.pop(model.exit, "") == "suspend"
        for name in (model.session_time, "adl.nav.request"):
            state.pop(name, None)
        # RTE: "resume" only after a suspend; "" when an attempt goes on without one (a session that never
        # terminated: a closed browser, a lost connection); "ab-initio" until content first initialized.
        state[model.entry] = "resume" if was_suspended else ("" if attempt.sessions else "ab-initio")
        attempt.state = state
        attempt.is_initialized = False
    attempt.session_key = secrets.token_hex(16)
    session.flush()
    return Launch(attempt=attempt, cmi=_for_player(version, state), token=attempt_token(attempt),
                  is_review=False, attempt_limit=limit)


def _for_player(version: str, state: dict[str, str]) -> dict[str, str]:
    """The values to load into scorm-again. SCORM 1.2's "not attempted" is left out: the API supplies it itself,
    and a status loaded from the LMS would count as set by the SCO (it would then never be completed for a SCO
    that reports nothing)."""
    values = dict(state)
    if version == SCORM_12 and values.get("cmi.core.lesson_status") == "not attempted":
        del values["cmi.core.lesson_status"]
    return values


# --- initialize and commit -----------------------------------------------------------------------------------

@dataclass
class CommitResult:
    errors: dict[str, CmiError] = field(default_factory=dict)  # elements refused (not stored)
    statement_ids: list[str] = field(default_factory=list)
    is_ignored: bool = False  # the attempt had ended (a review, or a commit after Terminate): nothing changed
    has_ended: bool = False  # this commit ended the attempt


@dataclass(frozen=True)
class _Where:
    """A SCO's place for its statements: the learner, the course, the module, the SCO and the attempt."""

    enrollment: Enrollment
    version: VersionOutline
    item: ItemOutline
    actor: dict
    sco: build.Activity
    attempt: build.Activity
    context: build.LearningContext


def _where(attempt: ScormAttempt) -> _Where:
    enrollment = session.execute(select(Enrollment).filter_by(registration=attempt.registration)).scalar_one()
    version = outline(enrollment.version_id)
    item = version.item("sco", attempt.sco)
    if item is None:
        raise ScoUnavailable("this SCO is not part of the learner's version of the course any more")
    slug = version.course.slug
    sco = build.Activity(activities.item_iri(slug, item), ActivityType.LESSON, item.title)
    attempt_activity = build.Activity(
        f"{sco.iri}?attemptId={attempt.attempt_id}", ActivityType.ATTEMPT,
        {language: f"{title} ({attempt.number})" for language, title in item.title.items()})
    module = activities.module_activity(slug, version.module_of(item))
    context = build.LearningContext(base_url=activities.base_url(), registration=enrollment.registration,
                                    course=activities.course_activity(version), course_version=version.number,
                                    parent=module)
    return _Where(enrollment=enrollment, version=version, item=item, actor=actor(attempt.user), sco=sco,
                  attempt=attempt_activity, context=context)


def initialize(attempt: ScormAttempt, session_key: str) -> list[str]:
    """Content called Initialize: record ``initialized`` (a new attempt) or ``resumed``. Returns the statement ids;
    none for an attempt that has ended (a review) or a page whose session another launch replaced. Raises
    ScoUnavailable. Flushes."""
    if not attempt.is_open or session_key != attempt.session_key:
        return []
    where = _where(attempt)
    if attempt.sessions == 0:
        _add_to_activity_state(where)
    attempt.sessions += 1
    attempt.is_initialized = True
    attempt.terminated_at = None
    events = commit_events(attempt.version, attempt.state, {}, initialized=True)
    ids = _record(where, events)
    session.flush()
    return ids


def commit(attempt: ScormAttempt, values: Mapping[str, Any], *, session_key: str,
           terminate: bool = False) -> CommitResult:
    """Take one commit of content: flat data model values (``cmi.location``...), with ``terminate`` for the last one
    of a session. Values content may not set are refused element by element (in ``errors``) and never stored;
    the rest is stored and its meaning recorded as statements.

    A commit from a page whose session a newer launch replaced (its last commit arriving late) still counts, but
    does not end the newer session or the attempt. Raises ScoUnavailable. Flushes.
    """
    if not attempt.is_open:
        return CommitResult(is_ignored=True)
    where = _where(attempt)
    version = attempt.version
    model = MODELS[version]
    is_current = session_key == attempt.session_key
    ids: list[str] = []
    if is_current and not attempt.is_initialized:  # the Initialize call never reached us: it came with this commit
        ids += initialize(attempt, session_key)
    current = dict(attempt.state)
    # Players send the whole data model, unset elements as "": those are no values. The total time is the LMS's
    # to keep (players echo their own running total).
    incoming = {name: as_text(value) for name, value in values.items()
                if not (as_text(value) == "" and current.get(name, "") == "") and name != model.total_time}
    errors = check_commit(version, incoming, current)
    if errors:
        log.info("SCORM commit to attempt %s: refused %s", attempt.attempt_id,
                 "; ".join(f"{error.element} ({error.code})" for error in errors.values()))
    accepted = {name: value for name, value in incoming.items() if name not in errors}
    # A navigation request belongs to the session that makes it (the player acts on it), not to the attempt.
    new_state = {**current, **{name: value for name, value in writable(version, accepted).items()
                               if not name.startswith("adl.")}}
    if terminate:
        new_state = _end_of_session(where.item, version, new_state)
    events = commit_events(version, current, new_state, terminated=terminate)
    if terminate and not is_current:  # the newer session's own values stay as its launch set them
        for name in (model.exit, model.entry, model.session_time):
            new_state.pop(name, None)
            if name in current:
                new_state[name] = current[name]
    attempt.state = new_state
    attempt.last_commit_at = utcnow()
    result = CommitResult(errors=errors)
    if terminate and is_current:
        attempt.terminated_at = utcnow()
        attempt.is_initialized = False
        if new_state.get(model.exit) != "suspend":
            attempt.ended_at = utcnow()
            result.has_ended = True
    result.statement_ids = ids + _record(where, events)
    session.flush()
    return result


def _end_of_session(item: ItemOutline, version: str, state: dict[str, str]) -> dict[str, str]:
    """What the LMS sets when a session ends: the total time, and completion for a SCO that never reported it."""
    model = MODELS[version]
    state = dict(state)
    state[model.total_time] = add_session_time(version, state.get(model.total_time), state.get(model.session_time))
    if version == SCORM_12:
        # RTE 1.2 3.4.4: a SCO that never set lesson_status is completed when it finishes.
        if state.get("cmi.core.lesson_status", "") in ("", "not attempted"):
            state["cmi.core.lesson_status"] = "completed"
    elif not item.launch.get("completion_set_by_content") and outcome(version, state).completion is None:
        # SN 2004: with completionSetByContent false, the LMS completes the attempt when the SCO did not say.
        state["cmi.completion_status"] = "completed"
    return state


# --- statements and documents --------------------------------------------------------------------------------

def _without_partial_scores(events: list[dict]) -> list[dict]:
    """A score is a raw or a scaled value: players fill in score.min and score.max defaults on their own, which
    alone say nothing (no ``scored`` for them, and no score in a result)."""
    kept = []
    for event in events:
        score = (event.get("result") or {}).get("score")
        if score is not None and "raw" not in score and "scaled" not in score:
            if event["event"] == "scored":
                continue
            event = {**event, "result": {key: value for key, value in event["result"].items() if key != "score"}}
            if not event["result"]:
                del event["result"]
        kept.append(event)
    return kept


def _record(where: _Where, events: list[dict]) -> list[str]:
    statements = []
    for event in _without_partial_scores(events):
        if event["event"] == "state":
            _put_state(where, ATTEMPT_STATE, where.attempt.iri, event["document"])
            continue
        statements.append(_statement(where, event))
    return record(statements) if statements else []


def _statement(where: _Where, event: dict) -> dict:
    """One profile event as a statement: about the SCO (or, for ``responded``, the interaction inside it), grouped
    with the course and the attempt, in the SCORM profile's category."""
    context = where.context.as_context()
    activities_ = context["contextActivities"]
    activities_["grouping"].append(where.attempt.as_object())
    activities_["category"] = [dict(CATEGORY)]
    if event["event"] == "responded":
        interaction = event["interaction"]
        obj = {"objectType": "Activity",
               "id": f"{where.sco.iri}/interactions/{quote(interaction['id'], safe='')}",
               "definition": {"name": {"und": interaction["id"]}, **interaction["definition"]}}
        activities_["parent"] = [where.sco.as_object()]
    else:
        obj = where.sco.as_object()
    statement = {"id": new_uuid(), "actor": where.actor,
                 "verb": {"id": event["verb"], "display": {"en-US": VERB_DISPLAY[event["verb"]]}},
                 "object": obj, "context": context, "timestamp": _timestamp(event.get("timestamp"))}
    if event.get("result"):
        statement["result"] = event["result"]
    return statement


def _timestamp(written: str | None) -> str:
    """An interaction's own time when it is a full date and time (taken as UTC without a zone), else now."""
    now = utcnow()
    if written and _TIMESTAMP.match(written):
        try:
            moment = datetime.fromisoformat(written)
        except ValueError:
            moment = None
        if moment is not None:
            now = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return now.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _address(where: _Where, activity_id: str, state_id: str) -> documents.DocumentAddress:
    return documents.DocumentAddress(resource=documents.STATE, activity_id=activity_id,
                                     agent_key=actor_key(where.actor), registration=where.enrollment.registration,
                                     document_id=state_id)


def _put_state(where: _Where, state_id: str, activity_id: str, document: dict) -> None:
    content = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    documents.put_document(_address(where, activity_id, state_id), documents.Content(content, documents.JSON_TYPE),
                           documents.Preconditions())


def _add_to_activity_state(where: _Where) -> None:
    """The SCO's Activity State lists its attempts' IRIs, first to latest (profile: "Initializing an attempt")."""
    existing = documents.find_document(_address(where, where.sco.iri, ACTIVITY_STATE))
    attempts: list = []
    if existing is not None:
        try:
            attempts = list(json.loads(existing.content.decode("utf-8")).get("attempts", []))
        except (ValueError, AttributeError):  # a document someone replaced through the LRS with something else
            attempts = []
    if where.attempt.iri not in attempts:
        attempts.append(where.attempt.iri)
    _put_state(where, ACTIVITY_STATE, where.sco.iri, {"attempts": attempts})


def attempt_state_document(attempt: ScormAttempt) -> dict | None:
    """The Attempt State document stored for an attempt (location, suspend data...), or None."""
    where = _where(attempt)
    found = documents.find_document(_address(where, where.attempt.iri, ATTEMPT_STATE))
    return json.loads(found.content.decode("utf-8")) if found is not None else None


# --- assets --------------------------------------------------------------------------------------------------

def asset_viewed(user: User, enrollment: Enrollment, item: ItemOutline) -> bool:
    """A learner opened an asset of a package (a page that does not report): it is done, like a native lesson
    read. Records ``experienced`` the first time only; returns whether it did. Flushes."""
    from lms.learning.services import learner_key
    from lms.tracking.models import ActivityProgress

    version = outline(enrollment.version_id)
    slug = version.course.slug
    activity = build.Activity(activities.item_iri(slug, item), ActivityType.LESSON, item.title)
    done = session.execute(select(ActivityProgress.is_completed).filter_by(
        actor_key=learner_key(user), registration=enrollment.registration, activity_id=activity.iri)
    ).scalar_one_or_none()
    if done:
        return False
    context = build.LearningContext(base_url=activities.base_url(), registration=enrollment.registration,
                                    course=activities.course_activity(version), course_version=version.number,
                                    parent=activities.module_activity(slug, version.module_of(item)))
    record([build.lesson_experienced(actor(user), activity, context)])
    return True
