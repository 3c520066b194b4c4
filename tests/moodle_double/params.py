"""Moodle's parameter descriptions and validation, as in core_external\\external_api::validate_parameters.

Also PHP's reading of a form body into nested arrays, with `max_input_vars`: PHP keeps the first
N fields and silently drops the rest, and Moodle then validates whatever is left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

# PHP's strip_tags(), checked against PHP itself by tests/sync/test_moodle_text.py.
from lms_sync.moodle_text import strip_tags

REQUIRED, OPTIONAL, DEFAULT = "required", "optional", "default"


class InvalidParameter(Exception):
    """core\\exception\\invalid_parameter_exception: message is the debuginfo."""


@dataclass
class Value:
    type: str
    required: str = REQUIRED
    default: Any = None


@dataclass
class Single:
    keys: dict[str, Any]
    required: str = REQUIRED
    default: Any = None


@dataclass
class Multiple:
    content: Any
    required: str = REQUIRED
    default: Any = field(default_factory=list)


def optional(desc):
    desc.required = OPTIONAL
    return desc


def default(desc, value):
    desc.required = DEFAULT
    desc.default = value
    return desc


def parse_form(body: str, max_input_vars: int) -> tuple[dict, int]:
    """PHP's $_POST from a urlencoded body: (nested arrays, number of fields dropped)."""
    pairs = parse_qsl(body, keep_blank_values=True)
    kept, dropped = pairs[:max_input_vars], max(0, len(pairs) - max_input_vars)
    root: dict = {}
    for name, value in kept:
        head, *rest = re.findall(r"^[^\[]+|(?<=\[)[^\]]*(?=\])", name) or [name]
        node = root
        path = [head, *rest]
        for key in path[:-1]:
            child = node.get(key)
            if not isinstance(child, dict):
                child = node[key] = {}
            node = child
        node[path[-1]] = value
    return root, dropped


USERNAME_CHARS = re.compile(r"[^-.@_a-z0-9]")


def clean(value: str, type_: str) -> Any:
    """Moodle's validate_param: the cleaned value must equal what was sent."""
    if type_ == "int":
        if not re.fullmatch(r"-?\d+", value.strip()):
            raise InvalidParameter(f'Invalid external api parameter: the value is "{value}", the server was expecting "int" type')
        return int(value)
    if type_ == "bool":
        if value not in {"0", "1"}:
            raise InvalidParameter(f'Invalid external api parameter: the value is "{value}", the server was expecting "bool" type')
        return value == "1"
    if type_ == "username":
        cleaned = USERNAME_CHARS.sub("", value.strip().lower())
    elif type_ in {"text", "notags"}:
        cleaned = strip_tags(value)
    elif type_ == "component":  # PARAM_COMPONENT: frankenstyle, else ''
        valid = re.fullmatch(r"[a-z][a-z0-9]*(_[a-z][a-z0-9_]*)?[a-z0-9]+", value) and "__" not in value
        cleaned = value if valid else ""
    elif type_ == "alphanumext":
        cleaned = re.sub(r"[^A-Za-z0-9_-]", "", value)
    elif type_ == "alphanum":
        cleaned = re.sub(r"[^A-Za-z0-9]", "", value)
    elif type_ == "plugin":  # PARAM_PLUGIN: a plugin name, else ''
        cleaned = value if re.fullmatch(r"[a-z][a-z0-9_]*[a-z0-9]", value) and "__" not in value else ""
    elif type_ == "capability":  # PARAM_CAPABILITY: a capability Moodle knows, else ''
        cleaned = value if re.fullmatch(r"[a-z]+/[a-z0-9_]+:[a-z0-9_]+", value) else ""
    elif type_ == "alpha":
        cleaned = re.sub(r"[^A-Za-z]", "", value)
    elif type_ == "rawtrimmed":
        cleaned = value.strip()
    else:  # raw
        cleaned = value
    if cleaned != value and type_ != "rawtrimmed":
        raise InvalidParameter(f'Invalid external api parameter: the value is "{value}", the server was expecting "{type_}" type')
    return cleaned


def validate(desc, params) -> Any:
    if isinstance(desc, Value):
        if isinstance(params, dict):
            raise InvalidParameter("Scalar type expected, array or object received.")
        return params if not isinstance(params, str) else clean(params, desc.type)
    if isinstance(desc, Single):
        if not isinstance(params, dict):
            raise InvalidParameter(f"Only arrays accepted. The bad value is: '{params}'")
        params = dict(params)
        result = {}
        for key, sub in desc.keys.items():
            if key not in params:
                if sub.required == REQUIRED:
                    raise InvalidParameter(f"Missing required key in single structure: {key}")
                if sub.required == DEFAULT:
                    result[key] = sub.default
            else:
                try:
                    result[key] = validate(sub, params.pop(key))
                except InvalidParameter as error:
                    raise InvalidParameter(f"{key} => {error}") from None
        if params:
            raise InvalidParameter(f"Unexpected keys ({', '.join(params)}) detected in parameter array.")
        return result
    if isinstance(desc, Multiple):
        if not isinstance(params, dict):
            raise InvalidParameter(f"Only arrays accepted. The bad value is: '{params}'")
        return [validate(desc.content, item) for item in params.values()]
    raise TypeError(desc)
