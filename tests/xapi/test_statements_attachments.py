"""Attachments: statements sent as multipart/mixed with their raw data, and read back with attachments=true
(xAPI 1.0.3 Communication 1.5.2, 2.1.3; Data 2.4.11; ADL's Data 2.4.11 tests and XAPI-00154, -00161, -00167)."""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import json

import pytest

from tests.xapi.test_statements_samples import fetch, file_url_attachment, make_statement, new_id, post

TEXT = b"here is a simple attachment"
TEXT_SHA = "495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a"
# Bytes that are not UTF-8, with CR, LF and dashes inside, as in a real PNG or PDF.
BINARY = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe--not-a-boundary\r\n--\r\n\x00"
BOUNDARY = "xapi-3f1c2b"


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def attachment(content: bytes, content_type: str = "text/plain", sha2: str | None = None, **extra) -> dict:
    return {"usageType": "http://id.tincanapi.com/attachment/supporting_media",
            "display": {"en": "Signed contract scan", "zh-Hans": "合同扫描件"}, "contentType": content_type,
            "length": len(content), "sha2": sha2 or sha256(content), **extra}


def with_attachments(*attachments) -> dict:
    return make_statement(id=new_id(), attachments=list(attachments))


def part(content: bytes, content_type: str = "text/plain", sha2: str | None = None,
         headers: dict | None = None) -> tuple[dict, bytes]:
    part_headers = {"Content-Type": content_type, "Content-Transfer-Encoding": "binary",
                    "X-Experience-API-Hash": sha2 or sha256(content)}
    part_headers.update(headers or {})
    return {name: value for name, value in part_headers.items() if value is not None}, content


def multipart(statements, *parts, boundary: str = BOUNDARY, newline: bytes = b"\r\n",
              first_type: str = "application/json") -> bytes:
    """A multipart/mixed body: the statements as the first part, then each (headers, content) part."""
    chunks = [b"--" + boundary.encode() + newline, f"Content-Type: {first_type}".encode() + newline + newline,
              json.dumps(statements).encode("utf-8")]
    for headers, content in parts:
        chunks.append(newline + b"--" + boundary.encode() + newline)
        chunks += [f"{name}: {value}".encode() + newline for name, value in headers.items()]
        chunks += [newline, content]
    chunks.append(newline + b"--" + boundary.encode() + b"--" + newline)
    return b"".join(chunks)


def send(lrs, body: bytes, boundary: str = BOUNDARY, method: str = "POST", **params):
    return lrs.request(method, "/statements", data=body, query_string=params,
                       headers={"Content-Type": f'multipart/mixed; boundary="{boundary}"'})


def read_multipart(response) -> list:
    """The parts of a multipart/mixed response, as email.message objects."""
    assert response.mimetype == "multipart/mixed", response.headers["Content-Type"]
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + response.headers["Content-Type"].encode() + b"\r\n\r\n" + response.get_data())
    return list(message.iter_parts())


# --- sending -------------------------------------------------------------------------------------------------

def test_a_statement_with_its_attachment_part_is_stored(lrs):
    statement = with_attachments(attachment(TEXT))
    response = send(lrs, multipart(statement, part(TEXT)))
    assert response.status_code == 200 and response.json == [statement["id"]]
    assert fetch(lrs, statement["id"])["attachments"] == statement["attachments"]


def test_binary_content_with_crlf_and_dashes_is_kept_byte_for_byte(lrs):
    statement = with_attachments(attachment(BINARY, "image/png"))
    assert send(lrs, multipart(statement, part(BINARY, "image/png"))).status_code == 200
    [_, raw] = read_multipart(lrs.get("/statements", query_string={"statementId": statement["id"],
                                                                     "attachments": "true"}))
    assert raw.get_payload(decode=True) == BINARY


def test_content_that_ends_with_a_line_break_keeps_it(lrs):
    content = "第一行\r\n第二行\r\n".encode("utf-8")
    statement = with_attachments(attachment(content, "text/plain; charset=utf-8"))
    assert send(lrs, multipart(statement, part(content, "text/plain; charset=utf-8"))).status_code == 200
    [_, raw] = read_multipart(lrs.get("/statements", query_string={"statementId": statement["id"],
                                                                     "attachments": "true"}))
    assert raw.get_payload(decode=True) == content


def test_a_batch_where_two_statements_share_one_attachment_sends_its_data_once(lrs):
    first, second = with_attachments(attachment(TEXT)), with_attachments(attachment(TEXT))
    assert send(lrs, multipart([first, second], part(TEXT))).status_code == 200


