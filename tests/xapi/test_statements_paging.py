"""Paging a StatementResult with its "more" IRL (xAPI 1.0.3 Data 2.5, Communication 2.1.3)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.xapi.test_statements_samples import ADL, make_statement, new_id, post, verb, void


def get_page(lrs, more: str | None = None, **params) -> dict:
    """One StatementResult: the first page for ``params``, or the page a ``more`` IRL names."""
    if more is None:
        response = lrs.get("/statements", query_string=params)
    else:
        parts = urlsplit(more)
        assert parts.path.startswith("/xapi/statements"), more
        response = lrs.client.get(more, headers=lrs.headers())
    assert response.status_code == 200, response.get_data(as_text=True)
    assert set(response.json) == {"statements", "more"}
    return response.json


def every_page(lrs, **params) -> list[list[str]]:
    pages, result = [], get_page(lrs, **params)
    while True:
        pages.append([statement["id"] for statement in result["statements"]])
        if not result["more"]:
            return pages
        result = get_page(lrs, result["more"])


def test_a_result_larger_than_the_limit_has_a_more_irl(lrs):
    post(lrs, [make_statement(), make_statement()])
    result = get_page(lrs, limit="1")
    assert len(result["statements"]) == 1 and result["more"]


def test_the_more_irl_is_relative_to_the_lrs_and_names_the_statement_resource(lrs):
    post(lrs, [make_statement(), make_statement()])
    more = get_page(lrs, limit="1")["more"]
    parts = urlsplit(more)
    assert not parts.scheme and not parts.netloc and parts.path == "/xapi/statements" and parts.query


def test_more_is_empty_when_every_result_has_been_returned(lrs):
    post(lrs, [make_statement(), make_statement()])
    assert get_page(lrs, limit="2")["more"] == ""
    assert get_page(lrs)["more"] == ""


def test_following_more_returns_every_statement_exactly_once_in_order(lrs):
    sent = [make_statement(id=new_id()) for _ in range(7)]
    for statement in sent:
        post(lrs, statement)
    pages = every_page(lrs, limit="3")
    assert [len(page) for page in pages] == [3, 3, 1]
    assert sum(pages, []) == [statement["id"] for statement in reversed(sent)]


def test_paging_through_one_batch_with_one_stored_time_returns_each_statement_once(lrs):
    batch = [make_statement(id=new_id()) for _ in range(8)]
    post(lrs, batch)
    pages = every_page(lrs, limit="3", ascending="true")
    assert sum(pages, []) == [statement["id"] for statement in batch]


def test_the_next_page_keeps_the_filters_and_format_of_the_first(lrs):
    wanted = [post(lrs, make_statement(verb=verb("completed")))[0] for _ in range(3)]
    post(lrs, [make_statement(verb=verb("experienced")) for _ in range(3)])
    first = get_page(lrs, verb=ADL + "completed", limit="2", format="ids")
    second = get_page(lrs, first["more"])
    assert [s["id"] for s in first["statements"] + second["statements"]] == wanted[::-1]
    assert second["statements"][0]["verb"] == {"id": ADL + "completed"}
    assert set(second["statements"][0]["object"]) == {"objectType", "id"}
    assert second["more"] == ""


def test_statements_posted_between_page_requests_do_not_shift_the_pages(lrs):
    original = [post(lrs, make_statement())[0] for _ in range(6)]
    first = get_page(lrs, limit="2")
    post(lrs, [make_statement() for _ in range(3)])
    second = get_page(lrs, first["more"])
    post(lrs, make_statement())
    third = get_page(lrs, second["more"])
    seen = [s["id"] for page in (first, second, third) for s in page["statements"]]
    assert seen == original[::-1] and third["more"] == ""


def test_statements_posted_between_ascending_page_requests_come_after_the_original_ones(lrs):
    original = [post(lrs, make_statement())[0] for _ in range(4)]
    first = get_page(lrs, limit="3", ascending="true")
    [late] = post(lrs, make_statement())
    rest = [s["id"] for s in get_page(lrs, first["more"])["statements"]]
    assert [s["id"] for s in first["statements"]] + rest == original + [late]


def test_a_statement_voided_between_page_requests_is_not_returned_on_a_later_page(lrs):
    original = [post(lrs, make_statement())[0] for _ in range(4)]
    first = get_page(lrs, limit="2")
    void(lrs, original[0])
    second = get_page(lrs, first["more"])
    assert [s["id"] for s in second["statements"]] == [original[1]]


def test_the_server_limit_applies_without_a_limit_parameter(lrs):
    from lms.xapi.statements import MAX_LIMIT

    post(lrs, [make_statement() for _ in range(MAX_LIMIT + 1)])
    first = get_page(lrs)
    assert len(first["statements"]) == MAX_LIMIT and first["more"]
    assert len(get_page(lrs, first["more"])["statements"]) == 1


def test_a_limit_above_the_server_limit_returns_the_server_limit(lrs):
    from lms.xapi.statements import MAX_LIMIT

    post(lrs, [make_statement() for _ in range(MAX_LIMIT + 1)])
    assert len(get_page(lrs, limit=str(MAX_LIMIT + 100))["statements"]) == MAX_LIMIT


def test_more_combined_with_another_parameter_is_400(lrs):
    post(lrs, [make_statement(), make_statement()])
    more = get_page(lrs, limit="1")["more"]
    response = lrs.client.get(more + "&limit=5", headers=lrs.headers())
    assert response.status_code == 400


@pytest.mark.parametrize("token", ["forged", "eyJxIjp7fX0.bad-signature", ""])
def test_a_more_token_the_lrs_did_not_make_is_400(lrs, token):
    assert lrs.get("/statements", query_string={"more": token}).status_code == 400


def test_a_more_irl_needs_the_version_header_and_credential_like_any_request(lrs, anonymous_lrs):
    post(lrs, [make_statement(), make_statement()])
    more = get_page(lrs, limit="1")["more"]
    assert lrs.client.get(more, headers={"Authorization": lrs.authorization}).status_code == 400
    assert anonymous_lrs.client.get(more, headers=anonymous_lrs.headers()).status_code == 401


@pytest.mark.parametrize("ascending", ["false", "true"])
def test_paging_related_activities_interleaves_object_and_context_mentions_once_each(lrs, ascending):
    # related_activities reads the object and the other mentions from two indexes and merges them page by page.
    course = f"{ADL}related-paging-course"
    in_context = {"contextActivities": {"grouping": [{"id": course}]}}
    sent = []
    for index in range(9):
        if index % 3 == 0:
            statement = make_statement(id=new_id(), object={"id": course})
        elif index % 3 == 1:
            statement = make_statement(id=new_id(), context=in_context)
        else:  # both the object and a context activity
            statement = make_statement(id=new_id(), object={"id": course}, context=in_context)
        sent.append(statement["id"])
        post(lrs, statement)
        post(lrs, make_statement())  # a statement that does not name the course
    pages = every_page(lrs, activity=course, related_activities="true", limit="2", ascending=ascending)
    assert [len(page) for page in pages] == [2, 2, 2, 2, 1]
    assert sum(pages, []) == (sent if ascending == "true" else sent[::-1])
