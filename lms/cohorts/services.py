"""Cohorts: membership, enrolment of a cohort in tracks and courses with due dates, and invitations.

Enrolments always go through ``learning.services.enroll_many`` (which records ``registered``); due dates stay in this
area's own table (``CohortAssignment.due_at``). Every change an administrator makes is written to the audit log in
the same transaction. Services flush; the view or command commits once.
"""

from __future__ import annotations

import hashlib
import secrets
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from sqlalchemy import Select, func, select, true, update
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.accounts.services import check_password_strength, hash_password, normalise_email
from lms.catalog.models import Course, Track
from lms.catalog.services import latest_version
from lms.cohorts.models import (
    NAME_MAX,
    ORGANISATION_MAX,
    Cohort,
    CohortAssignment,
    CohortMember,
    Invitation,
    LearnerOrganisation,
)
from lms.core.audit import record_action
from lms.db import session, utcnow
from lms.learning.models import Enrollment
from lms.learning.services import enroll_many

INVITATION_DAYS = 7
AUDIT_LIST_MAX = 100  # e-mail addresses copied into one audit entry; the count is always exact
# A password hash no password verifies against (argon2 refuses it as malformed): an invited account can sign in
# only after it set its own password through the invitation.
UNUSABLE_PASSWORD_PREFIX = "!invited:"


class CohortError(ValueError):
    """A cohort change that cannot be made. ``code`` names the problem (views translate it), ``params`` its values.

    Codes: name_missing, name_too_long, name_taken, archived, unknown_emails (emails), nothing_to_assign,
    already_assigned, no_published_version (courses), organisation_too_long.
    """

    def __init__(self, code: str, **params) -> None:
        super().__init__(code if not params else f"{code}: {params}")
        self.code = code
        self.params = params


class InvitationError(ValueError):
    """An invitation that cannot be used: ``code`` is unknown, expired, accepted or password_short."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# --- names and dates -----------------------------------------------------------------------------------------

def clean_text(value: str | None) -> str:
    """Text as people meant it: compatibility forms folded (full-width letters and spaces, NBSP), whitespace runs
    collapsed to one space, ends trimmed, invisible format characters (zero-width space, BOM) dropped."""
    if not value:
        return ""
    folded = unicodedata.normalize("NFKC", value)
    folded = "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")
    return " ".join(folded.split())


def name_key(name: str) -> str:
    """The form of a cohort name that two names must not share."""
    return clean_text(name).casefold()


def site_timezone() -> ZoneInfo:
    """The time zone due dates are meant in (``LMS_TIMEZONE``, default UTC)."""
    try:
        return ZoneInfo(current_app.config.get("LMS_TIMEZONE") or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def due_at_for(day: date | None) -> datetime | None:
    """The moment a due date ends: the last second of that day in the site's time zone, as UTC."""
    if day is None:
        return None
    local = datetime.combine(day, time(23, 59, 59), tzinfo=site_timezone())
    return local.astimezone(ZoneInfo("UTC"))


def due_day(due_at: datetime | None) -> date | None:
    """The day a due moment falls on in the site's time zone (what forms and pages show)."""
    return None if due_at is None else due_at.astimezone(site_timezone()).date()


# --- cohorts -------------------------------------------------------------------------------------------------

def cohorts_query(search: str = "", include_archived: bool = False) -> Select:
    """Cohorts with their current member counts, active ones first, then by name: rows of (Cohort, count)."""
    members = (select(CohortMember.cohort_id, func.count().label("members"))
               .where(CohortMember.removed_at.is_(None)).group_by(CohortMember.cohort_id).subquery())
    query = (select(Cohort, func.coalesce(members.c.members, 0))
             .outerjoin(members, members.c.cohort_id == Cohort.id)
             .order_by(Cohort.is_archived, Cohort.name_key))
    if not include_archived:
        query = query.where(Cohort.is_archived.is_(False))
    if search:
        query = query.where(Cohort.name_key.contains(name_key(search), autoescape=True))
    return query


def active_cohort_names() -> list[str]:
    return list(session.execute(select(Cohort.name).where(Cohort.is_archived.is_(False))
                                .order_by(Cohort.name_key)).scalars())


def cohort_by_id(cohort_id: int) -> Cohort | None:
    return session.get(Cohort, cohort_id)


