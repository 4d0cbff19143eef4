from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from lms.core.i18n import lazy_

STATE_CHOICES = [("", lazy_("Any state")), ("valid", lazy_("Valid")), ("expired", lazy_("Expired")),
                 ("revoked", lazy_("Revoked")), ("superseded", lazy_("Superseded"))]


class VerifyForm(FlaskForm):
    """The public "check a certificate" form: a GET form, so no CSRF token (it changes nothing)."""

    class Meta:
        csrf = False

    serial = StringField(lazy_("Serial number"), validators=[DataRequired(), Length(max=64)],
                         description=lazy_("As printed on the certificate, for example ABCD-EFGH-IJKL-MNOP."))
    submit = SubmitField(lazy_("Check"))

    def validate_serial(self, field):
        from lms.certificates.services import normalise_serial

        if normalise_serial(field.data) is None:
            raise ValidationError(lazy_("A serial number has 16 letters and digits in four groups, such as "
                                        "ABCD-EFGH-IJKL-MNOP."))


class CertificateFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(lazy_("Learner name, e-mail address or serial"), validators=[Optional(), Length(max=200)])
    track = SelectField(lazy_("Track"), choices=[], validators=[Optional()])
    cohort = SelectField(lazy_("Cohort"), choices=[], validators=[Optional()])
    state = SelectField(lazy_("State"), choices=STATE_CHOICES, validators=[Optional()])
    issued_from = DateField(lazy_("Issued from"), validators=[Optional()])
    issued_to = DateField(lazy_("Issued until"), validators=[Optional()])
    submit = SubmitField(lazy_("Filter"))

    def validate_issued_to(self, field):
        if field.data and self.issued_from.data and field.data < self.issued_from.data:
            raise ValidationError(lazy_("The end date is before the start date."))


class RevokeForm(FlaskForm):
    reason = TextAreaField(lazy_("Reason for revoking"), validators=[DataRequired(), Length(max=500)],
                           description=lazy_("Shown on the public verification page and sent to the learner."))
    submit = SubmitField(lazy_("Revoke the certificate"))


class ReissueForm(FlaskForm):
    learner_name = StringField(lazy_("Name to print"), validators=[DataRequired(), Length(max=120)],
                               description=lazy_("The corrected name. The old serial number will then say "
                                                 "superseded."))
    submit = SubmitField(lazy_("Re-issue with this name"))


class RecertifyForm(FlaskForm):
    submit = SubmitField(lazy_("Open recertification"))
