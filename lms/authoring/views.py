"""The authors' area: the course editor (drafts, lessons, quizzes, images), publishing and versions, co-authors,
preview as a learner, zip export and import, and the administrators' list of hosts lessons may embed.

Every page under /authoring/courses/<slug> and /authoring/preview/<slug> is for that course's owner, co-authors and
the administrators only (``_editable``); tests/authoring/test_access.py walks every such URL as another author.
"""

from __future__ import annotations

from flask import Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from lms.authoring import documents, preview, roundtrip, services
from lms.authoring.forms import (
    AddItemForm,
    AddModuleForm,
    ConfirmForm,
    CourseSettingsForm,
    EmbedHostsForm,
    ImageForm,
    ImportForm,
    InviteForm,
    LessonForm,
    ModuleForm,
    NewCourseForm,
    PublishForm,
    QuestionForm,
    QuizSettingsForm,
)
from lms.catalog.services import course_by_slug, latest_version
from lms.core.access import role_required
from lms.core.i18n import _, lazy_, ngettext, text
from lms.core.pagination import paginate
from lms.core.views import area_blueprint
from lms.db import session

bp = area_blueprint("authoring", __name__, template_folder="templates", url_prefix="/authoring")

AUTHORS = ("author", "admin")
MAX_PREVIEW_CHARS = 200_000

CHANGE_LABELS = {
    "course.create": lazy_("created the course"),
    "course.settings": lazy_("changed the course settings"),
    "course.import": lazy_("imported a zip"),
    "module.add": lazy_("added a module"),
    "module.edit": lazy_("renamed a module"),
    "module.delete": lazy_("deleted a module"),
    "module.move": lazy_("reordered modules"),
    "lesson.add": lazy_("added a lesson"),
    "lesson.edit": lazy_("edited a lesson"),
    "quiz.add": lazy_("added a quiz"),
    "quiz.edit": lazy_("changed quiz settings"),
    "item.move": lazy_("moved a lesson or quiz"),
    "item.delete": lazy_("deleted a lesson or quiz"),
    "question.add": lazy_("added a question"),
    "question.edit": lazy_("edited a question"),
    "question.delete": lazy_("deleted a question"),
    "question.move": lazy_("reordered questions"),
    "media.add": lazy_("uploaded an image"),
    "media.delete": lazy_("deleted an image"),
}


@bp.context_processor
def _helpers():
    return {"change_label": lambda action: CHANGE_LABELS.get(action, action),
            "untranslated_item": documents.untranslated_item,
            "untranslated_question": documents.untranslated_question}


# --- access -----------------------------------------------------------------------------------------------

def _editable(slug: str):
    """The course, if the signed-in user may edit it: 404 for no such course, 403 for someone else's."""
    course = course_by_slug(slug)
    if course is None:
        abort(404)
    if not services.can_edit(current_user, course):
        abort(403)
    return course


def _draft(course):
    """The course's draft (locked for a POST); without one, the answer is a redirect to the course's page."""
    draft = services.draft_for(course, lock=request.method == "POST")
    if draft is None:
        flash(_("This course has no draft. Start editing to make one."), "info")
        abort(redirect(url_for("authoring.course", slug=course.slug)))
    return draft


def _direction() -> str:
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)
    return direction


def _move(slug: str, move, action: str, subject: str, back: str):
    """Move a module, item or question up or down in the draft (``move(document, direction)`` says whether it
    moved; DocumentError for what does not exist), record the change, and go ``back``."""
    found = _editable(slug)
    _confirmed()
    draft = _draft(found)
    changed = services.working_copy(draft)
    try:
        moved = move(changed, _direction())
    except documents.DocumentError:
        abort(404)
    if moved:
        services.save(draft, current_user, changed, action, subject)
        session.commit()
    return redirect(back)


def _confirmed() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(400)


def _page() -> int:
    return request.args.get("page", 1, type=int)


def _language_map(en: str | None, zh: str | None) -> dict:
    return documents.language_map({"en": en or "", "zh-Hans": zh or ""})


# --- the authors' list and new courses --------------------------------------------------------------------

@bp.route("/")
@role_required(*AUTHORS)
def index():
    page = paginate(services.editable_courses_query(current_user), _page(), per_page=20)
    return render_template("lms/authoring/index.html", page=page,
                           rows=services.course_rows(current_user, page.items))


@bp.route("/courses/new", methods=["GET", "POST"])
@role_required(*AUTHORS)
def new_course():
    form = NewCourseForm()
    if form.validate_on_submit():
        try:
            course = services.create_course(current_user, form.slug.data, _language_map(form.title_en.data,
                                                                                         form.title_zh.data),
                                            _language_map(form.summary_en.data, form.summary_zh.data),
                                            form.audience.data, form.label.data)
        except services.AuthoringError as error:
            session.rollback()
            getattr(form, error.field or "slug").errors.append(str(error))
        else:
            session.commit()
            flash(_("The course is created as a draft. Add its first module below."), "success")
            return redirect(url_for("authoring.outline", slug=course.slug))
    return render_template("lms/authoring/new.html", form=form), 400 if form.errors else 200


# --- one course: overview, draft ----------------------------------------------------------------------------