def cohort_by_name(name: str) -> Cohort | None:
    return session.execute(select(Cohort).filter_by(name_key=name_key(name))).scalar_one_or_none()


def _checked_name(name: str, cohort: Cohort | None = None) -> str:
    name = clean_text(name)
    if not name:
        raise CohortError("name_missing")
    if len(name) > NAME_MAX:
        raise CohortError("name_too_long", limit=NAME_MAX)
    other = cohort_by_name(name)
    if other is not None and other is not cohort:
        raise CohortError("name_taken", name=other.name)
    return name


def create_cohort(name: str, description: str = "", actor_id: int | None = None) -> Cohort:
    """Create a cohort. Raises CohortError (name_missing, name_too_long, name_taken)."""
    name = _checked_name(name)
    cohort = Cohort(name=name, name_key=name_key(name), description=(description or "").strip(),
                    created_by_id=actor_id, created_at=utcnow())
    session.add(cohort)
    session.flush()
    record_action(actor_id, "cohort.create", _subject(cohort), {"cohort_id": cohort.id, "name": name})
    return cohort


def update_cohort(cohort: Cohort, name: str, description: str, actor_id: int | None = None) -> None:
    """Rename a cohort and change its description. Raises CohortError (name_*, archived)."""
    _refuse_archived(cohort)
    old_name = cohort.name
    name = _checked_name(name, cohort)
    description = (description or "").strip()
    if name == cohort.name and description == cohort.description:
        return
    cohort.name, cohort.name_key, cohort.description = name, name_key(name), description
    session.flush()
    record_action(actor_id, "cohort.rename" if name != old_name else "cohort.update", _subject(cohort),
                  {"cohort_id": cohort.id, "old_name": old_name, "name": name})


def archive_cohort(cohort: Cohort, actor_id: int | None = None) -> None:
    """Archive a cohort: it keeps its members and reports but takes no changes. Archiving twice changes nothing."""
    if cohort.is_archived:
        return
    cohort.is_archived, cohort.archived_at = True, utcnow()
    session.flush()
    record_action(actor_id, "cohort.archive", _subject(cohort), {"cohort_id": cohort.id})


def restore_cohort(cohort: Cohort, actor_id: int | None = None) -> None:
    """Take a cohort out of the archive."""
    if not cohort.is_archived:
        return
    cohort.is_archived, cohort.archived_at = False, None
    session.flush()
    record_action(actor_id, "cohort.restore", _subject(cohort), {"cohort_id": cohort.id})


def _refuse_archived(cohort: Cohort) -> None:
    if cohort.is_archived:
        raise CohortError("archived", name=cohort.name)


def _subject(cohort: Cohort) -> str:
    return f"cohort:{cohort.name}"


# --- members -------------------------------------------------------------------------------------------------

def members_query(cohort: Cohort, search: str = "") -> Select:
    """The cohort's current members as rows of (CohortMember, User), by name."""
    query = (select(CohortMember, User).join(User, User.id == CohortMember.user_id)
             .where(CohortMember.cohort_id == cohort.id, CohortMember.removed_at.is_(None))
             .order_by(User.display_name, User.id))
    if search:
        pattern = search.strip().lower()
        query = query.where(User.email.contains(pattern, autoescape=True)
                            | func.lower(User.display_name).contains(pattern, autoescape=True))
    return query


def member_count(cohort: Cohort) -> int:
    return session.execute(select(func.count()).select_from(CohortMember).where(
        CohortMember.cohort_id == cohort.id, CohortMember.removed_at.is_(None))).scalar_one()


@dataclass
class MembershipChange:
    """What adding members did: who joined, who was a member already, and how many enrolments were made."""

    added: list[User] = field(default_factory=list)
    already: list[User] = field(default_factory=list)
    enrolments: int = 0


