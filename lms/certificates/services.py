"""Certificates: evaluating tracks, issuing exactly once, revoking, re-issuing, recertifying, reminding, verifying.

Plain functions that flush; the view or command commits once. Each takes ``now`` (default: the real clock) so that
tests control time. Issuing happens by itself: ``on_progress_changed`` listens to ``lms.signals.progress_changed``
and issues, in the same transaction as the statement that met the last requirement.
"""

from __future__ import annotations

import base64
import calendar
import csv
import hashlib
import io
import re
import secrets
import smtplib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import Select, and_, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.catalog.models import Course, Track
from lms.catalog.outline import outline
from lms.catalog.services import latest_version
from lms.certificates.badges import issuer_name, verification_url
from lms.certificates.models import Certificate, CertificateReminder, Recertification, VerificationThrottle
from lms.certificates.rules import CourseFacts, Evaluation, TrackRules, evaluate
from lms.core.i18n import LOCALES, _, text
from lms.db import new_uuid, session, utcnow
from lms.learning import activities
from lms.learning.models import Enrollment
from lms.learning.services import actor, course_progress, enrollments_for_changes, learner_key
from lms.signals import ProgressChange
from lms.tracking import statements as build
from lms.tracking.models import ActivityProgress
from lms.tracking.services import progress_for, record
from lms.tracking.vocabulary import VERB_DISPLAY, ActivityType, Verb, extension_iri

REMINDER_DAYS = (60, 14)
MAX_REASON = 500
MAX_NAME = 120