@bp.route("/courses/<slug>")
@role_required(*AUTHORS)
def course(slug: str):
    found = _editable(slug)
    draft = services.draft_for(found)
    latest = latest_version(found.id)
    counts = services.learners_per_version([found.id])[found.id]
    return render_template("lms/authoring/course.html", course=found, draft=draft, latest=latest,
                           row=services.course_rows(current_user, [found])[0], learners=sum(counts.values()),
                           role=services.author_role(current_user, found), owner=services.owner_of(found),
                           pending=services.pending_changes(found) if draft else [], confirm=ConfirmForm())


@bp.route("/courses/<slug>/draft", methods=["POST"])
@role_required(*AUTHORS)
def start_draft(slug: str):
    found = _editable(slug)
    _confirmed()
    try:
        services.start_draft(found, current_user)
    except services.SourceUnavailable as error:
        session.rollback()
        flash(str(error), "error")
        return redirect(url_for("authoring.course", slug=slug))
    session.commit()
    return redirect(url_for("authoring.outline", slug=slug))


@bp.route("/courses/<slug>/draft/discard", methods=["GET", "POST"])
@role_required(*AUTHORS)
def discard_draft(slug: str):
    found = _editable(slug)
    draft = _draft(found)
    form = ConfirmForm()
    never_published = latest_version(found.id) is None
    if form.validate_on_submit():
        deleted = services.discard_draft(found, current_user)
        session.commit()
        if deleted:
            flash(_("The course was never published, so it is deleted with its draft."), "success")
            return redirect(url_for("authoring.index"))
        flash(_("The draft is discarded. Learners see the published version, as before."), "success")
        return redirect(url_for("authoring.course", slug=slug))
    return render_template("lms/authoring/confirm.html", course=found, form=form,
                           title=_("Discard the draft?"),
                           message=_("This deletes the course and everything in it, because it was never "
                                     "published.") if never_published else
                           _("Every change since the last published version is lost. Learners are not affected."),
                           button=_("Discard the draft"), back=url_for("authoring.course", slug=slug))


# --- outline: settings, modules, items --------------------------------------------------------------------

def _render_outline(course, draft, add_module=None, add_item=None, status=200):
    item_forms = {module["slug"]: AddItemForm(prefix=f"add-{module['slug']}", formdata=None)
                  for module in draft.document["modules"]}
    if add_item is not None:
        item_forms[add_item[0]] = add_item[1]
    return render_template("lms/authoring/outline.html", course=course, draft=draft, doc=draft.document,
                           add_module=add_module or AddModuleForm(formdata=None), item_forms=item_forms,
                           confirm=ConfirmForm(), settings_untranslated=documents.untranslated_settings(
                               draft.document)), status


@bp.route("/courses/<slug>/edit")
@role_required(*AUTHORS)
def outline(slug: str):
    found = _editable(slug)
    draft = _draft(found)
    return _render_outline(found, draft)


@bp.route("/courses/<slug>/settings", methods=["GET", "POST"])
@role_required(*AUTHORS)
def settings(slug: str):
    found = _editable(slug)
    draft = _draft(found)
    doc = draft.document
    form = CourseSettingsForm(data={
        "title_en": doc["title"].get("en"), "title_zh": doc["title"].get("zh-Hans"),
        "summary_en": doc.get("summary", {}).get("en"), "summary_zh": doc.get("summary", {}).get("zh-Hans"),
        "audience": doc.get("audience", []), "label": doc.get("label") or ""})
    if form.validate_on_submit():
        changed = services.working_copy(draft)
        documents.set_settings(changed, _language_map(form.title_en.data, form.title_zh.data),
                               _language_map(form.summary_en.data, form.summary_zh.data), form.audience.data,
                               form.label.data)
        services.save(draft, current_user, changed, "course.settings")
        session.commit()
        flash(_("Course settings saved in the draft."), "success")
        return redirect(url_for("authoring.outline", slug=slug))
    return render_template("lms/authoring/settings.html", course=found, draft=draft, form=form), \
        400 if form.errors else 200


@bp.route("/courses/<slug>/modules", methods=["POST"])
@role_required(*AUTHORS)
def add_module(slug: str):
    found = _editable(slug)
    draft = _draft(found)
    form = AddModuleForm()
    if not form.validate_on_submit():
        return _render_outline(found, draft, add_module=form, status=400)
    changed = services.working_copy(draft)
    module_slug = documents.add_module(changed, _language_map(form.title_en.data, form.title_zh.data))
    services.save(draft, current_user, changed, "module.add", module_slug)
    session.commit()
    flash(_("Module added."), "success")
    return redirect(url_for("authoring.outline", slug=slug, _anchor=f"module-{module_slug}"))


@bp.route("/courses/<slug>/modules/<module_slug>", methods=["GET", "POST"])
@role_required(*AUTHORS)
def module(slug: str, module_slug: str):
    found = _editable(slug)
    draft = _draft(found)
    try:
        current = documents.find_module(draft.document, module_slug)
    except documents.DocumentError:
        abort(404)
    form = ModuleForm(data={"title_en": current["title"].get("en"), "title_zh": current["title"].get("zh-Hans")})
    if form.validate_on_submit():
        changed = services.working_copy(draft)
        documents.rename_module(changed, module_slug, _language_map(form.title_en.data, form.title_zh.data))
        services.save(draft, current_user, changed, "module.edit", module_slug)
        session.commit()
        flash(_("Module saved."), "success")
        return redirect(url_for("authoring.outline", slug=slug, _anchor=f"module-{module_slug}"))
    return render_template("lms/authoring/module.html", course=found, draft=draft, module=current, form=form), \
        400 if form.errors else 200


