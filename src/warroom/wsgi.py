"""The WSGI application gunicorn serves (`warroom serve`).

Django, with the inbound webhooks answered in front of it by `alerts.fastpath` (why: see
there). Tests that use Django's client reach the same answers through the Django views.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "warroom.settings")
django_application = get_wsgi_application()

from warroom.alerts.fastpath import IntakeApp  # noqa: E402  (needs the apps loaded)

application = IntakeApp(django_application)