class CertificateError(ValueError):
    """A certificate action that cannot be carried out; ``field`` names the form field at fault, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class TooManyLookups(Exception):
    """Too many verification look-ups from one client address; ``seconds`` until the next is allowed."""

    def __init__(self, seconds: int) -> None:
        super().__init__(seconds)
        self.seconds = seconds


# --- serials ----------------------------------------------------------------------------------------------

_SERIAL = re.compile(r"^[A-Z2-7]{16}$")
# Base32 has no 0, 1 or 8: someone typing a serial from paper may read O, I or B as digits.
_MISREAD = str.maketrans({"0": "O", "1": "I", "8": "B"})


def new_serial() -> str:
    """A fresh serial: 80 random bits as four groups of base32 (ABCD-EFGH-IJKL-MNOP), never sequential."""
    while True:
        raw = base64.b32encode(secrets.token_bytes(10)).decode("ascii")
        serial = "-".join(raw[index:index + 4] for index in range(0, 16, 4))
        if session.execute(select(Certificate.id).filter_by(serial=serial)).first() is None:
            return serial


def normalise_serial(value: str | None) -> str | None:
    """A serial as typed (any case, spaces or dashes anywhere) in its printed form, or None if it cannot be one."""
    cleaned = re.sub(r"[\s\-]", "", value or "").upper().translate(_MISREAD)
    if not _SERIAL.match(cleaned):
        return None
    return "-".join(cleaned[index:index + 4] for index in range(0, 16, 4))


def find_by_serial(serial: str) -> Certificate | None:
    normalised = normalise_serial(serial)
    if normalised is None:
        return None
    return session.execute(select(Certificate).filter_by(serial=normalised)).scalar_one_or_none()


# --- tracks and the facts the rules need -----------------------------------------------------------------

def all_tracks() -> list[Track]:
    return list(session.execute(select(Track).order_by(Track.slug)).scalars())


def track_by_slug(slug: str) -> Track | None:
    return session.execute(select(Track).filter_by(slug=slug)).scalar_one_or_none()


def _track_courses(track: Track) -> list[str]:
    return list(dict.fromkeys(list(track.course_slugs or []) + list(track.elective_slugs or [])))


def tracks_with_course(course_slug: str) -> list[Track]:
    return [track for track in all_tracks() if course_slug in _track_courses(track)]


def track_iri(slug: str) -> str:
    return f"{activities.base_url()}/xapi/activities/track/{slug}"


def track_rules(track: Track, min_study_minutes: int | None = None,
                prerequisites: dict[str, tuple[str, ...]] | None = None) -> TrackRules:
    """The rules of a track. A minimum study time and the courses' unlock order are passed in, or read from the
    track once the curriculum loader stores them (``Track.min_study_minutes``, ``Track.prerequisites``)."""
    if min_study_minutes is None:
        min_study_minutes = getattr(track, "min_study_minutes", None)
    if prerequisites is None:
        prerequisites = getattr(track, "prerequisites", None) or {}
    return TrackRules(
        required=tuple(track.course_slugs or ()), pass_mark=track.pass_mark,
        electives=tuple(track.elective_slugs or ()), electives_required=track.electives_required or 0,
        min_study_minutes=min_study_minutes,
        prerequisites={course: tuple(before) for course, before in prerequisites.items()},
    )


def current_enrollments(user_id: int, course_ids: list[int]) -> dict[int, Enrollment]:
    """The learner's current enrolment in each course (the newest; after a recertification the older ones are
    history). Works before and after ``Enrollment.is_current`` exists."""
    if not course_ids:
        return {}
    query = (select(Enrollment).where(Enrollment.user_id == user_id, Enrollment.course_id.in_(course_ids))
             .order_by(Enrollment.id))
    is_current = getattr(Enrollment, "is_current", None)
    if is_current is not None:
        query = query.where(is_current.is_(True))
    return {enrollment.course_id: enrollment for enrollment in session.execute(query).scalars()}


def course_facts(user: User, enrollment: Enrollment) -> CourseFacts:
    """What the progress projection says about one enrolment, as the rules read it."""
    progress = course_progress(user, enrollment)
    slug = progress.version.course.slug
    quizzes = {item.slug: (row.best_score if row is not None else None)
               for module in progress.modules for item, row, _done in module.items if item.kind == "quiz"}
    rows = progress_for(learner_key(user), enrollment.registration)
    course_row = rows.get(activities.course_iri(slug))
    return CourseFacts(
        slug=slug, is_enrolled=True, is_completed=progress.is_completed,
        completed_at=course_row.completed_at if course_row is not None else None, quiz_scores=quizzes,
        study_seconds=sum(row.time_spent_seconds or 0.0 for row in rows.values()), fraction=progress.fraction,
    )


def _courses_by_slug(slugs: list[str]) -> dict[str, Course]:
    if not slugs:
        return {}
    return {course.slug: course for course in session.execute(select(Course).where(Course.slug.in_(slugs))).scalars()}


def track_facts(user: User, track: Track) -> dict[str, CourseFacts]:
    """Facts for every course of a track; a course not started has the quizzes of its newest version, unscored."""
    courses = _courses_by_slug(_track_courses(track))
    enrolled = current_enrollments(user.id, [course.id for course in courses.values()])
    facts = {}
    for slug, course in courses.items():
        enrollment = enrolled.get(course.id)
        if enrollment is not None:
            facts[slug] = course_facts(user, enrollment)
            continue
        version = latest_version(course.id)
        quizzes = {item.slug: None for item in outline(version.id).items if item.kind == "quiz"} if version else {}
        facts[slug] = CourseFacts(slug=slug, quiz_scores=quizzes)
    return facts


def evaluate_track(user: User, track: Track) -> Evaluation:
    """The learner's standing in a track, requirement by requirement."""
    return evaluate(track_rules(track), track_facts(user, track))


def course_titles(track: Track) -> dict[str, dict]:
    """Each course of the track's title (a language map), from its newest version."""
    titles = {}
    for slug, course in _courses_by_slug(_track_courses(track)).items():
        version = latest_version(course.id)
        titles[slug] = version.title if version is not None else {"en": slug}
    return titles


# --- issuing ----------------------------------------------------------------------------------------------

def current_cycle(user_id: int, track_id: int) -> int:
    """The learner's cycle in a track: 1, plus one for each recertification opened."""
    opened = session.execute(select(func.max(Recertification.cycle)).filter_by(user_id=user_id, track_id=track_id)
                             ).scalar_one_or_none()
    return opened or 1


