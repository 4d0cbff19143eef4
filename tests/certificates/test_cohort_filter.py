"""Administrators narrow the certificate list (and its exports) to one cohort's members."""

from lms.cohorts.models import Cohort, CohortMember


def test_the_cohort_filter_lists_only_that_cohorts_certificates(app, client, db, make_user, login_as, earned):
    member, member_serial = earned(display_name="Cohort Member")
    client.post("/account/logout")
    _, outsider_serial = earned(display_name="Someone Else")
    cohort = Cohort(name="Guangzhou inspectors 2026", name_key="guangzhou inspectors 2026")
    db.session.add(cohort)
    db.session.flush()
    db.session.add(CohortMember(cohort_id=cohort.id, user_id=member.id))
    db.session.commit()
    client.post("/account/logout")
    login_as(make_user(roles=("admin",)))
    page = client.get(f"/admin/certificates?cohort={cohort.id}").get_data(as_text=True)
    assert member_serial in page and outsider_serial not in page
    csv = client.get(f"/admin/certificates/export.csv?cohort={cohort.id}").get_data(as_text=True)
    assert member_serial in csv and outsider_serial not in csv