@bp.route("/courses/<slug>/modules/<module_slug>/move", methods=["POST"])
@role_required(*AUTHORS)
def move_module(slug: str, module_slug: str):
    return _move(slug, lambda document, direction: documents.move_module(document, module_slug, direction),
                 "module.move", module_slug,
                 url_for("authoring.outline", slug=slug, _anchor=f"module-{module_slug}"))


@bp.route("/courses/<slug>/modules/<module_slug>/delete", methods=["POST"])
@role_required(*AUTHORS)
def delete_module(slug: str, module_slug: str):
    found = _editable(slug)
    _confirmed()
    draft = _draft(found)
    changed = services.working_copy(draft)
    try:
        documents.delete_module(changed, module_slug)
    except documents.DocumentError as error:
        flash(str(error), "error")
        return redirect(url_for("authoring.outline", slug=slug))
    services.save(draft, current_user, changed, "module.delete", module_slug)
    session.commit()
    flash(_("Module deleted."), "success")
    return redirect(url_for("authoring.outline", slug=slug))


@bp.route("/courses/<slug>/modules/<module_slug>/items", methods=["POST"])
@role_required(*AUTHORS)
def add_item(slug: str, module_slug: str):
    found = _editable(slug)
    draft = _draft(found)
    form = AddItemForm(prefix=f"add-{module_slug}")
    if form.validate_on_submit():
        changed = services.working_copy(draft)
        try:
            item_slug = documents.add_item(changed, module_slug, form.kind.data, {"en": form.title_en.data},
                                           form.slug.data)
        except documents.DocumentError as error:
            if error.field is None:
                abort(404)
            getattr(form, error.field).errors.append(str(error))
        else:
            services.save(draft, current_user, changed, f"{form.kind.data}.add", item_slug)
            session.commit()
            return redirect(url_for(f"authoring.{form.kind.data}", slug=slug, item_slug=item_slug))
    return _render_outline(found, draft, add_item=(module_slug, form), status=400)


@bp.route("/courses/<slug>/<any(lesson, quiz):kind>/<item_slug>/move", methods=["POST"])
@role_required(*AUTHORS)
def move_item(slug: str, kind: str, item_slug: str):
    return _move(slug, lambda document, direction: documents.move_item(document, kind, item_slug, direction),
                 "item.move", f"{kind}:{item_slug}",
                 url_for("authoring.outline", slug=slug, _anchor=f"{kind}-{item_slug}"))


@bp.route("/courses/<slug>/<any(lesson, quiz):kind>/<item_slug>/delete", methods=["GET", "POST"])
@role_required(*AUTHORS)
def delete_item(slug: str, kind: str, item_slug: str):
    found = _editable(slug)
    draft = _draft(found)
    try:
        item = documents.find_item(draft.document, kind, item_slug)
    except documents.DocumentError:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        changed = services.working_copy(draft)
        documents.delete_item(changed, kind, item_slug)
        services.save(draft, current_user, changed, "item.delete", f"{kind}:{item_slug}")
        session.commit()
        flash(_("Deleted from the draft. The published version keeps it until you publish."), "success")
        return redirect(url_for("authoring.outline", slug=slug))
    return render_template("lms/authoring/confirm.html", course=found, form=form,
                           title=_("Delete “%(title)s”?", title=text(item["title"]) or item_slug),
                           message=_("It is removed from the draft. Learners keep what they did in it; if you add "
                                     "it again with the same short name, their progress counts again."),
                           button=_("Delete"), back=url_for("authoring.outline", slug=slug))


# --- lessons ----------------------------------------------------------------------------------------------

@bp.route("/courses/<slug>/lesson/<item_slug>", methods=["GET", "POST"])
@role_required(*AUTHORS)
def lesson(slug: str, item_slug: str):
    found = _editable(slug)
    draft = _draft(found)
    try:
        current = documents.find_item(draft.document, "lesson", item_slug)
    except documents.DocumentError:
        abort(404)
    title, source = current.get("title") or {}, current.get("source") or {}
    form = LessonForm(data={"base": documents.fingerprint(current), "title_en": title.get("en"),
                            "title_zh": title.get("zh-Hans"), "body_en": source.get("en"),
                            "body_zh": source.get("zh-Hans"), "minutes": current.get("minutes")})
    digests = services.draft_media_digests(draft)
    previews, status = None, 200
    if request.method == "POST" and form.preview.data:
        if not form.validate_on_submit():
            abort(400)
        hosts = services.embed_hosts()
        previews = {"en": preview.render_lesson_source(form.body_en.data or "", digests, hosts),
                    "zh-Hans": preview.render_lesson_source(form.body_zh.data or "", digests, hosts)}
    elif form.validate_on_submit():
        if form.base.data != documents.fingerprint(current):
            form.base.data = documents.fingerprint(current)
            flash(_("Someone else saved this lesson after you opened it, so your changes were not saved. They are "
                    "still in the form: compare, then save again."), "error")
            status = 409
        else:
            changed = services.working_copy(draft)
            new_title = _language_map(form.title_en.data, form.title_zh.data)
            new_source = _language_map(form.body_en.data, form.body_zh.data)
            documents.set_lesson(changed, item_slug, new_title, form.minutes.data, new_source)
            languages = [language for language in ("en", "zh-Hans")
                         if new_title.get(language) != title.get(language)
                         or new_source.get(language) != source.get(language)]
            for language in languages or [None]:
                services.save(draft, current_user, changed, "lesson.edit", item_slug, language)
            session.commit()
            flash(_("Lesson saved in the draft."), "success")
            return redirect(url_for("authoring.lesson", slug=slug, item_slug=item_slug))
    elif form.errors:
        status = 400
    return render_template("lms/authoring/lesson.html", course=found, draft=draft, lesson=current, form=form,
                           previews=previews, media=sorted(digests), todo=_item_todo(draft, "lesson", item_slug)), \
        status