def latest_certificate(user_id: int, track_id: int, cycle: int | None = None) -> Certificate | None:
    """The newest certificate of a learner for a track (in one cycle, if given), whatever its state."""
    query = select(Certificate).filter_by(user_id=user_id, track_id=track_id)
    if cycle is not None:
        query = query.filter_by(cycle=cycle)
    return session.execute(query.order_by(Certificate.cycle.desc(), Certificate.revision.desc()).limit(1)
                           ).scalar_one_or_none()


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus whole calendar months, the day clamped to the target month's length (31 Jan + 1 = 28/29 Feb)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def issue_if_owed(user: User, track: Track, now: datetime | None = None) -> Certificate | None:
    """Issue the learner's certificate for the track if its rules are met and the current cycle has none yet.

    Idempotent: returns None when nothing is owed (or another transaction issued it first). Records ``earned``.
    """
    now = now or utcnow()
    cycle = current_cycle(user.id, track.id)
    if latest_certificate(user.id, track.id, cycle) is not None:
        return None
    facts = track_facts(user, track)
    evaluation = evaluate(track_rules(track), facts)
    if not evaluation.is_met:
        return None
    certificate = Certificate(
        serial=new_serial(), credential_id=new_uuid(), user_id=user.id, track_id=track.id, cycle=cycle, revision=1,
        learner_name=user.display_name, language=user.language, track_slug=track.slug, track_title=dict(track.title),
        issuer_name=issuer_name(), courses=_course_snapshot(user, track, evaluation, facts), issued_at=now,
        expires_at=add_months(now, track.validity_months) if track.validity_months else None, created_at=now,
    )
    try:
        with session.begin_nested():  # a savepoint: losing a race must not undo the learner's own statement
            session.add(certificate)
    except IntegrityError:
        return None
    for previous in session.execute(select(Certificate).where(
            Certificate.user_id == user.id, Certificate.track_id == track.id, Certificate.cycle < cycle,
            Certificate.revoked_at.is_(None), Certificate.superseded_at.is_(None))).scalars():
        previous.superseded_at, previous.superseded_by_id = now, certificate.id
    record([_earned_statement(user, track, certificate)])
    return certificate


def _course_snapshot(user: User, track: Track, evaluation: Evaluation, facts: dict[str, CourseFacts]) -> list[dict]:
    courses = _courses_by_slug(list(evaluation.counted_courses))
    enrolled = current_enrollments(user.id, [course.id for course in courses.values()])
    snapshot = []
    for slug in evaluation.counted_courses:
        fact = facts[slug]
        scores = [score for score in fact.quiz_scores.values() if score is not None]
        enrollment = enrolled.get(courses[slug].id) if slug in courses else None
        title = outline(enrollment.version_id).title if enrollment is not None else {"en": slug}
        snapshot.append({
            "slug": slug, "title": dict(title),
            "score": round(100 * sum(scores) / len(scores)) if scores else None,
            "completed_at": fact.completed_at.isoformat() if fact.completed_at else None,
        })
    return snapshot


def _earned_statement(user: User, track: Track, certificate: Certificate) -> dict:
    # Built here, not in tracking/statements.py (not this area's file): it should move there as ``track_earned``.
    track_activity = build.Activity(track_iri(track.slug), ActivityType.TRACK, dict(track.title))
    return {
        "actor": actor(user),
        "verb": {"id": Verb.EARNED, "display": {"en-US": VERB_DISPLAY[Verb.EARNED]}},
        "object": track_activity.as_object(),
        "result": {"completion": True, "success": True},
        "context": {"extensions": {extension_iri(activities.base_url(), "certificate-serial"): certificate.serial}},
        "timestamp": certificate.issued_at.astimezone(timezone.utc).isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
    }


