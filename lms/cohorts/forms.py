from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, HiddenField, PasswordField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from lms.cohorts.models import NAME_MAX
from lms.core.i18n import lazy_


class CohortForm(FlaskForm):
    name = StringField(lazy_("Name"), validators=[DataRequired(), Length(max=NAME_MAX)],
                       description=lazy_("For example: Labor inspectors, spring 2026."))
    description = TextAreaField(lazy_("Description"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(lazy_("Save cohort"))


class ConfirmForm(FlaskForm):
    """A button that changes something: only its CSRF token is checked."""


class MembersForm(FlaskForm):
    emails = TextAreaField(lazy_("E-mail addresses"), validators=[DataRequired(), Length(max=200_000)],
                           description=lazy_("One per line (commas and semicolons also separate them). Every "
                                             "address must belong to an existing account."))
    submit = SubmitField(lazy_("Add to the cohort"))


class RemoveMembersForm(FlaskForm):
    emails = TextAreaField(lazy_("E-mail addresses to remove"), validators=[Optional(), Length(max=200_000)],
                           description=lazy_("One per line. Their enrolments and progress stay."))
    submit = SubmitField(lazy_("Remove from the cohort"))


class AssignForm(FlaskForm):
    target = SelectField(lazy_("Track or course"), validators=[DataRequired()],
                         description=lazy_("A track enrols in its required courses; learners choose their "
                                           "electives themselves."))
    due = DateField(lazy_("Due date (optional)"), validators=[Optional()],
                    description=lazy_("Learners who have not completed a course by the end of this day are "
                                      "shown as overdue."))
    submit = SubmitField(lazy_("Enrol the cohort"))


class DueDateForm(FlaskForm):
    due = DateField(lazy_("Due date"), validators=[Optional()],
                    description=lazy_("Leave empty for no due date."))
    submit = SubmitField(lazy_("Change due date"))


class ImportForm(FlaskForm):
    file = FileField(lazy_("Spreadsheet file (.xlsx or .csv)"), validators=[FileRequired(lazy_("Choose a file."))],
                     description=lazy_("Columns: e-mail, name, audience, language, and optionally cohort and "
                                       "organisation. Column names may be in English or Chinese."))
    cohort = StringField(lazy_("Cohort for rows that name none (optional)"),
                         validators=[Optional(), Length(max=NAME_MAX)],
                         description=lazy_("An existing cohort, or a new name: the cohort is then created."))
    submit = SubmitField(lazy_("Preview"))


class ApplyImportForm(FlaskForm):
    batch = HiddenField(validators=[DataRequired()])
    digest = HiddenField(validators=[DataRequired()])
    submit = SubmitField(lazy_("Apply all rows"))


class InvitationForm(FlaskForm):
    password = PasswordField(lazy_("Choose a password"), validators=[DataRequired(), Length(min=8, max=200)],
                             description=lazy_("At least 8 characters."))
    confirm = PasswordField(lazy_("Repeat the password"),
                            validators=[DataRequired(), EqualTo("password", message=lazy_("The passwords differ."))])
    submit = SubmitField(lazy_("Set password and sign in"))
