"""Cohort reports, read from enrolments and the progress projection (``ActivityProgress``), never from statements.

Every query is keyed the way the projection is indexed (actor key, registration, activity IRI), so a report costs
a few index look-ups per learner whatever the number of statements. A dashboard page computes its cells for the
page's learners only; sorting and filtering over the whole cohort use correlated EXISTS look-ups on the course-level
projection rows. Exports walk all rows in chunks of ``CHUNK`` learners and produce exactly the page's columns.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Iterator

from sqlalchemy import String, and_, case, false, func, literal, or_, select, true

from lms.accounts.models import User
from lms.catalog.models import CourseItem, CourseVersion
from lms.catalog.outline import outline
from lms.catalog.services import latest_version
from lms.cohorts import services
from lms.cohorts.models import Cohort, CohortMember, LearnerOrganisation
from lms.cohorts.services import is_current_enrollment as current
from lms.core.i18n import _, text
from lms.core.pagination import Page
from lms.db import session, utcnow
from lms.learning import activities
from lms.learning.models import Enrollment
from lms.learning.services import is_item_done
from lms.tracking.models import ActivityProgress
from lms.tracking.services import user_actor_key

try:  # certificates are built beside cohorts; the reports count them once that area is present
    from lms.certificates.models import Certificate
except ImportError:  # pragma: no cover - depends on the other area being installed
    Certificate = None

CHUNK = 500
PER_PAGE = 25
STATUSES = ("all", "overdue", "incomplete", "completed")
CELL_STATUSES = ("completed", "overdue", "in_progress", "not_started", "not_enrolled")
SORTS = ("name", "email", "organisation", "completed", "overdue")
SCORE_BINS = 10


def actor_prefix() -> str:
    """The projection's actor key of an LMS user without the user's public id (the key is prefix + public id)."""
    return user_actor_key("")


def _actor_key_column():
    return literal(actor_prefix(), String) + User.public_id


# --- columns: the cohort's courses ---------------------------------------------------------------------------

@dataclass(frozen=True)
class CourseColumn:
    course_id: int
    slug: str
    title: dict
    iri: str
    due_at: datetime | None
    quiz_iris: tuple[str, ...]

    def is_past_due(self, now: datetime) -> bool:
        return self.due_at is not None and self.due_at < now


def course_columns(cohort: Cohort) -> list[CourseColumn]:
    """One column per course the cohort is enrolled in, with its due date and the IRIs of its quizzes (in every
    version, since learners finish the version they started)."""
    columns = []
    for course, due_at in services.cohort_courses(cohort):
        version = latest_version(course.id)
        quiz_slugs = sorted(set(session.execute(
            select(CourseItem.slug).join(CourseVersion, CourseVersion.id == CourseItem.version_id)
            .where(CourseVersion.course_id == course.id, CourseItem.kind == "quiz")).scalars()))
        iri = activities.course_iri(course.slug)
        columns.append(CourseColumn(course_id=course.id, slug=course.slug,
                                    title=dict(version.title) if version else {"en": course.slug}, iri=iri,
                                    due_at=due_at, quiz_iris=tuple(f"{iri}/quiz/{slug}" for slug in quiz_slugs)))
    return columns


# --- rows: one learner each ----------------------------------------------------------------------------------

@dataclass
class Cell:
    """One learner in one course."""

    is_enrolled: bool = False
    done: int = 0
    total: int = 0
    is_completed: bool = False
    completed_at: datetime | None = None
    due_at: datetime | None = None
    is_overdue: bool = False
    score: float | None = None  # the mean of the best scaled scores of the quizzes taken, 0..1
    time_seconds: float = 0.0
    last_activity_at: datetime | None = None

    @property
    def fraction(self) -> float:
        if self.is_completed:
            return 1.0
        return self.done / self.total if self.total else 0.0

    @property
    def status(self) -> str:
        """completed, overdue, in_progress, not_started or not_enrolled."""
        if self.is_completed:
            return "completed"
        if self.is_overdue:
            return "overdue"
        if not self.is_enrolled:
            return "not_enrolled"
        return "in_progress" if self.done or self.score is not None else "not_started"


@dataclass
class MemberRow:
    user_id: int
    public_id: str
    email: str
    name: str
    organisation: str
    cells: list[Cell]
    certificates: int = 0
    is_invited: bool = False  # has not set a password yet

    @property
    def completed(self) -> int:
        return sum(cell.is_completed for cell in self.cells)

    @property
    def overdue(self) -> int:
        return sum(cell.is_overdue for cell in self.cells)

    @property
    def last_activity_at(self) -> datetime | None:
        return max((cell.last_activity_at for cell in self.cells if cell.last_activity_at), default=None)


@dataclass
class Filters:
    search: str = ""
    organisation: str = ""
    status: str = "all"

    def __post_init__(self) -> None:
        self.search = services.clean_text(self.search)[:200]
        self.organisation = services.clean_text(self.organisation)[:200]
        if self.status not in STATUSES:
            self.status = "all"


def parse_sort(value: str | None) -> tuple[str, bool]:
    """A sort parameter (``name``, ``-completed``...) as (key, descending); unknown keys sort by name."""
    value = (value or "").strip()
    descending = value.startswith("-")
    key = value.lstrip("-")
    return (key, descending) if key in SORTS else ("name", False)


def _completed_exists(column: CourseColumn, actor_key):
    return (select(ActivityProgress.actor_key)
            .join(Enrollment, Enrollment.registration == ActivityProgress.registration)
            .where(Enrollment.user_id == User.id, Enrollment.course_id == column.course_id, current(),
                   ActivityProgress.actor_key == actor_key, ActivityProgress.activity_id == column.iri,
                   ActivityProgress.is_completed.is_(True))
            .exists())


def _members_select(cohort: Cohort, columns: list[CourseColumn], filters: Filters, now: datetime):
    """The filtered members as a SELECT of (user id, public id, e-mail, name, organisation) plus the counts to sort
    by, and those count expressions."""
    key = _actor_key_column()
    completed = {column.course_id: _completed_exists(column, key) for column in columns}
    completed_count = sum((case((completed[c.course_id], 1), else_=0) for c in columns), literal(0))
    past_due = [c for c in columns if c.is_past_due(now)]
    overdue_count = sum((case((completed[c.course_id], 0), else_=1) for c in past_due), literal(0))
    query = (select(User.id, User.public_id, User.email, User.display_name, LearnerOrganisation.organisation)
             .select_from(CohortMember)
             .join(User, User.id == CohortMember.user_id)
             .outerjoin(LearnerOrganisation, LearnerOrganisation.user_id == User.id)
             .where(CohortMember.cohort_id == cohort.id, CohortMember.removed_at.is_(None)))
    if filters.search:
        needle = filters.search.lower()
        query = query.where(or_(User.email.contains(needle, autoescape=True),
                                func.lower(User.display_name).contains(needle, autoescape=True)))
    if filters.organisation:
        query = query.where(LearnerOrganisation.organisation == filters.organisation)
    if filters.status == "overdue":
        query = query.where(or_(*[~completed[c.course_id] for c in past_due]) if past_due else false())
    elif filters.status == "completed":
        query = query.where(and_(*completed.values()) if columns else false())
    elif filters.status == "incomplete":
        query = query.where(or_(*[~done for done in completed.values()]) if columns else true())
    return query, completed_count, overdue_count


def _ordered(query, sort: tuple[str, bool], completed_count, overdue_count):
    key, descending = sort
    expression = {"name": User.display_name, "email": User.email,
                  "organisation": func.coalesce(LearnerOrganisation.organisation, ""),
                  "completed": completed_count, "overdue": overdue_count}[key]
    return query.order_by(expression.desc() if descending else expression.asc(), User.id)


@dataclass
class CourseSummary:
    column: CourseColumn
    members: int
    enrolled: int
    completed: int
    overdue: int
    average_score: float | None  # over every member's best score at every quiz of the course, 0..1

    @property
    def completion_rate(self) -> float:
        return self.completed / self.members if self.members else 0.0


@dataclass
class Dashboard:
    cohort: Cohort
    columns: list[CourseColumn]
    summaries: list[CourseSummary]
    page: Page
    members: int
    certificates: int
    filters: Filters
    sort: tuple[str, bool]
    organisations: list[str] = field(default_factory=list)


def dashboard(cohort: Cohort, filters: Filters, sort: tuple[str, bool], page: int = 1, per_page: int = PER_PAGE,
              now: datetime | None = None) -> Dashboard:
    """One page of the cohort dashboard: learners × courses, with the whole cohort's figures per course."""
    now = now or utcnow()
    columns = course_columns(cohort)
    query, completed_count, overdue_count = _members_select(cohort, columns, filters, now)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    members = session.execute(_ordered(query, sort, completed_count, overdue_count)
                              .limit(per_page).offset((page - 1) * per_page)).all()
    rows = _rows(members, columns, now)
    summaries = course_summaries(cohort, columns, now)
    return Dashboard(cohort=cohort, columns=columns, summaries=summaries,
                     page=Page(items=rows, page=page, per_page=per_page, total=total),
                     members=services.member_count(cohort), certificates=cohort_certificates(cohort),
                     filters=filters, sort=sort, organisations=services.cohort_organisations(cohort))


