"""Typed readers for the WARROOM_* environment variables.

Settings come from the environment only; these helpers turn a variable into a typed value
and fail with a message naming the variable when it cannot be read.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


class ConfigError(ValueError):
    """A WARROOM_* variable holds a value that cannot be used."""


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip() or default


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}: expected a boolean (1/0, true/false), got {raw!r}")


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name, "")
    items = [part.strip() for part in raw.split(",") if part.strip()]
    return items or list(default or [])


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name}: expected an integer, got {raw!r}") from exc


def secret_key(name: str, var_dir: Path) -> str:
    """The secret key from the environment, else one generated once into var/secret_key.

    The file is created with mode 0600 so that only the service account can read it.
    """
    value = os.environ.get(name, "").strip()
    if value:
        return value
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def database_from_url(url: str, *, name: str = "WARROOM_DATABASE_URL") -> dict[str, Any]:
    """Django DATABASES['default'] from a URL: sqlite:///path or postgres://user@host:port/db."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    if scheme == "sqlite":
        # sqlite:////abs/path or sqlite:///relative/path
        path = unquote(parts.path)
        # sqlite:///var/db → "var/db" (relative); sqlite:////srv/db → "/srv/db" (absolute)
        path = path[1:] if path.startswith("/") else path
        if not path:
            raise ConfigError(f"{name}: a sqlite URL needs a file path, got {url!r}")
        return sqlite_database(Path(path))
    if scheme in {"postgres", "postgresql", "pgsql"}:
        db_name = unquote(parts.path.lstrip("/"))
        if not db_name:
            raise ConfigError(f"{name}: a PostgreSQL URL needs a database name, got {url!r}")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": db_name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ConfigError(f"{name}: unsupported scheme {scheme!r} (use sqlite:// or postgres://)")


def sqlite_database(path: Path) -> dict[str, Any]:
    # WAL lets the web server read while the worker writes; IMMEDIATE transactions take the
    # write lock up front so concurrent writers wait (busy timeout) instead of failing mid-way.
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        # Opening a SQLite connection (and its PRAGMAs) costs as much as a small request:
        # keep each thread's connection, as for PostgreSQL.
        "CONN_MAX_AGE": 600,
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }
