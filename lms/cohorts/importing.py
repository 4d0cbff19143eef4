"""Bulk enrolment from a spreadsheet: read a .csv or .xlsx file, plan every row, then apply all or nothing.

Reading accepts what real offices send: UTF-8 with or without a byte-order mark, GBK/GB18030 (what Chinese Excel
writes for "CSV"), UTF-16 ("Unicode text"), comma, semicolon or tab separators, blank lines anywhere, full-width
characters, and column names, audiences and languages in English or Chinese, as codes or as plain words.

``plan_import`` writes nothing: it says for every row what applying would do, and every row's errors with the row
number a spreadsheet program shows. ``apply_import`` refuses a plan with any error; applying the same file twice
changes nothing the second time. Both read the database in bulk (a few queries per 500 rows), never row by row.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import timedelta
from threading import Lock

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, select

from lms.accounts.models import AUDIENCES, LANGUAGES, User, UserRole
from lms.cohorts import services
from lms.cohorts.models import NAME_MAX, ORGANISATION_MAX, Cohort, CohortMember, ImportBatch
from lms.core.audit import record_action
from lms.db import session, utcnow

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
KEEP_DAYS = 30
EMAIL_MAX = 254
DISPLAY_NAME_MAX = 120
DEFAULT_AUDIENCE = "other"
DEFAULT_LANGUAGE = "en"
CHUNK = 500

FIELDS = ("email", "name", "audience", "language", "cohort", "organisation")


def _key(text: str) -> str:
    """A header or a value reduced for matching: case, spaces, hyphens, underscores, dots and colons ignored."""
    return re.sub(r"[\s\-_.:：/()（）]+", "", services.clean_text(text).casefold())


def _aliases(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {_key(alias): code for code, aliases in table.items() for alias in (code, *aliases)}


HEADERS = _aliases({
    "email": ("e-mail", "email address", "e-mail address", "mail", "邮箱", "电子邮件", "电子邮箱", "邮件", "邮箱地址",
              "电子邮件地址", "电邮"),
    "name": ("full name", "display name", "learner", "姓名", "名字", "名称", "学员姓名"),
    "audience": ("role", "group of learners", "身份", "受众", "人员类别", "类别", "人员类型"),
    "language": ("lang", "preferred language", "语言", "语种", "首选语言"),
    "cohort": ("group", "class", "班级", "群组", "分组", "班组", "学习班"),
    "organisation": ("organization", "employer", "company", "org", "单位", "工作单位", "雇主", "机构", "所在单位",
                     "组织"),
})
AUDIENCE_VALUES = _aliases({
    "labor_official": ("labor official", "labour official", "official", "劳动行政官员", "劳动行政人员", "劳动官员",
                       "官员", "行政人员"),
    "labor_inspector": ("labor inspector", "labour inspector", "inspector", "劳动保障监察员", "监察员",
                        "劳动监察员"),
    "worker": ("employee", "workers", "工人", "劳动者", "职工", "员工"),
    "employer": ("employers", "用人单位", "雇主", "企业"),
    "academic": ("academic or trainer", "trainer", "teacher", "researcher", "学者或培训师", "学者", "培训师", "教师",
                 "研究人员"),
    "other": ("其他", "其它"),
})
LANGUAGE_VALUES = _aliases({
    "en": ("english", "en-us", "en-gb", "eng", "英文", "英语"),
    "zh-Hans": ("zh", "zh-cn", "zh-sg", "zh-hans-cn", "chinese", "simplified chinese", "中文", "汉语", "简体中文",
                "简体", "普通话"),
})
assert set(AUDIENCE_VALUES.values()) == set(AUDIENCES) and set(LANGUAGE_VALUES.values()) == set(LANGUAGES)


class ImportFileError(ValueError):
    """A file that cannot be read as a table at all. ``code``: empty, too_large, old_excel, bad_xlsx, unreadable,
    no_email_column, duplicate_column (column), too_many_rows (limit)."""

    def __init__(self, code: str, **params) -> None:
        super().__init__(code if not params else f"{code}: {params}")
        self.code = code
        self.params = params


class ImportRefused(ValueError):
    """A plan with row errors was given to ``apply_import``: nothing was written."""


# --- reading -------------------------------------------------------------------------------------------------

@dataclass
class SourceRow:
    number: int  # as a spreadsheet program numbers it: the header is row 1
    values: dict[str, str]


@dataclass
class ParsedFile:
    rows: list[SourceRow]
    columns: dict[str, str]  # field -> the header as written in the file
    ignored: list[str]  # headers of columns that are not read
    kind: str  # "xlsx" or "csv"
    encoding: str | None = None
    delimiter: str | None = None


_PARSED: OrderedDict[str, ParsedFile] = OrderedDict()
_PARSED_LOCK = Lock()
_PARSED_KEEP = 4


def read_file_cached(data: bytes) -> ParsedFile:
    """``read_file``, remembering the last few files by content hash: upload, preview and apply read the same bytes,
    and a large .xlsx takes seconds to parse. (Only a speed-up: another worker process simply parses again.)"""
    key = content_hash(data)
    with _PARSED_LOCK:
        if key in _PARSED:
            _PARSED.move_to_end(key)
            return _PARSED[key]
    parsed = read_file(data)
    with _PARSED_LOCK:
        _PARSED[key] = parsed
        while len(_PARSED) > _PARSED_KEEP:
            _PARSED.popitem(last=False)
    return parsed


def read_file(data: bytes) -> ParsedFile:
    """The rows of a .csv or .xlsx file (told apart by content, not by name). Raises ImportFileError."""
    if len(data) > MAX_BYTES:
        raise ImportFileError("too_large", limit_mb=MAX_BYTES // (1024 * 1024))
    if not data.strip(b"\x00\t\r\n \xef\xbb\xbf"):
        raise ImportFileError("empty")
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # the OLE2 container of .xls (Excel 97-2003)
        raise ImportFileError("old_excel")
    if data.startswith(b"PK\x03\x04"):
        table, encoding, delimiter, kind = _xlsx_rows(data), None, None, "xlsx"
    else:
        text, encoding = _decode(data)
        delimiter = _delimiter(text)
        table, kind = _csv_rows(text, delimiter), "csv"
    return _table(table, kind, encoding, delimiter)


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is a superset of GBK and GB2312: what Chinese Windows and Excel write by default.
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise ImportFileError("unreadable") from None


def _delimiter(text: str) -> str:
    """The separator of the first non-blank line: the most frequent of tab, semicolon and comma outside quotes."""
    for line in text.splitlines():
        if line.strip():
            unquoted = re.sub(r'"[^"]*"', "", line)
            counts = {sep: unquoted.count(sep) for sep in ("\t", ";", ",")}
            best = max(counts, key=lambda sep: counts[sep])
            return best if counts[best] else ","
    return ","


def _csv_rows(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    # Each record is one spreadsheet row (a quoted field may span lines), blank lines included, as Excel shows them.
    return [(number, record) for number, record in enumerate(reader, start=1)]


def _xlsx_rows(data: bytes) -> list[tuple[int, list[str]]]:
    import openpyxl  # imported here: only .xlsx uploads need it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise ImportFileError("bad_xlsx") from error
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            rows.append((number, [_cell_text(value) for value in values]))
            if len(rows) > MAX_ROWS + 1 and any(rows[-1][1]):
                raise ImportFileError("too_many_rows", limit=MAX_ROWS)
        return rows
    finally:
        workbook.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _table(table: list[tuple[int, list[str]]], kind: str, encoding: str | None, delimiter: str | None) -> ParsedFile:
    filled = [(number, cells) for number, cells in table if any(services.clean_text(cell) for cell in cells)]
    if not filled:
        raise ImportFileError("empty")
    header_number, header = filled[0]
    columns: dict[str, str] = {}
    positions: dict[str, int] = {}
    ignored = []
    for position, title in enumerate(header):
        # "邮箱/电子邮件" or "Audience (身份)": a header may give its name twice; any known part names the column.
        code = HEADERS.get(_key(title)) or next(
            (HEADERS[_key(part)] for part in re.split(r"[/／|、()（）]", title) if _key(part) in HEADERS), None)
        if code is None:
            if services.clean_text(title):
                ignored.append(services.clean_text(title))
            continue
        if code in positions:
            raise ImportFileError("duplicate_column", column=services.clean_text(title))
        positions[code], columns[code] = position, services.clean_text(title)
    if "email" not in positions:
        raise ImportFileError("no_email_column")
    rows = []
    for number, cells in filled[1:]:
        values = {code: (cells[position] if position < len(cells) else "") for code, position in positions.items()}
        rows.append(SourceRow(number, values))
    if len(rows) > MAX_ROWS:
        raise ImportFileError("too_many_rows", limit=MAX_ROWS)
    return ParsedFile(rows=rows, columns=columns, ignored=ignored, kind=kind, encoding=encoding, delimiter=delimiter)


# --- planning ------------------------------------------------------------------------------------------------

@dataclass
class RowPlan:
    """What applying would do with one row, or why it cannot."""

    number: int
    email: str
    name: str = ""
    audience: str = DEFAULT_AUDIENCE
    language: str = DEFAULT_LANGUAGE
    cohort: str = ""  # the cohort's name as stored (or as it will be created)
    organisation: str = ""
    errors: list[tuple[str, dict]] = field(default_factory=list)
    account: str = ""  # "new", "existing", or "earlier_row" (created by an earlier row of this file)
    membership: str = ""  # "", "added", "rejoins" or "already"
    is_new_cohort: bool = False
    enrolments_added: list[str] = field(default_factory=list)
    enrolments_existing: list[str] = field(default_factory=list)
    sets_organisation: bool = False
    audience_defaulted: bool = False
    language_defaulted: bool = False

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def changes_something(self) -> bool:
        return self.is_valid and (self.account == "new" or self.membership in ("added", "rejoins")
                                  or bool(self.enrolments_added) or self.sets_organisation)

    def error(self, code: str, **params) -> None:
        self.errors.append((code, params))


@dataclass
class ImportPlan:
    rows: list[RowPlan]
    file: ParsedFile
    default_cohort: str | None
    new_cohorts: list[str] = field(default_factory=list)

    @property
    def error_rows(self) -> list[RowPlan]:
        return [row for row in self.rows if row.errors]

    @property
    def has_errors(self) -> bool:
        return any(row.errors for row in self.rows)

    def counts(self) -> dict[str, int]:
        valid = [row for row in self.rows if row.is_valid]
        return {
            "rows": len(self.rows),
            "errors": len(self.rows) - len(valid),
            "new_accounts": sum(row.account == "new" for row in valid),
            "existing_accounts": sum(row.account in ("existing", "earlier_row") for row in valid),
            "memberships_added": sum(row.membership in ("added", "rejoins") for row in valid),
            "already_members": sum(row.membership == "already" for row in valid),
            "enrolments_added": sum(len(row.enrolments_added) for row in valid),
            "already_enrolled": sum(len(row.enrolments_existing) for row in valid),
            "new_cohorts": len(self.new_cohorts),
            "unchanged_rows": sum(not row.changes_something for row in valid),
        }


def plan_import(parsed: ParsedFile, default_cohort: str | None = None) -> ImportPlan:
    """What applying the file would do, row by row, against the database as it is now. Writes nothing."""
    default_cohort = services.clean_text(default_cohort) or None
    rows = [_clean_row(source, default_cohort) for source in parsed.rows]
    _mark_duplicates(rows)
    valid = [row for row in rows if not row.errors]

    users = _existing_users({row.email for row in valid})
    cohort_names = {services.name_key(row.cohort): row.cohort for row in valid if row.cohort}
    cohorts = {cohort.name_key: cohort for cohort in session.execute(
        select(Cohort).where(Cohort.name_key.in_(list(cohort_names)))).scalars()} if cohort_names else {}
    courses = {key: services.cohort_courses(cohort) for key, cohort in cohorts.items()}
    user_ids = [user_id for user_id, _org in users.values()]
    memberships = _memberships([cohort.id for cohort in cohorts.values()], user_ids)
    course_ids = sorted({course.id for listed in courses.values() for course, _due in listed})
    enrolled = services.enrolled_pairs(user_ids, course_ids) if course_ids and user_ids else set()

    plan = ImportPlan(rows=rows, file=parsed, default_cohort=default_cohort)
    seen_accounts: set[str] = set()
    planned_enrolments: set[tuple[str, int]] = set()
    planned_members: set[tuple[str, str]] = set()
    organisation_set: set[str] = set()
    for row in valid:
        key = services.name_key(row.cohort) if row.cohort else None
        cohort = cohorts.get(key) if key else None
        if cohort is not None and cohort.is_archived:
            row.error("cohort_archived", cohort=cohort.name)
            continue
        existing = users.get(row.email)
        if existing is not None:
            row.account = "existing"
        elif row.email in seen_accounts:
            row.account = "earlier_row"
        else:
            row.account = "new"
        seen_accounts.add(row.email)
        if row.organisation and row.email not in organisation_set and (existing is None or not existing[1]):
            row.sets_organisation = True
            organisation_set.add(row.email)
        if key is None:
            continue
        if cohort is None:
            row.is_new_cohort, row.cohort = True, cohort_names[key]
            if cohort_names[key] not in plan.new_cohorts:
                plan.new_cohorts.append(cohort_names[key])
            row.membership = "added"
            continue
        row.cohort = cohort.name
        state = memberships.get((cohort.id, existing[0])) if existing else None
        if (row.email, key) in planned_members:
            row.membership = "already"
        elif state == "active":
            row.membership = "already"
        else:
            row.membership = "rejoins" if state == "removed" else "added"
        planned_members.add((row.email, key))
        for course, _due in courses[key]:
            is_enrolled = (existing is not None and (existing[0], course.id) in enrolled) or (
                (row.email, course.id) in planned_enrolments)
            if is_enrolled:
                row.enrolments_existing.append(course.slug)
            elif row.membership != "already":
                row.enrolments_added.append(course.slug)
                planned_enrolments.add((row.email, course.id))
            # A member already there who lacks an enrolment stays so: an import enrols only the people it adds.
    return plan


def _clean_row(source: SourceRow, default_cohort: str | None) -> RowPlan:
    values = {name: services.clean_text(value) for name, value in source.values.items()}
    row = RowPlan(number=source.number, email=services.normalised_email(values.get("email", "")))
    if not row.email:
        row.error("email_missing")
    elif len(row.email) > EMAIL_MAX:
        row.error("email_too_long", limit=EMAIL_MAX)
    else:
        try:
            validate_email(row.email, check_deliverability=False)
        except EmailNotValidError:
            row.error("email_invalid", value=row.email)
    row.name = values.get("name", "")
    if len(row.name) > DISPLAY_NAME_MAX:
        row.error("name_too_long", limit=DISPLAY_NAME_MAX)
    audience = values.get("audience", "")
    if audience:
        row.audience = AUDIENCE_VALUES.get(_key(audience), "")
        if not row.audience:
            row.error("audience_unknown", value=audience)
    else:
        row.audience_defaulted = True
    language = values.get("language", "")
    if language:
        row.language = LANGUAGE_VALUES.get(_key(language), "")
        if not row.language:
            row.error("language_unknown", value=language)
    else:
        row.language_defaulted = True
    row.cohort = values.get("cohort", "") or (default_cohort or "")
    if len(row.cohort) > NAME_MAX:
        row.error("cohort_too_long", limit=NAME_MAX)
    row.organisation = values.get("organisation", "")
    if len(row.organisation) > ORGANISATION_MAX:
        row.error("organisation_too_long", limit=ORGANISATION_MAX)
    return row


def _mark_duplicates(rows: list[RowPlan]) -> None:
    """A row repeating an earlier row's e-mail address for the same cohort is an error naming the earlier row.
    (The same person in two cohorts is two rows, and fine.)"""
    first: dict[tuple[str, str], int] = {}
    for row in rows:
        if not row.email or any(code.startswith("email") for code, _ in row.errors):
            continue
        key = (row.email, services.name_key(row.cohort))
        if key in first:
            row.error("duplicate", row=first[key])
        else:
            first[key] = row.number


def _existing_users(emails: set[str]) -> dict[str, tuple[int, str]]:
    """E-mail -> (user id, organisation or "") of the accounts that exist."""
    from lms.cohorts.models import LearnerOrganisation

    found: dict[str, tuple[int, str]] = {}
    ordered = sorted(emails)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start:start + CHUNK]
        query = (select(User.email, User.id, LearnerOrganisation.organisation)
                 .outerjoin(LearnerOrganisation, LearnerOrganisation.user_id == User.id)
                 .where(User.email.in_(chunk)))
        found.update((email, (user_id, organisation or "")) for email, user_id, organisation in session.execute(query))
    return found


def _memberships(cohort_ids: list[int], user_ids: list[int]) -> dict[tuple[int, int], str]:
    found: dict[tuple[int, int], str] = {}
    if not cohort_ids:
        return found
    for start in range(0, len(user_ids), CHUNK):
        query = select(CohortMember.cohort_id, CohortMember.user_id, CohortMember.removed_at).where(
            CohortMember.cohort_id.in_(cohort_ids), CohortMember.user_id.in_(user_ids[start:start + CHUNK]))
        for cohort_id, user_id, removed_at in session.execute(query):
            found[(cohort_id, user_id)] = "removed" if removed_at is not None else "active"
    return found


# --- applying ------------------------------------------------------------------------------------------------

@dataclass
class ApplyResult:
    counts: dict[str, int]
    invitations: list[tuple[User, str]]  # to send once the transaction has committed

    @property
    def changed(self) -> bool:
        return any(self.counts[key] for key in ("new_accounts", "memberships_added", "enrolments_added",
                                                 "new_cohorts", "organisations_set"))


def apply_import(plan: ImportPlan, actor_id: int | None = None, filename: str = "", content_hash: str = ""
                 ) -> ApplyResult:
    """Carry out a plan: new cohorts, new accounts (each with an invitation), organisations, memberships and the
    enrolments they bring, and one audit entry. Flushes; the caller commits, then sends the invitations.

    Raises ImportRefused when any row has an error (nothing is written), and what ``services.add_members`` raises.
    """
    if plan.has_errors:
        raise ImportRefused(f"{len(plan.error_rows)} row(s) have errors")
    rows = [row for row in plan.rows if row.is_valid]
    counts = {"rows": len(plan.rows), "new_accounts": 0, "memberships_added": 0, "enrolments_added": 0,
              "new_cohorts": 0, "organisations_set": 0}

    cohorts: dict[str, Cohort] = {}
    for name in plan.new_cohorts:
        cohorts[services.name_key(name)] = services.create_cohort(name, actor_id=actor_id)
        counts["new_cohorts"] += 1

    users: dict[str, User] = {}
    emails = sorted({row.email for row in rows})
    for start in range(0, len(emails), CHUNK):
        users.update((user.email, user) for user in session.execute(
            select(User).where(User.email.in_(emails[start:start + CHUNK]))).scalars())
    created = []
    now = utcnow()
    for row in rows:
        if row.account == "new" and row.email not in users:
            user = User(email=row.email, password_hash=services.unusable_password(),
                        display_name=row.name or row.email.split("@")[0], audience=row.audience,
                        language=row.language, created_at=now)
            user.roles = [UserRole(role="learner")]
            users[row.email] = user
            created.append(user)
    session.add_all(created)
    session.flush()
    counts["new_accounts"] = len(created)

    organisations = services.organisations_of([user.id for user in users.values()])
    for row in rows:
        user = users[row.email]
        if row.organisation and not organisations.get(user.id):
            services.set_organisation(user.id, row.organisation)
            organisations[user.id] = row.organisation
            counts["organisations_set"] += 1

    by_cohort: dict[str, list[User]] = {}
    for row in rows:
        if row.cohort:
            by_cohort.setdefault(services.name_key(row.cohort), []).append(users[row.email])
    for key, members in by_cohort.items():
        cohort = cohorts.get(key) or services.cohort_by_name(key)
        change = services.add_members(cohort, members, actor_id, audit=False)
        counts["memberships_added"] += len(change.added)
        counts["enrolments_added"] += change.enrolments

    invitations = [(user, services.create_invitation(user, actor_id)) for user in created]
    result = ApplyResult(counts=counts, invitations=invitations)
    if result.changed:
        record_action(actor_id, "import.apply", f"file:{filename}" if filename else "file", {
            **counts, "sha256": content_hash, "cohorts": sorted({row.cohort for row in rows if row.cohort}),
            "new_emails": [user.email for user in created[:services.AUDIT_LIST_MAX]]})
    return result


# --- the uploaded file, kept between preview and apply -------------------------------------------------------

def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store_batch(data: bytes, filename: str, default_cohort: str | None, actor_id: int | None) -> ImportBatch:
    """Keep an uploaded file for its preview and application; batches older than KEEP_DAYS go (personal data)."""
    session.execute(delete(ImportBatch).where(ImportBatch.created_at < utcnow() - timedelta(days=KEEP_DAYS)))
    batch = ImportBatch(filename=(filename or "upload")[:255], content_hash=content_hash(data), content=data,
                        default_cohort=services.clean_text(default_cohort) or None, created_by_id=actor_id,
                        created_at=utcnow())
    session.add(batch)
    session.flush()
    return batch


def batch_by_id(batch_id: str) -> ImportBatch | None:
    if not batch_id or len(batch_id) > 36:
        return None
    return session.get(ImportBatch, batch_id)


def earlier_application(batch: ImportBatch) -> ImportBatch | None:
    """The most recent other upload of the same bytes that was applied, if any."""
    return session.execute(select(ImportBatch).where(
        ImportBatch.content_hash == batch.content_hash, ImportBatch.applied_at.is_not(None),
        ImportBatch.id != batch.id).order_by(ImportBatch.applied_at.desc()).limit(1)).scalar_one_or_none()


def mark_applied(batch: ImportBatch, result: ApplyResult, actor_id: int | None) -> None:
    batch.applied_at, batch.applied_by_id, batch.summary = utcnow(), actor_id, dict(result.counts)
    session.flush()
