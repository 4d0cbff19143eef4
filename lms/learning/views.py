from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from lms.core.views import area_blueprint
from lms.catalog.outline import outline
from lms.catalog.services import course_by_slug, course_media, latest_version
from lms.core.access import login_required
from lms.core.i18n import _
from lms.db import session
from lms.learning import services
from lms.learning.forms import EnrollForm, QuizForm

bp = area_blueprint("learning", __name__, template_folder="templates")


def _course_or_404(slug: str):
    course = course_by_slug(slug)
    if course is None:
        abort(404)
    return course


def _enrollment_or_redirect(course):
    enrollment = services.enrollment_for(current_user, course)
    if enrollment is None:
        flash(_("Enroll in the course first to open its lessons and quizzes."), "info")
    return enrollment


@bp.route("/courses/<slug>")
def course(slug: str):
    found = _course_or_404(slug)
    enrollment = services.enrollment_for(current_user, found) if current_user.is_authenticated else None
    progress = services.course_progress(current_user, enrollment) if enrollment else None
    if progress is not None:
        version = progress.version
    else:
        latest = latest_version(found.id)
        if latest is None:
            abort(404)
        version = outline(latest.id)
    return render_template("lms/learning/course.html", course=found, version=version, progress=progress,
                           enroll_form=EnrollForm())


@bp.route("/courses/<slug>/enroll", methods=["POST"])
@login_required
def enroll(slug: str):
    found = _course_or_404(slug)
    if not EnrollForm().validate_on_submit():
        abort(400)
    already = services.enrollment_for(current_user, found) is not None
    enrollment = services.enroll(current_user, found)
    session.commit()
    if not already:
        flash(_("You are enrolled. Here is the first lesson."), "success")
    first = outline(enrollment.version_id).items
    if first:
        return redirect(url_for("learning.item", slug=slug, kind=first[0].kind, item_slug=first[0].slug))
    return redirect(url_for("learning.course", slug=slug))


@bp.route("/courses/<slug>/<any(lesson, quiz, au, tincan, sco, asset):kind>/<item_slug>", methods=["GET", "POST"])
@login_required
def item(slug: str, kind: str, item_slug: str):
    if kind in ("au", "tincan"):  # launchable content has its own page, in the launch area
        return redirect(url_for("launch.item", slug=slug, kind=kind, item_slug=item_slug))
    if kind in ("sco", "asset"):  # a SCORM package's items play in the SCORM player
        return redirect(url_for("scorm.item", slug=slug, kind=kind, item_slug=item_slug))
    found = _course_or_404(slug)
    enrollment = _enrollment_or_redirect(found)
    if enrollment is None:
        return redirect(url_for("learning.course", slug=slug))
    version = outline(enrollment.version_id)
    current = version.item(kind, item_slug)
    if current is None:
        abort(404)
    items = version.items
    position = next(index for index, candidate in enumerate(items) if candidate.id == current.id)
    neighbours = {
        "previous": items[position - 1] if position > 0 else None,
        "next": items[position + 1] if position + 1 < len(items) else None,
        "position": position + 1, "count": len(items),
    }
    if kind == "lesson":
        if request.method == "POST":
            abort(405)
        if services.lesson_viewed(current_user, enrollment, current):
            session.commit()
        return render_template("lms/learning/lesson.html", course=found, version=version, lesson=current,
                               nav=neighbours)
    return _quiz(found, enrollment, current, neighbours)


def _quiz(course, enrollment, quiz, neighbours):
    form = QuizForm()
    left = services.attempts_left(current_user, enrollment, quiz)
    status = services.quiz_status(current_user, enrollment, quiz)
    questions = services.presented_questions(enrollment, quiz, status.attempts if status else 0)
    context = dict(course=course, version=outline(enrollment.version_id), quiz=quiz, nav=neighbours, form=form,
                   attempts_left=left, status=status, answers={}, missing=set(), questions=questions)
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        answers = {question["id"]: request.form.getlist(f"q-{question['id']}") for question in quiz.quiz["questions"]}
        missing = {question_id for question_id, chosen in answers.items() if not chosen}
        if missing:
            context.update(answers=answers, missing=missing)
            flash(_("Answer every question before you submit. The unanswered ones are marked."), "error")
            return render_template("lms/learning/quiz.html", **context), 400
        try:
            outcome = services.grade_quiz(current_user, enrollment, quiz, answers)
        except services.NoAttemptsLeft:
            session.rollback()
            flash(_("You have used all your attempts at this quiz."), "error")
            return redirect(url_for("learning.item", slug=course.slug, kind="quiz", item_slug=quiz.slug))
        session.commit()
        return render_template("lms/learning/quiz_result.html", course=course, quiz=quiz, outcome=outcome,
                               nav=neighbours)
    return render_template("lms/learning/quiz.html", **context)


@bp.route("/courses/<slug>/media/<digest>/<name>")
def media(slug: str, digest: str, name: str):
    """A course image, by content hash: it never changes, so browsers may keep it for good."""
    found = _course_or_404(slug)
    image = course_media(found.id, digest, name)
    if image is None:
        abort(404)
    response = Response(image.content, mimetype=image.content_type)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/my-learning")
@login_required
def my_learning():
    progress = [services.course_progress(current_user, enrollment)
                for enrollment in services.enrollments(current_user)]
    return render_template("lms/learning/my_learning.html", courses=progress)
