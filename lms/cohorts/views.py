"""Cohort pages for administrators (under /admin/cohorts), the audit log, and the public invitation page.

Only administrators see the admin pages for now; authors seeing the reports of their own courses is a later step.
The blueprint has no URL prefix of its own because it also serves ``/account/invitation/<token>``.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, time, timedelta
from urllib.parse import quote

from flask import Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user, login_user
from sqlalchemy import select

from lms.accounts.models import User
from lms.catalog.models import Course, Track
from lms.catalog.services import all_latest_versions, latest_version, tracks
from lms.cohorts import exports, importing, messages, reports, services
from lms.cohorts.charts import bar_chart, line_chart
from lms.cohorts.forms import (
    ApplyImportForm,
    AssignForm,
    CohortForm,
    ConfirmForm,
    DueDateForm,
    ImportForm,
    InvitationForm,
    MembersForm,
    RemoveMembersForm,
)
from lms.core.access import role_required
from lms.core.audit import audit_actions, audit_query
from lms.core.i18n import _, ngettext, text
from lms.core.pagination import paginate
from lms.core.views import area_blueprint
from lms.db import session, utcnow

log = logging.getLogger(__name__)

bp = area_blueprint("cohorts", __name__, template_folder="templates")
ADMIN = "/admin/cohorts"


def _cohort_or_404(cohort_id: int):
    cohort = services.cohort_by_id(cohort_id)
    if cohort is None:
        abort(404)
    return cohort


def _page_number() -> int:
    return request.args.get("page", 1, type=int) or 1


def _emails_from(textarea: str) -> list[str]:
    return [part for part in re.split(r"[\s,;，；]+", textarea or "") if part]


# --- cohorts -------------------------------------------------------------------------------------------------

@bp.route(f"{ADMIN}/")
@role_required("admin")
def index():
    search = request.args.get("q", "").strip()[:120]
    archived = request.args.get("archived") == "1"
    page = paginate_rows(services.cohorts_query(search, include_archived=archived), _page_number(), 25)
    return render_template("lms/cohorts/index.html", page=page, search=search, archived=archived)


def paginate_rows(query, page: int, per_page: int):
    """Like core.pagination.paginate, for a SELECT of several columns (rows instead of scalars)."""
    from lms.core.pagination import Page
    from sqlalchemy import func

    total = session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    items = list(session.execute(query.limit(per_page).offset((page - 1) * per_page)).all())
    return Page(items=items, page=page, per_page=per_page, total=total)


@bp.route(f"{ADMIN}/new", methods=["GET", "POST"])
@role_required("admin")
def create():
    form = CohortForm()
    if form.validate_on_submit():
        try:
            cohort = services.create_cohort(form.name.data, form.description.data, current_user.id)
        except services.CohortError as error:
            session.rollback()
            form.name.errors.append(messages.cohort_error(error))
        else:
            session.commit()
            flash(_("Cohort “%(name)s” created. Now enrol it in a track or add members.", name=cohort.name),
                  "success")
            return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
    return render_template("lms/cohorts/form.html", form=form, cohort=None), 400 if form.errors else 200


@bp.route(f"{ADMIN}/<int:cohort_id>")
@role_required("admin")
def detail(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    return _detail_page(cohort, AssignForm(), 200)


def _assign_choices() -> list[tuple[str, str]]:
    choices = [("", _("Choose…"))]
    choices += [(f"track:{track.slug}", _("Track: %(title)s", title=text(track.title))) for track in tracks()]
    choices += [(f"course:{version.course.slug}", _("Course: %(title)s", title=text(version.title)))
                for version in sorted(all_latest_versions(), key=lambda v: text(v.title).casefold())]
    return choices


def _detail_page(cohort, assign_form: AssignForm, status: int):
    assign_form.target.choices = _assign_choices()
    assignments = []
    for assignment in cohort.assignments:
        courses = services.assignment_courses(assignment)
        form = DueDateForm(prefix=f"a{assignment.id}", formdata=None, due=services.due_day(assignment.due_at))
        if assignment.track is not None:
            label = _("Track: %(title)s", title=text(assignment.track.title))
        else:
            version = latest_version(assignment.course.id)
            label = _("Course: %(title)s", title=text(version.title) if version else assignment.course.slug)
        assignments.append((assignment, label, courses, form))
    return render_template("lms/cohorts/detail.html", cohort=cohort, assign_form=assign_form,
                           assignments=assignments, members=services.member_count(cohort),
                           confirm=ConfirmForm(), due_day=services.due_day), status


@bp.route(f"{ADMIN}/<int:cohort_id>/edit", methods=["GET", "POST"])
@role_required("admin")
def edit(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    form = CohortForm(obj=cohort)
    if form.validate_on_submit():
        try:
            services.update_cohort(cohort, form.name.data, form.description.data, current_user.id)
        except services.CohortError as error:
            session.rollback()
            form.name.errors.append(messages.cohort_error(error))
        else:
            session.commit()
            flash(_("Cohort saved."), "success")
            return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
    return render_template("lms/cohorts/form.html", form=form, cohort=cohort), 400 if form.errors else 200


@bp.route(f"{ADMIN}/<int:cohort_id>/archive", methods=["POST"])
@role_required("admin")
def archive(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.archive_cohort(cohort, current_user.id)
    session.commit()
    flash(_("Cohort “%(name)s” archived. Its members and reports are kept; restore it to change it again.",
            name=cohort.name), "success")
    return redirect(url_for("cohorts.detail", cohort_id=cohort.id))


@bp.route(f"{ADMIN}/<int:cohort_id>/restore", methods=["POST"])
@role_required("admin")
def restore(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.restore_cohort(cohort, current_user.id)
    session.commit()
    flash(_("Cohort “%(name)s” restored.", name=cohort.name), "success")
    return redirect(url_for("cohorts.detail", cohort_id=cohort.id))


# --- assignments ---------------------------------------------------------------------------------------------

@bp.route(f"{ADMIN}/<int:cohort_id>/assign", methods=["POST"])
@role_required("admin")
def assign(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    form = AssignForm()
    form.target.choices = _assign_choices()
    if not form.validate_on_submit():
        return _detail_page(cohort, form, 400)
    kind, _sep, slug = form.target.data.partition(":")
    track = session.execute(select(Track).filter_by(slug=slug)).scalar_one_or_none() if kind == "track" else None
    course = session.execute(select(Course).filter_by(slug=slug)).scalar_one_or_none() if kind == "course" else None
    try:
        _assignment, made = services.assign(cohort, track=track, course=course,
                                            due_at=services.due_at_for(form.due.data), actor_id=current_user.id)
    except services.CohortError as error:
        session.rollback()
        form.target.errors.append(messages.cohort_error(error))
        return _detail_page(_cohort_or_404(cohort_id), form, 400)
    session.commit()
    flash(ngettext("Enrolled: %(num)d new enrolment. Members who join later are enrolled too.",
                   "Enrolled: %(num)d new enrolments. Members who join later are enrolled too.", made), "success")
    return redirect(url_for("cohorts.detail", cohort_id=cohort.id))


@bp.route(f"{ADMIN}/<int:cohort_id>/assignments/<int:assignment_id>/due", methods=["POST"])
@role_required("admin")
def change_due(cohort_id: int, assignment_id: int):
    cohort = _cohort_or_404(cohort_id)
    assignment = services.assignment_by_id(cohort, assignment_id)
    if assignment is None:
        abort(404)
    form = DueDateForm(prefix=f"a{assignment.id}")
    if not form.validate_on_submit():
        flash(_("Enter the due date as a date (year-month-day), or leave it empty."), "error")
        return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
    try:
        services.change_due_date(assignment, services.due_at_for(form.due.data), current_user.id)
    except services.CohortError as error:
        session.rollback()
        flash(messages.cohort_error(error), "error")
        return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
    session.commit()
    flash(_("Due date saved."), "success")
    return redirect(url_for("cohorts.detail", cohort_id=cohort.id))


@bp.route(f"{ADMIN}/<int:cohort_id>/assignments/<int:assignment_id>/delete", methods=["POST"])
@role_required("admin")
def unassign(cohort_id: int, assignment_id: int):
    cohort = _cohort_or_404(cohort_id)
    assignment = services.assignment_by_id(cohort, assignment_id)
    if assignment is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.unassign(assignment, current_user.id)
    except services.CohortError as error:
        session.rollback()
        flash(messages.cohort_error(error), "error")
        return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
    session.commit()
    flash(_("Assignment ended. Enrolments already made stay; new members are no longer enrolled in it."),
          "success")
    return redirect(url_for("cohorts.detail", cohort_id=cohort.id))


# --- members -------------------------------------------------------------------------------------------------

@bp.route(f"{ADMIN}/<int:cohort_id>/members")
@role_required("admin")
def members(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    return _members_page(cohort, MembersForm(formdata=None), RemoveMembersForm(formdata=None), 200)


def _members_page(cohort, add_form, remove_form, status: int):
    search = request.args.get("q", "").strip()[:200]
    page = paginate_rows(services.members_query(cohort, search), _page_number(), 50)
    invited = services.pending_invitation_ids([user.id for _member, user in page.items])
    organisations = services.organisations_of([user.id for _member, user in page.items])
    return render_template("lms/cohorts/members.html", cohort=cohort, page=page, search=search, add_form=add_form,
                           remove_form=remove_form, confirm=ConfirmForm(), invited=invited,
                           organisations=organisations), status


@bp.route(f"{ADMIN}/<int:cohort_id>/members/add", methods=["POST"])
@role_required("admin")
def add_members(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    form = MembersForm()
    if not form.validate_on_submit():
        return _members_page(cohort, form, RemoveMembersForm(formdata=None), 400)
    try:
        change = services.add_members_by_email(cohort, _emails_from(form.emails.data), current_user.id)
    except services.CohortError as error:
        session.rollback()
        form.emails.errors.append(messages.cohort_error(error))
        return _members_page(_cohort_or_404(cohort_id), form, RemoveMembersForm(formdata=None), 400)
    session.commit()
    flash(_("%(added)d added, %(already)d already members, %(enrolments)d new enrolments.",
            added=len(change.added), already=len(change.already), enrolments=change.enrolments), "success")
    return redirect(url_for("cohorts.members", cohort_id=cohort.id))


@bp.route(f"{ADMIN}/<int:cohort_id>/members/remove", methods=["POST"])
@role_required("admin")
def remove_members(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    form = RemoveMembersForm()
    if not form.validate_on_submit():
        abort(400)
    selected = [int(value) for value in request.form.getlist("member") if value.isdigit()]
    emails = _emails_from(form.emails.data)
    if not selected and not emails:
        form.emails.errors.append(_("Tick the members to remove, or list their e-mail addresses."))
        return _members_page(cohort, MembersForm(formdata=None), form, 400)
    try:
        removed = services.remove_members(cohort, selected, current_user.id) if selected else []
        if emails:
            removed += services.remove_members_by_email(cohort, emails, current_user.id)
    except services.CohortError as error:
        session.rollback()
        form.emails.errors.append(messages.cohort_error(error, removing=True))
        return _members_page(_cohort_or_404(cohort_id), MembersForm(formdata=None), form, 400)
    session.commit()
    flash(ngettext("%(num)d member removed. Their enrolments and progress are kept.",
                   "%(num)d members removed. Their enrolments and progress are kept.", len(removed)), "success")
    return redirect(url_for("cohorts.members", cohort_id=cohort.id))


# --- reports -------------------------------------------------------------------------------------------------

def _report_arguments():
    filters = reports.Filters(search=request.args.get("q", ""), organisation=request.args.get("organisation", ""),
                              status=request.args.get("status", "all"))
    return filters, reports.parse_sort(request.args.get("sort"))


def _report_query(filters: reports.Filters, sort: tuple[str, bool]) -> dict:
    """The page's filter and sort as URL parameters (for the pager, the sort links and the export links)."""
    query = {"q": filters.search, "organisation": filters.organisation, "status": filters.status,
             "sort": ("-" if sort[1] else "") + sort[0]}
    return {key: value for key, value in query.items() if value and value != "all" and value != "name"}


