"""Reading user-supplied files, with errors that name the field at fault.

Facts and profiles are written by people and may come from anywhere, so reading one must
never crash or exhaust the machine: the file's size is bounded, UTF-16 and other encodings
are named, JSON and YAML nesting is bounded before a recursive parser meets it, YAML aliases
(which let a few lines expand to gigabytes, the "billion laughs") and repeated keys are
refused, and messages are cut short so that a huge value is never printed back.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from herald.models import IncidentFacts

M = TypeVar("M", bound=BaseModel)

MAX_DOCUMENT_BYTES = 16 << 20  # far above any real facts file; bounds what is read
MAX_NESTING = 64  # lists and maps inside one another, anywhere in a document
MAX_MESSAGE = 400  # characters of one message: room for the list of allowed values
MAX_KEY = 60  # characters of one key in a field path

try:  # libyaml when installed: the pure-Python scanner takes seconds over a 10 MB value
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class InputError(ValueError):
    """Bad input from a person: the message names the file and the field."""


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_validation_error(err: ValidationError, source: str) -> str:
    """One line per problem: `source: field.path: message` (never echoes the value).

    Keys in the path and the message are cut short: a message can quote the value it
    refused (an unknown jurisdiction code, say), and that value may be megabytes long.
    """
    lines = []
    for problem in err.errors():
        where = ".".join(_clip(str(part), MAX_KEY) for part in problem["loc"]) or "(top level)"
        message = problem["msg"].removeprefix("Value error, ")
        lines.append(f"{source}: {where}: {_clip(message, MAX_MESSAGE)}")
    return "\n".join(lines)


class _Loader(_BaseLoader):
    """Safe YAML that refuses repeated keys in a mapping (the last one would win silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        if len(mapping) < len(node.value):
            seen: set[object] = set()
            for key, _ in node.value:
                if not isinstance(key, yaml.ScalarNode):
                    continue
                if key.value in seen:
                    name = _clip(str(key.value), MAX_KEY)
                    raise yaml.constructor.ConstructorError(
                        None, None, f"key {name!r} appears twice in one mapping", key.start_mark
                    )
                seen.add(key.value)
        return mapping

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> date:
        """A timestamp-shaped scalar that is no real instant (month 13) names its line."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as err:
            raise yaml.constructor.ConstructorError(
                None, None, f"not a valid date or time ({err})", node.start_mark
            ) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def _line(event: yaml.Event) -> str:
    return str(event.start_mark.line + 1) if event.start_mark else "?"


def _check_yaml_events(text: str) -> None:
    """Refuse aliases and deep nesting before anything is built (libyaml's parser is flat;
    the constructor that builds objects from it recurses)."""
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            line = _line(event)
            raise InputError(f"YAML aliases (*name) are not accepted (line {line}): write it out")
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_NESTING:
                line = _line(event)
                raise InputError(f"nested more than {MAX_NESTING} levels deep (line {line})")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping: dict[str, Any] = {}
    for key, value in pairs:
        if key in mapping:
            raise InputError(f"key {_clip(key, MAX_KEY)!r} appears twice in one object")
        mapping[key] = value
    return mapping


def _no_constant(name: str) -> NoReturn:
    raise InputError(f"{name} is not a JSON number")


def _depth(data: object) -> int:
    """How deeply lists and maps nest in parsed JSON (iterative: no recursion limit)."""
    deepest, stack = 0, [(data, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth + 1)
            if deepest > MAX_NESTING:
                break
            inner = item.values() if isinstance(item, dict) else item
            stack += [(value, depth + 1) for value in inner]
    return deepest


def parse_document(raw: bytes, *, yaml_syntax: bool) -> object:
    """The data in a JSON (or YAML) document, or an InputError saying what is wrong with it.

    The message names no file: callers prefix their own source name.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:4096]:
        raise InputError("looks like UTF-16 (save it as UTF-8)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 text (line {line}; save it as UTF-8)") from None
    try:
        if yaml_syntax:
            _check_yaml_events(text)
            data = yaml.load(text, Loader=_Loader)  # a SafeLoader: plain data only
        else:
            data = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
            if _depth(data) > MAX_NESTING:
                raise InputError(f"nested more than {MAX_NESTING} levels deep")
    except json.JSONDecodeError as err:
        raise InputError(f"invalid JSON at line {err.lineno} column {err.colno}") from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = _clip(err.problem or err.context or "not YAML", MAX_MESSAGE)
        raise InputError(f"invalid YAML{where}: {problem}") from None
    except yaml.YAMLError as err:
        raise InputError(f"invalid YAML: {_clip(str(err), MAX_MESSAGE)}") from None
    except RecursionError:
        raise InputError("nested too deeply to read") from None
    except InputError:
        raise
    except ValueError as err:  # an integer of over 4,300 digits; an impossible YAML date
        if "digits" in str(err):
            raise InputError("a number has too many digits to read") from None
        raise InputError(f"a value cannot be read: {_clip(str(err), MAX_MESSAGE)}") from None
    return data


def load_document(path: str | Path, model: type[M], *, what: str) -> M:
    """Read a JSON (or, by its extension, YAML) file and validate it as `model`.

    Every failure is an InputError naming the file and, for invalid content, each field.
    """
    file = Path(path)
    try:
        size = file.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise InputError(f"{file}: {size:,} bytes, over the {MAX_DOCUMENT_BYTES:,} allowed")
        raw = file.read_bytes()
    except OSError as err:
        raise InputError(f"{file}: cannot read: {err.strerror}") from err
    yaml_syntax = file.suffix.lower() in (".yaml", ".yml")
    return read_document(raw, model, source=str(file), what=what, yaml_syntax=yaml_syntax)


def read_document(raw: bytes, model: type[M], *, source: str, what: str, yaml_syntax: bool) -> M:
    """Validate the bytes of a JSON or YAML document (an upload, a file) as `model`.

    Every failure is an InputError starting with `source` and, for invalid content, naming
    each field.
    """
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise InputError(f"{source}: {len(raw):,} bytes, over the {MAX_DOCUMENT_BYTES:,} allowed")
    try:
        data = parse_document(raw, yaml_syntax=yaml_syntax)
    except InputError as err:
        raise InputError(f"{source}: {err}") from None
    if not isinstance(data, dict):
        raise InputError(f"{source}: expected a mapping with {what}")
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise InputError(describe_validation_error(err, source)) from None


def load_facts(path: str | Path) -> IncidentFacts:
    """Read and validate an incident-facts file (the design.md contract)."""
    return load_document(path, IncidentFacts, what="the incident facts")
