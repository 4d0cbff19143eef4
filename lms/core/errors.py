"""Error pages for the LMS's own URLs: 403, 404, 500 (which never shows internals)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from lms.core.i18n import _


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def render_error(status: int):
    titles = {400: _("Bad request"), 403: _("Access denied"), 404: _("Page not found"),
              405: _("Method not allowed"), 429: _("Too many requests"), 500: _("Something went wrong")}
    messages = {
        400: _("The request could not be understood. Please go back and try again."),
        403: _("Your account does not have permission to open this page."),
        404: _("There is no page at this address. It may have moved, or the link may be mistyped."),
        405: _("This page cannot be opened that way."),
        429: _("Too many requests in a short time. Please wait a moment and try again."),
        500: _("The server hit an error and could not finish your request. It has been logged; please try again later."),
    }
    if _wants_json():
        return {"error": titles.get(status, str(status)), "message": messages.get(status, "")}, status
    return render_template("lms/error.html", status=status, title=titles.get(status, str(status)),
                           message=messages.get(status, "")), status


def register_error_handlers(blueprint: Blueprint) -> None:
    """Error pages for one LMS blueprint (its own views' aborts)."""
    for status in (400, 403, 404, 405, 429, 500):
        blueprint.register_error_handler(status, lambda error, status=status: render_error(status))