def on_progress_changed(sender, changes: list[ProgressChange]) -> None:
    """``progress_changed`` receiver: issue what the learner's tracks owe once the changed course is completed.

    Any path that moves progress (lesson, quiz, SCORM, xAPI from outside, an import) ends here. Only a completed
    course can newly meet a track, so a batch of changes costs two queries when no course was completed.
    """
    if "lms" not in getattr(sender, "extensions", {}):
        return
    found = enrollments_for_changes(changes)
    if not found:
        return
    course_ids = {enrollment.course_id for enrollment, _ in found}
    slugs = dict(session.execute(select(Course.id, Course.slug).where(Course.id.in_(course_ids))).all())
    for enrollment, change in found:
        is_completed = session.execute(select(ActivityProgress.is_completed).filter_by(
            actor_key=change.actor_key, registration=change.registration,
            activity_id=activities.course_iri(slugs[enrollment.course_id]))).scalar_one_or_none()
        if is_completed:
            for track in tracks_with_course(slugs[enrollment.course_id]):
                issue_if_owed(enrollment.user, track)


def connect_signals() -> None:
    """Listen for progress changes (connecting twice is harmless: blinker keeps one receiver)."""
    from lms.signals import progress_changed

    progress_changed.connect(on_progress_changed, weak=False)


@dataclass
class Issued:
    certificate: Certificate
    user: User
    track: Track


def reconcile(now: datetime | None = None) -> list[Issued]:
    """Re-evaluate every learner enrolled in a track's course and issue every certificate owed. Returns them."""
    now = now or utcnow()
    issued = []
    tracks = all_tracks()
    for track in tracks:
        slugs = _track_courses(track)
        user_ids = session.execute(select(Enrollment.user_id).join(Course, Course.id == Enrollment.course_id)
                                   .where(Course.slug.in_(slugs)).distinct()).scalars().all()
        for user in session.execute(select(User).where(User.id.in_(user_ids)).order_by(User.id)).scalars():
            certificate = issue_if_owed(user, track, now)
            if certificate is not None:
                issued.append(Issued(certificate, user, track))
    return issued


# --- the learner's and the admin's views of certificates --------------------------------------------------

def user_certificates(user: User) -> list[Certificate]:
    """A learner's certificates, newest first, history included."""
    return list(session.execute(
        select(Certificate).filter_by(user_id=user.id)
        .order_by(Certificate.issued_at.desc(), Certificate.cycle.desc(), Certificate.revision.desc())
    ).scalars())


def _state_condition(state: str, now: datetime):
    not_revoked, not_superseded = Certificate.revoked_at.is_(None), Certificate.superseded_at.is_(None)
    if state == "revoked":
        return Certificate.revoked_at.is_not(None)
    if state == "superseded":
        return and_(not_revoked, Certificate.superseded_at.is_not(None))
    if state == "expired":
        return and_(not_revoked, not_superseded, Certificate.expires_at.is_not(None), Certificate.expires_at <= now)
    return and_(not_revoked, not_superseded, or_(Certificate.expires_at.is_(None), Certificate.expires_at > now))


def certificates_query(track_slug: str | None = None, state: str | None = None, issued_from: date | None = None,
                       issued_to: date | None = None, search: str = "", now: datetime | None = None,
                       cohort_id: int | None = None) -> Select:
    """Certificates, newest first, filtered by track, state at ``now``, issue dates (inclusive), a cohort (its
    current members) and a learner's name or e-mail address. Raises CertificateError for an unknown state."""
    now = now or utcnow()
    query = (select(Certificate).join(User, User.id == Certificate.user_id)
             .options(selectinload(Certificate.user))
             .order_by(Certificate.issued_at.desc(), Certificate.id.desc()))
    if track_slug:
        query = query.where(Certificate.track_slug == track_slug)
    if cohort_id is not None:
        from lms.cohorts.models import CohortMember

        query = query.where(Certificate.user_id.in_(select(CohortMember.user_id).where(
            CohortMember.cohort_id == cohort_id, CohortMember.removed_at.is_(None))))
    if state:
        if state not in ("valid", "expired", "revoked", "superseded"):
            raise CertificateError(f"unknown state {state!r}", "state")
        query = query.where(_state_condition(state, now))
    if issued_from:
        query = query.where(Certificate.issued_at >= datetime.combine(issued_from, time.min, timezone.utc))
    if issued_to:
        query = query.where(Certificate.issued_at < datetime.combine(issued_to + timedelta(days=1), time.min,
                                                                      timezone.utc))
    search = search.strip()
    if search:
        escaped = search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.where(or_(func.lower(User.email).like(pattern, escape="\\"),
                                func.lower(Certificate.learner_name).like(pattern, escape="\\"),
                                Certificate.serial == (normalise_serial(search) or "")))
    return query