def dashboard_rows(cohort: Cohort, filters: Filters, sort: tuple[str, bool], now: datetime | None = None
                   ) -> tuple[list[CourseColumn], Iterator[MemberRow]]:
    """Every row of the dashboard in the page's order (for an export): the columns, and the rows made CHUNK at a
    time."""
    now = now or utcnow()
    columns = course_columns(cohort)
    query, completed_count, overdue_count = _members_select(cohort, columns, filters, now)
    members = session.execute(_ordered(query, sort, completed_count, overdue_count)).all()

    def generate() -> Iterator[MemberRow]:
        for start in range(0, len(members), CHUNK):
            yield from _rows(members[start:start + CHUNK], columns, now)

    return columns, generate()


def _rows(members, columns: list[CourseColumn], now: datetime) -> list[MemberRow]:
    if not members:
        return []
    prefix = actor_prefix()
    user_ids = [member[0] for member in members]
    keys = {member[0]: prefix + member[1] for member in members}
    enrolments = session.execute(
        select(Enrollment.user_id, Enrollment.course_id, Enrollment.registration, Enrollment.version_id)
        .where(Enrollment.user_id.in_(user_ids), Enrollment.course_id.in_([c.course_id for c in columns]),
               current())
    ).all() if columns else []
    progress: dict[str, dict[str, object]] = defaultdict(dict)
    wanted: dict[int, list[tuple[str, object]]] = {}
    if enrolments:
        wanted = _item_iris({version_id for *_rest, version_id in enrolments})
        registrations = {registration for _u, _c, registration, _v in enrolments}
        # Only the actor keys in SQL: they lead the projection's unique index, so this is one index range per
        # learner. Adding IN lists of registrations and IRIs makes SQLite probe every combination of the three.
        query = (select(ActivityProgress.registration, ActivityProgress.activity_id, ActivityProgress.is_completed,
                        ActivityProgress.success, ActivityProgress.best_score, ActivityProgress.completed_at,
                        ActivityProgress.time_spent_seconds, ActivityProgress.last_activity_at)
                 .where(ActivityProgress.actor_key.in_(list(keys.values()))))
        for row in session.execute(query):
            if row.registration in registrations:
                progress[row.registration][row.activity_id] = row
    by_pair = {(user_id, course_id): (registration, version_id)
               for user_id, course_id, registration, version_id in enrolments}
    certificates = certificates_per_user(user_ids)
    invited = services.pending_invitation_ids(user_ids)
    rows = []
    for user_id, public_id, email, name, organisation in members:
        cells = []
        for column in columns:
            cell = Cell(due_at=column.due_at)
            found = by_pair.get((user_id, column.course_id))
            if found is not None:
                registration, version_id = found
                _fill(cell, progress.get(registration, {}), column, wanted[version_id])
            cell.is_overdue = not cell.is_completed and column.is_past_due(now)
            cells.append(cell)
        rows.append(MemberRow(user_id=user_id, public_id=public_id, email=email, name=name,
                              organisation=organisation or "", cells=cells, certificates=certificates.get(user_id, 0),
                              is_invited=user_id in invited))
    return rows


