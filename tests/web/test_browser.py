"""One story in a real browser (headless Chromium from Debian, driven by Playwright): an
administrator signs in, reads the plan in both languages, switches the UI language with the
header's buttons and opens the version history."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser

from tests.browser import CHROMIUM, CHROMIUM_ARGS, needs_chromium

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
def test_admin_reads_the_plan_in_both_languages_and_opens_the_history(
    live_server: Any, plan: Any, admin: AbstractUser, browser_page: Any
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", "pw-root")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/")

    page.goto(f"{base}/plan/?lang=zh-hans")
    expect(page.locator("article.doc h1")).to_have_text("软件管理应急预案")
    expect(page.locator("article.doc")).to_have_attribute("lang", "zh-hans")

    page.goto(f"{base}/plan/?lang=en")
    expect(page.locator("article.doc h1")).to_have_text(
        "Software Management Emergency Response Plan"
    )

    # The header's language buttons switch the whole UI, and the plan follows it.
    page.goto(f"{base}/plan/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.click("header form.lang button[value=zh-hans]")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page).to_have_url(f"{base}/plan/")
    expect(page.locator("header form.lang button[value=zh-hans]")).to_have_attribute(
        "aria-current", "true"
    )
    expect(page.locator("article.doc h1")).to_have_text("软件管理应急预案")

    page.click("header form.lang button[value=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("article.doc h1")).to_have_text(
        "Software Management Emergency Response Plan"
    )

    page.click("a[href='/plan/versions/']")
    expect(page).to_have_url(f"{base}/plan/versions/")
    expect(page.locator("h1")).to_have_text("Plan version history")
    first = page.locator("table a[href='/plan/versions/1/']")
    expect(first).to_have_text("v1")
    first.click()
    expect(page).to_have_url(re.compile(r"/plan/versions/1/$"))
    expect(page.locator("article.doc h1")).to_have_text(
        "Software Management Emergency Response Plan"
    )


def _sign_in(page: Any, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


@pytest.mark.django_db(transaction=True)
def test_htmx_filter_inline_delete_and_state_change(
    live_server: Any,
    commander: AbstractUser,
    it_system: Any,
    ops_system: Any,
    make_resource: Any,
    browser_page: Any,
) -> None:
    """The htmx parts work in a browser: the list updates in place (the page is not reloaded,
    so a marker set on `window` survives), and deletion asks inline first."""
    from playwright.sync_api import expect

    kit = make_resource("Radio set", "operations", kind="emergency_comms")
    page = browser_page
    base = live_server.url
    _sign_in(page, base, "chen", "pw-chen")

    page.goto(f"{base}/catalog/systems/")
    page.evaluate("window.__notReloaded = true")
    page.select_option("select[name=kind]", "internal")
    expect(page.locator("#system-rows tr")).to_have_count(1)
    expect(page.locator("#system-rows")).to_contain_text("Monitoring")
    expect(page).to_have_url(f"{base}/catalog/systems/?kind=internal")
    assert page.evaluate("window.__notReloaded") is True

    row = page.locator("#system-rows tr", has_text="Monitoring")
    row.locator("a", has_text="Delete").click()
    confirm = row.locator(".confirm")
    expect(confirm).to_contain_text("Delete the system “Monitoring”?")
    confirm.locator("button", has_text="Cancel").click()
    expect(row.locator(".confirm")).to_have_count(0)
    row.locator("a", has_text="Delete").click()
    row.locator(".confirm button[type=submit]").click()
    expect(page).to_have_url(f"{base}/catalog/systems/")
    expect(page.locator(".messages")).to_have_text("System “Monitoring” deleted.")
    expect(page.locator("#system-rows tr")).to_have_count(1)

    page.goto(f"{base}/resources/")
    page.evaluate("window.__notReloaded = true")
    page.select_option(f"#resource-{kit.pk} select[name=state]", "allocated")
    expect(page.locator(f"#resource-{kit.pk} select[name=state]")).to_have_value("allocated")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__notReloaded") is True
    page.reload()
    expect(page.locator(f"#resource-{kit.pk} select[name=state]")).to_have_value("allocated")
