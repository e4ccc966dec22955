"""The OpenAPI 3 document, generated from the API's routes and marshmallow schemas.

Each API view declares its schemas with :func:`operation`; the document walks the URL map,
so a route cannot be missing from it, and the reference page is drawn from the document,
so the two cannot disagree.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from marshmallow import Schema, fields, validate

from bench.access import rule_for, token_scope_needed
from bench.api import API_PREFIX
from bench.api.schemas import ProblemSchema
from bench.issues.schemas import Month
from bench.validation import StrictNumber

F = TypeVar("F", bound=Callable[..., Any])
# Request fields and parameters whose values are the network's codes, by name, and which
# list of codes each takes (bench.api.service.catalogue_codes). The document served to a
# caller with a token lists them as enums, so that a client (or a contract test's
# generator) can send values that exist; without a token it gives the shape only.
CODE_FIELDS = {
    "indicator": "indicator",
    "indicator_code": "indicator",
    "indicators": "indicator",
    "period": "period",
    "baseline_period": "period",
    "target_period": "period",
    "issue_type": "issue_type",
    "issue_types": "issue_type",
}
# Path parameters with a fixed set of values (anything else names nothing: 404).
PATH_CHOICES = {"level": ["allies", "host", "inspector"]}
# Request text carries no control character but tab and line breaks: NUL is refused in
# every field (bench.validation.refuse_nul), the others by each free-text field.
PLAIN_TEXT = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$"
MONTH = "^(19|[2-9][0-9])[0-9]{2}-(0[1-9]|1[0-2])$"  # 1900 on (bench.issues.schemas)
CODES_DESCRIPTION = (
    " Called with a token, this document lists the network's codes where a request takes "
    "one (indicators, periods and approved issue types; never the councils' codes) as "
    "each field's enum, as they stand when the document is served; without a token it "
    "gives the shape only."
)
OPERATION_ATTRIBUTE = "_bench_api_operation"
SECURITY_SCHEME = "bearerAuth"
PROBLEM_MIMETYPE = "application/problem+json"

# Shared error responses: status -> (component name, when it happens).
ERROR_RESPONSES = {
    400: ("BadRequest", "The body is not a JSON object."),
    401: ("Unauthorized", "No token, or the token is unknown, revoked or expired."),
    403: ("Forbidden", "The user's role or the token's scope does not allow this."),
    404: (
        "NotFound",
        "No such thing, or not one the user may know exists (another authority's).",
    ),
    409: ("Conflict", "The change clashes with the current state: read it again, then retry."),
    413: ("TooLarge", "The body is larger than the server accepts."),
    422: ("ValidationFailed", "The request broke rules; errors[] names each row and field."),
    429: ("TooManyRequests", "A limit on how often this may be done was reached."),
    503: ("Unavailable", "The database is unavailable: try again after Retry-After seconds."),
}
# Headers an error response always carries: status -> {name: header object}.
ERROR_HEADERS: dict[int, dict[str, Any]] = {
    401: {
        "WWW-Authenticate": {
            "description": "Bearer realm=\"bench\": send a personal API token.",
            "required": True,
            "schema": {"type": "string", "pattern": "^Bearer "},
        }
    },
    503: {
        "Retry-After": {
            "description": "Seconds to wait before trying again.",
            "required": True,
            "schema": {"type": "integer", "minimum": 1},
        }
    },
}


@dataclass(frozen=True)
class Operation:
    summary: str
    description: str = ""
    query: type[Schema] | None = None
    body: type[Schema] | None = None
    response: type[Schema] | None = None
    status: int = 200
    mimetype: str = "application/json"  # text/csv for a download, text/zip for the pack
    # Statuses the operation may answer besides those every operation of its kind may
    # (401/403 with a token, 400/413 with a body, 422 with input, 404 with an id in the
    # path, 503 always): 404 for a view with nothing to show yet, 409, 429.
    errors: tuple[int, ...] = ()
    # Response headers of a success: name -> header object (exports state their data).
    headers: dict[str, Any] = field(default_factory=dict)
    # An error whose problem carries more than the shared one: status -> its schema.
    problems: dict[int, type[Schema]] = field(default_factory=dict)


def operation(**declared: Any) -> Callable[[F], F]:
    """Declare an API view's summary and schemas for the OpenAPI document."""

    def decorator(view: F) -> F:
        setattr(view, OPERATION_ATTRIBUTE, Operation(**declared))
        return view

    return decorator


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def _operation(name: str, declared: Operation, rule: Any, method: str, path: str) -> dict[str, Any]:
    success: dict[str, Any] = {"description": "Done."}
    if declared.headers:
        success["headers"] = declared.headers
    if declared.mimetype == "application/json":
        body: Any = declared.response or {"type": "object"}
    else:
        body = {"type": "string", "format": "binary"}
    success["content"] = {declared.mimetype: {"schema": body}}
    result: dict[str, Any] = {
        "operationId": name,
        "summary": declared.summary,
        "description": declared.description,
        "responses": {str(declared.status): success},
    }
    parameters: list[dict[str, Any]] = [
        {"in": "path", "name": name, "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"<(?:[^:<>]+:)?([^<>]+)>", path)
    ]
    if declared.query is not None:
        parameters.append({"in": "query", "schema": declared.query})
    if parameters:
        result["parameters"] = parameters
    if declared.body is not None:
        result["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": declared.body}},
        }
    statuses = [503, *declared.errors]
    if "{" in _openapi_path(path):
        statuses.append(404)
    if rule == "public":
        result["security"] = []
    else:
        scope = token_scope_needed(rule, method)
        result["x-token-scope"] = scope.value if scope else None
        statuses += [401, 403]
    if declared.body is not None:
        statuses += [400, 413]
    if declared.query is not None or declared.body is not None:
        statuses.append(422)
    for status in sorted(set(statuses)):
        if status in declared.problems:
            result["responses"][str(status)] = {
                "description": ERROR_RESPONSES[status][1],
                "content": {PROBLEM_MIMETYPE: {"schema": declared.problems[status]}},
            }
            continue
        result["responses"][str(status)] = {
            "$ref": f"#/components/responses/{ERROR_RESPONSES[status][0]}"
        }
    return result