@bp.route("/courses/<slug>/markdown-preview", methods=["POST"])
@role_required(*AUTHORS)
def markdown_preview(slug: str):
    """JSON: {"source": Markdown} -> {"html": what learners will see}, rendered like every published lesson."""
    found = _editable(slug)
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        try:
            validate_csrf(request.headers.get("X-CSRFToken") or request.form.get("csrf_token"))
        except (ValidationError, CSRFError):
            return jsonify(error=_("The page has expired. Reload it and try again.")), 400
    payload = request.get_json(silent=True) if request.is_json else request.form
    source = (payload or {}).get("source")
    if not isinstance(source, str):
        return jsonify(error=_("Send the lesson text as “source”.")), 400
    if len(source) > MAX_PREVIEW_CHARS:
        return jsonify(error=_("The text is too long to preview.")), 400
    draft = services.draft_for(found)
    digests = services.draft_media_digests(draft) if draft else {}
    return jsonify(html=preview.render_lesson_source(source, digests, services.embed_hosts()))


def _item_todo(draft, kind: str, item_slug: str) -> list[services.Problem]:
    return services.item_problems(draft, kind, item_slug)


# --- quizzes and questions --------------------------------------------------------------------------------

@bp.route("/courses/<slug>/quiz/<item_slug>", methods=["GET", "POST"])
@role_required(*AUTHORS)
def quiz(slug: str, item_slug: str):
    found = _editable(slug)
    draft = _draft(found)
    try:
        current = documents.find_item(draft.document, "quiz", item_slug)
    except documents.DocumentError:
        abort(404)
    settings_part = {"title": current.get("title"), **{k: v for k, v in current["quiz"].items() if k != "questions"}}
    form = QuizSettingsForm(data={"base": documents.fingerprint(settings_part),
                                  "title_en": current["title"].get("en"), "title_zh": current["title"].get("zh-Hans"),
                                  "pass_mark": current["quiz"].get("pass_mark", 70),
                                  "max_attempts": current["quiz"].get("max_attempts", 0),
                                  "shuffle": current["quiz"].get("shuffle", True)})
    status = 200
    if form.validate_on_submit():
        if form.base.data != documents.fingerprint(settings_part):
            form.base.data = documents.fingerprint(settings_part)
            flash(_("Someone else saved this quiz after you opened it, so your changes were not saved. They are "
                    "still in the form: compare, then save again."), "error")
            status = 409
        else:
            changed = services.working_copy(draft)
            documents.set_quiz(changed, item_slug, _language_map(form.title_en.data, form.title_zh.data),
                               form.pass_mark.data, form.max_attempts.data, form.shuffle.data)
            services.save(draft, current_user, changed, "quiz.edit", item_slug)
            session.commit()
            flash(_("Quiz settings saved in the draft."), "success")
            return redirect(url_for("authoring.quiz", slug=slug, item_slug=item_slug))
    elif form.errors:
        status = 400
    return render_template("lms/authoring/quiz.html", course=found, draft=draft, quiz=current, form=form,
                           confirm=ConfirmForm(), todo=_item_todo(draft, "quiz", item_slug)), status


def _question_value(form: QuestionForm) -> documents.QuestionInput:
    options = [documents.OptionInput(text=_language_map(entry.form.text_en.data, entry.form.text_zh.data),
                                     is_correct=bool(entry.form.correct.data), id=entry.form.option_id.data or None)
               for entry in form.options.entries]
    answer = {"true": True, "false": False}.get(form.answer.data or "")
    return documents.QuestionInput(type=form.type.data, prompt=_language_map(form.prompt_en.data, form.prompt_zh.data),
                                   feedback=_language_map(form.feedback_en.data, form.feedback_zh.data),
                                   answer=answer, options=options if form.type.data != "true_false" else [])


def _blank_options(form: QuestionForm, count: int) -> None:
    for _index in range(count):
        form.options.append_entry({"option_id": "", "text_en": "", "text_zh": "", "correct": False})