def _item_iris(version_ids: set[int]) -> dict[int, list[tuple[str, object]]]:
    """For each version: its items' IRIs with the items (outlines are cached, so this costs nothing per row)."""
    found = {}
    for version_id in version_ids:
        version = outline(version_id)
        found[version_id] = [(activities.item_iri(version.course.slug, item), item) for item in version.items]
    return found


def _fill(cell: Cell, rows: dict[str, object], column: CourseColumn, items: list[tuple[str, object]]) -> None:
    cell.is_enrolled = True
    cell.total = len(items)
    cell.done = sum(is_item_done(item, rows.get(iri)) for iri, item in items)
    course_row = rows.get(column.iri)
    if course_row is not None and course_row.is_completed:
        cell.is_completed, cell.completed_at = True, course_row.completed_at
    scores = [rows[iri].best_score for iri, item in items
              if item.kind == "quiz" and iri in rows and rows[iri].best_score is not None]
    cell.score = sum(scores) / len(scores) if scores else None
    cell.time_seconds = sum(row.time_spent_seconds or 0.0 for row in rows.values())
    cell.last_activity_at = max((row.last_activity_at for row in rows.values() if row.last_activity_at),
                                default=None)


def course_summaries(cohort: Cohort, columns: list[CourseColumn], now: datetime) -> list[CourseSummary]:
    """Per course, over the whole cohort (filters aside): members enrolled, completed, overdue, mean quiz score."""
    members = services.member_count(cohort)
    key = _actor_key_column()
    summaries = []
    for column in columns:
        base = (select(func.count()).select_from(CohortMember)
                .join(User, User.id == CohortMember.user_id)
                .join(Enrollment, and_(Enrollment.user_id == User.id, Enrollment.course_id == column.course_id,
                                       current()))
                .where(CohortMember.cohort_id == cohort.id, CohortMember.removed_at.is_(None)))
        enrolled = session.execute(base).scalar_one()
        completed = session.execute(base.join(ActivityProgress, and_(
            ActivityProgress.actor_key == key, ActivityProgress.registration == Enrollment.registration,
            ActivityProgress.activity_id == column.iri)).where(ActivityProgress.is_completed.is_(True))).scalar_one()
        average = None
        if column.quiz_iris:
            average = session.execute(base.with_only_columns(func.avg(ActivityProgress.best_score)).join(
                ActivityProgress, and_(ActivityProgress.actor_key == key,
                                       ActivityProgress.registration == Enrollment.registration,
                                       ActivityProgress.activity_id.in_(column.quiz_iris)))
                .where(ActivityProgress.best_score.is_not(None))).scalar_one()
        overdue = members - completed if column.is_past_due(now) else 0
        summaries.append(CourseSummary(column=column, members=members, enrolled=enrolled, completed=completed,
                                       overdue=overdue, average_score=average))
    return summaries


