"""Peer groups people manage.

Network admins import published nearest-neighbour lists: every import is a new version,
older versions stay (they remain comparable as "older published versions"). An
authority's users save custom groups, refused when saved if they would break an atom of
the authority's groups (DESIGN.md, Anonymity 9); deleted ones are kept, as still known.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from marshmallow import ValidationError

from bench import audit, disclosure, messages
from bench.access import Permission, has_permission
from bench.compare import groups as group_kinds
from bench.compare import service as compare
from bench.errors import Conflict, InvalidInput, NotFound, RowError, ValidationFailed
from bench.extensions import db
from bench.models import Authority, PeerGroup, PeerGroupKind, PeerGroupMember, User, utcnow
from bench.peergroups import queries
from bench.peergroups.schemas import (
    REGION_UNKNOWN,
    START_UNKNOWN,
    TYPE_UNKNOWN,
    BuilderQuerySchema,
    CustomGroupSchema,
)
from bench.publishing.csvfile import HeaderProblems, NotCsv, decode, read_table
from bench.validation import load, parse_number

MAX_NEIGHBOURS = 30
MAX_FILE_BYTES = 5_000_000

# --- published nearest neighbours (network admins) ------------------------------------------


@dataclass(frozen=True)
class ImportPlan:
    """A checked file: the lists by GSS code, and what applying them would do."""

    lists: dict[str, list[str]]  # authority code -> neighbours' codes (itself excluded)
    source: str
    version: int  # the version applying would create
    changed: int  # lists that differ from the newest version's (or are new)

    @property
    def authorities(self) -> int:
        return len(self.lists)

    @property
    def pairs(self) -> int:
        return sum(len(codes) for codes in self.lists.values())

    @property
    def payload(self) -> str:
        """The checked lists for the confirm form; checked again when applied."""
        return json.dumps(self.lists, sort_keys=True)


def versions() -> list[queries.VersionRow]:
    return queries.published_versions()


def _require_network_admin(user: User) -> None:
    if not has_permission(user, Permission.MANAGE_NETWORK):
        raise NotFound("No such page")


Pairs = list[tuple[int | None, str, str]]  # (row or None for JSON, authority, neighbour)


def _read_csv(data: bytes) -> tuple[Pairs, list[RowError]]:
    try:
        table = read_table(
            data, allowed={"authority", "neighbour"}, required={"authority", "neighbour"}
        )
    except NotCsv as error:
        raise ValidationFailed([RowError(None, "file", str(error))]) from None
    except HeaderProblems as problems:
        raise ValidationFailed(problems.errors) from None
    pairs: list[tuple[int | None, str, str]] = []
    errors = []
    for number, cells in table.rows:
        if "__shape__" in cells:
            count = cells["__shape__"]
            errors.append(
                RowError(number, "row", messages.PEER_IMPORT_ROW_SHAPE.format(count=count))
            )
            continue
        authority, neighbour = cells["authority"].strip(), cells["neighbour"].strip()
        for name, code in (("authority", authority), ("neighbour", neighbour)):
            if not code:
                errors.append(RowError(number, name, messages.PEER_IMPORT_CODE_REQUIRED))
        if authority and neighbour:
            pairs.append((number, authority, neighbour))
    return pairs, errors


def _read_json(data: bytes) -> Pairs:
    try:
        document = json.loads(decode(data))
    except NotCsv:
        raise ValidationFailed(
            [RowError(None, "file", messages.PEER_IMPORT_NOT_JSON.format(error="it is not text"))]
        ) from None
    except ValueError as error:
        message = messages.PEER_IMPORT_NOT_JSON.format(error=error)
        raise ValidationFailed([RowError(None, "file", message)]) from None
    if not isinstance(document, dict) or not all(
        isinstance(codes, list) and all(isinstance(code, str) for code in codes)
        for codes in document.values()
    ):
        raise ValidationFailed([RowError(None, "file", messages.PEER_IMPORT_JSON_SHAPE)])
    pairs: list[tuple[int | None, str, str]] = []
    for authority, codes in document.items():
        if not codes:
            pairs.append((None, authority.strip(), authority.strip()))  # self-only below
        pairs += [(None, authority.strip(), code.strip()) for code in codes]
    return pairs


def _check(pairs: Pairs, errors: list[RowError] | None = None) -> dict[str, list[str]]:
    """Every rule over the pairs at once: unknown codes, repeats, self-only, too long
    (after *errors* already found in the rows' shape)."""
    errors = list(errors or [])
    if not pairs and not errors:
        raise ValidationFailed([RowError(None, "file", messages.PEER_IMPORT_EMPTY)])
    known = queries.authority_ids_by_code()
    lists: dict[str, list[str]] = {}
    seen: set[tuple[str, str]] = set()
    for number, authority, neighbour in pairs:
        lists.setdefault(authority, [])
        for name, code in (("authority", authority), ("neighbour", neighbour)):
            if code not in known and not (name == "neighbour" and code == authority):
                field = name if number is not None else authority
                errors.append(
                    RowError(number, field, messages.PEER_IMPORT_CODE_UNKNOWN.format(code=code))
                )
        if neighbour == authority:
            continue  # a list may include the authority itself; it is ignored
        if (authority, neighbour) in seen:
            message = messages.PEER_IMPORT_PAIR_REPEATED.format(
                authority=authority, neighbour=neighbour
            )
            errors.append(RowError(number, "neighbour" if number else authority, message))
            continue
        seen.add((authority, neighbour))
        lists[authority].append(neighbour)
    for authority, codes in lists.items():
        if not codes:
            errors.append(
                RowError(None, authority, messages.PEER_IMPORT_SELF_ONLY.format(code=authority))
            )
        elif len(codes) > MAX_NEIGHBOURS:
            message = messages.PEER_IMPORT_TOO_LONG.format(
                code=authority, count=len(codes), limit=MAX_NEIGHBOURS
            )
            errors.append(RowError(None, authority, message))
    # Unknown codes are reported once per code and place, not once per repeat.
    errors = sorted(dict.fromkeys(errors), key=lambda e: (e.row is None, e.row or 0))
    if errors:
        raise ValidationFailed(errors)
    return {authority: sorted(codes) for authority, codes in sorted(lists.items())}


def _plan(lists: dict[str, list[str]], source: str) -> ImportPlan:
    newest = queries.latest_published_version()
    current = queries.published_lists(newest) if newest else {}
    ids = queries.authority_ids_by_code()
    changed = sum(
        1
        for authority, codes in lists.items()
        if current.get(ids[authority]) != frozenset(ids[code] for code in codes)
    )
    return ImportPlan(lists, source, newest + 1, changed)


def check_import(admin: User, filename: str, data: bytes, source: str) -> ImportPlan:
    """Validate an uploaded CSV or JSON file; writes nothing. Raises ValidationFailed."""
    _require_network_admin(admin)
    if len(data) > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // 1_000_000
        raise ValidationFailed(
            [RowError(None, "file", f"The file must be smaller than {limit} MB")]
        )
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix == "csv":
        pairs, errors = _read_csv(data)
    elif suffix == "json":
        pairs, errors = _read_json(data), []
    else:
        raise ValidationFailed([RowError(None, "file", messages.PEER_IMPORT_FILE_KIND)])
    return _plan(_check(pairs, errors), _source(source, filename))


def _source(source: str, filename: str) -> str:
    text = " ".join(source.split()) or f"Imported from {filename}"
    return text[:300]


def apply_import(admin: User, payload: str, source: str, version: str) -> ImportPlan:
    """Create a new published version for every authority in the checked lists, in one
    transaction. The lists come back from the browser, so they are checked again.

    *version* is the one the admin was shown. Imports take turns (a lock held until the
    transaction ends), so when two are confirmed at once the second finds the first's
    version in place and is refused with a Conflict, instead of failing on the unique
    version index: what it would change was worked out against an older version.
    """
    _require_network_admin(admin)
    try:
        document = json.loads(payload)
        shown = int(parse_number(version, integer=True))
    except ValueError:
        raise ValidationFailed([RowError(None, "file", messages.PEER_IMPORT_STALE)]) from None
    pairs = _read_json(payload.encode()) if isinstance(document, dict) else []
    db.begin_write()
    try:
        queries.lock_published_versions()
        plan = _plan(_check(pairs), _source(source, "a file"))
        if plan.version != shown:
            raise Conflict(messages.PEER_IMPORT_CLASH.format(version=plan.version - 1))
        ids = queries.authority_ids_by_code()
        now = utcnow()
        for authority, codes in plan.lists.items():
            group = PeerGroup(
                kind=PeerGroupKind.PUBLISHED_NEIGHBOURS,
                authority_id=ids[authority],
                version=plan.version,
                source=plan.source,
                created_at=now,
                created_by_id=admin.id,
            )
            group.members = [PeerGroupMember(authority_id=ids[code]) for code in codes]
            queries.add(group)
        audit.record(
            "peer_groups_imported",
            actor=admin,
            authority_id=None,
            details={
                "version": plan.version,
                "authorities": plan.authorities,
                "neighbours": plan.pairs,
                "changed": plan.changed,
                "source": plan.source,
            },
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return plan


# --- custom groups (an authority's users) -------------------------------------------------


@dataclass(frozen=True)
class Member:
    name: str
    gss_code: str


@dataclass(frozen=True)
class GroupMembers:
    """One group a viewer can choose on comparison pages, and who is in it, A to Z."""

    key: str  # as in the pages' and the API's ``group``
    label: str
    kind: str  # published, computed, type, region or custom
    description: str
    members: list[Member]
    folded: bool = False  # long lists are shown folded away
    custom_id: int | None = None
    saved_at: Any = None
    saved_by: str = ""


@dataclass(frozen=True)
class ViewerGroups:
    authority: Member
    standard: list[GroupMembers]
    custom: list[GroupMembers]  # oldest first, the order they are admitted

    @property
    def groups(self) -> list[GroupMembers]:
        return self.standard + self.custom


def _figure_words(names: list[str]) -> str:
    words = [messages.CONTEXT_FIGURE_WORDS.get(name, name.replace("_", " ")) for name in names]
    if len(words) <= 1:
        return "".join(words) or "context figures"
    return f"{', '.join(words[:-1])} and {words[-1]}"


def _describe(
    key: str, viewer: Authority, k: int, sources: dict[int, str]
) -> tuple[str, str] | None:
    """(kind, description) of one standard kind of group, or None for all councils."""
    if key == group_kinds.PUBLISHED or key.startswith(f"{group_kinds.PUBLISHED}-v"):
        newest = key == group_kinds.PUBLISHED
        version = max(sources, default=0) if newest else int(key.rpartition("-v")[2])
        template = messages.GROUP_PUBLISHED_NEWEST if newest else messages.GROUP_PUBLISHED_OLDER
        source = sources.get(version, "").rstrip(".")
        return "published", template.format(version=version, source=source)
    if key == group_kinds.COMPUTED:
        figures = _figure_words(queries.context_figure_names())
        return "computed", messages.GROUP_COMPUTED.format(k=k, figures=figures)
    if key == group_kinds.SAME_TYPE:
        return "type", messages.GROUP_SAME_TYPE.format(type=viewer.type.label.lower())
    if key == group_kinds.SAME_REGION:
        return "region", messages.GROUP_SAME_REGION.format(region=viewer.region)
    return None


FOLDED = frozenset({"type", "region"})  # long lists: shown folded away
# Published versions together, then the groups bench works out, as the issue lists them.
KIND_ORDER = ("published", "computed", "type", "region")


def viewer_groups(user: User) -> ViewerGroups:
    """Every group the user's authority's users can choose on comparison pages (all
    councils aside), with its members by name: published nearest neighbours (newest
    version first), computed neighbours, same type, same region, then custom groups by age.

    Membership is public (DESIGN.md, Anonymity: published lists, types, regions; bench
    shows computed neighbours by name too); no figure is read here. The groups are worked
    out for today's date, as the engine works them out for a period's start.
    """
    authority_id = compare.viewer_authority(user)
    viewer = queries.authority(authority_id)
    if viewer is None:
        raise NotFound("No authority")
    k = current_app.config["COMPUTED_NEIGHBOURS_K"]
    network = group_kinds.build(utcnow().date(), k)
    sources = {row.version: row.source for row in queries.published_versions()}
    standard = []
    for kind in network.kinds:
        described = _describe(kind.key, viewer, k, sources)
        if described is not None:
            peers = group_kinds.peers_of(network, kind.key, authority_id)
            standard.append((kind, *described, peers))
    standard.sort(key=lambda group: KIND_ORDER.index(group[1]))  # stable: versions stay
    custom = [
        (group, frozenset(m.authority_id for m in group.members) - {authority_id})
        for group in queries.custom_groups(authority_id)
    ]
    names = queries.authority_names(
        set[int]().union(*(peers for *_, peers in standard), *(peers for _, peers in custom))
    )

    def members(ids: frozenset[int]) -> list[Member]:
        rows = sorted((names[i] for i in ids if i in names), key=lambda r: (r.name, r.gss_code))
        return [Member(row.name, row.gss_code) for row in rows]

    return ViewerGroups(
        authority=Member(viewer.name, viewer.gss_code),
        standard=[
            GroupMembers(kind.key, kind.label, name, description, members(peers), name in FOLDED)
            for kind, name, description, peers in standard
        ],
        custom=[
            GroupMembers(
                f"custom-{group.id}",
                group.name,
                "custom",
                messages.GROUP_CUSTOM,
                members(peers),
                custom_id=group.id,
                saved_at=group.created_at,
                saved_by=group.created_by.name if group.created_by is not None else "",
            )
            for group, peers in custom
        ],
    )


MAX_CUSTOM_GROUPS = 40  # with the standard kinds, within the 64 groups one viewer's atoms hold


def min_members() -> int:
    return disclosure.min_peers()


def member_choices(user: User) -> list[Authority]:
    """Every current council but the viewer's own, by name."""
    authority_id = compare.viewer_authority(user)
    return [a for a in queries.current_authorities() if a.id != authority_id]


@dataclass(frozen=True)
class Builder:
    """The custom-group builder: the councils to choose from after its filters, the ones
    ticked (shown or not), and the filters' choices.

    Filtering only narrows which checkboxes are shown: councils ticked but filtered out
    travel with the form, so filtering never loses a choice.
    """

    councils: list[Authority]  # every council that may be chosen, by name
    shown: list[Authority]  # those the filters keep
    ticked: frozenset[int]
    words: str
    type: str
    region: str
    name: str
    types: list[tuple[str, str]]  # (value, label) of the types among the councils
    regions: list[str]
    starts: list[tuple[str, str]]  # (key, label) of the viewer's standard groups
    errors: list[RowError] = field(default_factory=list)

    @property
    def hidden_ticks(self) -> list[int]:
        """Ticked councils the filters do not show, in the form as hidden fields."""
        shown = {council.id for council in self.shown}
        return sorted(self.ticked - shown)

    @property
    def filtered(self) -> bool:
        return bool(self.words or self.type or self.region)


def builder(user: User, args: Mapping[str, Any]) -> Builder:
    """The builder for *args* (the page's link or its form): ``q`` (part of a council's
    name or GSS code), ``type``, ``region``, ``start`` (one of the viewer's standard
    groups, whose councils are ticked), ``members`` (ticked) and ``name``. A bad value is
    an error naming its field; it filters nothing."""
    councils = member_choices(user)
    by_code = {council.gss_code: council.id for council in councils}
    types = sorted({council.type for council in councils}, key=lambda kind: kind.label)
    regions = sorted({council.region for council in councils})
    standard = viewer_groups(user).standard
    starts = [(group.key, group.label) for group in standard if group.members]
    errors: list[RowError] = []
    try:
        query = BuilderQuerySchema().load(args)
    except ValidationError as error:
        said = error.messages if isinstance(error.messages, dict) else {}
        errors += [RowError(None, name, _first(problems)) for name, problems in said.items()]
        query = {"q": "", "type": "", "region": "", "start": "", "members": [], "name": ""}
    if query["type"] and query["type"] not in {kind.value for kind in types}:
        errors.append(RowError(None, "type", TYPE_UNKNOWN))
        query["type"] = ""
    if query["region"] and query["region"] not in regions:
        errors.append(RowError(None, "region", REGION_UNKNOWN))
        query["region"] = ""
    ids = {council.id for council in councils}
    ticked: set[int] = set()
    for value in query["members"]:
        member = int(value) if value.isascii() and value.isdigit() else None
        if member not in ids:
            errors.append(RowError(None, "members", messages.CUSTOM_GROUP_MEMBER_UNKNOWN))
            break
        ticked.add(member)
    if query["start"]:
        group = next((g for g in standard if g.key == query["start"] and g.members), None)
        if group is None:
            errors.append(RowError(None, "start", START_UNKNOWN))
        else:
            ticked |= {by_code[m.gss_code] for m in group.members if m.gss_code in by_code}
    words = query["q"].casefold()
    shown = [
        council
        for council in councils
        if (not words or words in council.name.casefold() or words in council.gss_code.casefold())
        and (not query["type"] or council.type.value == query["type"])
        and (not query["region"] or council.region == query["region"])
    ]
    return Builder(
        councils=councils,
        shown=shown,
        ticked=frozenset(ticked),
        words=query["q"],
        type=query["type"],
        region=query["region"],
        name=query["name"],
        types=[(kind.value, kind.label) for kind in types],
        regions=regions,
        starts=starts,
        errors=errors,
    )


def _first(problems: Any) -> str:
    while isinstance(problems, dict):
        problems = next(iter(problems.values()))
    return str(problems[0] if isinstance(problems, list) else problems)


def _members(authority_id: int, values: list[str]) -> frozenset[int]:
    choices = {a.id for a in queries.current_authorities()}
    members: set[int] = set()
    for value in values:
        try:
            member = int(parse_number(value, integer=True))
        except ValueError:
            raise InvalidInput(messages.CUSTOM_GROUP_MEMBER_UNKNOWN, field="members") from None
        if member == authority_id:
            raise InvalidInput(messages.CUSTOM_GROUP_SELF, field="members")
        if member not in choices:
            raise InvalidInput(messages.CUSTOM_GROUP_MEMBER_UNKNOWN, field="members")
        members.add(member)
    return frozenset(members)


def save_custom_group(user: User, data: Mapping[str, Any]) -> PeerGroup:
    """Save a custom group for the user's authority, or refuse it with the reason."""
    authority_id = compare.viewer_authority(user)
    fields = load(CustomGroupSchema(), data)
    name = " ".join(fields["name"].split())
    if queries.custom_group_named(authority_id, name) is not None:
        raise Conflict(messages.CUSTOM_GROUP_NAME_TAKEN, field="name")
    members = _members(authority_id, fields["members"])
    k = disclosure.min_peers()
    if len(members) < k:
        raise InvalidInput(messages.CUSTOM_GROUP_TOO_FEW.format(k=k), field="members")
    if len(queries.custom_groups(authority_id)) >= MAX_CUSTOM_GROUPS:
        raise InvalidInput(
            messages.CUSTOM_GROUP_LIMIT.format(count=MAX_CUSTOM_GROUPS), field="members"
        )
    refusal = compare.custom_group_refusal(authority_id, members)
    if refusal is not None:
        when = "today" if refusal == "today" else f"in {refusal}"
        raise InvalidInput(messages.CUSTOM_GROUP_OVERLAP.format(k=k, when=when), field="members")
    try:
        group = PeerGroup(
            kind=PeerGroupKind.CUSTOM,
            authority_id=authority_id,
            name=name,
            source="",
            created_at=utcnow(),
            created_by_id=user.id,
        )
        group.members = [PeerGroupMember(authority_id=member) for member in sorted(members)]
        queries.add(group)
        audit.record(
            "custom_group_saved",
            actor=user,
            authority_id=authority_id,
            subject=group,
            details={"name": name, "members": len(members)},
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return group


def delete_custom_group(user: User, group_id: int) -> str:
    """Delete one of the authority's custom groups; another's is not found."""
    authority_id = compare.viewer_authority(user)
    group = queries.custom_group(group_id)
    if group is None or group.authority_id != authority_id:
        raise NotFound("No such group")
    name = group.name
    try:
        audit.record(
            "custom_group_deleted",
            actor=user,
            authority_id=authority_id,
            subject=group,
            details={"name": name, "members": len(group.members)},
        )
        # Kept, not removed: its figures were seen, so it still counts when the
        # authority's other groups are admitted (DESIGN.md, Anonymity 9).
        group.deleted_at = utcnow()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return name
