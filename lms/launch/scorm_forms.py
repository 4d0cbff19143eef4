"""Forms of the SCORM pages: importing a package as a course, adding one to a course as lessons."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional, Regexp

from lms.core.i18n import lazy_

PACKAGE_HELP = lazy_("A SCORM 1.2 or SCORM 2004 package: the .zip file your authoring tool exports, with "
                     "imsmanifest.xml at its root.")


class ScormImportForm(FlaskForm):
    package = FileField(lazy_("SCORM package"), validators=[FileRequired(lazy_("Choose a file to upload."))],
                        description=PACKAGE_HELP)
    course = StringField(lazy_("Course short name (optional)"), validators=[
        Optional(), Length(max=100),
        Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message=lazy_("Use lower-case letters, digits and single hyphens, "
                                                            "like overtime-rules."))],
        description=lazy_("Leave empty to make a new course named after the package. A short name no course has "
                          "yet makes a new course with it; the short name of a course you edit adds the package "
                          "to it as lessons."))
    submit = SubmitField(lazy_("Import"))


class ScormLessonForm(FlaskForm):
    package = FileField(lazy_("SCORM package"), validators=[FileRequired(lazy_("Choose a file to upload."))],
                        description=PACKAGE_HELP)
    module = SelectField(lazy_("Where to add it"), choices=[], default="",
                         description=lazy_("Each page of the package that learners open becomes a lesson of the "
                                           "course. Importing the same package again replaces it."))
    submit = SubmitField(lazy_("Add to the course"))
