"""The standalone LMS for a WSGI server: ``gunicorn wsgi:app`` or ``flask --app wsgi ...``."""

from lms import create_app

app = create_app()
