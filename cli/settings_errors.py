"""One line naming the CALLPULSE_* variable that the settings cannot use, instead of pydantic's traceback."""

from __future__ import annotations

import json
import re
from typing import Any, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import EnvSettingsSource, SettingsError

from core.settings import Settings

PREFIX = "CALLPULSE_"
NESTED = "__"


def _field(path: list[str]) -> FieldInfo | None:
    """The settings field at a path such as ["transcribe", "allowed_languages"], if there is one."""
    model: Any = Settings
    info = None
    for name in path:
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or name not in model.model_fields:
            return None
        info = model.model_fields[name]
        model = info.annotation
    return info


def _is_list(info: FieldInfo | None) -> bool:
    return info is not None and get_origin(info.annotation) in (list, tuple, set)


def _is_json(info: FieldInfo | None) -> bool:
    """pydantic-settings decodes lists, dicts and nested groups from JSON; plain values are taken as they are."""
    if info is None:
        return False
    kind = info.annotation
    return _is_list(info) or get_origin(kind) is dict or (isinstance(kind, type) and issubclass(kind, BaseModel))


def _list_example(info: FieldInfo) -> str:
    if info.examples:
        return json.dumps(info.examples[0], separators=(",", ":"))
    default = info.get_default(call_default_factory=True)
    items = list(default)[:2] if default else ["first", "second"]
    return json.dumps(items, separators=(",", ":"))


def _expected(info: FieldInfo) -> str:
    if _is_list(info):
        return f"expected a JSON list, e.g. '{_list_example(info)}'"
    return 'expected a JSON object, e.g. \'{"name": "value"}\''


def _undecodable(exc: SettingsError) -> str:
    """pydantic-settings names only the group ("delivery"): find the variable in it whose JSON does not parse."""
    match = re.search(r'field "(\w+)"', str(exc))
    if match is None:
        return str(exc)
    group = match.group(1)
    stem = f"{PREFIX}{group}".lower()
    for key, value in EnvSettingsSource(Settings).env_vars.items():
        if value is None or not (key == stem or key.startswith(stem + NESTED)):
            continue
        info = _field([group, *filter(None, key[len(stem) :].split(NESTED))])
        if info is None or not _is_json(info):
            continue
        try:
            json.loads(value)
        except ValueError:
            return f"{key.upper()}: not valid JSON; {_expected(info)}"
    return f"{stem.upper()}: {exc.__cause__ or exc}"


def _invalid(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        loc = error["loc"]
        # Names up to the first list index form the variable; the rest says which item of its value is wrong.
        cut = next((i for i, part in enumerate(loc) if isinstance(part, int)), len(loc))
        names = [str(part) for part in loc[:cut]]
        where = ".".join(str(part) for part in loc[cut:])
        message = error["msg"]
        info = _field(names)
        if error["type"] == "list_type" and info is not None:
            message += f" ({_expected(info)})"
        lines.append(f"{PREFIX}{NESTED.join(names).upper()}: " + (f"item {where}: " if where else "") + message)
    return "; ".join(lines)


def describe_settings_error(exc: ValidationError | SettingsError) -> str:
    """Which variable is wrong and why, without its value (it may be a secret such as a webhook token)."""
    return _invalid(exc) if isinstance(exc, ValidationError) else _undecodable(exc)
