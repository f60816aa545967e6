"""Django settings for warroom, read from WARROOM_* environment variables only."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import django_stubs_ext
from django.utils.translation import gettext_lazy as _

from warroom.lib.env import (
    ConfigError,
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    secret_key,
    sqlite_database,
)

# Lets typed generics such as admin.ModelAdmin[System] work at run time, as mypy wants them.
django_stubs_ext.monkeypatch()

PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(env_str("WARROOM_VAR_DIR", "var")).resolve()

DEBUG = env_bool("WARROOM_DEBUG", False)
SECRET_KEY = secret_key("WARROOM_SECRET_KEY", VAR_DIR)
BASE_URL = env_str("WARROOM_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
_base = urlsplit(BASE_URL)
ALLOWED_HOSTS = env_list("WARROOM_ALLOWED_HOSTS", [_base.hostname or "127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = [f"{_base.scheme}://{_base.netloc}"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    "warroom.core",
    "warroom.people",
    "warroom.plan",
    "warroom.catalog",
    "warroom.resources",
    "warroom.notify",
    "warroom.oncall",
    "warroom.incidents",
    "warroom.alerts",
    "warroom.comms",
    "warroom.paging",
    "warroom.reports",
    "warroom.evaluation",
    "warroom.drills",
    "warroom.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "warroom.core.middleware.LoginRequiredExceptApi",
]

ROOT_URLCONF = "warroom.urls"
WSGI_APPLICATION = "warroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "warroom.core.context.navigation",
            ],
        },
    },
]

_database_url = env_str("WARROOM_DATABASE_URL")
DATABASES: dict[str, dict[str, Any]] = {
    "default": database_from_url(_database_url)
    if _database_url
    else sqlite_database(VAR_DIR / "warroom.sqlite3")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work: a SQLite file beside the database by default, Redis when configured.
_redis_url = env_str("WARROOM_REDIS_URL")
HUEY: dict[str, Any] = {
    "name": "warroom",
    "immediate": env_bool("WARROOM_HUEY_IMMEDIATE", False),
    # An idle consumer polls the SQLite queue with growing pauses; cap them at a second so a
    # page waits at most that long (Redis blocks on the queue and is not affected).
    "consumer": {
        "workers": env_int("WARROOM_WORKER_THREADS", 4),
        "worker_type": "thread",
        "max_delay": 1.0,
    },
}
if _redis_url:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": _redis_url})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "huey.sqlite3")})

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("WARROOM_TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

STATIC_URL = "static/"
# Static files are served from the package by WhiteNoise, so no collectstatic step is needed;
# set WARROOM_STATIC_ROOT to collect them for a front proxy instead.
STATIC_ROOT = env_str("WARROOM_STATIC_ROOT") or None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Security. Behind HTTPS (a https:// base URL) cookies are secure and HSTS is sent.
SESSION_COOKIE_HTTPONLY = True
# Pages send the CSRF token from the template (hx-headers on <body>), never from the cookie.
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if _base.scheme == "https":
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("WARROOM_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("WARROOM_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# API lists: `limit` defaults to 100 and may not exceed 500.
NINJA_PAGINATION_PER_PAGE = 100
NINJA_PAGINATION_MAX_LIMIT = 500

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Integration keys in logged URLs (Django's "Not Found: /api/v1/integrations/...") are
    # cut to their prefix.
    "filters": {"keys": {"()": "warroom.lib.redact.RedactKeys"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["keys"]}},
    "root": {"handlers": ["console"], "level": env_str("WARROOM_LOG_LEVEL", "INFO")},
}

# The plan shipped with the product: the seed plan, in both languages.
WARROOM_DEFAULT_PLAN = PACKAGE_DIR / "plan" / "default_plan.yaml"

# The language post-incident report drafts are written in (the seed's own by default); every
# export can still be had in either language.
WARROOM_REPORT_LANGUAGE = env_str("WARROOM_REPORT_LANGUAGE", "zh-hans").lower()
if WARROOM_REPORT_LANGUAGE not in {code for code, _name in LANGUAGES}:
    raise ConfigError(
        f"WARROOM_REPORT_LANGUAGE: expected one of en, zh-hans, got {WARROOM_REPORT_LANGUAGE!r}"
    )
