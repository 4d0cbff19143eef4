from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, SubmitField
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
