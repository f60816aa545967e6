from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from warroom.lib.env import ConfigError, database_from_url, env_bool, env_list, secret_key

ROOT = Path(__file__).resolve().parents[2]


def test_sqlite_url_relative_and_absolute() -> None:
    assert database_from_url("sqlite:///var/db.sqlite3")["NAME"] == "var/db.sqlite3"
    assert (
        database_from_url("sqlite:////srv/warroom/db.sqlite3")["NAME"] == "/srv/warroom/db.sqlite3"
    )
    options = database_from_url("sqlite:///x.db")["OPTIONS"]
    assert "journal_mode=WAL" in options["init_command"]


def test_postgres_url() -> None:
    db = database_from_url("postgres://wr:s%40cret@db.internal:5433/warroom?sslmode=require")
    assert (db["ENGINE"], db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "django.db.backends.postgresql",
        "warroom",
        "wr",
        "s@cret",
        "db.internal",
        "5433",
    )
    assert db["OPTIONS"] == {"sslmode": "require"}


def test_bad_urls_name_the_variable() -> None:
    with pytest.raises(ConfigError, match="WARROOM_DATABASE_URL: unsupported scheme 'mysql'"):
        database_from_url("mysql://x/y")
    with pytest.raises(ConfigError, match="needs a database name"):
        database_from_url("postgres://host/")


def test_env_bool_and_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARROOM_X", "yes")
    assert env_bool("WARROOM_X") is True
    monkeypatch.setenv("WARROOM_X", "maybe")
    with pytest.raises(ConfigError, match="WARROOM_X: expected a boolean"):
        env_bool("WARROOM_X")
    monkeypatch.setenv("WARROOM_HOSTS", " a.example, b.example ,")
    assert env_list("WARROOM_HOSTS") == ["a.example", "b.example"]


def test_secret_key_generated_once_with_mode_0600(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WARROOM_SECRET_KEY", raising=False)
    first = secret_key("WARROOM_SECRET_KEY", tmp_path)
    assert len(first) >= 50
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert secret_key("WARROOM_SECRET_KEY", tmp_path) == first
    monkeypatch.setenv("WARROOM_SECRET_KEY", "from-env")
    assert secret_key("WARROOM_SECRET_KEY", tmp_path) == "from-env"


def _warroom(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "warroom.cli", *args],
        env=env,
        cwd=cwd,
        text=True,
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARROOM_")}
    env.update(
        {
            "WARROOM_SECRET_KEY": "x" * 20 + "-production-like-secret-key-0123456789-abcdefghij",
            "WARROOM_BASE_URL": "https://warroom.example.com",
            "WARROOM_ALLOWED_HOSTS": "warroom.example.com",
            "WARROOM_VAR_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "warroom.settings",
        }
    )
    result = _warroom(["check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_setup_prepares_a_fresh_installation(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARROOM_")}
    env.update(
        {
            "WARROOM_VAR_DIR": str(tmp_path / "var"),
            "WARROOM_ADMIN_PASSWORD": "s3cret-pw!",
            "DJANGO_SETTINGS_MODULE": "warroom.settings",
        }
    )
    first = _warroom(["setup"], env, tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [
        "applied the default plan as v1",
        "created administrator 'admin' (password from WARROOM_ADMIN_PASSWORD)",
    ]
    assert (tmp_path / "var" / "warroom.sqlite3").exists()
    second = _warroom(["setup"], env, tmp_path)
    assert second.returncode == 0, second.stderr
    assert second.stdout == ""
    shown = _warroom(["plan", "show"], env, tmp_path)
    assert shown.stdout.startswith("# plan v1 applied ")