def test_a_batch_with_two_attachments_in_two_parts_is_stored(lrs):
    other = b"here is another simple attachment"
    statement = with_attachments(attachment(TEXT), attachment(other))
    assert send(lrs, multipart(statement, part(TEXT), part(other))).status_code == 200


def test_the_adl_sample_with_lf_line_breaks_is_accepted(lrs):
    statement = with_attachments(attachment(TEXT))
    body = multipart(statement, part(TEXT), boundary="-------314159265358979323846", newline=b"\n")
    assert send(lrs, body, boundary="-------314159265358979323846").status_code == 200


def test_a_boundary_with_the_special_characters_of_the_spec_example_is_accepted(lrs):
    boundary = "abcABC0123'()+_,-./:=?"
    statement = with_attachments(attachment(TEXT, "text/plain; charset=ascii"))
    assert send(lrs, multipart(statement, part(TEXT), boundary=boundary), boundary=boundary).status_code == 200


def test_a_multipart_request_without_attachments_is_accepted(lrs):
    statement = make_statement(id=new_id())
    assert send(lrs, multipart(statement)).status_code == 200


def test_a_multipart_request_whose_attachments_all_have_file_urls_is_accepted(lrs):
    assert send(lrs, multipart(file_url_attachment())).status_code == 200


def test_an_attachment_with_a_file_url_may_still_send_its_data(lrs):
    statement = with_attachments(attachment(TEXT, fileUrl="https://files.example.org/text.txt"))
    assert send(lrs, multipart(statement, part(TEXT))).status_code == 200


def test_put_takes_a_multipart_statement_with_its_attachment(lrs):
    statement = with_attachments(attachment(TEXT))
    response = send(lrs, multipart(statement, part(TEXT)), method="PUT", statementId=statement["id"])
    assert response.status_code == 204


@pytest.mark.parametrize("algorithm", ["sha384", "sha512"])
def test_an_attachment_hashed_with_another_sha2_algorithm_is_accepted(lrs, algorithm):
    sha2 = hashlib.new(algorithm, TEXT).hexdigest()
    statement = with_attachments(attachment(TEXT, sha2=sha2))
    response = send(lrs, multipart(statement, part(TEXT, sha2=sha2)))
    assert response.status_code == 200, response.get_data(as_text=True)


def test_the_declared_hash_is_compared_regardless_of_case(lrs):
    statement = with_attachments(attachment(TEXT, sha2=TEXT_SHA.upper()))
    assert send(lrs, multipart(statement, part(TEXT, sha2=TEXT_SHA))).status_code == 200


def test_a_part_without_content_transfer_encoding_is_read_as_binary(lrs):
    statement = with_attachments(attachment(TEXT))
    body = multipart(statement, part(TEXT, headers={"Content-Transfer-Encoding": None}))
    assert send(lrs, body).status_code == 200


# --- refused -------------------------------------------------------------------------------------------------

def refused(lrs, body: bytes, statement_id: str | None = None, boundary: str = BOUNDARY) -> None:
    """The request is refused with 400 and, when given, the statement was not stored."""
    response = send(lrs, body, boundary=boundary)
    assert response.status_code == 400, response.get_data(as_text=True)
    if statement_id:
        assert lrs.get("/statements", query_string={"statementId": statement_id}).status_code == 404


def test_an_attachment_without_file_url_and_without_its_part_is_refused(lrs):
    statement = with_attachments(attachment(TEXT))
    refused(lrs, multipart(statement), statement["id"])


def test_a_batch_where_one_statement_misses_its_attachment_part_stores_nothing(lrs):
    complete, incomplete = with_attachments(attachment(TEXT)), with_attachments(attachment(BINARY))
    refused(lrs, multipart([complete, incomplete], part(TEXT)), complete["id"])


def test_a_part_whose_content_does_not_match_its_hash_is_refused(lrs):
    statement = with_attachments(attachment(TEXT))
    refused(lrs, multipart(statement, part(b"something else entirely", sha2=TEXT_SHA)), statement["id"])


def test_a_part_that_no_statement_refers_to_is_refused(lrs):
    statement = with_attachments(attachment(TEXT))
    refused(lrs, multipart(statement, part(TEXT), part(BINARY)), statement["id"])


def test_a_part_without_x_experience_api_hash_is_refused(lrs):
    statement = with_attachments(attachment(TEXT))
    refused(lrs, multipart(statement, part(TEXT, headers={"X-Experience-API-Hash": None})), statement["id"])


def test_statements_split_over_two_json_parts_are_refused(lrs):
    first, second = make_statement(id=new_id()), make_statement(id=new_id())
    body = multipart(first, ({"Content-Type": "application/json"}, json.dumps(second).encode()))
    refused(lrs, body, first["id"])