CSV_COLUMNS = ("serial", "learner", "email", "track", "state", "issued", "expires", "revoked", "reason",
               "superseded", "cycle", "revision", "verification_url")


def certificates_csv(certificates: list[Certificate], now: datetime | None = None) -> str:
    """The certificates as CSV text (a header row, then one row each; dates as YYYY-MM-DD)."""
    now = now or utcnow()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)

    def day(moment: datetime | None) -> str:
        return moment.date().isoformat() if moment else ""

    for certificate in certificates:
        writer.writerow([
            certificate.serial, _safe_cell(certificate.learner_name), _safe_cell(certificate.user.email),
            certificate.track_slug, certificate.state(now), day(certificate.issued_at), day(certificate.expires_at),
            day(certificate.revoked_at), _safe_cell(certificate.revoked_reason or ""), day(certificate.superseded_at),
            certificate.cycle, certificate.revision, verification_url(certificate.serial),
        ])
    return buffer.getvalue()


def _safe_cell(value: str) -> str:
    # A spreadsheet runs a cell that starts with =, +, - or @ as a formula: names and reasons come from people.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


# --- revoking, re-issuing, recertifying ------------------------------------------------------------------

def revoke(certificate: Certificate, reason: str, now: datetime | None = None) -> None:
    """Revoke a certificate for a stated reason and tell the learner by e-mail.

    Raises CertificateError when the reason is empty or too long, or the certificate is already revoked.
    """
    now = now or utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError("give the reason for revoking", "reason")
    if len(reason) > MAX_REASON:
        raise CertificateError(f"the reason may have at most {MAX_REASON} characters", "reason")
    if certificate.revoked_at is not None:
        raise CertificateError("this certificate is already revoked")
    certificate.revoked_at, certificate.revoked_reason = now, reason
    session.flush()
    _notify_revoked(certificate)


def reissue(certificate: Certificate, learner_name: str, now: datetime | None = None) -> Certificate:
    """Issue a corrected copy (a new serial with the given name, same track, courses and dates); the old one then
    says superseded. Raises CertificateError for an empty or long name, or a revoked or superseded certificate."""
    now = now or utcnow()
    name = (learner_name or "").strip()
    if not name:
        raise CertificateError("give the name to print on the certificate", "learner_name")
    if len(name) > MAX_NAME:
        raise CertificateError(f"the name may have at most {MAX_NAME} characters", "learner_name")
    if certificate.revoked_at is not None:
        raise CertificateError("a revoked certificate cannot be re-issued")
    if certificate.superseded_at is not None:
        raise CertificateError("this certificate was already replaced: re-issue the newest one")
    revision = session.execute(select(func.max(Certificate.revision)).filter_by(
        user_id=certificate.user_id, track_id=certificate.track_id, cycle=certificate.cycle)).scalar_one()
    replacement = Certificate(
        serial=new_serial(), credential_id=new_uuid(), user_id=certificate.user_id, track_id=certificate.track_id,
        cycle=certificate.cycle, revision=revision + 1, learner_name=name, language=certificate.language,
        track_slug=certificate.track_slug, track_title=dict(certificate.track_title),
        issuer_name=certificate.issuer_name, courses=list(certificate.courses), issued_at=certificate.issued_at,
        expires_at=certificate.expires_at, created_at=now,
    )
    session.add(replacement)
    session.flush()
    certificate.superseded_at, certificate.superseded_by_id = now, replacement.id
    # Reminders already sent for the old serial were sent for this expiry date too: not again.
    for reminder in session.execute(select(CertificateReminder).filter_by(certificate_id=certificate.id)).scalars():
        session.add(CertificateReminder(certificate_id=replacement.id, days_before=reminder.days_before,
                                        sent_at=reminder.sent_at))
    session.flush()
    return replacement


