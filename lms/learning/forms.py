from flask_wtf import FlaskForm
from wtforms import SubmitField

from lms.core.i18n import lazy_


class EnrollForm(FlaskForm):
    submit = SubmitField(lazy_("Enroll in this course"))


class QuizForm(FlaskForm):
    """The CSRF token of a quiz; the answers are read per question from the posted form (their names vary)."""

    submit = SubmitField(lazy_("Submit answers"))
