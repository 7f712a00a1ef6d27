"""Check sandbox objects against the pinned SDK's own resource types.

The SDK is generated from Stripe's OpenAPI description for exactly the API version it pins,
so its annotations say which fields an object of that version has, which may be null, and
which values an enum may take. Walking an object against them catches the drift a
hand-written sandbox falls into: an invented enum value (``ui_mode: "hosted"``), a field the
version added (``custom_fields``), a field that was dropped.
"""

from __future__ import annotations

import sys
import types
import typing
from typing import Any, ForwardRef, Literal, Union, get_args, get_origin

import stripe
from stripe._list_object import ListObject
from stripe._stripe_object import StripeObject

# Fields Stripe leaves out of an object unless asked for with ``expand[]`` (includable).
NOT_INCLUDED_BY_DEFAULT = {"line_items", "refunds"}

_HINTS: dict[type, dict[str, Any]] = {}


def resource_type(obj: dict[str, Any]) -> type:
    """The SDK class for an object, by its ``object`` value."""
    from stripe._object_classes import get_object_class

    cls = get_object_class(api_mode="V1", object_name=obj["object"])
    if cls is None:
        raise KeyError(f"the SDK knows no object {obj['object']!r}")
    return cls


class _Names(dict):
    """Names in the SDK's string annotations: the module's own, typing's, then the SDK's
    lazily imported resources (``Customer``, ``LineItem``...); anything else is not checked."""

    def __missing__(self, name: str) -> Any:
        for package in (stripe, stripe.checkout, stripe.radar):
            try:
                return getattr(package, name)
            except AttributeError:
                continue
        return Any  # a type of another API area: not checked


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        module = sys.modules[cls.__module__]
        names = _Names({**vars(typing), **vars(module)})
        found: dict[str, Any] = {}
        for klass in reversed(cls.__mro__):
            if klass in (object, StripeObject, dict) or not issubclass(klass, StripeObject):
                continue
            for name, hint in getattr(klass, "__annotations__", {}).items():
                if name.startswith("_") or name.isupper():
                    continue
                found[name] = typing._eval_type(
                    ForwardRef(hint) if isinstance(hint, str) else hint, {}, names)
        _HINTS[cls] = found
    return _HINTS[cls]


def problems(obj: dict[str, Any], cls: type | None = None, path: str = "") -> list[str]:
    """Every way ``obj`` differs from what the SDK says ``cls`` looks like (empty if none)."""
    cls = cls or resource_type(obj)
    path = path or obj.get("object", cls.__name__)
    fields = _hints(cls)
    found = []
    for key in obj:
        if key not in fields:
            found.append(f"{path}.{key}: not a field of {cls.__name__} in this API version")
    for key, hint in fields.items():
        if key not in obj:
            if key not in NOT_INCLUDED_BY_DEFAULT:
                found.append(f"{path}.{key}: missing")
            continue
        found.extend(_value(obj[key], hint, f"{path}.{key}"))
    return found


def _value(value: Any, hint: Any, path: str) -> list[str]:
    origin = get_origin(hint)
    if hint is Any:
        return []
    if origin in (Union, types.UnionType):
        alternatives = get_args(hint)
        if value is None:
            return [] if type(None) in alternatives else [f"{path}: null, but not nullable"]
        literals = [v for a in alternatives if get_origin(a) is Literal for v in get_args(a)]
        if literals and isinstance(value, str):
            # The SDK widens enums with ``str`` for forward compatibility only.
            return [] if value in literals else [f"{path}: {value!r} not one of {literals}"]
        errors: list[str] = []
        for alternative in alternatives:
            if alternative is type(None):
                continue
            found = _value(value, alternative, path)
            if not found:
                return []
            errors = errors or found
        return errors
    if value is None:
        return [f"{path}: null, but not nullable"]
    if origin is Literal:
        return [] if value in get_args(hint) else [f"{path}: {value!r} not one of "
                                                   f"{list(get_args(hint))}"]
    if origin in (list, typing.List):  # noqa: UP006
        if not isinstance(value, list):
            return [f"{path}: expected a list"]
        return [p for n, item in enumerate(value) for p in _value(item, get_args(hint)[0],
                                                                   f"{path}[{n}]")]
    if origin in (dict, typing.Dict):  # noqa: UP006
        return [] if isinstance(value, dict) else [f"{path}: expected a hash"]
    if hint is ListObject or origin is ListObject:
        return [] if isinstance(value, dict) and value.get("object") == "list" else [
            f"{path}: expected a list object"]
    if isinstance(hint, type) and issubclass(hint, StripeObject):
        if isinstance(value, str) and getattr(hint, "OBJECT_NAME", None):
            return []  # an unexpanded id
        if not isinstance(value, dict):
            return [f"{path}: expected {hint.__name__}"]
        return problems(value, hint, path)
    if hint is bool:
        return [] if isinstance(value, bool) else [f"{path}: expected a boolean"]
    if hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected an integer"]
    if hint is float:
        return [] if isinstance(value, int | float) else [f"{path}: expected a number"]
    if hint is str:
        return [] if isinstance(value, str) else [f"{path}: expected a string"]
    return []


def _nullable(hint: Any) -> bool:
    return get_origin(hint) in (Union, types.UnionType) and type(None) in get_args(hint)


def _object_type(hint: Any) -> type | None:
    """The StripeObject class a field holds (through Optional), if it holds one."""
    for candidate in (hint, *get_args(hint)):
        if isinstance(candidate, type) and issubclass(candidate, StripeObject) and (
                candidate is not ListObject):
            return candidate
    return None


def with_nulls(obj: dict[str, Any], cls: type | None = None) -> dict[str, Any]:
    """``obj`` with every nullable field it leaves out set to null, nested objects too.

    Stripe sends every field of an object, null for features not in use; the sandbox models
    the fields the shop uses and lets the SDK's types list the rest. Fields that may not be
    null are never invented here: the sandbox must set them itself (``problems`` says so).
    """
    try:
        cls = cls or resource_type(obj)
    except KeyError:
        return obj
    fields = _hints(cls)
    out = dict(obj)
    for key, hint in fields.items():
        if key not in out:
            if _nullable(hint) and key not in NOT_INCLUDED_BY_DEFAULT:
                out[key] = None
        elif isinstance(out[key], dict) and (inner := _object_type(hint)) is not None:
            out[key] = with_nulls(out[key], inner)
    return out