# --- certificates (another area's rows) ----------------------------------------------------------------------

def certificates_per_user(user_ids: list[int]) -> dict[int, int]:
    """HOOK for the certificates area: how many certificates each learner holds (issued and neither revoked nor
    superseded by a re-issue). Returns {} (every count 0) when ``lms.certificates`` is not installed."""
    if Certificate is None or not user_ids:
        return {}
    found: dict[int, int] = {}
    for start in range(0, len(user_ids), CHUNK):
        found.update((user_id, count) for user_id, count in session.execute(
            select(Certificate.user_id, func.count()).where(
                Certificate.user_id.in_(user_ids[start:start + CHUNK]), Certificate.revoked_at.is_(None),
                Certificate.superseded_at.is_(None)).group_by(Certificate.user_id)))
    return found


def cohort_certificates(cohort: Cohort) -> int:
    """Certificates held by the cohort's current members (0 while the certificates area is absent)."""
    if Certificate is None:
        return 0
    return session.execute(select(func.count()).select_from(Certificate).join(
        CohortMember, CohortMember.user_id == Certificate.user_id).where(
        CohortMember.cohort_id == cohort.id, CohortMember.removed_at.is_(None),
        Certificate.revoked_at.is_(None), Certificate.superseded_at.is_(None))).scalar_one()


