"""The incident story in a real browser (headless Chromium from Debian, driven by Playwright):
the commander reports an outage of the CRM, assesses it, runs the response and the recovery
and resolves it, every step through the page's htmx forms."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User

from tests.browser import CHROMIUM, CHROMIUM_ARGS, needs_chromium
from warroom.catalog.models import System

pytestmark = needs_chromium

STEP_TIMEOUT_MS = 5_000


@pytest.fixture
def browser_page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread; Django would then refuse the
    # ORM calls of the test's own teardown (flushing the database) without this.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(locale="en-US")
        context.set_default_timeout(STEP_TIMEOUT_MS)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


@pytest.mark.django_db(transaction=True)
def test_commander_runs_an_incident_from_report_to_resolved(
    live_server: Any, commander: User, ops_rep: User, crm: System, browser_page: Any
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    base = live_server.url
    state = page.locator("#incident-header [data-state]")

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "chen")
    page.fill("input[name=password]", "pw-chen")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/")

    # §4.1 report, from the overview's button
    page.click("a.button:has-text('Report an incident')")
    expect(page).to_have_url(f"{base}/incidents/report/")
    page.fill("input[name=title]", "CRM answers 500 on every page")
    page.fill("textarea[name=description]", "Customers cannot log in since 09:10.")
    page.select_option("select[name=systems]", label="CRM")
    page.fill("input[name=contact]", "ext. 4412")
    page.click("form.report-incident button[type=submit]")
    expect(page).to_have_url(re.compile(r"/incidents/\d+/$"))
    expect(state).to_have_text("Reported")
    expect(page.locator(".messages")).to_contain_text("The emergency team has been paged.")
    expect(page.locator("#incident-systems")).to_contain_text("Website")  # also at risk
    page.evaluate("window.__notReloaded = true")

    # §4.2 assess: the form is open while the incident waits for its assessment
    assess = page.locator("details.assess form")
    assess.locator("select[name=level]").select_option("high")
    assess.locator("select[name=category]").select_option("system_failure")
    assess.locator("button[type=submit]").click()
    expect(state).to_have_text("Assessed")
    expect(page.locator("#incident-header .badge.level")).to_have_text("High")
    expect(page.locator("#incident-actions .flash")).to_have_text("Assessment recorded.")

    # §4.3 respond: the playbook's tasks appear; one is worked through
    page.click("#incident-actions button:has-text('Start the response')")
    expect(state).to_have_text("Responding")
    task = page.locator("article.task", has_text="Troubleshoot and draw up a fix plan")
    boxes = task.locator("input[name=done]")
    expect(boxes).to_have_count(4)
    for done in range(4):
        boxes.nth(done).check()
        expect(task.locator(".done-by")).to_have_count(done + 1)
    task.locator("select[name=status]").select_option("done")
    task.locator(".task-form button[type=submit]").click()
    expect(task.locator(".task-status")).to_have_text("Done")
    expect(page.locator("#incident-tasks .flash")).to_have_text(
        "Task “Troubleshoot and draw up a fix plan” saved."
    )
    expect(page.locator("#incident-timeline")).to_contain_text("task troubleshoot updated")

    # §4.5 recovery: every item of the checklist signed, then resolved
    page.click("#incident-actions button:has-text('Move to recovery')")
    expect(state).to_have_text("Recovering")
    signed = page.locator("#incident-recovery .signed")
    sign_buttons = page.locator("#incident-recovery form button[type=submit]")
    expect(sign_buttons).to_have_count(6)
    for count in range(6):
        sign_buttons.first.click()
        expect(signed).to_have_count(count + 1)
    expect(page.locator("#incident-recovery .recovery-open")).to_have_text("Every item is signed.")
    page.click("form.resolve button[type=submit]")
    expect(state).to_have_text("Resolved")

    # §4.6 the report draft is on the page
    report = page.locator("#incident-report")
    expect(report.locator("h2")).to_have_text("Post-incident report (draft)")
    expect(report.locator("textarea[name=what_happened]")).to_contain_text(
        "CRM answers 500 on every page"
    )
    # all of it happened in place, without reloading the page
    assert page.evaluate("window.__notReloaded") is True
