"""The OpenAPI 3 document, generated from the API's routes and marshmallow schemas.

Each API view declares its schemas with :func:`operation`; the document walks the URL map,
so a route cannot be missing from it, and the reference page is drawn from the document,
so the two cannot disagree.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from marshmallow import Schema

from bench.access import rule_for, token_scope_needed
from bench.api import API_PREFIX
from bench.api.schemas import ProblemSchema
from bench.issues.schemas import Month
from bench.validation import StrictNumber

F = TypeVar("F", bound=Callable[..., Any])
OPERATION_ATTRIBUTE = "_bench_api_operation"
SECURITY_SCHEME = "bearerAuth"
PROBLEM_MIMETYPE = "application/problem+json"

# Shared error responses: status -> (component name, when it happens).
ERROR_RESPONSES = {
    400: ("BadRequest", "The body is not a JSON object."),
    401: ("Unauthorized", "No token, or the token is unknown, revoked or expired."),
    403: ("Forbidden", "The user's role or the token's scope does not allow this."),
    413: ("TooLarge", "The body is larger than the server accepts."),
    422: ("ValidationFailed", "The request broke rules; errors[] names each row and field."),
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
    statuses = []
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
    for status in sorted(statuses):
        result["responses"][str(status)] = {
            "$ref": f"#/components/responses/{ERROR_RESPONSES[status][0]}"
        }
    return result


def document(app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.0 document of every route under /api/v1."""
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
                "Authenticate with a personal API token (Your account > API tokens)."
            )
        },
        security=[{SECURITY_SCHEME: []}],
    )
    # Custom fields, typed for the document (a field's metadata may narrow the type).
    plugin.map_to_openapi_type(Month, "string", "YYYY-MM")
    plugin.map_to_openapi_type(StrictNumber, "number", None)
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
    for name, description in ERROR_RESPONSES.values():
        spec.components.response(
            name,
            {"description": description, "content": {PROBLEM_MIMETYPE: {"schema": ProblemSchema}}},
        )
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
    return spec.to_dict()


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