def certificates_of(user_id: int) -> list:
    """A learner's certificates, newest first ([] while the certificates area is absent)."""
    if Certificate is None:
        return []
    return list(session.execute(select(Certificate).where(Certificate.user_id == user_id)
                                .order_by(Certificate.issued_at.desc())).scalars())


# --- charts' data --------------------------------------------------------------------------------------------

@dataclass
class CompletionSeries:
    column: CourseColumn
    members: int
    points: list[tuple[date, int]]  # (week starting Monday, completions so far)


@dataclass
class ScoreSeries:
    column: CourseColumn
    bins: list[int]  # learners whose mean quiz score is in 0-9 %, 10-19 %, ... 90-100 %

    @property
    def learners(self) -> int:
        return sum(self.bins)


MAX_WEEKS = 104


def completion_over_time(cohort: Cohort, columns: list[CourseColumn], now: datetime | None = None
                         ) -> list[CompletionSeries]:
    """Per course: how many current members had completed it by the end of each week (at most the last
    MAX_WEEKS weeks; earlier completions count in the first point)."""
    now = now or utcnow()
    members = services.member_count(cohort)
    key = _actor_key_column()
    series = []
    this_week = _week_start(services.due_day(now))
    for column in columns:
        times = list(session.execute(
            select(ActivityProgress.completed_at).select_from(CohortMember)
            .join(User, User.id == CohortMember.user_id)
            .join(Enrollment, and_(Enrollment.user_id == User.id, Enrollment.course_id == column.course_id,
                                   current()))
            .join(ActivityProgress, and_(ActivityProgress.actor_key == key,
                                         ActivityProgress.registration == Enrollment.registration,
                                         ActivityProgress.activity_id == column.iri))
            .where(CohortMember.cohort_id == cohort.id, CohortMember.removed_at.is_(None),
                   ActivityProgress.is_completed.is_(True), ActivityProgress.completed_at.is_not(None))
        ).scalars())
        if not times:
            series.append(CompletionSeries(column=column, members=members, points=[]))
            continue
        per_week: dict[date, int] = defaultdict(int)
        for moment in times:
            per_week[_week_start(services.due_day(moment))] += 1
        first = max(min(per_week), this_week - timedelta(weeks=MAX_WEEKS - 1))
        total = sum(count for week, count in per_week.items() if week < first)
        points, week = [], first
        while week <= max(this_week, max(per_week)):
            total += per_week.get(week, 0)
            points.append((week, total))
            week += timedelta(weeks=1)
        series.append(CompletionSeries(column=column, members=members, points=points))
    return series


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def score_distribution(cohort: Cohort, columns: list[CourseColumn]) -> list[ScoreSeries]:
    """Per course: current members by their mean best score over the course's quizzes they took, in ten bands."""
    key = _actor_key_column()
    series = []
    for column in columns:
        bins = [0] * SCORE_BINS
        if column.quiz_iris:
            rows = session.execute(
                select(Enrollment.user_id, func.avg(ActivityProgress.best_score)).select_from(CohortMember)
                .join(User, User.id == CohortMember.user_id)
                .join(Enrollment, and_(Enrollment.user_id == User.id, Enrollment.course_id == column.course_id,
                                       current()))
                .join(ActivityProgress, and_(ActivityProgress.actor_key == key,
                                             ActivityProgress.registration == Enrollment.registration,
                                             ActivityProgress.activity_id.in_(column.quiz_iris)))
                .where(CohortMember.cohort_id == cohort.id, CohortMember.removed_at.is_(None),
                       ActivityProgress.best_score.is_not(None))
                .group_by(Enrollment.user_id)).all()
            for _user_id, score in rows:
                bins[min(SCORE_BINS - 1, max(0, int(float(score) * SCORE_BINS)))] += 1
        series.append(ScoreSeries(column=column, bins=bins))
    return series


