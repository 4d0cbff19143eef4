"""The editor's forms. Every text an author writes comes in two fields, English and Chinese, shown side by side."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lms.catalog.loader import AUDIENCES
from lms.core.i18n import lazy_

AUDIENCE_NAMES = {
    "labor_official": lazy_("Labor officials"), "labor_inspector": lazy_("Labor inspectors"),
    "worker": lazy_("Workers"), "employer": lazy_("Employers"), "academic": lazy_("Academics"),
    "other": lazy_("Others"),
}
TITLE_MAX = 200


def _checkboxes(label, choices, **kwargs):
    return SelectMultipleField(label, choices=choices, widget=ListWidget(prefix_label=False),
                               option_widget=CheckboxInput(), **kwargs)


class ConfirmForm(FlaskForm):
    """A button that changes something: only its CSRF token is checked."""


class CourseSettingsForm(FlaskForm):
    title_en = StringField(lazy_("Title in English"), validators=[DataRequired(), Length(max=TITLE_MAX)])
    title_zh = StringField(lazy_("Title in Chinese"), validators=[Optional(), Length(max=TITLE_MAX)])
    summary_en = TextAreaField(lazy_("Summary in English"), validators=[Optional(), Length(max=2000)],
                               description=lazy_("Two or three sentences for the course list."))
    summary_zh = TextAreaField(lazy_("Summary in Chinese"), validators=[Optional(), Length(max=2000)])
    audience = _checkboxes(lazy_("Who the course is for"), [(a, AUDIENCE_NAMES[a]) for a in AUDIENCES])
    label = StringField(lazy_("Edition label (optional)"), validators=[Optional(), Length(max=64)],
                        description=lazy_("Shown beside the version number, e.g. 2026.1."))
    submit = SubmitField(lazy_("Save settings"))


class NewCourseForm(CourseSettingsForm):
    slug = StringField(lazy_("Short name"), validators=[DataRequired(), Length(max=100)],
                       description=lazy_("Used in web addresses and learners' records; it cannot change later. "
                                         "Lower-case letters, digits and hyphens, e.g. overtime-rules."))
    submit = SubmitField(lazy_("Create course"))


class ModuleForm(FlaskForm):
    title_en = StringField(lazy_("Module title in English"), validators=[DataRequired(), Length(max=TITLE_MAX)])
    title_zh = StringField(lazy_("Module title in Chinese"), validators=[Optional(), Length(max=TITLE_MAX)])
    submit = SubmitField(lazy_("Save module"))


class AddModuleForm(ModuleForm):
    submit = SubmitField(lazy_("Add module"))


class AddItemForm(FlaskForm):
    # SCORM packages as lessons: their issue adds a third choice here (and a kind in authoring.documents).
    kind = RadioField(lazy_("Add a"), choices=[("lesson", lazy_("Lesson")), ("quiz", lazy_("Quiz"))],
                      default="lesson", validators=[InputRequired()])
    title_en = StringField(lazy_("Title in English"), validators=[DataRequired(), Length(max=TITLE_MAX)])
    slug = StringField(lazy_("Short name (optional)"), validators=[Optional(), Length(max=100)],
                       description=lazy_("Made from the title if left empty. It cannot change later."))
    submit = SubmitField(lazy_("Add"))


class LessonForm(FlaskForm):
    base = HiddenField()
    title_en = StringField(lazy_("Title in English"), validators=[Optional(), Length(max=TITLE_MAX)])
    title_zh = StringField(lazy_("Title in Chinese"), validators=[Optional(), Length(max=TITLE_MAX)])
    body_en = TextAreaField(lazy_("Lesson text in English (Markdown)"), validators=[Optional(), Length(max=200_000)])
    body_zh = TextAreaField(lazy_("Lesson text in Chinese (Markdown)"), validators=[Optional(), Length(max=200_000)])
    minutes = IntegerField(lazy_("Minutes to read (optional)"),
                           validators=[Optional(), NumberRange(min=1, max=600)])
    save = SubmitField(lazy_("Save lesson"))
    preview = SubmitField(lazy_("Preview"))


class QuizSettingsForm(FlaskForm):
    base = HiddenField()
    title_en = StringField(lazy_("Title in English"), validators=[DataRequired(), Length(max=TITLE_MAX)])
    title_zh = StringField(lazy_("Title in Chinese"), validators=[Optional(), Length(max=TITLE_MAX)])
    pass_mark = IntegerField(lazy_("Pass mark (percent)"), default=70,
                             validators=[InputRequired(), NumberRange(min=0, max=100)])
    max_attempts = IntegerField(lazy_("Attempts allowed"), default=0,
                                validators=[InputRequired(), NumberRange(min=0, max=100)],
                                description=lazy_("0 means learners may try as often as they like."))
    shuffle = BooleanField(lazy_("Shuffle questions and options for each attempt"), default=True)
    submit = SubmitField(lazy_("Save quiz settings"))


class OptionForm(Form):
    option_id = HiddenField()
    text_en = StringField(lazy_("Option in English"), validators=[Optional(), Length(max=1000)])
    text_zh = StringField(lazy_("Option in Chinese"), validators=[Optional(), Length(max=1000)])
    correct = BooleanField(lazy_("Correct answer"))


class QuestionForm(FlaskForm):
    base = HiddenField()
    type = SelectField(lazy_("Question type"), choices=[
        ("single", lazy_("One right answer")), ("multiple", lazy_("One or more right answers")),
        ("true_false", lazy_("True or false"))], default="single")
    prompt_en = TextAreaField(lazy_("Question in English"), validators=[DataRequired(), Length(max=2000)])
    prompt_zh = TextAreaField(lazy_("Question in Chinese"), validators=[Optional(), Length(max=2000)])
    answer = RadioField(lazy_("The right answer (true or false questions)"),
                        choices=[("true", lazy_("True")), ("false", lazy_("False"))], validators=[Optional()])
    options = FieldList(FormField(OptionForm), label=lazy_("Options"), min_entries=0, max_entries=26)
    feedback_en = TextAreaField(lazy_("Feedback in English (shown after answering)"),
                                validators=[Optional(), Length(max=2000)])
    feedback_zh = TextAreaField(lazy_("Feedback in Chinese"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(lazy_("Save question"))


class InviteForm(FlaskForm):
    email = StringField(lazy_("E-mail address of an author"),
                        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    submit = SubmitField(lazy_("Invite as co-author"))


class PublishForm(FlaskForm):
    note = TextAreaField(lazy_("What changed (for the version history)"),
                         validators=[Optional(), Length(max=2000)])
    move_learners = BooleanField(lazy_("Move learners already enrolled to the new version"),
                                 description=lazy_("Their progress on lessons that did not change is kept."))
    submit = SubmitField(lazy_("Publish new version"))


class ImageForm(FlaskForm):
    file = FileField(lazy_("Image (PNG, JPEG, GIF or WebP, at most 5 MB)"),
                     validators=[FileRequired(lazy_("Choose an image file."))])
    submit = SubmitField(lazy_("Upload image"))


class ImportForm(FlaskForm):
    file = FileField(lazy_("Course zip"), validators=[FileRequired(lazy_("Choose a zip file."))],
                     description=lazy_("A zip of a course folder: course.yaml, lessons/, quizzes/ and media/."))
    submit = SubmitField(lazy_("Check the zip"))


class EmbedHostsForm(FlaskForm):
    hosts = TextAreaField(lazy_("Hosts lessons may embed"), validators=[Optional(), Length(max=5000)],
                          description=lazy_("One host name per line, e.g. www.youtube-nocookie.com. Only pages on "
                                            "these hosts are shown inside lessons; other embeds become links."))
    submit = SubmitField(lazy_("Save hosts"))
