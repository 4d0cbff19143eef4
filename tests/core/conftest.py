"""An app built with settings of the test's own (like the `app` fixture, which it cleans up after the same way)."""

import pytest

from lms import create_app
from tests.conftest import _empty_tables, test_config


@pytest.fixture
def make_app(database_url, tmp_path):
    """make_app(**config) -> a fresh app on the test database; its tables are emptied and its engine disposed
    after the test."""
    made = []

    def make(**extra):
        app = create_app(test_config(database_url, tmp_path, **extra))
        app.instance_path = str(tmp_path)
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            _empty_tables(app)
            app.extensions["lms"].db.session.remove()
            app.extensions["lms"].db.engine.dispose()