def score_band_label(index: int) -> str:
    low = index * 100 // SCORE_BINS
    high = 100 if index == SCORE_BINS - 1 else (index + 1) * 100 // SCORE_BINS - 1
    return f"{low}–{high}%"


# --- a learner's transcript ----------------------------------------------------------------------------------

@dataclass
class ItemLine:
    kind: str
    title: dict
    is_done: bool
    completed_at: datetime | None
    attempts: int
    score: float | None
    success: bool | None
    time_seconds: float
    last_activity_at: datetime | None


@dataclass
class CourseLine:
    slug: str
    title: dict
    version: int
    enrolled_at: datetime
    registration: str
    cell: Cell
    items: list[ItemLine]
    is_current: bool = True  # False: an earlier enrolment, kept as history after a recertification


@dataclass
class Transcript:
    user: User
    organisation: str
    cohorts: list[tuple[Cohort, object]]
    courses: list[CourseLine]
    certificates: list
    is_invited: bool


def transcript(user: User, now: datetime | None = None) -> Transcript:
    """Every course a learner is enrolled in, item by item, with attempts, scores, time and due dates (the
    earliest due date any of the learner's current cohorts sets), and their certificates."""
    now = now or utcnow()
    memberships = services.cohorts_of(user.id)
    due: dict[int, datetime] = {}
    for cohort, member in memberships:
        if member.removed_at is None:
            for course, due_at in services.cohort_courses(cohort):
                if due_at is not None and (course.id not in due or due_at < due[course.id]):
                    due[course.id] = due_at
    key = user_actor_key(user.public_id)
    enrolments = list(session.execute(select(Enrollment).where(Enrollment.user_id == user.id)
                                      .order_by(Enrollment.enrolled_at, Enrollment.id)).scalars())
    rows_by_registration: dict[str, dict[str, ActivityProgress]] = defaultdict(dict)
    for row in session.execute(select(ActivityProgress).where(ActivityProgress.actor_key == key)).scalars():
        rows_by_registration[row.registration][row.activity_id] = row
    courses = []
    for enrolment in enrolments:
        version = outline(enrolment.version_id)
        slug = version.course.slug
        column = CourseColumn(course_id=enrolment.course_id, slug=slug, title=dict(version.title),
                              iri=activities.course_iri(slug), due_at=due.get(enrolment.course_id), quiz_iris=())
        rows = rows_by_registration.get(enrolment.registration, {})
        items = [(activities.item_iri(slug, item), item) for item in version.items]
        cell = Cell(due_at=column.due_at if getattr(enrolment, "is_current", True) else None)
        _fill(cell, rows, column, items)
        cell.is_overdue = not cell.is_completed and cell.due_at is not None and cell.due_at < now
        lines = []
        for iri, item in items:
            row = rows.get(iri)
            lines.append(ItemLine(kind=item.kind, title=dict(item.title), is_done=is_item_done(item, row),
                                  completed_at=row.completed_at if row else None,
                                  attempts=row.attempts if row else 0, score=row.best_score if row else None,
                                  success=row.success if row else None,
                                  time_seconds=row.time_spent_seconds if row else 0.0,
                                  last_activity_at=row.last_activity_at if row else None))
        courses.append(CourseLine(slug=slug, title=dict(version.title), version=version.number,
                                  enrolled_at=enrolment.enrolled_at, registration=enrolment.registration, cell=cell,
                                  items=lines, is_current=getattr(enrolment, "is_current", True)))
    return Transcript(user=user, organisation=services.organisations_of([user.id]).get(user.id, ""),
                      cohorts=memberships, courses=courses, certificates=certificates_of(user.id),
                      is_invited=services.is_invited_only(user))


# --- the same values on pages and in exports -----------------------------------------------------------------

