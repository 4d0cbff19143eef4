from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from lms.core.i18n import lazy_
from lms.launch.statements import WAIVE_REASONS

REASON_LABELS = {
    "Tested Out": lazy_("Tested out: the learner passed an assessment instead"),
    "Equivalent AU": lazy_("Equivalent unit: the learner completed an equivalent unit of this course"),
    "Equivalent Outside Activity": lazy_("Equivalent outside activity: the learner did equivalent training "
                                         "elsewhere"),
    "Administrative": lazy_("Administrative: marked complete by an administrator or author"),
}


class ImportForm(FlaskForm):
    package = FileField(lazy_("Package file"), validators=[FileRequired(lazy_("Choose a file to upload."))],
                        description=lazy_("A cmi5 package (a .zip with cmi5.xml at its root), a cmi5.xml whose "
                                          "units have web addresses, or a Tin Can package (a .zip with "
                                          "tincan.xml)."))
    course = StringField(lazy_("Add to the course (optional)"), validators=[
        Optional(), Length(max=100),
        Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message=lazy_("Use the course's short name: lower-case letters, "
                                                            "digits and single hyphens."))],
        description=lazy_("Leave empty to import the package as a course of its own. Give a course's short name "
                          "(as in its address) to add the package's units to it as new modules."))
    submit = SubmitField(lazy_("Import"))


class StartForm(FlaskForm):
    mode = SelectField(lazy_("How to open it"), default="Normal",
                       choices=[("Normal", lazy_("Normally: your progress is recorded")),
                                ("Review", lazy_("To review it: nothing new is recorded"))])
    submit = SubmitField(lazy_("Start"))


class WaiveForm(FlaskForm):
    email = EmailField(lazy_("Learner's e-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    au = SelectField(lazy_("Unit"), choices=[])
    reason = SelectField(lazy_("Reason"), choices=[(reason, REASON_LABELS[reason]) for reason in WAIVE_REASONS])
    submit = SubmitField(lazy_("Waive the unit"))
