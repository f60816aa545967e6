"""The comms app's configuration, from Django settings or else the environment.

- WARROOM_STATUS_MAIL_URL: the Apprise mail URL subscriber emails are sent through, without a
  recipient, e.g. ``mailtos://user:password@smtp.example.com?from=status@example.com``; each
  subscriber's address is added as ``to=``. Unset: email subscriptions are not offered.
- WARROOM_STATUS_PRIVATE_WEBHOOKS: allow webhook subscribers on loopback and private
  addresses (off by default: the public subscribe form must not make warroom post to
  machines inside the company's network).
"""

from __future__ import annotations

from django.conf import settings

from warroom.lib.env import env_bool, env_str


def mail_url() -> str:
    return str(getattr(settings, "WARROOM_STATUS_MAIL_URL", "") or "") or env_str(
        "WARROOM_STATUS_MAIL_URL"
    )


def private_webhooks_allowed() -> bool:
    value = getattr(settings, "WARROOM_STATUS_PRIVATE_WEBHOOKS", None)
    if value is not None:
        return bool(value)
    return env_bool("WARROOM_STATUS_PRIVATE_WEBHOOKS", False)
