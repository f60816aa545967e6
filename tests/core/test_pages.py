from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_pages_need_sign_in(client: Client, plan: Any) -> None:
    for path in ("/", "/plan/", "/plan/versions/", "/catalog/systems/", "/team/", "/resources/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/?next="), path


def test_health_is_public(client: Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_plan_pages_in_both_languages(client: Client, plan: Any, admin: Any) -> None:
    client.force_login(admin)
    zh = client.get("/plan/?lang=zh-hans").content.decode()
    assert "<h1>软件管理应急预案</h1>" in zh
    assert "<h2>一、预案目标与范围</h2>" in zh
    en = client.get("/plan/?lang=en").content.decode()
    assert "<h1>Software Management Emergency Response Plan</h1>" in en
    assert "<h2>1. Goals and scope</h2>" in en
    assert client.get("/plan/versions/").status_code == 200
    assert client.get("/plan/versions/1/").status_code == 200
    assert client.get("/plan/versions/2/").status_code == 404


def test_language_switch_changes_the_ui(client: Client, plan: Any, admin: Any) -> None:
    client.force_login(admin)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "总览" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Overview" in client.get("/").content.decode()


def test_plan_diff_page(client: Client, plan: Any, admin: Any, default_plan_text: str) -> None:
    from warroom.plan.services import apply_plan

    apply_plan(default_plan_text.replace("review_every: 365d", "review_every: 200d"))
    client.force_login(admin)
    html = client.get("/plan/diff/?from=1&to=2").content.decode()
    assert '<span class="del">-  review_every: 365d</span>' in html
    assert '<span class="add">+  review_every: 200d</span>' in html
    assert client.get("/plan/diff/?from=1&to=x").status_code == 404
