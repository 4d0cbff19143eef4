from flask import Blueprint, render_template, request
from flask_login import current_user

from lms.core.views import area_blueprint
from lms.catalog import services
from lms.core.pagination import Page

bp = area_blueprint("catalog", __name__, template_folder="templates")
PER_PAGE = 12


@bp.route("/")
def index():
    query = request.args.get("q", "").strip()[:200]
    page_number = request.args.get("page", 1, type=int)
    audience = current_user.audience if current_user.is_authenticated else None
    versions = services.catalog(audience=audience, query=query)
    pages = max(1, -(-len(versions) // PER_PAGE))
    page_number = min(max(1, page_number), pages)
    page = Page(items=versions[(page_number - 1) * PER_PAGE: page_number * PER_PAGE], page=page_number,
                per_page=PER_PAGE, total=len(versions))
    return render_template("lms/catalog/index.html", page=page, query=query, audience=audience,
                           tracks=services.tracks())
