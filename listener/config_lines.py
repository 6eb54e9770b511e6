"""Where in the config file a key is written, so that an error can name its line.

``tomllib`` gives values, not places; this reads the (already valid) TOML text line by line, following
its ``[table]`` and ``[[array of tables]]`` headers, as a person looking for the key would.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_HEADER = re.compile(r"\s*(\[\[?)([^\[\]]+)\]")
_ASSIGNMENT = re.compile(r"\s*([A-Za-z0-9_.\-\"' ]+?)\s*=")


def line_of(text: str, loc: Sequence[str | int]) -> int | None:
    """The line (from 1) of ``text`` that writes the key at ``loc``, a path as pydantic gives it
    (``("alerts", "rules", 0, "complaint_treshold")``), or of the nearest table or key around it that is
    written; ``None`` when none is.

    Example::

        >>> line_of('[[brands]]\\nname = "Lumora"\\nlangauges = ["es"]\\n', ("brands", 0, "langauges"))
        3
    """
    lines = text.splitlines()
    for end in range(len(loc), 0, -1):
        found = _line_of_path(lines, tuple(loc[:end]))
        if found is not None:
            return found
    return None


def _line_of_path(lines: list[str], path: tuple[str | int, ...]) -> int | None:
    """The line that writes ``path`` (its last part a key): its header, its ``key =`` line, or a line of
    the table that holds it where it is a key of an inline table (``routes = [{ chanels = [...] }]``)."""
    key, table, counts = path[-1], (), {}
    inline = re.compile(rf"[{{,]\s*[\"']?{re.escape(str(key))}[\"']?\s*=")
    for number, line in enumerate(lines, 1):
        header = _HEADER.match(line)
        if header:
            names = tuple(_key_parts(header.group(2)))
            if header.group(1) == "[[":
                counts[names] = counts.get(names, -1) + 1
                for nested in [other for other in counts if other[:len(names)] == names and other != names]:
                    del counts[nested]  # a new entry's own arrays of tables ([[alerts.rules.routes]]) start again
                table = (*_with_indices(names, counts), counts[names])
            else:
                table = _with_indices(names, counts)
            if table == path or table[:len(path)] == path:
                return number
            continue
        assignment = _ASSIGNMENT.match(line)
        if assignment and (*table, *_key_parts(assignment.group(1))) == path:
            return number
        if path[:len(table)] == table and inline.search(line):
            return number
    return None


def _with_indices(names: tuple[str, ...], counts: dict[tuple[str, ...], int]) -> tuple[str | int, ...]:
    """A header's path, with the index of each array of tables it is under (``[alerts.rules.quiet]`` or
    ``[[alerts.rules.routes]]`` after the second ``[[alerts.rules]]``: ``alerts, rules, 1, quiet``)."""
    path: list[str | int] = []
    for end, name in enumerate(names, 1):
        path.append(name)
        if names[:end] in counts and end < len(names):
            path.append(counts[names[:end]])
    return tuple(path)


def _key_parts(dotted: str) -> list[str]:
    """A dotted TOML key's parts, unquoted: ``a."b.c"`` is ``a``, ``b.c``."""
    return [part.strip().strip("\"'") for part in re.findall(r"\"[^\"]*\"|'[^']*'|[^.]+", dotted)]
