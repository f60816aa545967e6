"""`warroom status export DIR`: the page as static files that can be served from elsewhere."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from warroom.incidents.models import Incident

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def test_export_writes_the_page_in_both_languages_the_feeds_and_the_css(
    tmp_path: Path, components: Any, make_incident: Callable[..., Incident], post: Any, capsys: Any
) -> None:
    incident = make_incident("ERP down", "ERP")
    post(incident, "Ordering is down.", "下单功能不可用。")
    leak = make_incident("Customer list on a paste site", "CRM", category="data_leak")
    post(leak, "Some accounts may be affected.")
    target = tmp_path / "site" / "status"

    call_command("status", "export", str(target))

    names = sorted(p.name for p in target.iterdir())
    assert names == [
        "feed.atom",
        "feed.zh-hans.atom",
        "index.html",
        "index.zh-hans.html",
        "status.css",
    ]
    assert capsys.readouterr().out.splitlines() == [
        str(target / n)
        for n in (
            "index.html",
            "feed.atom",
            "index.zh-hans.html",
            "feed.zh-hans.atom",
            "status.css",
        )
    ]
    en = (target / "index.html").read_text(encoding="utf-8")
    zh = (target / "index.zh-hans.html").read_text(encoding="utf-8")
    assert '<link rel="stylesheet" href="status.css">' in en
    assert '<html lang="en">' in en and '<html lang="zh-hans">' in zh
    assert "Ordering is down." in en and "下单功能不可用。" in zh
    assert 'href="index.zh-hans.html"' in en and 'href="index.html"' in zh
    assert "Customer list on a paste site" not in en + zh
    assert "/static/" not in en  # nothing that needs the live server but the subscribe link
    root = ET.parse(target / "feed.atom").getroot()
    titles = [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")]
    assert titles == ["Investigating: Service incident", "Investigating: ERP down"]
    assert (target / "status.css").read_text().startswith("/* The public status page")


def test_export_into_a_place_that_is_not_a_directory_fails_clearly(
    tmp_path: Path, plan: Any
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(CommandError, match=r"^cannot create .*a-file/out"):
        call_command("status", "export", str(blocker / "out"))


def test_the_warroom_command_exits_1_when_dir_is_not_writable(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    env = {**os.environ, "WARROOM_VAR_DIR": str(tmp_path / "var")}
    env.pop("WARROOM_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "warroom.cli", "status", "export", str(blocker)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == (f"CommandError: cannot create {blocker}: File exists")