def status_text(status: str) -> str:
    return {"completed": _("Completed"), "overdue": _("Overdue"), "in_progress": _("In progress"),
            "not_started": _("Not started"), "not_enrolled": _("Not enrolled")}.get(status, status)


def percent(value: float | None) -> int | None:
    return None if value is None else round(value * 100)


def day_text(moment: datetime | None) -> str:
    """A date as pages and exports show it: ISO, in the site's time zone."""
    return "" if moment is None else services.due_day(moment).isoformat()


def moment_text(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(services.site_timezone()).strftime("%Y-%m-%d %H:%M")


def minutes(seconds: float | None) -> int:
    return round((seconds or 0) / 60)


def dashboard_table(columns: list[CourseColumn], rows: Iterator[MemberRow]) -> tuple[list[str], Iterator[list]]:
    """The dashboard as a table: the page's columns, one row per learner (for CSV and XLSX)."""
    headers = [_("Name"), _("E-mail address"), _("Organisation")]
    for column in columns:
        title = text(column.title)
        headers += [_("%(course)s: progress (%%)", course=title), _("%(course)s: status", course=title),
                    _("%(course)s: completed", course=title), _("%(course)s: due", course=title),
                    _("%(course)s: quiz score (%%)", course=title)]
    headers += [_("Courses completed"), _("Overdue courses"), _("Certificates"), _("Last activity")]

    statuses = {status: status_text(status) for status in CELL_STATUSES}  # translated once, not per cell

    def generate() -> Iterator[list]:
        for row in rows:
            values: list = [row.name, row.email, row.organisation]
            for cell in row.cells:
                values += [percent(cell.fraction), statuses[cell.status], day_text(cell.completed_at),
                           day_text(cell.due_at), percent(cell.score)]
            values += [row.completed, row.overdue, row.certificates, moment_text(row.last_activity_at)]
            yield values

    return headers, generate()


def charts_table(completion: list[CompletionSeries], scores: list[ScoreSeries]) -> tuple[list[str], list[list]]:
    """The charts' data tables as one table (for CSV and XLSX): course, measure, label, value."""
    headers = [_("Course"), _("Measure"), _("Label"), _("Value")]
    values = []
    for series in completion:
        for week, total in series.points:
            values.append([text(series.column.title), _("Completed by the week of"), week.isoformat(), total])
    for series in scores:
        for index, count in enumerate(series.bins):
            values.append([text(series.column.title), _("Learners by mean quiz score"), score_band_label(index),
                           count])
    return headers, values


def transcript_table(found: Transcript) -> tuple[list[str], list[list]]:
    """The transcript as a table (for CSV and XLSX): one row per course, then one per lesson or quiz."""
    headers = [_("Course"), _("Version"), _("Kind"), _("Item"), _("Status"), _("Progress (%)"), _("Attempts"),
               _("Best score (%)"), _("Time (minutes)"), _("Completed"), _("Due"), _("Last activity")]
    values = []
    for course in found.courses:
        cell = course.cell
        values.append([text(course.title), course.version, _("Course"), "", status_text(cell.status),
                       percent(cell.fraction), "", percent(cell.score), minutes(cell.time_seconds),
                       day_text(cell.completed_at), day_text(cell.due_at), moment_text(cell.last_activity_at)])
        for item in course.items:
            values.append([text(course.title), course.version, item_kind_text(item.kind), text(item.title),
                           item_status_text(item), "", item.attempts if item.kind == "quiz" else "",
                           percent(item.score), minutes(item.time_seconds), day_text(item.completed_at), "",
                           moment_text(item.last_activity_at)])
    return headers, values


def item_kind_text(kind: str) -> str:
    return {"lesson": _("Lesson"), "quiz": _("Quiz")}.get(kind, kind)


def item_status_text(item: ItemLine) -> str:
    if item.kind == "quiz":
        if item.success is True:
            return _("Passed")
        if item.success is False:
            return _("Not passed yet")
        return _("Not attempted") if not item.attempts else _("In progress")
    return _("Read") if item.is_done else _("Not read yet")