@bp.route(f"{ADMIN}/<int:cohort_id>/dashboard")
@role_required("admin")
def dashboard(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    filters, sort = _report_arguments()
    found = reports.dashboard(cohort, filters, sort, _page_number())
    return render_template("lms/cohorts/dashboard.html", cohort=cohort, report=found,
                           query=_report_query(filters, sort), statuses=reports.STATUSES,
                           status_text=reports.status_text, percent=reports.percent, day_text=reports.day_text,
                           moment_text=reports.moment_text)


@bp.route(f"{ADMIN}/<int:cohort_id>/dashboard.<any(csv, xlsx):fmt>")
@role_required("admin")
def dashboard_export(cohort_id: int, fmt: str):
    cohort = _cohort_or_404(cohort_id)
    filters, sort = _report_arguments()
    columns, rows = reports.dashboard_rows(cohort, filters, sort)
    headers, values = reports.dashboard_table(columns, rows)
    return _export(fmt, headers, values, f"cohort-{cohort.id}-{cohort.name}", _("Dashboard"))


@bp.route(f"{ADMIN}/<int:cohort_id>/charts")
@role_required("admin")
def charts(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    columns = reports.course_columns(cohort)
    completion = reports.completion_over_time(cohort, columns)
    scores = reports.score_distribution(cohort, columns)
    drawn = []
    for index, (over_time, distribution) in enumerate(zip(completion, scores)):
        title = text(over_time.column.title)
        line = None
        if over_time.points:
            first, last = over_time.points[0], over_time.points[-1]
            line = line_chart(
                f"completion-{index}", _("%(course)s: completions over time", course=title),
                _("Completed by %(count)d of %(members)d members by the week of %(week)s, up from %(first)d in the "
                  "week of %(start)s.", count=last[1], members=over_time.members, week=last[0].isoformat(),
                  first=first[1], start=first[0].isoformat()),
                [(week.isoformat(), total) for week, total in over_time.points], y_max=over_time.members)
        bars = None
        if distribution.learners:
            bars = bar_chart(
                f"scores-{index}", _("%(course)s: mean quiz scores", course=title),
                _("%(count)d learners by their mean quiz score: %(bands)s.", count=distribution.learners,
                  bands="; ".join(f"{reports.score_band_label(i)}: {n}" for i, n in enumerate(distribution.bins))),
                [(reports.score_band_label(i), n) for i, n in enumerate(distribution.bins)])
        drawn.append((over_time, distribution, line, bars))
    return render_template("lms/cohorts/charts.html", cohort=cohort, charts=drawn,
                           band=reports.score_band_label)


@bp.route(f"{ADMIN}/<int:cohort_id>/charts.<any(csv, xlsx):fmt>")
@role_required("admin")
def charts_export(cohort_id: int, fmt: str):
    cohort = _cohort_or_404(cohort_id)
    columns = reports.course_columns(cohort)
    headers, values = reports.charts_table(reports.completion_over_time(cohort, columns),
                                           reports.score_distribution(cohort, columns))
    return _export(fmt, headers, values, f"cohort-{cohort.id}-{cohort.name}-charts", _("Charts"))


def _learner_or_404(public_id: str) -> User:
    user = session.execute(select(User).filter_by(public_id=public_id)).scalar_one_or_none()
    if user is None:
        abort(404)
    return user


@bp.route(f"{ADMIN}/learners/<public_id>")
@role_required("admin")
def transcript(public_id: str):
    found = reports.transcript(_learner_or_404(public_id))
    return render_template("lms/cohorts/transcript.html", transcript=found, confirm=ConfirmForm(),
                           status_text=reports.status_text, percent=reports.percent, day_text=reports.day_text,
                           moment_text=reports.moment_text, minutes=reports.minutes,
                           item_status_text=reports.item_status_text, item_kind_text=reports.item_kind_text,
                           certificate_state=lambda certificate: certificate.state(utcnow()))


@bp.route(f"{ADMIN}/learners/<public_id>.<any(csv, xlsx):fmt>")
@role_required("admin")
def transcript_export(public_id: str, fmt: str):
    user = _learner_or_404(public_id)
    headers, values = reports.transcript_table(reports.transcript(user))
    return _export(fmt, headers, values, f"transcript-{user.email}", _("Transcript"))


@bp.route(f"{ADMIN}/learners/<public_id>/invite", methods=["POST"])
@role_required("admin")
def reinvite(public_id: str):
    user = _learner_or_404(public_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not services.is_invited_only(user):
        flash(_("%(email)s has already set a password.", email=user.email), "info")
        return redirect(url_for("cohorts.transcript", public_id=public_id))
    token = services.invite(user, current_user.id)
    session.commit()
    _send_invitations([(user, token)])
    return redirect(request.form.get("next") if _is_local(request.form.get("next"))
                    else url_for("cohorts.transcript", public_id=public_id))


def _is_local(target: str | None) -> bool:
    return bool(target) and target.startswith("/") and not target.startswith("//") and "\\" not in target


def _send_invitations(invitations) -> None:
    """Send invitations after the commit that created them; a mail failure is reported, never rolls back."""
    if not invitations:
        return
    try:
        sent = services.send_invitations(invitations)
    except Exception:  # noqa: BLE001 - any transport error: the accounts exist, the admin can send again
        log.exception("sending %d invitation e-mails failed", len(invitations))
        flash(_("The invitation e-mails could not be sent. The accounts exist; send the invitations again from "
                "each learner's page once mail works."), "error")
        return
    flash(ngettext("%(num)d invitation e-mail sent.", "%(num)d invitation e-mails sent.", sent), "success")


def _export(fmt: str, headers: list[str], rows, name: str, sheet: str) -> Response:
    filename = f"{name}.{fmt}"
    ascii_name = exports.filename_safe(name) + f".{fmt}"
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    if fmt == "csv":
        return Response(stream_with_context(exports.csv_chunks(headers, rows)), mimetype="text/csv",
                        headers={"Content-Disposition": disposition})
    return Response(exports.xlsx_bytes(headers, rows, sheet),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": disposition})


# --- import --------------------------------------------------------------------------------------------------

@bp.route(f"{ADMIN}/import", methods=["GET", "POST"])
@role_required("admin")
def import_upload():
    form = ImportForm()
    if request.method == "GET" and request.args.get("cohort"):
        form.cohort.data = request.args["cohort"][:120]
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.stream.read(importing.MAX_BYTES + 1)
        try:
            importing.read_file_cached(data)
        except importing.ImportFileError as error:
            form.file.errors.append(messages.file_error(error))
        else:
            batch = importing.store_batch(data, upload.filename or "", form.cohort.data, current_user.id)
            session.commit()
            return redirect(url_for("cohorts.import_preview", batch_id=batch.id))
    return render_template("lms/cohorts/import.html", form=form,
                           cohorts=services.active_cohort_names()), 400 if form.errors else 200


def _plan_for(batch):
    return importing.plan_import(importing.read_file_cached(batch.content), batch.default_cohort)


@bp.route(f"{ADMIN}/import/<batch_id>")
@role_required("admin")
def import_preview(batch_id: str):
    batch = importing.batch_by_id(batch_id)
    if batch is None:
        abort(404)
    return _preview_page(batch, _plan_for(batch), 200)


def _preview_page(batch, plan, status: int):
    only_errors = request.args.get("show") == "errors"
    rows = plan.error_rows if only_errors else plan.rows
    per_page = 100
    pages = max(1, -(-len(rows) // per_page))
    page_number = min(max(1, _page_number()), pages)
    from lms.core.pagination import Page

    page = Page(items=rows[(page_number - 1) * per_page: page_number * per_page], page=page_number,
                per_page=per_page, total=len(rows))
    form = ApplyImportForm(formdata=None, batch=batch.id, digest=batch.content_hash)
    return render_template("lms/cohorts/import_preview.html", batch=batch, plan=plan, counts=plan.counts(),
                           page=page, only_errors=only_errors, form=form, row_error=messages.row_error,
                           row_outcomes=messages.row_outcomes, earlier=importing.earlier_application(batch),
                           moment_text=reports.moment_text), status


@bp.route(f"{ADMIN}/import/apply", methods=["POST"])
@role_required("admin")
def import_apply():
    form = ApplyImportForm()
    if not form.validate_on_submit():
        abort(400)
    batch = importing.batch_by_id(form.batch.data)
    if batch is None:
        flash(_("This upload is no longer kept. Upload the file again."), "error")
        return redirect(url_for("cohorts.import_upload"))
    if batch.content_hash != form.digest.data:
        abort(400)
    plan = _plan_for(batch)
    if plan.has_errors:
        flash(_("Nothing was changed: the rows below have errors. Correct the file and upload it again."), "error")
        return _preview_page(batch, plan, 400)
    try:
        result = importing.apply_import(plan, current_user.id, batch.filename, batch.content_hash)
        importing.mark_applied(batch, result, current_user.id)
    except services.CohortError as error:
        session.rollback()
        flash(_("Nothing was changed: %(reason)s", reason=messages.cohort_error(error)), "error")
        return redirect(url_for("cohorts.import_preview", batch_id=batch.id))
    session.commit()
    counts = result.counts
    if result.changed:
        flash(_("Applied: %(accounts)d new accounts, %(members)d cohort memberships, %(enrolments)d enrolments.",
                accounts=counts["new_accounts"], members=counts["memberships_added"],
                enrolments=counts["enrolments_added"]), "success")
    else:
        flash(_("Nothing to change: every row is already in place."), "info")
    _send_invitations(result.invitations)
    cohort_names = sorted({row.cohort for row in plan.rows if row.cohort})
    if len(cohort_names) == 1:
        cohort = services.cohort_by_name(cohort_names[0])
        if cohort is not None:
            return redirect(url_for("cohorts.members", cohort_id=cohort.id))
    return redirect(url_for("cohorts.index"))


# --- audit log -----------------------------------------------------------------------------------------------

def _audit_arguments():
    def day(name: str):
        try:
            return datetime.strptime(request.args.get(name, ""), "%Y-%m-%d").date()
        except ValueError:
            return None

    since, until = day("from"), day("to")
    zone = services.site_timezone()
    filters = {
        "action": request.args.get("action", "").strip()[:64] or None,
        "actor": request.args.get("actor", "").strip()[:254] or None,
        "subject": request.args.get("subject", "").strip()[:300] or None,
        "since": datetime.combine(since, time(0), tzinfo=zone) if since else None,
        "until": datetime.combine(until + timedelta(days=1), time(0), tzinfo=zone) if until else None,
    }
    shown = {"action": filters["action"] or "", "actor": filters["actor"] or "", "subject": filters["subject"] or "",
             "from": since.isoformat() if since else "", "to": until.isoformat() if until else ""}
    bad_dates = [name for name in ("from", "to") if request.args.get(name) and not shown[name]]
    return filters, shown, bad_dates


@bp.route(f"{ADMIN}/audit")
@role_required("admin")
def audit():
    filters, shown, bad_dates = _audit_arguments()
    page = paginate(audit_query(**filters), _page_number(), 50)
    return render_template("lms/cohorts/audit.html", page=page, shown=shown, actions=audit_actions(),
                           bad_dates=bad_dates, moment_text=reports.moment_text,
                           query={key: value for key, value in shown.items() if value}), 400 if bad_dates else 200


@bp.route(f"{ADMIN}/audit.csv")
@role_required("admin")
def audit_export():
    import json

    filters, _shown, _bad = _audit_arguments()
    headers = [_("When (UTC)"), _("Who"), _("Action"), _("Subject"), _("Details")]

    def rows():
        for entry in session.execute(audit_query(**filters).execution_options(yield_per=1000)).scalars():
            yield [entry.at.strftime("%Y-%m-%d %H:%M:%S"), entry.actor_email or _("system"), entry.action,
                   entry.subject, json.dumps(entry.details, ensure_ascii=False, sort_keys=True)]

    return _export("csv", headers, rows(), "audit-log", _("Audit log"))


# --- the invitation page (public) ----------------------------------------------------------------------------

@bp.route("/account/invitation/<token>", methods=["GET", "POST"])
def invitation(token: str):
    try:
        found = services.check_invitation(token)
    except services.InvitationError as error:
        return render_template("lms/cohorts/invitation_invalid.html",
                               message=messages.invitation_error(error)), 410 if error.code == "expired" else 404
    form = InvitationForm()
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(token, form.password.data)
        except services.InvitationError as error:
            session.rollback()
            form.password.errors.append(messages.invitation_error(error))
        else:
            session.commit()
            login_user(user)
            flash(_("Your password is set. Welcome, %(name)s!", name=user.display_name), "success")
            return redirect(url_for("learning.my_learning"))
    response = render_template("lms/cohorts/invitation.html", form=form, user=found.user)
    # The token is in the URL: keep it out of other sites' logs and caches.
    return response, 400 if form.errors else 200, {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