def _enum(schema: dict[str, Any], choices: list[Any]) -> None:
    schema["enum"] = [*choices, None] if schema.get("nullable") else list(choices)


def _refs(schema: Any) -> Iterator[str]:
    """The names of the components *schema* refers to, directly or through its parts."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            yield _ref_name(schema["$ref"])
        for part in schema.values():
            yield from _refs(part)
    elif isinstance(schema, list):
        for part in schema:
            yield from _refs(part)


def _request_components(spec: dict[str, Any]) -> set[str]:
    """Every component schema a request body uses, however deep."""
    components = spec["components"]["schemas"]
    found: set[str] = set()
    waiting = [
        name
        for operations in spec["paths"].values()
        for details in operations.values()
        for content in details.get("requestBody", {}).get("content", {}).values()
        for name in _refs(content["schema"])
    ]
    while waiting:
        name = waiting.pop()
        if name not in found:
            found.add(name)
            waiting += _refs(components[name])
    return found


def _constrain(spec: dict[str, Any], codes: Mapping[str, list[str]] | None) -> None:
    """Choices the marshmallow schemas cannot state: each list's allowed items on its
    items (apispec puts ContainsOnly's choices on the list itself, which no list can
    match), fixed path values, and, given *codes*, the network's codes."""
    for schema in spec["components"]["schemas"].values():
        for property_schema in schema.get("properties", {}).values():
            if property_schema.get("type") == "array" and "enum" in property_schema:
                property_schema["items"] = {
                    **property_schema.get("items", {}),
                    "enum": property_schema.pop("enum"),
                }
    components = spec["components"]["schemas"]
    requests = _request_components(spec)
    for name, schema in components.items():
        # marshmallow dumps every field a response schema declares (null when empty), so a
        # client may rely on each being there; a field a response may leave out says so.
        if name not in requests:
            present = [
                field_name
                for field_name, property_schema in schema.get("properties", {}).items()
                if not property_schema.pop("x-may-be-absent", False)
            ]
            if present:
                schema["required"] = sorted(set(schema.get("required", [])) | set(present))
    for component in requests:
        for property_schema in components[component].get("properties", {}).values():
            if property_schema.get("format") == "YYYY-MM":
                property_schema["pattern"] = MONTH
            elif property_schema.get("type") == "string" and not (
                {"enum", "format", "pattern"} & set(property_schema)
            ):
                property_schema["pattern"] = PLAIN_TEXT
    for operations in spec["paths"].values():
        for details in operations.values():
            for parameter in details.get("parameters", []):
                name = parameter["name"]
                if parameter["in"] == "path" and name in PATH_CHOICES:
                    _enum(parameter["schema"], PATH_CHOICES[name])
                elif codes and codes.get(CODE_FIELDS.get(name, "")):
                    _enum(parameter["schema"], codes[CODE_FIELDS[name]])
    if not codes:
        return
    for component in requests:
        for name, property_schema in components[component].get("properties", {}).items():
            choices = codes.get(CODE_FIELDS.get(name, ""))
            if not choices or "$ref" in property_schema:
                continue
            if property_schema.get("type") == "array":
                property_schema["items"] = {**property_schema.get("items", {})}
                _enum(property_schema["items"], choices)
            else:
                _enum(property_schema, choices)