def add_members(cohort: Cohort, users: list[User], actor_id: int | None = None, audit: bool = True
                ) -> MembershipChange:
    """Add learners to a cohort and enrol them in the cohort's courses. Members already there are left alone.

    Raises CohortError (archived) or (no_published_version) when an assigned course cannot be enrolled in.
    """
    _refuse_archived(cohort)
    change = MembershipChange()
    wanted = {user.id: user for user in users}
    rows = {row.user_id: row for row in session.execute(select(CohortMember).where(
        CohortMember.cohort_id == cohort.id, CohortMember.user_id.in_(list(wanted)))).scalars()} if wanted else {}
    now = utcnow()
    for user_id, user in wanted.items():
        row = rows.get(user_id)
        if row is None:
            session.add(CohortMember(cohort_id=cohort.id, user_id=user_id, joined_at=now))
            change.added.append(user)
        elif row.removed_at is not None:
            row.removed_at, row.joined_at = None, now
            change.added.append(user)
        else:
            change.already.append(user)
    session.flush()
    change.enrolments = enroll_users(change.added, [course for course, _ in cohort_courses(cohort)])
    if audit and change.added:
        record_action(actor_id, "cohort.members.add", _subject(cohort), {
            "cohort_id": cohort.id, "count": len(change.added), "enrolments": change.enrolments,
            "emails": [user.email for user in change.added[:AUDIT_LIST_MAX]]})
    return change


def users_by_email(emails: list[str]) -> tuple[list[User], list[str]]:
    """The accounts with these e-mail addresses (in the order given, without repeats) and the addresses no
    account has."""
    wanted = list(dict.fromkeys(normalise_email(clean_text(email)) for email in emails if email.strip()))
    found: dict[str, User] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        found.update((user.email, user) for user in session.execute(select(User).where(User.email.in_(chunk))
                                                                    ).scalars())
    return [found[email] for email in wanted if email in found], [email for email in wanted if email not in found]


def add_members_by_email(cohort: Cohort, emails: list[str], actor_id: int | None = None) -> MembershipChange:
    """Add the accounts with these e-mail addresses. Raises CohortError (unknown_emails) naming every address no
    account has, before changing anything, and what add_members raises."""
    users, unknown = users_by_email(emails)
    if unknown:
        raise CohortError("unknown_emails", emails=unknown)
    return add_members(cohort, users, actor_id)


def remove_members(cohort: Cohort, user_ids: list[int], actor_id: int | None = None) -> list[str]:
    """Take learners out of a cohort. Their enrolments, progress and certificates stay. Returns the e-mail
    addresses removed (ids that were not members are ignored). Raises CohortError (archived)."""
    _refuse_archived(cohort)
    if not user_ids:
        return []
    rows = list(session.execute(
        select(CohortMember, User.email).join(User, User.id == CohortMember.user_id)
        .where(CohortMember.cohort_id == cohort.id, CohortMember.user_id.in_(user_ids),
               CohortMember.removed_at.is_(None))).all())
    now = utcnow()
    for member, _email in rows:
        member.removed_at = now
    session.flush()
    emails = [email for _member, email in rows]
    if emails:
        record_action(actor_id, "cohort.members.remove", _subject(cohort), {
            "cohort_id": cohort.id, "count": len(emails), "emails": emails[:AUDIT_LIST_MAX]})
    return emails


def remove_members_by_email(cohort: Cohort, emails: list[str], actor_id: int | None = None) -> list[str]:
    """Remove by e-mail address. Raises CohortError (unknown_emails) for addresses of no account or of no member of
    this cohort, before changing anything."""
    users, unknown = users_by_email(emails)
    member_ids = set(session.execute(select(CohortMember.user_id).where(
        CohortMember.cohort_id == cohort.id, CohortMember.removed_at.is_(None),
        CohortMember.user_id.in_([user.id for user in users]))).scalars()) if users else set()
    unknown += [user.email for user in users if user.id not in member_ids]
    if unknown:
        raise CohortError("unknown_emails", emails=unknown)
    return remove_members(cohort, [user.id for user in users], actor_id)


def cohorts_of(user_id: int) -> list[tuple[Cohort, CohortMember]]:
    """Every cohort a learner is or was in, current ones first."""
    return [tuple(row) for row in session.execute(
        select(Cohort, CohortMember).join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .where(CohortMember.user_id == user_id)
        .order_by(CohortMember.removed_at.is_not(None), Cohort.name_key)).all()]


# --- assignments: a cohort enrolled in a track or a course ---------------------------------------------------

