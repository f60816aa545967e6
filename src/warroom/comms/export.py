"""The static export of the status page (`warroom status export DIR`)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.contrib.staticfiles import finders

from warroom.comms.public import atom_feed, export_links, export_name, languages, status_html


class ExportError(Exception):
    """The export cannot be written (the message says where and why)."""


def export_status(directory: Path) -> list[Path]:
    """Write the page in every language, its feeds and its stylesheet into `directory`
    (created if missing); returns the files written. Each file is written to a temporary name
    and renamed, so a web server serving the directory never sees half a page.

    Raises ExportError when the directory cannot be created or written to.
    """
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot create {directory}: {exc.strerror or exc}") from exc
    if not directory.is_dir() or not os.access(directory, os.W_OK | os.X_OK):
        raise ExportError(f"cannot write to {directory}: not a writable directory")
    files: dict[str, bytes] = {}
    for lang in languages():
        files[export_name(lang, "html")] = status_html(lang, export_links(lang)).encode()
        files[export_name(lang, "atom")] = atom_feed(lang).encode()
    css = finders.find("comms/status.css")
    assert isinstance(css, str)  # shipped with the app
    files["status.css"] = Path(css).read_bytes()
    written = []
    for name, content in files.items():
        target = directory / name
        try:
            with tempfile.NamedTemporaryFile(dir=directory, prefix=f".{name}.", delete=False) as f:
                f.write(content)
            Path(f.name).chmod(0o644)
            Path(f.name).replace(target)
        except OSError as exc:
            raise ExportError(f"cannot write {target}: {exc.strerror or exc}") from exc
        written.append(target)
    return written
