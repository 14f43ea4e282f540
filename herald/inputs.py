"""Reading user-supplied files, with errors that name the field at fault."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from herald.models import IncidentFacts

M = TypeVar("M", bound=BaseModel)


class InputError(ValueError):
    """Bad input from a person: the message names the file and the field."""


def describe_validation_error(err: ValidationError, source: str) -> str:
    """One line per problem: `source: field.path: message` (never echoes the value)."""
    lines = []
    for problem in err.errors():
        where = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        message = problem["msg"].removeprefix("Value error, ")
        lines.append(f"{source}: {where}: {message}")
    return "\n".join(lines)


def load_document(path: str | Path, model: type[M], *, what: str) -> M:
    """Read a JSON (or, by its extension, YAML) file and validate it as `model`.

    Every failure is an InputError naming the file and, for invalid content, each field.
    """
    file = Path(path)
    try:
        raw = file.read_text(encoding="utf-8-sig")
    except OSError as err:
        raise InputError(f"{file}: cannot read: {err.strerror}") from err
    except UnicodeDecodeError as err:
        raise InputError(f"{file}: not UTF-8 text") from err
    try:
        if file.suffix.lower() in (".yaml", ".yml"):
            data = yaml.safe_load(raw)
        else:
            data = json.loads(raw)
    except json.JSONDecodeError as err:
        raise InputError(f"{file}: invalid JSON at line {err.lineno} column {err.colno}") from err
    except yaml.YAMLError as err:
        raise InputError(f"{file}: invalid YAML: {err}") from err
    if not isinstance(data, dict):
        raise InputError(f"{file}: expected a mapping with {what}")
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise InputError(describe_validation_error(err, str(file))) from err


def load_facts(path: str | Path) -> IncidentFacts:
    """Read and validate an incident-facts file (the design.md contract)."""
    return load_document(path, IncidentFacts, what="the incident facts")
