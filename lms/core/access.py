"""Access control: every LMS view states who may see it."""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app
from flask_login import current_user


def role_required(*roles: str):
    """Allow signed-in users holding any of ``roles``; others are sent to sign in (401) or refused (403)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not current_user.role_names.intersection(roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.lms_roles = roles
        return wrapped

    return decorator


def login_required(view):
    """Any signed-in user."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        return view(*args, **kwargs)

    wrapped.lms_roles = ("*",)
    return wrapped
