"""Each endpoint's query parameters, declared once: the same :class:`Param` reads a request's value (with a
one-line message naming the parameter when it is wrong) and describes it in ``/openapi.json``, so the API and
its description cannot disagree."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .limits import ApiError

_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


@dataclass(frozen=True)
class Param:
    name: str
    kind: type  # str, int or bool
    description: str
    required: bool = False
    default: Any = None
    minimum: int | None = None
    maximum: int | None = None
    #: Characters at most (``str``); a required string must also have at least one.
    max_length: int | None = None
    choices: tuple[str, ...] = ()

    def read(self, values: Mapping[str, str]) -> Any:
        raw = values.get(self.name)
        if raw is None or (raw == "" and self.kind is not str):
            if self.required:
                raise ApiError(400, f"{self.name}: required")
            return self.default
        if self.kind is bool:
            if raw.lower() not in _TRUE + _FALSE:
                raise ApiError(400, f"{self.name}: true or false, not {raw[:40]!r}")
            return raw.lower() in _TRUE
        if self.kind is int:
            try:
                value = int(raw)
            except ValueError:
                raise ApiError(400, f"{self.name}: a whole number, not {raw[:40]!r}") from None
            if self.minimum is not None and value < self.minimum:
                raise ApiError(400, f"{self.name}: at least {self.minimum}, not {value}")
            if self.maximum is not None and value > self.maximum:
                raise ApiError(400, f"{self.name}: at most {self.maximum} on this server, not {value}")
            return value
        if self.required and not raw.strip():
            raise ApiError(400, f"{self.name}: required, and not blank")
        if self.max_length is not None and len(raw) > self.max_length:
            raise ApiError(400, f"{self.name}: at most {self.max_length:,} characters on this server, "
                                f"not {len(raw):,}")
        if "\x00" in raw:
            raise ApiError(400, f"{self.name}: a NUL character is not allowed")
        if self.choices and raw not in self.choices:
            raise ApiError(400, f"{self.name}: one of {', '.join(self.choices)}, not {raw[:40]!r}")
        return raw

    def openapi(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": {str: "string", int: "integer", bool: "boolean"}[self.kind]}
        if self.kind is str:
            schema["pattern"] = "^[^\\x00]*$"
            if self.required:
                schema["minLength"] = 1
                schema["pattern"] = "^[^\\x00]*\\S[^\\x00]*$"
            if self.max_length is not None:
                schema["maxLength"] = self.max_length
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        if self.choices:
            schema["enum"] = list(self.choices)
        if self.default is not None:
            schema["default"] = self.default
        return {"name": self.name, "in": "query", "required": self.required, "description": self.description,
                "schema": schema}


def read_all(params: tuple[Param, ...], values: Mapping[str, str]) -> dict[str, Any]:
    """Every declared parameter's value, by name; parameters not declared are ignored."""
    return {param.name: param.read(values) for param in params}