def recertify(user: User, track: Track, opened_by: User | None = None, now: datetime | None = None
              ) -> list[Enrollment]:
    """Re-open a track for a learner who holds its certificate: a new cycle, and a new enrolment (a new
    registration) in each required course and each elective they had taken; the old enrolments stay as history.
    The certificate earned in the new cycle supersedes the old one. Returns the new enrolments.

    Raises CertificateError when the learner has no certificate of the current cycle (nothing to renew) or a
    course has no published version.
    """
    now = now or utcnow()
    cycle = current_cycle(user.id, track.id)
    previous = latest_certificate(user.id, track.id, cycle)
    if previous is None:
        if cycle > 1:
            raise CertificateError("this track is already re-opened for this learner and not yet completed again")
        raise CertificateError("this learner has no certificate for this track: there is nothing to renew")
    courses = _courses_by_slug(_track_courses(track))
    had = current_enrollments(user.id, [course.id for course in courses.values()])
    reopen = [courses[slug] for slug in track.course_slugs if slug in courses]
    reopen += [courses[slug] for slug in track.elective_slugs or [] if slug in courses and courses[slug].id in had
               and slug not in track.course_slugs]
    session.add(Recertification(user_id=user.id, track_id=track.id, cycle=cycle + 1,
                                previous_certificate_id=previous.id, opened_at=now,
                                opened_by_id=opened_by.id if opened_by else None))
    session.flush()
    return [_reopen(user, course, had.get(course.id), now) for course in reopen]


def _reopen(user: User, course: Course, old: Enrollment | None, now: datetime) -> Enrollment:
    version = latest_version(course.id)
    if version is None:
        raise CertificateError(f"the course {course.slug} has no published version")
    is_current = getattr(Enrollment, "is_current", None)
    try:
        with session.begin_nested():
            if old is not None and is_current is not None:
                old.is_current = False
                session.flush()
            enrollment = Enrollment(user_id=user.id, course_id=course.id, version_id=version.id, enrolled_at=now)
            if is_current is not None:
                enrollment.is_current = True
            session.add(enrollment)
    except IntegrityError:
        raise CertificateError(
            "a second enrolment in one course is not possible yet: lms_enrollment must allow one current "
            "enrolment per learner and course (see the certificates notes)") from None
    version_outline = outline(version.id)
    context = build.LearningContext(base_url=activities.base_url(), registration=enrollment.registration,
                                    course=activities.course_activity(version_outline),
                                    course_version=version_outline.number)
    record([build.registered(actor(user), context)])
    return enrollment


# --- expiry reminders -------------------------------------------------------------------------------------

@dataclass
class ReminderReport:
    sent: list[tuple[Certificate, int]]
    failed: list[tuple[Certificate, str]]


def send_due_reminders(now: datetime | None = None) -> ReminderReport:
    """E-mail each learner whose certificate expires within 60 or 14 days, once per threshold.

    When both thresholds are due (the first run came late), one reminder is sent and both count as sent. A message
    that fails to send is reported and not recorded, so the next run tries again.
    """
    now = now or utcnow()
    horizon = now + timedelta(days=max(REMINDER_DAYS))
    due_certificates = session.execute(
        select(Certificate).where(Certificate.revoked_at.is_(None), Certificate.superseded_at.is_(None),
                                  Certificate.expires_at.is_not(None), Certificate.expires_at > now,
                                  Certificate.expires_at <= horizon)
        .options(selectinload(Certificate.user)).order_by(Certificate.expires_at, Certificate.id)
    ).scalars().all()
    sent_before = set(session.execute(
        select(CertificateReminder.certificate_id, CertificateReminder.days_before)
        .where(CertificateReminder.certificate_id.in_([c.id for c in due_certificates]))).all())
    report = ReminderReport([], [])
    for certificate in due_certificates:
        due = [days for days in REMINDER_DAYS if certificate.expires_at - now <= timedelta(days=days)]
        if min(due) in {days for cert_id, days in sent_before if cert_id == certificate.id}:
            continue
        try:
            _notify_expiring(certificate, now)
        except (smtplib.SMTPException, OSError) as error:
            report.failed.append((certificate, str(error)))
            continue
        for days in due:
            if (certificate.id, days) not in sent_before:
                session.add(CertificateReminder(certificate_id=certificate.id, days_before=days, sent_at=now))
        report.sent.append((certificate, min(due)))
    session.flush()
    return report