@bp.route("/courses/<slug>/quiz/<item_slug>/questions/new", methods=["GET", "POST"])
@bp.route("/courses/<slug>/quiz/<item_slug>/questions/<question_id>", methods=["GET", "POST"])
@role_required(*AUTHORS)
def question(slug: str, item_slug: str, question_id: str | None = None):
    found = _editable(slug)
    draft = _draft(found)
    try:
        quiz_item = documents.find_item(draft.document, "quiz", item_slug)
        current = documents.find_question(quiz_item, question_id) if question_id else None
    except documents.DocumentError:
        abort(404)
    if request.method == "POST":
        form = QuestionForm()
    elif current is not None:
        answer = current.get("answer")
        form = QuestionForm(data={
            "base": documents.fingerprint(current), "type": current.get("type", "single"),
            "prompt_en": current.get("prompt", {}).get("en"), "prompt_zh": current.get("prompt", {}).get("zh-Hans"),
            "feedback_en": (current.get("feedback") or {}).get("en"),
            "feedback_zh": (current.get("feedback") or {}).get("zh-Hans"),
            "answer": None if answer is None else ("true" if answer else "false")})
        for option in current.get("options", []):
            form.options.append_entry({"option_id": option["id"], "text_en": option["text"].get("en"),
                                       "text_zh": option["text"].get("zh-Hans"), "correct": option.get("correct")})
        _blank_options(form, 2)
    else:
        form = QuestionForm(formdata=None)
        _blank_options(form, 4)
    status = 200
    if form.validate_on_submit():
        if current is not None and form.base.data != documents.fingerprint(current):
            form.base.data = documents.fingerprint(current)
            flash(_("Someone else saved this question after you opened it, so your changes were not saved. They "
                    "are still in the form: compare, then save again."), "error")
            status = 409
        else:
            changed = services.working_copy(draft)
            try:
                if current is None:
                    question_id = documents.add_question(changed, item_slug, _question_value(form))
                    action = "question.add"
                else:
                    documents.set_question(changed, item_slug, question_id, _question_value(form))
                    action = "question.edit"
            except documents.DocumentError as error:
                getattr(form, error.field or "type").errors.append(str(error))
                status = 400
            else:
                services.save(draft, current_user, changed, action, f"{item_slug}/{question_id}")
                session.commit()
                flash(_("Question saved in the draft."), "success")
                return redirect(url_for("authoring.quiz", slug=slug, item_slug=item_slug,
                                        _anchor=f"question-{question_id}"))
    elif form.errors:
        status = 400
    todo = [problem for problem in _item_todo(draft, "quiz", item_slug)
            if question_id and problem.question_id == question_id]
    return render_template("lms/authoring/question.html", course=found, draft=draft, quiz=quiz_item,
                           question=current, question_id=question_id, form=form, todo=todo), status


@bp.route("/courses/<slug>/quiz/<item_slug>/questions/<question_id>/move", methods=["POST"])
@role_required(*AUTHORS)
def move_question(slug: str, item_slug: str, question_id: str):
    return _move(slug, lambda document, direction: documents.move_question(document, item_slug, question_id,
                                                                            direction),
                 "question.move", item_slug,
                 url_for("authoring.quiz", slug=slug, item_slug=item_slug, _anchor=f"question-{question_id}"))


@bp.route("/courses/<slug>/quiz/<item_slug>/questions/<question_id>/delete", methods=["POST"])
@role_required(*AUTHORS)
def delete_question(slug: str, item_slug: str, question_id: str):
    found = _editable(slug)
    _confirmed()
    draft = _draft(found)
    changed = services.working_copy(draft)
    try:
        documents.delete_question(changed, item_slug, question_id)
    except documents.DocumentError:
        abort(404)
    services.save(draft, current_user, changed, "question.delete", f"{item_slug}/{question_id}")
    session.commit()
    flash(_("Question deleted from the draft."), "success")
    return redirect(url_for("authoring.quiz", slug=slug, item_slug=item_slug))


# --- images -----------------------------------------------------------------------------------------------

@bp.route("/courses/<slug>/images", methods=["GET", "POST"])
@role_required(*AUTHORS)
def images(slug: str):
    found = _editable(slug)
    draft = _draft(found)
    form = ImageForm()
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            media = services.add_image(draft, current_user, upload.filename or "", upload.read(5 * 1024 * 1024 + 1))
        except services.AuthoringError as error:
            session.rollback()
            form.file.errors.append(str(error))
            status = 400
        else:
            session.commit()
            flash(_("Image stored as %(name)s. Write ![what it shows](media/%(name)s) in a lesson to show it.",
                    name=media.name), "success")
            return redirect(url_for("authoring.images", slug=slug))
    elif form.errors:
        status = 400
    page = paginate(services.draft_media_query(draft), _page(), per_page=30)
    return render_template("lms/authoring/images.html", course=found, draft=draft, form=form, page=page,
                           confirm=ConfirmForm()), status


@bp.route("/courses/<slug>/images/<name>/delete", methods=["POST"])
@role_required(*AUTHORS)
def delete_image(slug: str, name: str):
    found = _editable(slug)
    _confirmed()
    draft = _draft(found)
    try:
        services.delete_image(draft, current_user, name)
    except services.AuthoringError:
        abort(404)
    session.commit()
    flash(_("Image deleted from the draft."), "success")
    return redirect(url_for("authoring.images", slug=slug))


@bp.route("/courses/<slug>/media/<digest>/<name>")
@role_required(*AUTHORS)
def media(slug: str, digest: str, name: str):
    """An image of the draft (or a published version), for the editor's previews."""
    found = _editable(slug)
    image = services.image_for_editor(found, digest, name)
    if image is None:
        abort(404)
    response = Response(image[0], mimetype=image[1])
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- publishing, versions, learners -----------------------------------------------------------------------

def _compare_with_latest(course, draft):
    latest = latest_version(course.id)
    if latest is None:
        return latest, documents.compare(None, draft.document, None, services.draft_media_digests(draft)), True
    try:
        old, old_media = services.version_document(latest)
    except services.SourceUnavailable:
        return latest, None, False
    return latest, documents.compare(old, draft.document, old_media, services.draft_media_digests(draft)), True


