"""The application side of the consumer test, run as its own process against the same database
and queue as the worker: `python worker_side.py queue URL` creates a person with that contact
method and queues one notification; `python worker_side.py show ID` prints the row.
Each prints one JSON line."""

from __future__ import annotations

import json
import os
import sys
import time

import django


def main(command: str, arg: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "warroom.settings")
    django.setup()
    from django.db import transaction

    from warroom.notify.models import Delivery
    from warroom.notify.services import Message, queue_deliveries
    from warroom.people.services import create_person

    if command == "queue":
        with transaction.atomic():
            ann = create_person(
                username="ann", language="en", contact_methods=[{"label": "hook", "url": arg}]
            )
            [row] = queue_deliveries(
                [ann], lambda user, lang: Message(subject="Paged", body="via the worker")
            )
        # on_commit has run: the task is in the queue now.
        print(json.dumps({"id": row.pk, "queued_at": time.time()}))
    elif command == "show":
        row = Delivery.objects.get(pk=int(arg))
        print(json.dumps({"status": row.status, "attempts": row.attempts}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