def _enum_narrowed(converter: Any, field: Any, ret: dict[str, Any], **_: Any) -> dict[str, Any]:
    """An Enum field's choices narrowed by its OneOf validators: apispec lists every member
    of the enum, though the field refuses the others (an action's status is never sent as
    carried_forward)."""
    if not isinstance(field, fields.Enum) or "enum" not in ret:
        return {}
    allowed = list(ret["enum"])
    for validator in field.validators:
        if isinstance(validator, validate.OneOf):
            choices = {getattr(choice, "value", choice) for choice in validator.choices}
            allowed = [value for value in allowed if value is None or value in choices]
    return {"enum": allowed}


def document(app: Flask, codes: Mapping[str, list[str]] | None = None) -> dict[str, Any]:
    """The OpenAPI 3.0 document of every route under /api/v1; with *codes* (kind -> the
    network's codes), each request field that takes a code lists them as its enum."""
    plugin = MarshmallowPlugin()
    spec = APISpec(
        title="bench API",
        version="1",
        openapi_version="3.0.3",
        plugins=[plugin],
        info={
            "description": (
                "Read the catalogue and your own authority's values; publish values and "
                "known issues; ask for, answer and end allies (authority admins). "
                "Authenticate with a personal API token (Your account > API tokens). "
                "Request text carries no control character but tab and line breaks."
                + CODES_DESCRIPTION
            )
        },
        security=[{SECURITY_SCHEME: []}],
    )
    # Custom fields, typed for the document (a field's metadata may narrow the type).
    plugin.map_to_openapi_type(Month, "string", "YYYY-MM")
    plugin.map_to_openapi_type(StrictNumber, "number", None)
    plugin.converter.add_attribute_function(_enum_narrowed)
    spec.components.security_scheme(
        SECURITY_SCHEME,
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token: 'Authorization: Bearer <token>'. "
            "Read tokens read; publish tokens also publish, if the user may; manage tokens "
            "also ask for, answer and end allies, if the user is an authority admin.",
        },
    )
    spec.components.schema("Problem", schema=ProblemSchema)
    for status, (name, description) in ERROR_RESPONSES.items():
        response = {
            "description": description,
            "content": {PROBLEM_MIMETYPE: {"schema": ProblemSchema}},
        }
        if status in ERROR_HEADERS:
            response["headers"] = ERROR_HEADERS[status]
        spec.components.response(name, response)
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith(API_PREFIX + "/")]
    for rule in sorted(rules, key=lambda rule: rule.rule):
        view = app.view_functions[rule.endpoint]
        declared: Operation = getattr(view, OPERATION_ATTRIBUTE)
        access = rule_for(rule.endpoint, app)
        operations = {
            method.lower(): _operation(view.__name__, declared, access, method, rule.rule)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
        }
        spec.path(path=_openapi_path(rule.rule), operations=operations)
    built = spec.to_dict()
    _constrain(built, codes)
    return built