@bp.route("/courses/<slug>/publish", methods=["GET", "POST"])
@role_required(*AUTHORS)
def publish(slug: str):
    found = _editable(slug)
    draft = _draft(found)
    form = PublishForm()
    status = 200
    if form.validate_on_submit():
        try:
            published = services.publish_draft(draft, current_user, form.note.data, form.move_learners.data)
        except services.PublishBlocked:
            session.rollback()
            status = 400
        except services.NothingToPublish:
            session.rollback()
            flash(_("Nothing to publish: the draft is the same as the newest version."), "error")
            return redirect(url_for("authoring.publish", slug=slug))
        else:
            session.commit()
            message = _("Version %(number)d is published.", number=published.version.number)
            if form.move_learners.data:
                message += " " + ngettext("%(num)d learner was moved to it.", "%(num)d learners were moved to it.",
                                          published.moved_learners)
            flash(message, "success")
            return redirect(url_for("authoring.versions", slug=slug))
    elif form.errors:
        status = 400
    draft = services.draft_for(found)
    problems = services.draft_problems(draft)
    latest, changes, comparable = _compare_with_latest(found, draft)
    session.commit()  # a version loaded from files may just have had its files kept (version_source)
    counts = services.learners_per_version([found.id])[found.id]
    return render_template("lms/authoring/publish.html", course=found, draft=draft, form=form, problems=problems,
                           latest=latest, changes=changes, comparable=comparable, stale=services.is_stale(draft),
                           learners=sum(counts.values()), pending=services.pending_changes(found)), status


@bp.route("/courses/<slug>/versions")
@role_required(*AUTHORS)
def versions(slug: str):
    found = _editable(slug)
    page = paginate(services.versions_query(found), _page(), per_page=10)
    ids = [version.id for version in page.items]
    latest = latest_version(found.id)
    return render_template("lms/authoring/versions.html", course=found, page=page, latest=latest,
                           sources=services.version_sources(ids), changes=services.version_changes(ids),
                           learners=services.learners_per_version([found.id])[found.id], confirm=ConfirmForm(),
                           draft=services.draft_for(found))


@bp.route("/courses/<slug>/versions/<int:number>/move-learners", methods=["POST"])
@role_required(*AUTHORS)
def move_learners(slug: str, number: int):
    found = _editable(slug)
    _confirmed()
    source = services.version_by_number(found, number)
    latest = latest_version(found.id)
    if source is None or latest is None:
        abort(404)
    moved = services.move_learners_to(found, latest, current_user, from_version=source)
    session.commit()
    flash(ngettext("%(num)d learner moved to version %(number)d.", "%(num)d learners moved to version %(number)d.",
                   moved, number=latest.number), "success")
    return redirect(url_for("authoring.versions", slug=slug))


@bp.route("/courses/<slug>/versions/<int:number>/diff")
@role_required(*AUTHORS)
def version_diff(slug: str, number: int):
    found = _editable(slug)
    version = services.version_by_number(found, number)
    if version is None:
        abort(404)
    previous = services.version_by_number(found, number - 1) if number > 1 else None
    try:
        new, new_media = services.version_document(version)
        old, old_media = services.version_document(previous) if previous else (None, None)
    except services.SourceUnavailable as error:
        session.rollback()
        return render_template("lms/authoring/diff.html", course=found, unavailable=str(error),
                               title=_("Changes in version %(number)d", number=number)), 200
    session.commit()
    return render_template("lms/authoring/diff.html", course=found, unavailable=None,
                           title=_("Changes in version %(number)d", number=number),
                           changes=documents.compare(old, new, old_media, new_media),
                           diffs=services.lesson_diffs(old, new), old_label=_("Version %(number)d", number=number - 1)
                           if previous else _("Nothing (first version)"),
                           new_label=_("Version %(number)d", number=number))


@bp.route("/courses/<slug>/draft/diff")
@role_required(*AUTHORS)
def draft_diff(slug: str):
    found = _editable(slug)
    draft = _draft(found)
    latest, changes, comparable = _compare_with_latest(found, draft)
    if not comparable:
        session.rollback()
        return render_template("lms/authoring/diff.html", course=found, title=_("Changes in the draft"),
                               unavailable=_("The files of the newest version are not stored, so the draft cannot "
                                             "be compared with it.")), 200
    old = services.version_document(latest)[0] if latest else None
    session.commit()
    return render_template("lms/authoring/diff.html", course=found, unavailable=None,
                           title=_("Changes in the draft"), changes=changes,
                           diffs=services.lesson_diffs(old, draft.document),
                           old_label=_("Version %(number)d", number=latest.number) if latest else
                           _("Nothing (first version)"), new_label=_("Draft"))


# --- co-authors -------------------------------------------------------------------------------------------

@bp.route("/courses/<slug>/authors", methods=["GET", "POST"])
@role_required(*AUTHORS)
def authors(slug: str):
    found = _editable(slug)
    may_manage = services.can_manage_authors(current_user, found)
    form = InviteForm()
    status = 200
    if request.method == "POST":
        if not may_manage:
            abort(403)
        if form.validate_on_submit():
            try:
                added = services.invite_coauthor(found, current_user, form.email.data)
            except services.AuthoringError as error:
                session.rollback()
                form.email.errors.append(str(error))
                status = 400
            else:
                session.commit()
                flash(_("%(name)s can now edit this course.", name=added.user.display_name), "success")
                return redirect(url_for("authoring.authors", slug=slug))
        else:
            status = 400
    page = paginate(services.authors_query(found), _page(), per_page=25)
    return render_template("lms/authoring/authors.html", course=found, page=page, form=form, may_manage=may_manage,
                           confirm=ConfirmForm(), draft=services.draft_for(found)), status


