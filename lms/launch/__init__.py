"""Launchable content: cmi5 courses and Tin Can packages launched from the LMS (DESIGN "xAPI content"), and the
package storage the SCORM player shares."""

from __future__ import annotations

import os

from flask import Flask

# Read from the environment when the app's config does not set them.
ENV_KEYS = ("LMS_CMI5_XSD", "LMS_CMI5_SESSION_TIMEOUT_MINUTES", "LMS_PACKAGE_MAX_BYTES", "LMS_PACKAGE_SANDBOX")


def defaults() -> dict:
    from lms.launch.cmi5 import DEFAULT_XSD
    from lms.launch.services import DEFAULT_SESSION_TIMEOUT_MINUTES

    return {
        "LMS_CMI5_XSD": str(DEFAULT_XSD),  # CourseStructure.xsd; when missing, only the spec's rules are checked
        "LMS_CMI5_SESSION_TIMEOUT_MINUTES": DEFAULT_SESSION_TIMEOUT_MINUTES,  # `cmi5 abandon-stale` default
        "LMS_PACKAGE_MAX_BYTES": 512 * 1024 * 1024,  # the largest upload (zip) accepted
        "LMS_PACKAGE_SANDBOX": True,  # serve package files in a sandboxed origin of their own (see views)
    }


def init_app(app: Flask) -> None:
    """Configure the launch area on ``app``: its settings and its progress receiver (connecting twice is
    harmless: blinker keeps one receiver)."""
    from lms.launch.services import on_progress_changed
    from lms.signals import progress_changed

    for key in ENV_KEYS:
        if key not in app.config and os.environ.get(key):
            value = os.environ[key]
            if key == "LMS_PACKAGE_SANDBOX":
                value = value.lower() not in ("0", "false", "no", "off")
            elif key != "LMS_CMI5_XSD":
                value = int(value)
            app.config[key] = value
    for key, value in defaults().items():
        app.config.setdefault(key, value)
    progress_changed.connect(on_progress_changed, weak=False)
