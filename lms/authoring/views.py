"""The authors' area. The web editor is its own issue; here authors see what is published and in which versions."""

from flask import Blueprint, render_template

from lms.core.views import area_blueprint
from lms.catalog.services import all_latest_versions
from lms.core.access import role_required

bp = area_blueprint("authoring", __name__, template_folder="templates", url_prefix="/authoring")


@bp.route("/")
@role_required("author", "admin")
def index():
    return render_template("lms/authoring/index.html", courses=all_latest_versions())