def assignment_courses(assignment: CohortAssignment) -> list[Course]:
    """The courses an assignment enrols in: the course, or the track's required courses in the track's order
    (electives are left to each learner)."""
    if assignment.course is not None:
        return [assignment.course]
    return _courses_by_slug(list(assignment.track.course_slugs)) if assignment.track is not None else []


def _courses_by_slug(slugs: list[str]) -> list[Course]:
    found = {course.slug: course for course in session.execute(select(Course).where(Course.slug.in_(slugs))
                                                               ).scalars()} if slugs else {}
    return [found[slug] for slug in slugs if slug in found]


def cohort_courses(cohort: Cohort) -> list[tuple[Course, datetime | None]]:
    """The cohort's courses in assignment order, each once, with its due date: the earliest of the assignments
    that include it (an assignment without a due date sets none)."""
    courses: dict[int, tuple[Course, datetime | None]] = {}
    assignments = session.execute(select(CohortAssignment).where(CohortAssignment.cohort_id == cohort.id)
                                  .options(selectinload(CohortAssignment.track),
                                           selectinload(CohortAssignment.course))
                                  .order_by(CohortAssignment.id)).scalars()
    for assignment in assignments:
        for course in assignment_courses(assignment):
            _known, due = courses.get(course.id, (course, None))
            if assignment.due_at is not None and (due is None or assignment.due_at < due):
                due = assignment.due_at
            courses[course.id] = (course, due)
    return list(courses.values())


def enroll_users(users: list[User], courses: list[Course]) -> int:
    """Enrol each learner in each course they are not enrolled in yet. Returns the number of new enrolments.

    Raises CohortError (no_published_version) naming courses nobody can be enrolled in, before enrolling anyone.
    """
    if not users or not courses:
        return 0
    unpublished = [course.slug for course in courses if latest_version(course.id) is None]
    if unpublished:
        raise CohortError("no_published_version", courses=unpublished)
    return len(enroll_many([(user, course) for user in users for course in courses]))


def is_current_enrollment():
    """The condition for a learner's current enrolment in a course: after a recertification the learning area keeps
    earlier enrolments as history (``Enrollment.is_current``); without that column every enrolment is current."""
    flag = getattr(Enrollment, "is_current", None)
    return flag.is_(True) if flag is not None else true()


def enrolled_pairs(user_ids: list[int], course_ids: list[int]) -> set[tuple[int, int]]:
    """The (user id, course id) pairs among these that have a current enrolment."""
    pairs: set[tuple[int, int]] = set()
    for start in range(0, len(user_ids), 500):
        chunk = user_ids[start:start + 500]
        pairs.update((user_id, course_id) for user_id, course_id in session.execute(
            select(Enrollment.user_id, Enrollment.course_id).where(
                Enrollment.user_id.in_(chunk), Enrollment.course_id.in_(course_ids), is_current_enrollment())))
    return pairs


def _active_member_users(cohort: Cohort) -> list[User]:
    return list(session.execute(select(User).join(CohortMember, CohortMember.user_id == User.id).where(
        CohortMember.cohort_id == cohort.id, CohortMember.removed_at.is_(None)).order_by(User.id)).scalars())


def assign(cohort: Cohort, track: Track | None = None, course: Course | None = None, due_at: datetime | None = None,
           actor_id: int | None = None) -> tuple[CohortAssignment, int]:
    """Enrol a cohort in a track's required courses or in one course, with an optional due date; every current
    member is enrolled now, later members when they join. Returns the assignment and the number of new enrolments.

    Raises CohortError: archived, nothing_to_assign (neither or both given), already_assigned,
    no_published_version.
    """
    _refuse_archived(cohort)
    if (track is None) == (course is None):
        raise CohortError("nothing_to_assign")
    duplicate = session.execute(select(CohortAssignment.id).where(
        CohortAssignment.cohort_id == cohort.id,
        (CohortAssignment.track_id == track.id) if track is not None else (CohortAssignment.course_id == course.id)
    )).first()
    if duplicate is not None:
        raise CohortError("already_assigned", name=track.slug if track is not None else course.slug)
    assignment = CohortAssignment(cohort_id=cohort.id, track_id=track.id if track else None,
                                  course_id=course.id if course else None, due_at=due_at, created_by_id=actor_id,
                                  created_at=utcnow())
    session.add(assignment)
    session.flush()
    session.refresh(assignment)
    courses = assignment_courses(assignment)
    members = _active_member_users(cohort)
    made = enroll_users(members, courses)
    record_action(actor_id, "cohort.assign", _subject(cohort), {
        "cohort_id": cohort.id, "assignment_id": assignment.id,
        "track": track.slug if track else None, "course": course.slug if course else None,
        "courses": [c.slug for c in courses], "due_at": due_at.isoformat() if due_at else None,
        "members": len(members), "enrolments": made})
    return assignment, made


