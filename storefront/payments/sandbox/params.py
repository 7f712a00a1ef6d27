"""Decode Stripe's form encoding and validate it against the SDK's own types.

The SDK ships a TypedDict for every endpoint's parameters (for example
``stripe.params.checkout.SessionCreateParams``).  Walking those types means the
sandbox rejects exactly the typos and wrong types Stripe would reject (a
misspelt ``unit_ammount`` fails here, not first in production) without us
keeping a hand-written copy of Stripe's schema that would drift.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, Union, get_args, get_origin

from stripe._request_options import RequestOptions
from stripe._stripe_context import StripeContext
from stripe._stripe_object import UntypedStripeObject
from typing_extensions import is_typeddict

from .errors import StripeError, invalid, missing

# SDK request options (api_key, idempotency_key, ...) share the TypedDicts with
# the API parameters but never travel in the body.
_REQUEST_OPTION_KEYS = frozenset(RequestOptions.__annotations__)
# The generated modules annotate with strings that mention typing names and
# StripeContext, which only exist under TYPE_CHECKING there.
_LOCALNS = {**vars(typing), "StripeContext": StripeContext}
_HINTS: dict[type, dict[str, Any]] = {}
_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_INT = re.compile(r"^-?\d+$")

Tree = dict[str, Any]


def parse_form(pairs: list[tuple[str, str]]) -> Tree:
    """Turn ``a[b][0][c]=v`` pairs into nested dicts of strings.

    Lists stay dicts keyed by index strings here; the schema decides later
    whether a node is a list.  ``a[]=x`` appends like Rack does for Stripe.
    """
    root: Tree = {}
    for raw_key, value in pairs:
        match = _KEY.match(raw_key)
        if not match:
            raise invalid(f"Invalid parameter name: {raw_key}", raw_key)
        parts = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
        node = root
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            if part == "":
                part = str(len(node))
            if last:
                if isinstance(node.get(part), dict):
                    raise invalid(f"Invalid value for {raw_key}", raw_key)
                node[part] = value
            else:
                child = node.setdefault(part, {})
                if not isinstance(child, dict):
                    if child == "":
                        child = node[part] = {}
                    else:
                        raise invalid(f"Invalid object: {raw_key}", raw_key)
                node = child
    return root


def hints(typed_dict: type) -> dict[str, Any]:
    """Resolved field types of an SDK params TypedDict, minus request options."""
    if typed_dict not in _HINTS:
        resolved = typing.get_type_hints(typed_dict, localns=_LOCALNS)
        _HINTS[typed_dict] = {
            k: v for k, v in resolved.items() if k not in _REQUEST_OPTION_KEYS
        }
    return _HINTS[typed_dict]


def validate(tree: Tree, typed_dict: type) -> dict[str, Any]:
    """Validate a parsed request against ``typed_dict`` and return typed values."""
    return _object(tree, typed_dict, "")


def _join(path: str, key: str) -> str:
    return f"{path}[{key}]" if path else key


def _object(value: Any, typed_dict: type, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise invalid(f"Invalid object: {path}", path)
    fields = hints(typed_dict)
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key not in fields:
            message = f"Received unknown parameter: {_join(path, key)}"
            close = difflib.get_close_matches(key, list(fields), n=1)
            if close:
                message += f". Did you mean {close[0]}?"
            raise invalid(message, _join(path, key), "parameter_unknown")
        out[key] = _coerce(item, fields[key], _join(path, key))
    required = getattr(typed_dict, "__required_keys__", frozenset()) - _REQUEST_OPTION_KEYS
    for key in sorted(required):
        if key not in value:
            raise missing(_join(path, key))
    return out


def _is_leaf_type(tp: Any) -> bool:
    return tp in (str, int, bool, float, Decimal) or get_origin(tp) is Literal


def _coerce(value: Any, tp: Any, path: str) -> Any:
    origin = get_origin(tp)
    if tp is Any:
        return value
    if origin in (Union, types.UnionType):
        return _union(value, get_args(tp), path)
    if origin is Literal:
        return _literal(value, get_args(tp), path)
    if is_typeddict(tp):
        return _object(value, tp, path)
    if origin is list:
        return _list(value, get_args(tp)[0], path)
    if origin is dict or tp is UntypedStripeObject or origin is UntypedStripeObject:
        return _mapping(value, path)
    if not isinstance(value, str):
        raise invalid(f"Invalid {getattr(tp, '__name__', 'value')}: {path}", path)
    if tp is bool:
        if value not in ("true", "false"):
            raise invalid(f"Invalid boolean: {value}", path)
        return value == "true"
    if tp is int:
        if not _INT.match(value):
            raise invalid(f"Invalid integer: {value}", path, "parameter_invalid_integer")
        return int(value)
    if tp in (float, Decimal):
        try:
            return Decimal(value)
        except InvalidOperation:
            raise invalid(f"Invalid decimal: {value}", path) from None
    return value


def _union(value: Any, alternatives: tuple[Any, ...], path: str) -> Any:
    literal_values = [
        v for alt in alternatives if get_origin(alt) is Literal for v in get_args(alt)
    ]
    if value == "" and "" in literal_values:
        return ""  # Stripe's way of unsetting a field
    alts = list(alternatives)
    if [v for v in literal_values if v != ""] and str in alts:
        # The SDK widens enums with ``str`` for forward compatibility; the
        # server still only accepts the listed values, so the sandbox does too.
        alts.remove(str)
    leaf = isinstance(value, str)
    ordered = [a for a in alts if _is_leaf_type(a) == leaf] + [
        a for a in alts if _is_leaf_type(a) != leaf
    ]
    first_error: StripeError | None = None
    for alt in ordered:
        try:
            return _coerce(value, alt, path)
        except StripeError as error:  # try the next alternative
            first_error = first_error or error
    assert first_error is not None
    raise first_error


def _literal(value: Any, allowed: tuple[Any, ...], path: str) -> Any:
    if value in allowed:
        return value
    choices = [str(v) for v in allowed if v != ""]
    if len(choices) > 1:
        listed = ", ".join(choices[:-1]) + f", or {choices[-1]}"
    else:
        listed = choices[0] if choices else "''"
    name = path.rsplit("[", 1)[-1].rstrip("]")
    raise invalid(f"Invalid {name}: must be one of {listed}", path)


def _list(value: Any, item_type: Any, path: str) -> list[Any]:
    if value == "":
        return []
    if not isinstance(value, dict) or not all(k.isdigit() for k in value):
        raise invalid(f"Invalid array: {path}", path)
    return [
        _coerce(value[key], item_type, f"{path}[{key}]") for key in sorted(value, key=int)
    ]


def _mapping(value: Any, path: str) -> dict[str, str]:
    if value == "":
        return {}
    if not isinstance(value, dict):
        raise invalid(f"Invalid object: {path}", path)
    for key, item in value.items():
        if not isinstance(item, str):
            raise invalid(f"Invalid string: {_join(path, key)}", _join(path, key))
    return dict(value)
