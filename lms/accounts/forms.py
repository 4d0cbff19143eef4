from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from lms.core.i18n import lazy_

AUDIENCE_CHOICES = [
    ("labor_official", lazy_("Labor official")),
    ("labor_inspector", lazy_("Labor inspector")),
    ("worker", lazy_("Worker")),
    ("employer", lazy_("Employer")),
    ("academic", lazy_("Academic or trainer")),
    ("other", lazy_("Other")),
]
LANGUAGE_CHOICES = [("en", "English"), ("zh-Hans", "简体中文")]


class LoginForm(FlaskForm):
    email = EmailField(lazy_("E-mail address"), validators=[DataRequired(), Email()])
    password = PasswordField(lazy_("Password"), validators=[DataRequired()])
    remember = BooleanField(lazy_("Keep me signed in on this device"))
    submit = SubmitField(lazy_("Sign in"))


class RegisterForm(FlaskForm):
    display_name = StringField(lazy_("Your name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(lazy_("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(lazy_("Password"), validators=[DataRequired(), Length(min=8, max=200)],
                             description=lazy_("At least 8 characters."))
    confirm = PasswordField(lazy_("Repeat the password"),
                            validators=[DataRequired(), EqualTo("password", message=lazy_("The passwords differ."))])
    audience = SelectField(lazy_("I am a"), choices=AUDIENCE_CHOICES, default="worker")
    language = SelectField(lazy_("Preferred language"), choices=LANGUAGE_CHOICES)
    submit = SubmitField(lazy_("Create account"))


class ProfileForm(FlaskForm):
    display_name = StringField(lazy_("Display name"), validators=[DataRequired(), Length(max=120)])
    audience = SelectField(lazy_("I am a"), choices=AUDIENCE_CHOICES)
    language = SelectField(lazy_("Preferred language"), choices=LANGUAGE_CHOICES)
    submit = SubmitField(lazy_("Save profile"))


class PasswordForm(FlaskForm):
    current_password = PasswordField(lazy_("Current password"), validators=[DataRequired()])
    new_password = PasswordField(lazy_("New password"), validators=[DataRequired(), Length(min=8, max=200)],
                                 description=lazy_("At least 8 characters."))
    confirm = PasswordField(lazy_("Repeat the new password"),
                            validators=[DataRequired(),
                                        EqualTo("new_password", message=lazy_("The passwords differ."))])
    submit = SubmitField(lazy_("Change password"))


class LogoutForm(FlaskForm):
    submit = SubmitField(lazy_("Sign out"))


class LanguageForm(FlaskForm):
    language = SelectField(lazy_("Language"), choices=LANGUAGE_CHOICES)
    submit = SubmitField(lazy_("Change"))
