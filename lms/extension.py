"""The LMS as a Flask extension: ``LMS().init_app(app, db=None, url_prefix="")``.

It keeps no app on itself; its state lives in ``app.extensions["lms"]``. A host's Flask-SQLAlchemy ``db`` and
``LoginManager`` are reused; a standalone app gets its own. Nothing happens at import.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy

from lms.core import config as lms_config
from lms.core.i18n import select_locale

MIGRATIONS = str(Path(__file__).resolve().parent / "migrations")


@dataclass
class LMSState:
    db: SQLAlchemy
    url_prefix: str
    login_manager: LoginManager


class LMS:
    def __init__(self, app: Flask | None = None, **kwargs) -> None:
        if app is not None:
            self.init_app(app, **kwargs)

    def init_app(self, app: Flask, db: SQLAlchemy | None = None, url_prefix: str = "") -> None:
        """Mount the LMS on ``app`` under ``url_prefix``, on the given (or the app's existing, or a new) ``db``."""
        url_prefix = url_prefix.rstrip("/")
        for key, value in lms_config.DEFAULTS.items():
            app.config.setdefault(key, value)
        db = db or app.extensions.get("sqlalchemy") or self._own_db(app)
        login_manager = self._login_manager(app)
        self._babel(app)
        app.extensions["lms"] = LMSState(db=db, url_prefix=url_prefix, login_manager=login_manager)
        self._register_blueprints(app, url_prefix)
        self._register_cli(app)
        from lms.learning.services import connect_signals
        from lms.xapi.forwarding import connect_signals as connect_outbox

        connect_signals()
        connect_outbox()
        from lms.certificates import init_app as init_certificates

        init_certificates(app)
        from lms.launch import init_app as init_launch

        init_launch(app)

    @staticmethod
    def _own_db(app: Flask) -> SQLAlchemy:
        from lms.db import Base

        app.config.setdefault("SQLALCHEMY_DATABASE_URI", lms_config.sqlite_url(app.instance_path))
        db = SQLAlchemy(metadata=Base.metadata)
        db.init_app(app)
        return db

    @staticmethod
    def _login_manager(app: Flask) -> LoginManager:
        from lms.accounts.services import load_user

        manager = getattr(app, "login_manager", None)
        if manager is None:
            from lms.core.i18n import SIGN_IN_REQUIRED, _

            manager = LoginManager()
            manager.init_app(app)
            manager.login_message = SIGN_IN_REQUIRED
            manager.localize_callback = _
        if manager._user_callback is None:
            manager.user_loader(load_user)
        if manager.login_view is None:
            manager.login_view = "accounts.login"
        return manager

    @staticmethod
    def _babel(app: Flask) -> None:
        if "babel" not in app.extensions:
            from flask_babel import Babel

            Babel(app, locale_selector=select_locale, default_translation_directories="translations")

    @staticmethod
    def _register_blueprints(app: Flask, url_prefix: str) -> None:
        from lms.accounts.views import bp as accounts
        from lms.admin.views import bp as admin
        from lms.api.views import bp as api
        from lms.authoring.views import bp as authoring
        from lms.catalog.views import bp as catalog
        from lms.certificates.views import bp as certificates
        from lms.cohorts.views import bp as cohorts
        from lms.core.views import bp as core
        from lms.launch.scorm_views import CSRF_EXEMPT as scorm_runtime_views
        from lms.launch.scorm_views import bp as scorm
        from lms.launch.views import bp as launch
        from lms.launch.views import fetch as launch_fetch
        from lms.learning.views import bp as learning
        from lms.xapi.views import bp as xapi

        for blueprint in (core, catalog, accounts, learning, authoring, admin, xapi, certificates, cohorts, launch,
                          scorm, api):
            area_prefix = blueprint.url_prefix or ""
            app.register_blueprint(blueprint, url_prefix=url_prefix + area_prefix)
        if "csrf" in app.extensions:  # a host's global CSRFProtect must not guard the xAPI API (Basic auth)
            app.extensions["csrf"].exempt(xapi)
            app.extensions["csrf"].exempt(api)  # nor the integration API (bearer tokens) or the cmi5 fetch URL
            app.extensions["csrf"].exempt(launch_fetch)
            for view in scorm_runtime_views:  # SCORM commits: the learner's session and the attempt's token
                app.extensions["csrf"].exempt(view)

    @staticmethod
    def _register_cli(app: Flask) -> None:
        from lms.cli import lms_cli

        app.cli.add_command(lms_cli)
