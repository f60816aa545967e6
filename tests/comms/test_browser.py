"""The issue's "done when", in a real browser (headless Chromium from Debian, driven by
Playwright): the status page, visited without signing in, shows the public update of a normal
incident and nothing of a restricted one but its public update; the Atom feed parses with the
expected entries."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import timezone

from tests.browser import CHROMIUM, CHROMIUM_ARGS, needs_chromium
from warroom.incidents.models import Incident

ATOM = "{http://www.w3.org/2005/Atom}"

pytestmark = needs_chromium


@pytest.fixture
def browser_page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread; Django would then refuse the
    # ORM calls of the test's own teardown (flushing the database) without this.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(locale="en-US")
        context.set_default_timeout(15_000)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


@pytest.mark.django_db(transaction=True)
def test_the_public_status_page_shows_public_updates_only(
    live_server: Any,
    components: Any,
    make_incident: Callable[..., Incident],
    post: Any,
    browser_page: Any,
) -> None:
    from playwright.sync_api import expect

    outage = make_incident(
        "ERP database disk full", "ERP", description="vg0 on erp-db-02 reached 100%"
    )
    post(
        outage,
        "Orders cannot be placed at the moment.",
        "目前无法下单。",
        eta=timezone.now() + dt.timedelta(hours=2),
    )
    leak = make_incident(
        "Customer list on a paste site",
        "CRM",
        category="data_leak",
        description="2,000 customer rows found on pastebin",
        restricted=True,
    )
    post(leak, "Some customer accounts may be affected. We will contact you directly.")
    make_incident("Quiet incident nobody announced", "Website")

    page = browser_page
    base = live_server.url
    response = page.goto(f"{base}/status")
    assert response is not None and response.status == 200
    expect(page).to_have_url(f"{base}/status")  # no sign-in redirect
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".banner h1")).to_have_text("Major outage")

    incidents = page.locator("section.incidents article.incident")
    expect(incidents).to_have_count(2)
    normal = incidents.filter(has_text="ERP database disk full")
    expect(normal.locator(".update-text")).to_have_text("Orders cannot be placed at the moment.")
    expect(normal.locator("p.eta")).to_contain_text("Expected resolution:")
    expect(normal).to_contain_text("Affects: Ordering")
    restricted = incidents.filter(has_text="Service incident")
    expect(restricted.locator("h3")).to_have_text("Service incident")
    expect(restricted.locator(".update-text")).to_have_text(
        "Some customer accounts may be affected. We will contact you directly."
    )
    expect(page.locator(".component.state-major_outage .name")).to_have_text("Ordering")
    expect(page.locator(".component", has_text="Customer portal")).to_contain_text("Operational")

    text = page.locator("body").inner_text()
    for secret in (
        "Customer list on a paste site",
        "2,000 customer rows",
        "pastebin",
        "vg0 on erp-db-02",
        "Quiet incident nobody announced",
    ):
        assert secret not in text
        assert secret not in page.content()

    # The language links switch the page; the Chinese text is shown there.
    page.click("header nav.lang a[hreflang=zh-hans]")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(
        page.locator("section.incidents article.incident", has_text="目前无法下单。")
    ).to_have_count(1)

    # The Atom feed, as the browser receives it, parses with one entry per public update.
    feed = page.request.get(f"{base}/status/feed.atom?lang=en")
    assert feed.status == 200
    assert feed.headers["content-type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(feed.body())
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}title") == "Service status"
    entries = [
        (e.findtext(f"{ATOM}title"), e.findtext(f"{ATOM}summary"))
        for e in root.findall(f"{ATOM}entry")
    ]
    assert entries == [
        (
            "Investigating: Service incident",
            "Some customer accounts may be affected. We will contact you directly.",
        ),
        ("Investigating: ERP database disk full", "Orders cannot be placed at the moment."),
    ]
    assert b"paste site" not in feed.body()
    # The page announces its feed.
    alternate = page.locator("link[rel=alternate][type='application/atom+xml']")
    expect(alternate).to_have_attribute("href", "/status/feed.atom?lang=zh-hans")
