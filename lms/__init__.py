"""Labor Rights LMS: a Flask extension for courses on labor law, tracked with xAPI statements."""

from lms.extension import LMS
from lms.app import create_app

__all__ = ["LMS", "create_app"]
