"""The real curriculum in courses/ passes the strict course check (CI runs this with the rest of the suite)."""

from tests.conftest import COURSES


def test_the_curriculum_passes_courses_check(runner):
    result = runner.invoke(args=["lms", "courses", "check", str(COURSES)])
    assert result.exit_code == 0, result.output


def test_the_curriculum_loads_with_its_three_tracks(runner, db):
    from sqlalchemy import select

    from lms.catalog.models import Track

    result = runner.invoke(args=["lms", "courses", "sync", str(COURSES)])
    assert result.exit_code == 0, result.output
    slugs = set(db.session.execute(select(Track.slug)).scalars())
    assert slugs == {"labor-inspector", "workers-rights", "industrial-relations"}
