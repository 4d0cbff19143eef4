"""Every admin and authoring URL is closed to visitors and learners; no public page crashes."""

from urllib.parse import urlsplit

from werkzeug.routing import AnyConverter, IntegerConverter

PROTECTED_AREAS = ("admin.", "authoring.")


def _protected_rules(app) -> list:
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith(PROTECTED_AREAS)]
    assert rules, "no admin or authoring routes found: the access tests would pass vacuously"
    return rules


def _method(rule) -> str:
    return "GET" if "GET" in rule.methods else "POST"


def _dummy_url(app, rule) -> str:
    """The rule's URL with every variable filled with a value its converter accepts."""
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        elif isinstance(converter, IntegerConverter):
            values[name] = 1
        else:
            values[name] = "dummy"
    return app.url_map.bind("lms.test").build(rule.endpoint, values, method=_method(rule))


def _signed_in_client(app, user):
    client = app.test_client()
    response = client.post("/account/login", data={"email": user.email, "password": user.password})
    assert response.status_code == 302
    return client


def _answers(app, client, rules) -> dict:
    return {rule.endpoint + " " + _method(rule): client.open(_dummy_url(app, rule), method=_method(rule))
            for rule in rules}


def test_protected_routes_include_the_admin_and_authoring_home_pages(app):
    endpoints = {rule.endpoint for rule in _protected_rules(app)}
    assert {"admin.index", "authoring.index"} <= endpoints


def test_visitors_are_sent_to_sign_in_from_every_protected_route(app, client):
    login_path = "/account/login"
    wrong = {name: (r.status_code, r.headers.get("Location"))
             for name, r in _answers(app, client, _protected_rules(app)).items()
             if r.status_code != 302 or urlsplit(r.headers["Location"]).path != login_path}
    assert wrong == {}


def test_learners_are_refused_every_protected_route(app, make_user):
    learner = _signed_in_client(app, make_user(roles=("learner",)))
    wrong = {name: r.status_code for name, r in _answers(app, learner, _protected_rules(app)).items()
             if r.status_code != 403}
    assert wrong == {}


def test_authors_are_refused_every_admin_route(app, make_user):
    author = _signed_in_client(app, make_user(roles=("author",)))
    rules = [rule for rule in _protected_rules(app) if rule.endpoint.startswith("admin.")]
    wrong = {name: r.status_code for name, r in _answers(app, author, rules).items() if r.status_code != 403}
    assert rules and wrong == {}


def _plain_get_rules(rules) -> list:
    return [rule for rule in rules if "GET" in rule.methods and not rule.arguments]


def test_admins_open_every_protected_page_without_variables(app, make_user, synced):
    admin = _signed_in_client(app, make_user(roles=("admin",)))
    rules = _plain_get_rules(_protected_rules(app))
    wrong = {name: r.status_code for name, r in _answers(app, admin, rules).items() if r.status_code != 200}
    assert rules and wrong == {}


def test_authors_open_every_authoring_page_without_variables(app, make_user, synced):
    author = _signed_in_client(app, make_user(roles=("author",)))
    rules = _plain_get_rules(r for r in _protected_rules(app) if r.endpoint.startswith("authoring."))
    wrong = {name: r.status_code for name, r in _answers(app, author, rules).items() if r.status_code != 200}
    assert rules and wrong == {}


def test_no_public_get_route_fails_for_a_visitor(app, client, synced):
    rules = _plain_get_rules(app.url_map.iter_rules())
    assert len(rules) > len(_plain_get_rules(_protected_rules(app)))
    crashed = {rule.endpoint: status for rule in rules
               if (status := client.get(_dummy_url(app, rule)).status_code) >= 500}
    assert crashed == {}
