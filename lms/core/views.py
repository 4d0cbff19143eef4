"""The LMS's shared web pieces: the ``lms`` blueprint (base layout, stylesheet) and what every area's blueprint gets."""

from flask import Blueprint

from lms.core.errors import register_error_handlers
from lms.core.forms import field_attributes
from lms.core.i18n import template_helpers


def area_blueprint(name: str, import_name: str, **options) -> Blueprint:
    """An LMS area's blueprint, with the LMS's template helpers and error pages."""
    blueprint = Blueprint(name, import_name, **options)
    blueprint.context_processor(template_helpers)
    register_error_handlers(blueprint)
    return blueprint


# import_name "lms" roots the folders at the package, so a host app finds lms/templates and lms/static too.
bp = area_blueprint("lms", "lms", template_folder="templates", static_folder="static", static_url_path="/lms-static")


# Imported macros (macros.html) see only globals, not context processors: the one helper they need is a global,
# under a prefixed name so it cannot clash with a host app's.
bp.add_app_template_global(field_attributes, "lms_field_attributes")