def change_due_date(assignment: CohortAssignment, due_at: datetime | None, actor_id: int | None = None) -> None:
    """Set or clear an assignment's due date. Raises CohortError (archived)."""
    _refuse_archived(assignment.cohort)
    if assignment.due_at == due_at:
        return
    old = assignment.due_at
    assignment.due_at = due_at
    session.flush()
    record_action(actor_id, "cohort.due_date", _subject(assignment.cohort), {
        "cohort_id": assignment.cohort_id, "assignment_id": assignment.id, "target": assignment_label(assignment),
        "old_due_at": old.isoformat() if old else None, "due_at": due_at.isoformat() if due_at else None})


def unassign(assignment: CohortAssignment, actor_id: int | None = None) -> None:
    """End an assignment: new members are no longer enrolled; existing enrolments and progress stay.
    Raises CohortError (archived)."""
    cohort = assignment.cohort
    _refuse_archived(cohort)
    label = assignment_label(assignment)
    session.delete(assignment)
    session.flush()
    record_action(actor_id, "cohort.unassign", _subject(cohort), {"cohort_id": cohort.id, "target": label})


def assignment_label(assignment: CohortAssignment) -> str:
    return f"track:{assignment.track.slug}" if assignment.track is not None else f"course:{assignment.course.slug}"


def assignment_by_id(cohort: Cohort, assignment_id: int) -> CohortAssignment | None:
    return session.execute(select(CohortAssignment).filter_by(id=assignment_id, cohort_id=cohort.id)
                           ).scalar_one_or_none()


# --- organisations -------------------------------------------------------------------------------------------