@bp.route("/courses/<slug>/authors/<int:user_id>/remove", methods=["POST"])
@role_required(*AUTHORS)
def remove_author(slug: str, user_id: int):
    found = _editable(slug)
    if not services.can_manage_authors(current_user, found):
        abort(403)
    _confirmed()
    try:
        removed = services.remove_coauthor(found, current_user, user_id)
    except services.AuthoringError:
        abort(404)
    session.commit()
    flash(_("%(name)s can no longer edit this course.", name=removed.display_name), "success")
    return redirect(url_for("authoring.authors", slug=slug))


# --- zips -------------------------------------------------------------------------------------------------

@bp.route("/courses/<slug>/export")
@role_required(*AUTHORS)
def export(slug: str):
    found = _editable(slug)
    if request.args.get("draft"):
        draft = services.draft_for(found)
        if draft is None:
            abort(404)
        data, suffix = roundtrip.export_draft(draft), "draft"
    else:
        number = request.args.get("version", type=int)
        version = services.version_by_number(found, number) if number else latest_version(found.id)
        if version is None:
            abort(404)
        try:
            data = roundtrip.export_version(version)
        except services.SourceUnavailable as error:
            session.rollback()
            flash(str(error), "error")
            return redirect(url_for("authoring.course", slug=slug))
        session.commit()  # a version loaded from files keeps the files it was made from
        suffix = f"v{version.number}"
    response = Response(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{slug}-{suffix}.zip"'
    return response


@bp.route("/import", methods=["GET", "POST"])
@role_required(*AUTHORS)
def import_course():
    form = ImportForm()
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(roundtrip.MAX_ZIP_BYTES + 1)
        try:
            roundtrip.plan_import(data, current_user)
        except roundtrip.CourseZipError as error:
            session.rollback()
            form.file.errors.append(str(error))
            status = 400
        else:
            session.rollback()  # checking changes nothing; the upload is kept until it is confirmed
            pending = services.keep_upload(current_user, upload.filename or "", data)
            session.commit()
            return redirect(url_for("authoring.import_preview", token=pending.token))
    elif form.errors:
        status = 400
    return render_template("lms/authoring/import.html", form=form), status


def _pending_or_404(token: str):
    pending = services.pending_upload(current_user, token)
    if pending is None:
        abort(404)
    return pending


@bp.route("/import/<token>")
@role_required(*AUTHORS)
def import_preview(token: str):
    pending = _pending_or_404(token)
    try:
        plan = roundtrip.plan_import(pending.content, current_user)
    except roundtrip.CourseZipError as error:
        session.rollback()
        flash(str(error), "error")
        return redirect(url_for("authoring.import_course"))
    session.rollback()
    return render_template("lms/authoring/import_preview.html", plan=plan, pending=pending, confirm=ConfirmForm())


@bp.route("/import/<token>/apply", methods=["POST"])
@role_required(*AUTHORS)
def import_apply(token: str):
    pending = _pending_or_404(token)
    _confirmed()
    try:
        plan = roundtrip.plan_import(pending.content, current_user)
    except roundtrip.CourseZipError as error:
        session.rollback()
        flash(str(error), "error")
        return redirect(url_for("authoring.import_course"))
    draft = roundtrip.apply_import(plan, current_user)
    slug = draft.course.slug
    services.drop_upload(pending)
    session.commit()
    flash(_("The zip is now the draft of %(slug)s. Check it, then publish it.", slug=slug), "success")
    return redirect(url_for("authoring.course", slug=slug))


@bp.route("/import/<token>/cancel", methods=["POST"])
@role_required(*AUTHORS)
def import_cancel(token: str):
    pending = _pending_or_404(token)
    _confirmed()
    services.drop_upload(pending)
    session.commit()
    flash(_("Import cancelled; nothing was changed."), "info")
    return redirect(url_for("authoring.index"))


# --- preview as a learner ---------------------------------------------------------------------------------

def _preview_url_for(endpoint: str, **values) -> str:
    # The learner templates link to the learner pages; in a preview those links stay in the preview.
    if endpoint == "learning.item":
        return url_for("authoring.preview_item", **values)
    if endpoint in ("learning.course", "learning.enroll"):
        return url_for("authoring.preview_course", slug=values["slug"])
    return url_for(endpoint, **values)


def _preview_outline(course):
    draft = services.draft_for(course)
    if draft is None:
        return None, None
    return draft, preview.draft_outline(course, draft.document, services.draft_media_digests(draft),
                                        services.embed_hosts())


def _fresh_progress(version):
    from lms.learning.services import CourseProgress, ModuleProgress

    # What a learner who just enrolled sees: every item linked, none done. Nothing is stored.
    return CourseProgress(enrollment=None, version=version, is_completed=False, modules=[
        ModuleProgress(module, [(item, None, False) for item in module.items], False) for module in version.modules])


@bp.route("/preview/<slug>")
@role_required(*AUTHORS)
def preview_course(slug: str):
    found = _editable(slug)
    draft, version = _preview_outline(found)
    if draft is None:
        flash(_("This course has no draft to preview."), "info")
        return redirect(url_for("authoring.course", slug=slug))
    from lms.learning.forms import EnrollForm

    return render_template("lms/authoring/preview/course.html", course=found, version=version,
                           progress=_fresh_progress(version), enroll_form=EnrollForm(), url_for=_preview_url_for)


@bp.route("/preview/<slug>/<any(lesson, quiz):kind>/<item_slug>", methods=["GET", "POST"])
@role_required(*AUTHORS)
def preview_item(slug: str, kind: str, item_slug: str):
    from lms.learning.forms import QuizForm
    from lms.learning.services import QuestionOutcome, QuizOutcome, _correct_choices

    found = _editable(slug)
    draft, version = _preview_outline(found)
    if draft is None:
        return redirect(url_for("authoring.course", slug=slug))
    current = version.item(kind, item_slug)
    if current is None:
        abort(404)
    items = version.items
    position = next(index for index, candidate in enumerate(items) if candidate.id == current.id)
    nav = {"previous": items[position - 1] if position > 0 else None,
           "next": items[position + 1] if position + 1 < len(items) else None,
           "position": position + 1, "count": len(items)}
    common = dict(course=found, version=version, nav=nav, url_for=_preview_url_for)
    if kind == "lesson":
        if request.method == "POST":
            abort(405)
        return render_template("lms/authoring/preview/lesson.html", lesson=current, **common)
    form = QuizForm()
    questions = [dict(question) for question in current.quiz.get("questions", [])]
    context = dict(quiz=current, form=form, attempts_left=None, status=None, answers={}, missing=set(),
                   questions=questions, gradable=preview.quiz_is_gradable(current.quiz), **common)
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        if not context["gradable"]:
            flash(_("This quiz cannot be tried yet: every question needs its options or its true/false answer."),
                  "error")
            return render_template("lms/authoring/preview/quiz.html", **context), 400
        answers = {question["id"]: request.form.getlist(f"q-{question['id']}") for question in questions}
        missing = {question_id for question_id, chosen in answers.items() if not chosen}
        if missing:
            context.update(answers=answers, missing=missing)
            flash(_("Answer every question before you submit. The unanswered ones are marked."), "error")
            return render_template("lms/authoring/preview/quiz.html", **context), 400
        # Graded like the real quiz (the same rule), but nothing is recorded: no statement, no attempt, no progress.
        outcomes = [QuestionOutcome(question, sorted(set(answers[question["id"]])),
                                    sorted(set(answers[question["id"]])) == _correct_choices(question))
                    for question in questions]
        raw = sum(outcome.is_correct for outcome in outcomes)
        outcome = QuizOutcome(questions=outcomes, raw=raw, maximum=len(questions),
                              is_passed=_preview_passed(version, current, raw, len(questions)),
                              attempts_used=0, attempts_left=None)
        return render_template("lms/authoring/preview/quiz_result.html", quiz=current, outcome=outcome, **common)
    return render_template("lms/authoring/preview/quiz.html", **context)


def _preview_passed(version, quiz, raw: int, maximum: int) -> bool:
    # The pass rule lives in the statement builder: the preview asks it, and records the statement nowhere.
    from lms.learning import activities
    from lms.tracking import statements as build

    context = build.LearningContext(base_url=activities.base_url(), registration="preview",
                                    course=activities.course_activity(version), course_version=0)
    graded = build.quiz_graded({}, activities.item_activity(version.course.slug, quiz), raw, maximum,
                               quiz.quiz.get("pass_mark", 70), context)
    return graded["result"]["success"]


@bp.route("/preview/<slug>/media/<digest>/<name>")
@role_required(*AUTHORS)
def preview_media(slug: str, digest: str, name: str):
    return media(slug, digest, name)


# --- site settings: embeds --------------------------------------------------------------------------------

@bp.route("/settings/embeds", methods=["GET", "POST"])
@role_required(*AUTHORS)
def embed_settings():
    """Administrators change the hosts lessons may embed; authors may read the list (to know what they can use)."""
    may_change = services.is_admin(current_user)
    if request.method == "POST" and not may_change:
        abort(403)
    form = EmbedHostsForm(data={"hosts": "\n".join(services.embed_hosts())})
    status = 200
    if form.validate_on_submit():
        try:
            hosts = services.set_embed_hosts((form.hosts.data or "").splitlines(), current_user)
        except services.AuthoringError as error:
            session.rollback()
            form.hosts.errors.append(str(error))
            status = 400
        else:
            session.commit()
            flash(ngettext("%(num)d host may be embedded.", "%(num)d hosts may be embedded.", len(hosts)), "success")
            return redirect(url_for("authoring.embed_settings"))
    elif form.errors:
        status = 400
    return render_template("lms/authoring/embeds.html", form=form, may_change=may_change,
                           hosts=services.embed_hosts()), status


# --- the course's report ----------------------------------------------------------------------------------

REPORT_COLUMNS = (lazy_("Name"), lazy_("E-mail address"), lazy_("Version"), lazy_("Progress (%)"),
                  lazy_("Completed"), lazy_("Best quiz score (%)"))


@bp.route("/courses/<slug>/report")
@role_required(*AUTHORS)
def report(slug: str):
    """Learners of the author's own course: version, progress, completion and quiz score."""
    found = _editable(slug)
    from lms.authoring.reports import course_report

    data = course_report(found, request.args.get("page", 1, type=int))
    return render_template("lms/authoring/report.html", course=found, draft=services.draft_for(found),
                           report=data, columns=REPORT_COLUMNS)


@bp.route("/courses/<slug>/report.csv")
@role_required(*AUTHORS)
def report_csv(slug: str):
    found = _editable(slug)
    from lms.authoring.reports import course_report_csv

    body = course_report_csv(found, [str(column) for column in REPORT_COLUMNS])
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{found.slug}-report.csv"'})
