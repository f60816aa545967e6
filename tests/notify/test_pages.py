"""The deliveries page, "send me a test" and the read-only admin."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AbstractUser, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.notify.conftest import message
from warroom.notify.models import Delivery
from warroom.notify.services import queue_deliveries
from warroom.people import services as people
from warroom.people.models import ContactMethod

Status = Delivery.Status


def _client(user: AbstractUser) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _with_hook(user: AbstractUser, label: str = "hook") -> ContactMethod:
    return people.add_contact_method(user, label=label, url="json://127.0.0.1:9/")


def test_deliveries_page_shows_everyone_to_the_commander(
    commander: User, outsider: User, ops_rep: User
) -> None:
    _with_hook(outsider)
    queue_deliveries([outsider, ops_rep], message(subject="Database down"))

    page = _client(commander).get("/notify/deliveries/")

    assert page.status_code == 200
    rows = list(page.context["rows"])
    assert [(r.recipient.username, r.status) for r in rows] == [
        ("olga", Status.UNDELIVERABLE),
        ("oscar", Status.PENDING),
    ]
    text = page.content.decode()
    assert "the person has no contact method" in text
    assert text.count("Database down") == 2


def test_deliveries_page_shows_others_only_their_own(
    commander: User, outsider: User, ops_rep: User
) -> None:
    _with_hook(outsider)
    queue_deliveries([outsider, ops_rep], message(subject="Database down"))

    page = _client(outsider).get("/notify/deliveries/")

    assert [r.recipient.username for r in page.context["rows"]] == ["oscar"]
    assert page.context["see_all"] is False


def test_deliveries_page_hides_subjects_of_others_incidents(
    commander: User, outsider: User
) -> None:
    _with_hook(outsider)
    queue_deliveries([outsider], message(subject="Customer data leaked"), incident_id=7)

    text = _client(commander).get("/notify/deliveries/").content.decode()

    assert "Customer data leaked" not in text
    assert "incident 7" in text


def test_deliveries_page_filters_by_status(commander: User, outsider: User, ops_rep: User) -> None:
    _with_hook(outsider)
    queue_deliveries([outsider, ops_rep], message())

    page = _client(commander).get("/notify/deliveries/?status=undeliverable")

    assert [r.recipient.username for r in page.context["rows"]] == ["olga"]


def test_deliveries_page_queries_do_not_grow_with_rows(
    commander: User, make_person: Callable[..., AbstractUser]
) -> None:
    client = _client(commander)
    someone = make_person("sam")
    queue_deliveries([someone], message())
    with CaptureQueriesContext(connection) as few:
        client.get("/notify/deliveries/")
    queue_deliveries([make_person(f"p{i}") for i in range(5)], message())
    with CaptureQueriesContext(connection) as many:
        client.get("/notify/deliveries/")

    # session, user, can_manage_plan, the rows with their recipients
    assert len(few) == len(many) == 4


def test_send_me_a_test_queues_a_test_to_my_own_method(outsider: User) -> None:
    method = _with_hook(outsider)

    response = _client(outsider).post(f"/notify/test/{method.pk}/")

    assert response.status_code == 302
    assert response["Location"] == "/notify/test/"
    [row] = Delivery.objects.all()
    assert (row.recipient_id, row.contact_method_id, row.kind, row.status) == (
        outsider.pk,
        method.pk,
        "test",
        Status.PENDING,
    )


def test_send_me_a_test_to_someone_elses_method_is_not_found(outsider: User, ops_rep: User) -> None:
    method = _with_hook(ops_rep)

    response = _client(outsider).post(f"/notify/test/{method.pk}/")

    assert response.status_code == 404
    assert Delivery.objects.count() == 0


def test_send_me_a_test_only_by_post(outsider: User) -> None:
    method = _with_hook(outsider)

    assert _client(outsider).get(f"/notify/test/{method.pk}/").status_code == 405


def test_test_page_lists_my_methods_and_refreshes_while_a_test_is_on_its_way(
    outsider: User,
) -> None:
    method = _with_hook(outsider, label="Work phone")
    client = _client(outsider)
    client.post(f"/notify/test/{method.pk}/")

    waiting = client.get("/notify/test/")
    Delivery.objects.update(status=Status.SENT)
    done = client.get("/notify/test/", headers={"HX-Request": "true"})

    assert "Work phone" in waiting.content.decode()
    assert 'hx-trigger="every 2s"' in waiting.content.decode()
    assert done.content.decode().startswith('<tbody id="test-rows">')
    assert "sent" in done.content.decode()


def test_pages_need_sign_in(db: Any) -> None:
    response = Client().get("/notify/deliveries/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_admin_lists_deliveries_read_only(admin: User, outsider: User) -> None:
    queue_deliveries([outsider], message())
    client = _client(admin)

    listing = client.get("/admin/notify/delivery/?status__exact=undeliverable")
    row = Delivery.objects.get()

    assert listing.status_code == 200
    assert "the person has no contact method" in listing.content.decode()
    assert client.get(f"/admin/notify/delivery/{row.pk}/change/").status_code == 200
    assert client.get("/admin/notify/delivery/add/").status_code == 403
    assert client.post(f"/admin/notify/delivery/{row.pk}/delete/").status_code == 403
