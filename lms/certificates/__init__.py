"""Certificates by curriculum track: rules, issuing, PDF and HTML, public verification, Open Badges 3.0."""

from __future__ import annotations

import os

from flask import Flask

DEFAULTS = {
    "LMS_ISSUER_NAME": "Labor Rights LMS",
    "LMS_VERIFY_MAX_LOOKUPS": 30,  # per client address and window
    "LMS_VERIFY_WINDOW_SECONDS": 60,
    "LMS_VERIFY_MIN_SECONDS": 0.1,  # every verification answer takes at least this long, found or not
    "LMS_CERTIFICATES_ZIP_LIMIT": 500,
}
# Read from the environment when the app's config does not set them (the standalone app, `make run`).
ENV_KEYS = ("LMS_ISSUER_NAME", "MAIL_BACKEND", "MAIL_SERVER", "MAIL_PORT", "MAIL_USERNAME", "MAIL_PASSWORD",
            "MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_DEFAULT_SENDER", "MAIL_FILE_PATH")


def init_app(app: Flask) -> None:
    """Configure certificates on ``app``: defaults, e-mail (a host's Flask-Mailman is reused), the issuing receiver."""
    for key in ENV_KEYS:
        if key not in app.config and os.environ.get(key):
            value = os.environ[key]
            if key == "MAIL_PORT":
                value = int(value)
            elif key in ("MAIL_USE_TLS", "MAIL_USE_SSL"):
                value = value.lower() in ("1", "true", "yes", "on")
            app.config[key] = value
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    if "mailman" not in app.extensions:
        from flask_mailman import Mail

        # Messages are printed unless a real backend is configured; tests keep them in memory (mail.outbox).
        app.config.setdefault("MAIL_BACKEND", "locmem" if app.testing else "console")
        app.config.setdefault("MAIL_DEFAULT_SENDER", f"{app.config['LMS_ISSUER_NAME']} <no-reply@localhost>")
        Mail().init_app(app)
    from lms.certificates.services import connect_signals

    connect_signals()