def organisations_of(user_ids: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for start in range(0, len(user_ids), 500):
        found.update((user_id, organisation) for user_id, organisation in session.execute(
            select(LearnerOrganisation.user_id, LearnerOrganisation.organisation).where(
                LearnerOrganisation.user_id.in_(user_ids[start:start + 500]))))
    return found


def set_organisation(user_id: int, organisation: str) -> bool:
    """Record a learner's employer or organisation. Returns whether it changed. Raises CohortError
    (organisation_too_long)."""
    organisation = clean_text(organisation)
    if len(organisation) > ORGANISATION_MAX:
        raise CohortError("organisation_too_long", limit=ORGANISATION_MAX)
    row = session.get(LearnerOrganisation, user_id)
    if row is None:
        if not organisation:
            return False
        session.add(LearnerOrganisation(user_id=user_id, organisation=organisation, updated_at=utcnow()))
    elif row.organisation == organisation:
        return False
    elif not organisation:
        session.delete(row)
    else:
        row.organisation = organisation
    session.flush()
    return True


def cohort_organisations(cohort: Cohort) -> list[str]:
    """The organisations the cohort's current members work for (a report filter's choices)."""
    return list(session.execute(
        select(LearnerOrganisation.organisation).distinct()
        .join(CohortMember, CohortMember.user_id == LearnerOrganisation.user_id)
        .where(CohortMember.cohort_id == cohort.id, CohortMember.removed_at.is_(None))
        .order_by(LearnerOrganisation.organisation)).scalars())


# --- invitations ---------------------------------------------------------------------------------------------

def unusable_password() -> str:
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_hex(8)


def is_invited_only(user: User) -> bool:
    """Whether the account has never set a password (it was created by an import and waits for its invitation)."""
    return user.password_hash.startswith(UNUSABLE_PASSWORD_PREFIX)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_invitation(user: User, actor_id: int | None = None) -> str:
    """A new invitation link token for an account (valid for INVITATION_DAYS days; earlier unused ones stop
    working). Returns the token: only its hash is stored, so it can be sent once and never shown again."""
    now = utcnow()
    session.execute(update(Invitation).where(Invitation.user_id == user.id, Invitation.accepted_at.is_(None),
                                             Invitation.expires_at > now).values(expires_at=now))
    token = secrets.token_urlsafe(32)
    session.add(Invitation(user_id=user.id, token_hash=_token_hash(token), created_at=now,
                           expires_at=now + timedelta(days=INVITATION_DAYS), created_by_id=actor_id))
    session.flush()
    return token


def find_invitation(token: str) -> Invitation | None:
    if not token or len(token) > 200:
        return None
    return session.execute(select(Invitation).filter_by(token_hash=_token_hash(token))
                           .options(selectinload(Invitation.user))).scalar_one_or_none()


def check_invitation(token: str) -> Invitation:
    """The usable invitation for a token. Raises InvitationError: unknown, expired or accepted."""
    invitation = find_invitation(token)
    if invitation is None or not invitation.user.is_active_account:
        raise InvitationError("unknown")
    if invitation.accepted_at is not None:
        raise InvitationError("accepted")
    if invitation.expires_at <= utcnow():
        raise InvitationError("expired")
    return invitation


def accept_invitation(token: str, password: str) -> User:
    """Set the invited account's password and use the invitation up. Returns the account.

    Raises InvitationError: unknown, expired, accepted, or password_short.
    """
    invitation = check_invitation(token)
    try:
        check_password_strength(password)
    except ValueError:
        raise InvitationError("password_short") from None
    user = invitation.user
    user.password_hash = hash_password(password)
    now = utcnow()
    invitation.accepted_at = now
    session.flush()
    # Any other link sent to this account stops working: the password is chosen now.
    session.execute(update(Invitation).where(Invitation.user_id == user.id, Invitation.accepted_at.is_(None))
                    .values(expires_at=now))
    return user


def pending_invitation_ids(user_ids: list[int]) -> set[int]:
    """Which of these accounts still wait for their first password (an open or expired invitation)."""
    found: set[int] = set()
    for start in range(0, len(user_ids), 500):
        found.update(session.execute(select(User.id).where(
            User.id.in_(user_ids[start:start + 500]),
            User.password_hash.startswith(UNUSABLE_PASSWORD_PREFIX, autoescape=True))).scalars())
    return found


def invitation_url(token: str) -> str:
    """The link an invitation e-mail carries (on LMS_BASE_URL, the address learners reach the LMS at)."""
    return current_app.config["LMS_BASE_URL"].rstrip("/") + "/account/invitation/" + token


def send_invitations(invitations: list[tuple[User, str]]) -> int:
    """E-mail each account its invitation link, in the account's language, through the app's mail backend.
    Returns the number of messages sent. Raises what the mail backend raises (an SMTP error, for instance)."""
    if not invitations:
        return 0
    from flask_babel import force_locale
    from flask_mailman import EmailMessage, Mail

    from lms.core.i18n import LOCALES, _

    messages = []
    for user, token in invitations:
        with force_locale(LOCALES.get(user.language, "en")):
            subject = _("Your account on Labor Rights LMS")
            body = _("Hello %(name)s,\n\nAn administrator has created an account for you on Labor Rights LMS, with "
                     "this e-mail address.\n\nTo choose your password and sign in, open this link within "
                     "%(days)d days:\n\n%(link)s\n\nIf you did not expect this message, you can ignore it.\n",
                     name=user.display_name, days=INVITATION_DAYS, link=invitation_url(token))
        messages.append(EmailMessage(subject, body, to=[user.email]))
    mailman = current_app.extensions.get("mailman")
    if mailman is None:  # the certificates area sets Flask-Mailman up (or reuses a host's); this is a fallback
        current_app.config.setdefault("MAIL_BACKEND", "locmem" if current_app.testing else "console")
        mailman = Mail().init_app(current_app)
    options = {"stream": sys.stderr} if mailman.backend == "console" else {}  # stdout is the command's own output
    connection = Mail().get_connection(**options)
    return connection.send_messages(messages) or 0


def invite(user: User, actor_id: int | None = None) -> str:
    """A new invitation for one account, recorded in the audit log (the caller sends it after committing)."""
    token = create_invitation(user, actor_id)
    record_action(actor_id, "account.invite", f"user:{user.email}", {"user_id": user.id})
    return token


def normalised_email(value: str) -> str:
    return normalise_email(clean_text(value))

