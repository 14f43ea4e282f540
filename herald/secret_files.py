"""Secrets kept in files: `HERALD_<NAME>_FILE` settings and private files created once.

Docker and Kubernetes hand secrets to a container as files; the `_FILE` convention lets
every secret setting point at one instead of carrying the value in the environment, where
`ps e`, crash reports and `docker inspect` can show it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from dotenv import dotenv_values
from pydantic import SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

__all__ = ["SecretFileError", "SecretFileSource", "read_or_create_private", "secret_fields"]

FILE_SUFFIX = "_FILE"


class SecretFileError(ValueError):
    """A `_FILE` setting that conflicts with its variable or cannot be read."""


def secret_fields(settings_cls: type[BaseSettings]) -> list[str]:
    """Names of the fields typed `SecretStr` (optional or not): the ones `_FILE` applies to."""
    names = []
    for name, field in settings_cls.model_fields.items():
        annotation = field.annotation
        args = getattr(annotation, "__args__", ())
        if annotation is SecretStr or SecretStr in args:
            names.append(name)
    return names


class SecretFileSource(PydanticBaseSettingsSource):
    """Reads `<prefix><NAME>_FILE` for every secret field: the file's text, stripped.

    Setting both `HERALD_X` and `HERALD_X_FILE` is refused rather than resolved by a
    precedence rule: a deployment that sets both has two sources of truth, and which one
    wins would be a surprise either way.
    """

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        """Prepare the source for `settings_cls` (its env prefix and .env file)."""
        super().__init__(settings_cls)
        config = settings_cls.model_config
        self._prefix = str(config.get("env_prefix") or "").upper()
        self._env_file = config.get("env_file")

    def _variables(self) -> Mapping[str, str]:
        # The .env file first, the real environment over it, as pydantic-settings does.
        merged: dict[str, str] = {}
        env_file = self._env_file
        if isinstance(env_file, str | Path) and Path(env_file).is_file():
            merged.update({k.upper(): v for k, v in dotenv_values(env_file).items() if v})
        merged.update({k.upper(): v for k, v in os.environ.items()})
        return merged

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        """Unused: `__call__` reads every secret field at once."""
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        """The value of each secret field whose `_FILE` variable is set."""
        variables = self._variables()
        values: dict[str, Any] = {}
        for name in secret_fields(self.settings_cls):
            var = f"{self._prefix}{name.upper()}"
            file_var = f"{var}{FILE_SUFFIX}"
            path = variables.get(file_var)
            if not path:
                continue
            if variables.get(var):
                raise SecretFileError(f"both {var} and {file_var} are set: keep one of them")
            try:
                values[name] = Path(path).expanduser().read_text(encoding="utf-8").strip()
            except OSError as err:
                # The path is configuration, not a secret: naming it helps the operator.
                raise SecretFileError(
                    f"{file_var} points at {path}, which cannot be read ({err.strerror})"
                ) from err
        return values


def read_or_create_private(path: Path, generate: Callable[[], str]) -> str:
    """The text of `path`, first creating it (mode 0600) from `generate()` if missing.

    Used for the secrets local mode makes for itself (codec keys, the session secret).
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written to a private temporary file and linked into place: the secret is never
        # world-readable, and two processes starting at once agree on one value (the loser's
        # link fails and it reads the winner's file, which is complete by then).
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(generate())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text(encoding="utf-8")