def test_a_part_with_another_content_transfer_encoding_is_refused(lrs):
    statement = with_attachments(attachment(TEXT))
    body = multipart(statement, part(TEXT, headers={"Content-Transfer-Encoding": "base64"}))
    refused(lrs, body, statement["id"])


def test_a_first_part_that_is_not_application_json_is_refused(lrs):
    statement = with_attachments(attachment(TEXT))
    refused(lrs, multipart(statement, part(TEXT), first_type="text/plain"), statement["id"])


def test_a_first_part_that_is_not_valid_json_is_refused(lrs):
    body = multipart({}, part(TEXT)).replace(b"{}", b"{not json")
    refused(lrs, body)


def test_a_multipart_content_type_without_boundary_is_refused(lrs):
    statement = with_attachments(attachment(TEXT))
    response = lrs.post("/statements", data=multipart(statement, part(TEXT)),
                        headers={"Content-Type": "multipart/mixed;"})
    assert response.status_code == 400


def test_a_body_that_does_not_use_the_declared_boundary_is_refused(lrs):
    statement = with_attachments(attachment(TEXT))
    refused(lrs, multipart(statement, part(TEXT), boundary="another-boundary"))


def test_a_multipart_body_without_any_part_is_refused(lrs):
    refused(lrs, f"--{BOUNDARY}--\r\n".encode())


def test_multipart_form_data_is_refused(lrs):
    statement = with_attachments(attachment(TEXT))
    response = lrs.post("/statements", data=multipart(statement, part(TEXT)),
                        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
    assert response.status_code == 400


# --- reading back --------------------------------------------------------------------------------------------

def test_get_one_statement_with_attachments_true_returns_the_statement_then_its_data(lrs):
    statement = with_attachments(attachment(TEXT), attachment(BINARY, "image/png"))
    send(lrs, multipart(statement, part(TEXT), part(BINARY, "image/png")))
    response = lrs.get("/statements", query_string={"statementId": statement["id"], "attachments": "true"})
    assert response.status_code == 200
    first, *rest = read_multipart(response)
    assert first.get_content_type() == "application/json"
    assert json.loads(first.get_payload(decode=True))["id"] == statement["id"]
    by_hash = {p["X-Experience-API-Hash"]: p for p in rest}
    assert set(by_hash) == {TEXT_SHA, sha256(BINARY)}
    assert by_hash[TEXT_SHA].get_payload(decode=True) == TEXT
    assert by_hash[TEXT_SHA]["Content-Transfer-Encoding"] == "binary"
    assert by_hash[sha256(BINARY)].get_content_type() == "image/png"


def test_get_statements_with_attachments_true_returns_a_statement_result_then_each_attachment_once(lrs):
    first, second = with_attachments(attachment(TEXT)), with_attachments(attachment(TEXT))
    send(lrs, multipart([first, second], part(TEXT)))
    post(lrs, make_statement())
    response = lrs.get("/statements", query_string={"attachments": "true"})
    result, *rest = read_multipart(response)
    assert len(json.loads(result.get_payload(decode=True))["statements"]) == 3
    assert [p["X-Experience-API-Hash"] for p in rest] == [TEXT_SHA]
    assert response.headers["X-Experience-API-Consistent-Through"]


def test_attachments_true_when_no_statement_has_attachment_data_is_still_multipart(lrs):
    post(lrs, file_url_attachment())
    result, *rest = read_multipart(lrs.get("/statements", query_string={"attachments": "true"}))
    assert json.loads(result.get_payload(decode=True))["statements"] and rest == []


@pytest.mark.parametrize("params", [{}, {"attachments": "false"}])
def test_without_attachments_true_only_json_is_returned_without_attachment_data(lrs, params):
    statement = with_attachments(attachment(TEXT))
    send(lrs, multipart(statement, part(TEXT)))
    for extra in ({"statementId": statement["id"]}, {"limit": "1"}):
        response = lrs.get("/statements", query_string={**params, **extra})
        assert response.headers["Content-Type"] == "application/json"
        assert TEXT not in response.get_data()


def test_a_get_with_a_multipart_content_type_header_is_answered_as_usual(lrs):
    statement = with_attachments(attachment(TEXT))
    send(lrs, multipart(statement, part(TEXT)))
    response = lrs.get("/statements", query_string={"attachments": "true", "limit": "1"},
                       headers={"Content-Type": f"multipart/mixed; boundary={BOUNDARY}"})
    assert response.status_code == 200 and response.mimetype == "multipart/mixed"
