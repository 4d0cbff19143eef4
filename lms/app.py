"""The standalone app: ``create_app(config=None)`` loads config, mounts the LMS and returns. Nothing else."""

from __future__ import annotations

import os

from flask import Flask
from flask_migrate import Migrate

from lms.core import config as lms_config
from lms.core.errors import render_error
from lms.core.i18n import template_helpers
from lms.extension import LMS, MIGRATIONS


def create_app(config: dict | None = None) -> Flask:
    app = Flask("lms", static_folder=None, instance_path=os.environ.get("LMS_INSTANCE_PATH") or None, instance_relative_config=True)
    app.config.update(lms_config.from_environment())
    app.config.update(config or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = app.config.get("LMS_SECRET_KEY") or lms_config.instance_secret(app.instance_path)
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", app.config.get("LMS_DATABASE_URL")
                          or lms_config.sqlite_url(app.instance_path))
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    LMS().init_app(app)
    Migrate(app, app.extensions["lms"].db, directory=MIGRATIONS, version_table="lms_alembic_version",
            compare_type=True)
    # Standalone, the whole site is the LMS: its error pages serve every URL, unknown ones included.
    app.context_processor(template_helpers)
    for status in (400, 403, 404, 405, 429, 500):
        app.register_error_handler(status, lambda error, status=status: render_error(status))
    return app
