"""Compile every gettext catalogue (.po) under a folder into .mo files, in pure Python.

Used by the build instead of Django's compilemessages so that a fresh machine needs no
GNU gettext. Exits 1 naming the file when a catalogue cannot be read.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib


def compile_all(root: Path) -> int:
    count = 0
    for po_path in sorted(root.rglob("*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        try:
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        except (OSError, ValueError) as exc:
            print(f"{po_path}: {exc}", file=sys.stderr)
            raise SystemExit(1) from exc
        count += 1
    return count


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "src/warroom/locale")
    compiled = compile_all(root)
    print(f"compiled {compiled} translation catalogue(s) under {root}")


if __name__ == "__main__":
    main()
