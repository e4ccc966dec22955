"""The JSON API (/api/v1, bearer tokens) and its reference page (/api/reference, a page).

Views parse with a schema, call one service function and dump with a schema. Errors are
raised, never built here: bench.errors turns them into problem+json for API paths.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, abort, current_app, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from marshmallow import Schema

from bench import messages
from bench.access import Permission, allow, public
from bench.allies import service as allies
from bench.allies.schemas import (
    AllianceSchema,
    AlliesSchema,
    AllyRequestsSchema,
    AskBodySchema,
    ContactBodySchema,
    DeclinedSchema,
    OutgoingRequestSchema,
)
from bench.api import openapi, service
from bench.api.openapi import operation
from bench.api.schemas import (
    ComparisonSchema,
    IndicatorPageSchema,
    IssueTypePageSchema,
    NetworkIndicatorSchema,
    NetworkQuerySchema,
    NetworkSchema,
    NormsSchema,
    PageQuerySchema,
    PeerGroupsSchema,
    PeriodPageSchema,
    PublishFlagsSchema,
    PublishOutcomeSchema,
    PublishValuesSchema,
    RecordedFlagsSchema,
    StandingQuerySchema,
    StandingSchema,
    ValuePageSchema,
    ValuesQuerySchema,
    load,
)
from bench.compare import indicator as compare_indicator
from bench.compare import network
from bench.compare import service as compare
from bench.compare.norms import norm_or_exception
from bench.grants import service as grants
from bench.grants.schemas import GrantInSchema, GrantListSchema, GrantSchema
from bench.issues import service as issues
from bench.peergroups import service as peer_groups
from bench.publishing import service as publishing
from bench.validation import refuse_nul

bp = Blueprint("api", __name__, url_prefix="/api/v1")
reference_bp = Blueprint("api_reference", __name__, url_prefix="/api")


def json_body() -> dict[str, Any]:
    """The body as a JSON object. NaN and Infinity are not JSON, though Python reads them."""

    def refuse(constant: str) -> None:
        raise ValueError(constant)

    try:
        body = json.loads(request.get_data(), parse_constant=refuse)
    except ValueError:  # also bad UTF-8
        abort(400, messages.API_BAD_JSON)
    if not isinstance(body, dict):
        abort(400, messages.API_BAD_JSON)
    refuse_nul(body, batch=True)
    return body


def page_response(page: service.Page[Any], schema: Schema, query: dict[str, Any]) -> Any:
    """The page as JSON, with the path of the next page (same filters) or null."""
    next_path = None
    if page.has_next:
        arguments = {**query, "page": page.page + 1}
        next_path = url_for(request.endpoint or "", **arguments)
    return jsonify(
        schema.dump(
            {
                "items": page.items,
                "page": page.page,
                "per_page": page.per_page,
                "total": page.total,
                "next": next_path,
            }
        )
    )


@bp.get("/indicators")
@allow(Permission.ANY_SIGNED_IN)
@operation(
    summary="List indicators",
    description="The network's metric definitions, by code.",
    query=PageQuerySchema,
    response=IndicatorPageSchema,
)
def list_indicators() -> ResponseReturnValue:
    query = load(PageQuerySchema(), request.args)
    return page_response(service.indicators(**query), IndicatorPageSchema(), query)


@bp.get("/periods")
@allow(Permission.ANY_SIGNED_IN)
@operation(
    summary="List periods",
    description="Reporting periods, oldest first, each with its release date.",
    query=PageQuerySchema,
    response=PeriodPageSchema,
)
def list_periods() -> ResponseReturnValue:
    query = load(PageQuerySchema(), request.args)
    return page_response(service.periods(**query), PeriodPageSchema(), query)


@bp.get("/issue-types")
@allow(Permission.ANY_SIGNED_IN)
@operation(
    summary="List issue types",
    description="The approved catalogue of known issues, by code.",
    query=PageQuerySchema,
    response=IssueTypePageSchema,
)
def list_issue_types() -> ResponseReturnValue:
    query = load(PageQuerySchema(), request.args)
    return page_response(service.issue_types(**query), IssueTypePageSchema(), query)


@bp.get("/values")
@allow(Permission.SEE_OWN_DATA)
@operation(
    summary="Read your authority's values",
    description=(
        "The current revision of each of your own authority's values, by period then "
        "indicator. Users without an authority of their own (inspectors, network admins) "
        "are refused."
    ),
    query=ValuesQuerySchema,
    response=ValuePageSchema,
)
def list_values() -> ResponseReturnValue:
    query = load(ValuesQuerySchema(), request.args)
    page = service.own_values(current_user._get_current_object(), **query)
    return page_response(page, ValuePageSchema(), query)


@bp.post("/values")
@allow(Permission.PUBLISH)
@operation(
    summary="Publish values",
    description=(
        "Publish or correct your own authority's values, all or none: a batch with any "
        "problem writes nothing and answers 422 with every problem's row and field. A "
        "correction adds a revision. Suspicious figures are published and listed in "
        "warnings."
    ),
    body=PublishValuesSchema,
    response=PublishOutcomeSchema,
)
def publish_values() -> ResponseReturnValue:
    rows = load(PublishValuesSchema(), json_body())["values"]
    user = current_user._get_current_object()
    outcome = publishing.publish_values(user, user.authority_id, rows, source="api")
    return jsonify(PublishOutcomeSchema().dump(outcome))


@bp.post("/flags")
@allow(Permission.PUBLISH)
@operation(
    summary="Record known issues",
    description=(
        "Record your own authority's answers about issue types, all or none, as the "
        "Known issues page does: reported (with status and severity) or not an issue."
    ),
    body=PublishFlagsSchema,
    response=RecordedFlagsSchema,
)
def record_flags() -> ResponseReturnValue:
    items = load(PublishFlagsSchema(), json_body())["flags"]
    user = current_user._get_current_object()
    saved = issues.record_flags(user, user.authority_id, items)
    return jsonify(RecordedFlagsSchema().dump({"flags": saved}))


@bp.get("/standing")
@allow(Permission.SEE_OWN_DATA)
@operation(
    summary="Where your authority stands",
    description=(
        "Every indicator for your authority against one peer group and period: your figure "
        "and interval, the group's median and quartiles (withheld under the anonymity "
        "rules, with the reason), and whether your figure is the norm or an exception. "
        "404 until a period has been released."
    ),
    query=StandingQuerySchema,
    response=StandingSchema,
    errors=(404,),
)
def standing() -> ResponseReturnValue:
    query = load(StandingQuerySchema(), request.args)
    page = compare.where_we_stand(
        compare.viewing(current_user._get_current_object()),
        query["group"],
        query["period"],
        custom=True,
    )
    return jsonify(StandingSchema().dump(page))


@bp.get("/comparisons/<indicator_code>")
@allow(Permission.SEE_OWN_DATA)
@operation(
    summary="One indicator against your peers",
    description=(
        "Your figure, your peers' figures unlabelled and ordered by value (small counts "
        "as <5 with no figure; figures to the indicator's decimals; denominators in bands of "
        "at least k peers), funnel limits, the time series "
        "against the peers' median and middle half, and the sentence the page shows."
    ),
    query=StandingQuerySchema,
    response=ComparisonSchema,
)
def comparison(indicator_code: str) -> ResponseReturnValue:
    query = load(StandingQuerySchema(), request.args)
    page = compare_indicator.indicator_page(
        compare.viewing(current_user._get_current_object()),
        indicator_code,
        query["group"],
        query["period"],
    )
    return jsonify(ComparisonSchema().dump(page))


@bp.get("/norms")
@allow(Permission.SEE_OWN_DATA)
@operation(
    summary="Norm or exception?",
    description=(
        "Known issues you share with many peers and those that are yours, with "
        "prevalence among the peers that answered (counts carry cell-key noise)."
    ),
    query=StandingQuerySchema,
    response=NormsSchema,
    errors=(404,),
)
def norms() -> ResponseReturnValue:
    query = load(StandingQuerySchema(), request.args)
    page = norm_or_exception(
        compare.viewing(current_user._get_current_object()), query["group"], query["period"]
    )
    return jsonify(NormsSchema().dump(page))


@bp.get("/network")
@allow(Permission.SEE_NETWORK_SPREAD)
@operation(
    summary="The network's spread (inspectors)",
    description=(
        "Every indicator across all councils in one period, anonymised: how many councils "
        "contribute, the median, quartiles, deciles and (counts) pooled value, to the "
        "indicator's decimals, withheld where fewer than k councils published; and each "
        "known issue's prevalence among the councils that answered (counts carry "
        "cell-key noise). For inspectors; 404 until a period has been released."
    ),
    query=NetworkQuerySchema,
    response=NetworkSchema,
    errors=(404,),
)
def network_spread() -> ResponseReturnValue:
    query = load(NetworkQuerySchema(), request.args)
    user = current_user._get_current_object()
    overview = network.overview(user, query["period"])
    return jsonify(NetworkSchema().dump({"overview": overview, "issues": network.prevalence(user)}))


@bp.get("/network/<indicator_code>")
@allow(Permission.SEE_NETWORK_SPREAD)
@operation(
    summary="One indicator across the network (inspectors)",
    description=(
        "The spread in one period, every council's figure unlabelled and lowest first "
        "(to the indicator's decimals; small counts as <5 with no figure; no denominators), "
        "and the spread in every released period."
    ),
    query=NetworkQuerySchema,
    response=NetworkIndicatorSchema,
)
def network_indicator(indicator_code: str) -> ResponseReturnValue:
    query = load(NetworkQuerySchema(), request.args)
    page = network.indicator_page(
        current_user._get_current_object(), indicator_code, query["period"]
    )
    return jsonify(NetworkIndicatorSchema().dump(page))


@bp.get("/peer-groups")
@allow(Permission.SEE_OWN_DATA)
@operation(
    summary="Who is in your peer groups",
    description=(
        "Every peer group you can compare with (all councils aside) and its members by name "
        "and GSS code, A to Z: membership is public, as published nearest-neighbour lists "
        "are, and no figure is given. Computed neighbours are the councils closest to yours "
        "on standardised context figures. Users without an authority of their own "
        "(inspectors, network admins) are refused."
    ),
    response=PeerGroupsSchema,
)
def list_peer_groups() -> ResponseReturnValue:
    groups = peer_groups.viewer_groups(current_user._get_current_object())
    return jsonify(
        PeerGroupsSchema().dump({"authority": groups.authority, "groups": groups.groups})
    )


@bp.get("/openapi.json")
@public
@operation(
    summary="This API's OpenAPI document",
    description=(
        "No token needed. With a token (any scope), each request field that takes a code "
        "lists the network's codes as its enum."
    ),
)
def openapi_document() -> ResponseReturnValue:
    # The catalogue's codes are for the network's users: a caller without a live token
    # gets the document without them.
    codes = service.catalogue_codes() if current_user.is_authenticated else None
    return jsonify(openapi.document(current_app, codes))


@reference_bp.get("/reference")
@allow(Permission.ANY_SIGNED_IN)
def reference() -> ResponseReturnValue:
    document = openapi.document(current_app)
    endpoints, schemas = openapi.reference(document)
    return render_template(
        "api/reference.html",
        endpoints=endpoints,
        schemas=schemas,
        document=document,
        title="API reference",
    )


# --- inspector grants --------------------------------------------------------------------


@bp.get("/grants")
@allow(Permission.MANAGE_AUTHORITY_USERS, Permission.HOLD_GRANTS)
@operation(
    summary="List inspector grants",
    description=(
        "An authority admin: every grant of your authority, past, current and upcoming. "
        "An inspector: the grants you hold. Newest start first; status says which apply now."
    ),
    response=GrantListSchema,
)
def list_grants() -> ResponseReturnValue:
    found = grants.visible_grants(current_user._get_current_object())
    return jsonify(GrantListSchema().dump({"grants": found}))


@bp.post("/grants")
@allow(Permission.MANAGE_AUTHORITY_USERS)
@operation(
    summary="Grant an inspector access",
    description=(
        "Let an active inspector account see your authority's figures, named, from starts_at "
        "(now if left out) until expires_at, at most a year. The inspector is emailed; the "
        "grant and each use of it are in your authority's audit log."
    ),
    body=GrantInSchema,
    response=GrantSchema,
    status=201,
)
def create_grant() -> ResponseReturnValue:
    given = grants.grant(current_user._get_current_object(), json_body())
    return jsonify(GrantSchema().dump(given)), 201


@bp.post("/grants/<grant_id>/revoke")
@allow(Permission.MANAGE_AUTHORITY_USERS)
@operation(
    summary="Revoke an inspector grant",
    description=(
        "End one of your authority's grants now: the inspector's next request is refused, "
        "and they are emailed. Another authority's grant is a 404; one that has already "
        "ended is a 409."
    ),
    response=GrantSchema,
    errors=(409,),
)
def revoke_grant(grant_id: str) -> ResponseReturnValue:
    revoked = grants.revoke(current_user._get_current_object(), grant_id)
    return jsonify(GrantSchema().dump(revoked))


# --- allies (authority admins; writes need a token with the manage scope) ---------


@bp.post("/ally-requests")
@allow(Permission.MANAGE_ALLIES)
@operation(
    summary="Ask for allies about an issue",
    description=(
        "Send a request to every council that reports the issue (open, improving or "
        "resolved) and said it is open to contact about it, apart from your allies. Each "
        "sees your council's name, the issue and your message. You are not told who "
        "received it, how many did, or who declined: the answer is the same for none or "
        "many. The contact (default: you) is shared only with councils that accept. 409 "
        "while your council's earlier request about the same issue is open."
    ),
    body=AskBodySchema,
    response=OutgoingRequestSchema,
    errors=(409,),
    status=201,
)
def ask_for_allies() -> ResponseReturnValue:
    body = load(AskBodySchema(), json_body())
    asked = allies.ask(current_user._get_current_object(), body)
    return jsonify(OutgoingRequestSchema().dump(asked)), 201


@bp.get("/ally-requests")
@allow(Permission.MANAGE_ALLIES)
@operation(
    summary="Requests for allies, to and from your council",
    description=(
        "incoming: requests to your council awaiting an answer, each naming the council "
        "that asks. outgoing: your council's requests, open until they expire, then "
        "closed; they never say who received them or what anyone answered (a decline "
        "reads exactly as no answer). Councils that accepted are under /allies."
    ),
    response=AllyRequestsSchema,
)
def list_ally_requests() -> ResponseReturnValue:
    page = allies.allies_page(current_user._get_current_object())
    return jsonify(
        AllyRequestsSchema().dump({"incoming": page.incoming, "outgoing": page.outgoing})
    )


@bp.post("/ally-requests/<request_id>/accept")
@allow(Permission.MANAGE_ALLIES)
@operation(
    summary="Accept a request for allies",
    description=(
        "Your councils become allies: each sees the other's name and chosen contact "
        "(yours defaults to you). 404 for a request that is not to your council; 409 "
        "once it has been answered or has expired."
    ),
    body=ContactBodySchema,
    response=AllianceSchema,
    errors=(409,),
)
def accept_ally_request(request_id: str) -> ResponseReturnValue:
    # No body at all: the contact is the accepting user.
    body = load(ContactBodySchema(), json_body() if request.get_data() else {})
    made = allies.accept(current_user._get_current_object(), request_id, body)
    return jsonify(AllianceSchema().dump(made))


@bp.post("/ally-requests/<request_id>/decline")
@allow(Permission.MANAGE_ALLIES)
@operation(
    summary="Decline a request for allies",
    description=(
        "The council that asked is not told: to them a decline looks the same as no "
        "answer. 404 for a request that is not to your council; 409 once answered or "
        "expired."
    ),
    response=DeclinedSchema,
    errors=(409,),
)
def decline_ally_request(request_id: str) -> ResponseReturnValue:
    declined = allies.decline(current_user._get_current_object(), request_id)
    return jsonify(DeclinedSchema().dump({"id": declined, "status": "declined"}))


@bp.get("/allies")
@allow(Permission.MANAGE_ALLIES)
@operation(
    summary="Your council's allies",
    description=(
        "current: each ally's name, its contact and yours. ended: only when each ended; "
        "whom it was with is no longer shown."
    ),
    response=AlliesSchema,
)
def list_allies() -> ResponseReturnValue:
    page = allies.allies_page(current_user._get_current_object())
    return jsonify(AlliesSchema().dump({"current": page.current, "ended": page.ended}))


@bp.delete("/allies/<alliance_id>")
@allow(Permission.MANAGE_ALLIES)
@operation(
    summary="End an alliance",
    description=(
        "From now on neither council sees the other's name. 404 for an alliance that is "
        "not your council's; 409 if it has already ended."
    ),
    response=AllianceSchema,
    errors=(409,),
)
def end_alliance(alliance_id: str) -> ResponseReturnValue:
    ended = allies.end(current_user._get_current_object(), alliance_id)
    return jsonify(AllianceSchema().dump(ended))
