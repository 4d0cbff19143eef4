from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from lms.core.i18n import lazy_

ROLE_CHOICES = [("learner", lazy_("Learner")), ("author", lazy_("Author")), ("admin", lazy_("Administrator"))]


class SettingsForm(FlaskForm):
    self_registration = BooleanField(lazy_("Visitors may create their own accounts"))
    submit = SubmitField(lazy_("Save settings"))


class RolesForm(FlaskForm):
    roles = SelectMultipleField(lazy_("Roles"), choices=ROLE_CHOICES, widget=ListWidget(prefix_label=False),
                                option_widget=CheckboxInput())
    submit = SubmitField(lazy_("Save roles"))


# --- the built-in LRS ---------------------------------------------------------------------------------------

SCOPE_CHOICES = [
    ("statements/write", lazy_("Store statements")),
    ("statements/read", lazy_("Read all statements")),
    ("statements/read/mine", lazy_("Read only the statements it stored")),
    ("documents", lazy_("State, activity profile and agent profile documents")),
]


class CredentialForm(FlaskForm):
    name = StringField(lazy_("Credential name"), validators=[DataRequired(), Length(max=200)],
                       description=lazy_("Who uses it, e.g. the reporting server or a content vendor."))
    scopes = SelectMultipleField(lazy_("Permissions"), choices=SCOPE_CHOICES, widget=ListWidget(prefix_label=False),
                                 option_widget=CheckboxInput(), default=["statements/write", "statements/read"],
                                 validators=[DataRequired(message=lazy_("Choose at least one permission."))])
    submit = SubmitField(lazy_("Create credential"))


class ConfirmForm(FlaskForm):
    """A button that changes something: only its CSRF token is checked."""