# --- the reference page's reading of the document -----------------------------------


@dataclass(frozen=True)
class FieldRow:
    name: str
    type: str
    link: str | None
    required: bool
    description: str


@dataclass(frozen=True)
class EndpointEntry:
    method: str
    path: str
    summary: str
    description: str
    public: bool
    scope: str | None  # None on a private route: no token may call it
    parameters: list[FieldRow]
    body: str | None
    responses: list[tuple[str, str, str | None]]


@dataclass(frozen=True)
class SchemaEntry:
    name: str
    fields: list[FieldRow] = field(default_factory=list)


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def describe(schema: dict[str, Any]) -> tuple[str, str | None]:
    """A property's type in words, and the schema it links to if any."""
    if "$ref" in schema:
        name = _ref_name(schema["$ref"])
        return name, name
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return describe(schema["allOf"][0])
    if schema.get("type") == "array":
        text, link = describe(schema.get("items", {}))
        return f"array of {text}", link
    text = schema.get("type", "string" if "enum" in schema else "any")
    if "format" in schema:
        text += f" ({schema['format']})"
    if "enum" in schema:
        text += ": one of " + ", ".join(str(choice) for choice in schema["enum"] if choice)
    if "minimum" in schema and "maximum" in schema:
        text += f", {schema['minimum']} to {schema['maximum']}"
    elif "minimum" in schema:
        text += f", {schema['minimum']} or more"
    if schema.get("nullable"):
        text += ", or null"
    return text, None


def _response(response: dict[str, Any], components: dict[str, Any]) -> tuple[str, str | None]:
    """A response's description and the schema its body links to, if any."""
    if "$ref" in response:
        response = components["responses"][_ref_name(response["$ref"])]
    link = None
    for content in response.get("content", {}).values():
        link = describe(content.get("schema", {}))[1]
    return response["description"], link


def reference(spec: dict[str, Any]) -> tuple[list[EndpointEntry], list[SchemaEntry]]:
    """The document's endpoints and schemas, flattened for a page."""
    components = spec["components"]
    endpoints = []
    for path, operations in spec["paths"].items():
        for method, details in operations.items():
            parameters = [
                FieldRow(
                    name=parameter["name"],
                    type=describe(parameter["schema"])[0],
                    link=None,
                    required=parameter.get("required", False),
                    description=parameter.get("description", ""),
                )
                for parameter in details.get("parameters", [])
            ]
            body = details.get("requestBody", {}).get("content", {}).get("application/json")
            responses = [
                (status, *_response(response, components))
                for status, response in details["responses"].items()
            ]
            endpoints.append(
                EndpointEntry(
                    method=method.upper(),
                    path=path,
                    summary=details["summary"],
                    description=details.get("description", ""),
                    public=details.get("security") == [],
                    scope=details.get("x-token-scope"),
                    parameters=parameters,
                    body=describe(body["schema"])[1] if body else None,
                    responses=responses,
                )
            )
    schemas = []
    for name, schema in components["schemas"].items():
        required = set(schema.get("required", []))
        rows = []
        for property_name, property_schema in schema.get("properties", {}).items():
            text, link = describe(property_schema)
            rows.append(
                FieldRow(
                    name=property_name,
                    type=text,
                    link=link,
                    required=property_name in required,
                    description=property_schema.get("description", ""),
                )
            )
        schemas.append(SchemaEntry(name, rows))
    return endpoints, schemas
