"""The `warroom` command: Django's management commands plus warroom's own.

`warroom migrate`, `warroom createsuperuser`, `warroom serve`, `warroom worker`, `warroom run`,
`warroom setup`, `warroom plan ...`, `warroom catalog ...`, `warroom token ...`, `warroom demo`.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "warroom.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:] if argv is None else argv
    execute_from_command_line(["warroom", *args])


if __name__ == "__main__":
    main()
