"""What every inbound endpoint does with wrong keys, floods, big and broken bodies: the right
4xx, never a 500, and nothing half-written."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from django.test import Client

from tests.alerts.conftest import Make, am_url, payload, post
from warroom.alerts.inbound import MAX_BODY
from warroom.alerts.models import Alert, Integration, RateWindow
from warroom.catalog.models import System

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": "no integration with this key"}


def test_wrong_key_is_404_whatever_is_wrong(client: Client, make_integration: Make) -> None:
    _, key = make_integration("alertmanager")
    _, grafana_key = make_integration("grafana")
    body = payload("alertmanager/firing_two_alerts")
    _, disabled_key = make_integration("alertmanager", enabled=False)

    for url in (
        am_url("not-a-key"),
        am_url(key[:-1]),
        am_url(grafana_key),
        am_url(disabled_key),
        am_url("x" * 5000),
        am_url(key, "grafana"),
        am_url(key, "generic"),
    ):
        response = post(client, url, body)
        assert (response.status_code, response.json()) == (404, NOT_FOUND), url
    assert Alert.objects.count() == 0
    assert post(client, am_url(key), body).status_code == 200


def test_rate_limit_answers_429_with_retry_after(
    client: Client, make_integration: Make, erp: System
) -> None:
    integration, key = make_integration(rate_limit=2, default_system=erp)
    body = payload("alertmanager/firing_disk")

    statuses = [post(client, am_url(key), body).status_code for _ in range(2)]
    limited = post(client, am_url(key), body)

    assert statuses == [200, 200]
    assert limited.status_code == 429
    retry_after = int(limited["Retry-After"])
    assert 1 <= retry_after <= 60
    assert limited.json() == {
        "detail": f"more than 2 requests this minute for this integration; retry in {retry_after} s"
    }
    assert Alert.objects.get().count == 2
    assert RateWindow.objects.get(integration=integration).count == 2
    # Another integration has a limit of its own.
    _, other = make_integration()
    assert post(client, am_url(other), body).status_code == 200


def test_pagerduty_rate_limit(client: Client, make_integration: Make) -> None:
    _, key = make_integration("pagerduty", rate_limit=1)
    body = payload("pagerduty/trigger") | {"routing_key": key}

    assert post(client, "/v2/enqueue", body).status_code == 202
    limited = post(client, "/v2/enqueue", body)

    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 1
    assert limited.json()["status"] == "throttle event"


def test_rate_limit_zero_means_unlimited(client: Client, make_integration: Make) -> None:
    _, key = make_integration(rate_limit=0)
    body = payload("alertmanager/firing_disk")

    assert [post(client, am_url(key), body).status_code for _ in range(5)] == [200] * 5
    assert RateWindow.objects.count() == 0


def test_body_over_one_mib_is_413(client: Client, make_integration: Make) -> None:
    _, key = make_integration()
    _, pd_key = make_integration("pagerduty")
    body = payload("alertmanager/firing_disk")
    body["alerts"][0]["annotations"]["description"] = "x" * MAX_BODY

    response = post(client, am_url(key), body)

    assert response.status_code == 413
    assert response.json() == {"detail": f"request body larger than {MAX_BODY} bytes"}
    pd = payload("pagerduty/trigger") | {"routing_key": pd_key}
    pd["payload"]["custom_details"] = {"blob": "x" * MAX_BODY}
    response = post(client, "/v2/enqueue", pd)
    assert response.status_code == 413
    assert response.json()["status"] == "invalid event"
    assert Alert.objects.count() == 0


def test_malformed_json_is_400(client: Client, make_integration: Make) -> None:
    _, key = make_integration()

    response = post(client, am_url(key), b'{"version": "4", "alerts": [')

    assert response.status_code == 400
    assert response.json() == {
        "detail": "malformed JSON: Expecting value: line 1 column 29 (char 28)"
    }


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"", "the body is empty; a JSON document is required"),
        (b"\xff\xfe{}", "the body is not UTF-8: byte 0"),
        (b'{"a": NaN}', "malformed JSON: NaN is not JSON"),
        (b'{"a": 1e999}', "malformed JSON: number 1e999 is too large"),
        (b"[" * 100_000 + b"]" * 100_000, "malformed JSON: nested too deeply"),
        (b'{"a": ' + b"9" * 5000 + b"}", None),
    ],
)
def test_broken_bodies_are_400(
    client: Client, make_integration: Make, body: bytes, detail: str | None
) -> None:
    _, key = make_integration()

    response = post(client, am_url(key), body)

    assert response.status_code == 400
    if detail is not None:
        assert response.json() == {"detail": detail}


def test_unstorable_characters_are_replaced(client: Client, make_integration: Make) -> None:
    _, key = make_integration("generic")
    body = b'{"title": "disk\\u0000full \\ud800 on db-1", "host": "db-1"}'

    response = post(client, am_url(key, "generic"), body)

    assert response.status_code == 200
    assert Alert.objects.get().title == "disk\ufffdfull \ufffd on db-1"


def _mutations(base: dict[str, Any]) -> list[bytes]:
    """Broken versions of a valid payload: every field replaced by values of other types,
    truncations of the text, and a few classics."""
    values: list[Any] = [None, 0, -1, 10**40, 1.5, "", "x" * 300, [], {}, True, ["a"], {"a": 1}]
    bodies = []
    text = json.dumps(base)
    for cut in range(0, len(text), max(1, len(text) // 40)):
        bodies.append(text[:cut].encode())

    def walk(node: Any, path: list[Any]) -> None:
        if isinstance(node, dict):
            items: list[tuple[Any, Any]] = list(node.items())
        elif isinstance(node, list):
            items = list(enumerate(node))
        else:
            return
        for key, child in items:
            for value in values:
                copy = json.loads(text)
                target = copy
                for step in path:
                    target = target[step]
                target[key] = value
                bodies.append(json.dumps(copy).encode())
            walk(child, [*path, key])

    walk(base, [])
    bodies += [
        b"null",
        b"[]",
        b'"text"',
        b"42",
        b"\x00\x01\x02",
        b'{"alerts": "all of them"}',
        '{"routing_key": "\u202e"}'.encode(),
        b'{"a": "\\udc80"}',
        b"\xef\xbb\xbf{}",
    ]
    return bodies


@pytest.mark.parametrize(
    ("kind", "fixture"),
    [
        ("alertmanager", "alertmanager/firing_two_alerts"),
        ("grafana", "grafana/firing"),
        ("generic", "generic/uptime_check"),
        ("pagerduty", "pagerduty/trigger"),
    ],
)
def test_fuzzed_bodies_never_cause_a_500(
    client: Client, make_integration: Make, kind: str, fixture: str
) -> None:
    integration, key = make_integration(kind, rate_limit=0)
    base = payload(fixture)
    if kind == "pagerduty":
        base["routing_key"] = key
        url = "/v2/enqueue"
    else:
        url = am_url(key, kind)
    bodies = _mutations(base)
    random.Random(4).shuffle(bodies)
    client.raise_request_exception = False

    seen = set()
    for body in bodies:
        response = client.post(url, data=body, content_type="application/json")
        assert response.status_code < 500, (body[:200], response.content[:500])
        seen.add(response.status_code)
        json.loads(response.content)

    assert seen >= {400} and seen <= {200, 202, 400, 404, 413, 422}
    assert Integration.objects.filter(pk=integration.pk).exists()


def test_webhooks_need_no_csrf_token(make_integration: Make, erp: System) -> None:
    client = Client(enforce_csrf_checks=True)
    cases = []
    for kind, fixture in (
        ("alertmanager", "alertmanager/firing_disk"),
        ("grafana", "grafana/firing"),
        ("generic", "generic/uptime_check"),
    ):
        _, key = make_integration(kind, default_system=erp)
        cases.append((am_url(key, kind), payload(fixture), 200))
    _, pd_key = make_integration("pagerduty", default_system=erp)
    cases.append(("/v2/enqueue", payload("pagerduty/trigger") | {"routing_key": pd_key}, 202))

    for url, body, status in cases:
        assert post(client, url, body).status_code == status, url
