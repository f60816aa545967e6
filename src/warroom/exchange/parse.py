"""Read CSV and YAML files into rows that remember the line they start on.

Nothing here raises for bad input: an unreadable file, bad encoding, a YAML syntax error or a
broken CSV row comes back as a `Problem` with its line, so the importer can report every
problem of a file at once. Checking the values of a row is `rows.py`'s job.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from warroom.plan.validation import Problem

# The kinds of record a file can hold, in the order a catalog file lists them.
KINDS = ("systems", "risks", "people", "resources", "contacts")


@dataclass(frozen=True)
class Row:
    """One record: its values by field name and the 1-based line where it starts."""

    line: int
    values: dict[str, Any]


@dataclass(frozen=True)
class Batch:
    """The records of one kind from one file. CSV batches keep their header to check it once."""

    kind: str
    fmt: str  # "csv" or "yaml"
    rows: list[Row]
    header: tuple[str, ...] | None = None
    header_line: int = 1


class _Loader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text: `rows.py` reads them, and reports 2027-13-01
    as a bad date where PyYAML's own timestamp constructor would raise a bare ValueError."""


_Loader.add_constructor(
    "tag:yaml.org,2002:timestamp",
    lambda loader, node: loader.construct_scalar(node),  # type: ignore[arg-type]
)


def kind_from_name(path: Path) -> str | None:
    """`systems.csv` holds systems; None when the file name names no kind."""
    stem = path.stem.lower()
    return stem if stem in KINDS else None


def file_format(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    return None


def read_file(path: Path, kind: str | None = None) -> tuple[list[Batch], list[Problem]]:
    """The batches in the file at `path` (CSV or YAML by its suffix), and problems found.

    `kind` is required for a CSV file not named after its kind and for a YAML list; for a
    YAML mapping of kinds it selects one of them.
    """
    fmt = file_format(path)
    if fmt is None:
        return [], [Problem((), "unknown file type (use .csv, .yaml or .yml)")]
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [], [Problem((), f"cannot read: {exc.strerror or exc}")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return [], [
            Problem(
                (),
                f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
                line,
            )
        ]
    if fmt == "csv":
        kind = kind or kind_from_name(path)
        if kind is None:
            return [], [
                Problem(
                    (),
                    f"give --kind ({', '.join(KINDS)}) or name the file after its kind, "
                    "e.g. systems.csv",
                )
            ]
        batch, problems = parse_csv(text, kind)
        return ([batch] if batch else []), problems
    return parse_yaml(text, kind)


def parse_csv(text: str, kind: str) -> tuple[Batch | None, list[Problem]]:
    """Rows of a CSV file whose first non-empty line is the header.

    A row's line is the line it starts on (a quoted cell may span lines). Missing trailing cells
    are blank; extra cells are a problem. Cell values are stripped strings.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    header: tuple[str, ...] | None = None
    header_line = 1
    rows: list[Row] = []
    problems: list[Problem] = []
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem((), f"CSV syntax error: {exc}", reader.line_num))
            return None, problems
        if not any(cell.strip() for cell in cells):
            continue  # blank lines between records are allowed
        if header is None:
            header, header_line = tuple(cell.strip() for cell in cells), start
            problems += _header_problems(header, header_line)
            continue
        if len(cells) > len(header):
            problems.append(
                Problem((), f"{len(cells)} cells but the header has {len(header)}", start)
            )
            continue
        cells += [""] * (len(header) - len(cells))
        rows.append(
            Row(start, {name: cell.strip() for name, cell in zip(header, cells, strict=True)})
        )
    if header is None:
        return None, [Problem((), "empty file: a CSV file starts with a header line")]
    return Batch(kind, "csv", rows, header, header_line), problems


def _header_problems(header: tuple[str, ...], line: int) -> list[Problem]:
    problems = []
    seen: set[str] = set()
    for index, name in enumerate(header, 1):
        if not name:
            problems.append(Problem((), f"column {index} has no name", line))
        elif name in seen:
            problems.append(Problem((name,), "duplicate column", line))
        seen.add(name)
    return problems


def parse_yaml(text: str, kind: str | None = None) -> tuple[list[Batch], list[Problem]]:
    """Batches of a YAML file holding a list of records of one kind (then `kind` is required),
    or a mapping from kinds to lists of records. A row's line is the line its record starts on.
    """
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return [], [Problem((), "empty file")]
        if isinstance(root, yaml.SequenceNode):
            if kind is None:
                return [], [Problem((), f"a list of records needs --kind ({', '.join(KINDS)})", 1)]
            rows, problems = _records(loader, root)
            return [Batch(kind, "yaml", rows)], problems
        if not isinstance(root, yaml.MappingNode):
            return [], [Problem((), f"expected a list of records or a mapping of {_kinds()}", 1)]
        return _sections(loader, root, kind)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        return [], [Problem((), f"YAML syntax error: {exc.problem or exc}", line)]
    except yaml.YAMLError as exc:
        return [], [Problem((), f"YAML error: {exc}")]
    finally:
        loader.dispose()


def _kinds() -> str:
    return ", ".join(KINDS)


def _sections(
    loader: _Loader, root: yaml.MappingNode, kind: str | None
) -> tuple[list[Batch], list[Problem]]:
    batches: list[Batch] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for key_node, value_node in root.value:
        name, line = str(key_node.value), key_node.start_mark.line + 1
        if name not in KINDS:
            problems.append(Problem((name,), f"unknown section (known: {_kinds()})", line))
            continue
        if name in seen:
            problems.append(Problem((name,), "duplicate section", line))
            continue
        seen.add(name)
        if kind is not None and name != kind:
            continue
        if isinstance(value_node, yaml.ScalarNode) and value_node.tag.endswith(":null"):
            continue  # an empty section
        if not isinstance(value_node, yaml.SequenceNode):
            problems.append(Problem((name,), "must be a list of records", line))
            continue
        rows, found = _records(loader, value_node)
        batches.append(Batch(name, "yaml", rows))
        problems += found
    if kind is not None and kind not in seen:
        problems.append(Problem((), f"no {kind!r} section in the file", 1))
    return batches, problems


def _records(loader: _Loader, node: yaml.SequenceNode) -> tuple[list[Row], list[Problem]]:
    rows: list[Row] = []
    problems: list[Problem] = []
    for item in node.value:
        line = item.start_mark.line + 1
        if not isinstance(item, yaml.MappingNode):
            problems.append(Problem((), "a record must be a mapping of field: value", line))
            continue
        keys = [str(key_node.value) for key_node, _ in item.value]
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        problems += [Problem((key,), "duplicate field", line) for key in duplicates]
        try:
            values = loader.construct_object(item, deep=True)
        except ValueError as exc:  # a scalar PyYAML recognises but cannot build
            problems.append(Problem((), f"cannot read the record: {exc}", line))
            continue
        rows.append(Row(line, {str(key): value for key, value in values.items()}))
    return rows, problems
