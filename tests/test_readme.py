"""The README stays true: every config key is documented, every command it names exists."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import click
from pydantic import BaseModel

from listener.cli import main
from listener.config import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def sections() -> dict[str, str]:
    """README text under each '### `[table]`' heading, by every table the heading names."""
    found: dict[str, str] = {}
    parts = re.split(r"^### (.+)$", README, flags=re.MULTILINE)
    for heading, body in zip(parts[1::2], parts[2::2]):
        for table in re.findall(r"`\[\[?([\w.]+)\]\]?`", heading):
            found[table] = body
    return found


def model_of(annotation: object) -> type[BaseModel] | None:
    """The config table type inside ``annotation`` (``X``, ``list[X]``, ``X | None``), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next(filter(None, (model_of(arg) for arg in typing.get_args(annotation))), None)


def config_keys(model: type[BaseModel], documented: dict[str, str], prefix: str = "") -> list[tuple[str, str]]:
    """(table, key) for every setting: tables with their own README section are walked into."""
    keys = []
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        submodel = model_of(field.annotation)
        if submodel is not None and (path in documented or any(t.startswith(path + ".") for t in documented)):
            keys.extend(config_keys(submodel, documented, path + "."))
        else:
            keys.append((prefix.rstrip("."), name))
    return keys


def test_every_config_key_is_in_the_readme_reference():
    documented = sections()
    missing = []
    for table, key in config_keys(Settings, documented):
        body = documented.get(table, "")
        if not re.search(rf"`(?:[\w.]+\.)?{re.escape(key)}`", body):
            missing.append(f"{table}.{key}")
    assert missing == [], f"document these keys in the README's configuration reference: {missing}"


def test_every_command_the_readme_names_exists():
    named = set(re.findall(r"^\| `listener ([a-z]+(?: [a-z]+)?)", README, flags=re.MULTILINE))
    assert named, "the README's command table is missing"
    for command in named:
        group: click.Command = main
        for word in command.split():
            assert isinstance(group, click.Group) and word in group.commands, f"README names 'listener {command}'"
            group = group.commands[word]