# --- e-mail -----------------------------------------------------------------------------------------------

def _send(user: User, subject: str, body: str) -> None:
    from flask_mailman import EmailMessage

    EmailMessage(subject=subject, body=body, to=[user.email]).send()


def _notify_revoked(certificate: Certificate) -> None:
    user = certificate.user
    with force_locale(LOCALES.get(user.language, "en")):
        title = text(certificate.track_title, user.language)
        subject = _("Your certificate %(serial)s was revoked", serial=certificate.serial)
        body = "\n\n".join([
            _("Hello %(name)s,", name=user.display_name),
            _("your certificate \"%(title)s\" (%(serial)s) was revoked on %(date)s.", title=title,
              serial=certificate.serial, date=certificate.revoked_at.date().isoformat()),
            _("Reason: %(reason)s", reason=certificate.revoked_reason),
            _("Anyone who checks it at %(url)s now sees that it was revoked. If you think this is a mistake, "
              "reply to this message.", url=verification_url(certificate.serial)),
            certificate.issuer_name,
        ])
    _send(user, subject, body)


def _notify_expiring(certificate: Certificate, now: datetime) -> None:
    user = certificate.user
    days_left = max(1, (certificate.expires_at - now).days)
    with force_locale(LOCALES.get(user.language, "en")):
        title = text(certificate.track_title, user.language)
        subject = _("Your certificate \"%(title)s\" expires on %(date)s", title=title,
                    date=certificate.expires_at.date().isoformat())
        body = "\n\n".join([
            _("Hello %(name)s,", name=user.display_name),
            _("your certificate \"%(title)s\" (%(serial)s) expires in %(days)d days, on %(date)s.", title=title,
              serial=certificate.serial, days=days_left, date=certificate.expires_at.date().isoformat()),
            _("To keep it valid, ask your training administrator to open recertification: you then take the "
              "track's courses again and receive a new certificate."),
            certificate.issuer_name,
        ])
    _send(user, subject, body)


# --- public verification ----------------------------------------------------------------------------------

def lookup_for_verification(serial: str, client_address: str, now: datetime | None = None) -> Certificate | None:
    """The certificate with this serial, for the public verification page, counted against the client's limit.

    The same query runs whether or not the text can be a serial, so the answer time tells nothing.
    Raises TooManyLookups when the address has used up its look-ups for the current window.
    """
    now = now or utcnow()
    _count_lookup(client_address, now)
    normalised = normalise_serial(serial) or ""
    return session.execute(select(Certificate).filter_by(serial=normalised)).scalar_one_or_none()


def _count_lookup(client_address: str, now: datetime) -> None:
    config = current_app.config
    window = timedelta(seconds=config["LMS_VERIFY_WINDOW_SECONDS"])
    limit = config["LMS_VERIFY_MAX_LOOKUPS"]
    # Hashed: the table should not keep a list of who checked certificates.
    key = "verify:" + hashlib.sha256(client_address.encode()).hexdigest()
    row = session.get(VerificationThrottle, key)
    if row is None:
        session.execute(delete(VerificationThrottle).where(VerificationThrottle.window_started_at < now - window))
        row = VerificationThrottle(key=key, window_started_at=now, lookups=0)
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:  # the same address's other request created it a moment ago
            row = session.get(VerificationThrottle, key)
    elif now - row.window_started_at >= window:
        row.window_started_at, row.lookups = now, 0
    if row.lookups >= limit:
        raise TooManyLookups(max(1, int((row.window_started_at + window - now).total_seconds()) + 1))
    row.lookups += 1
    session.flush()
