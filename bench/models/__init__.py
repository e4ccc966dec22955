"""bench's data model: every word of DESIGN.md's glossary as a mapped class."""

from bench.models.accounts import (
    AUTHORITY_ROLES,
    ApiToken,
    InspectorGrant,
    Invitation,
    Role,
    TokenScope,
    User,
    UserSession,
)
from bench.models.alerts import AlertState, Follow, Notification
from bench.models.allies import Alliance, AllyAsk, AllyRequest, AllyRequestStatus
from bench.models.audit import AuditEvent
from bench.models.authorities import Authority, AuthorityType, ContextFigure, Succession
from bench.models.base import Base, utcnow
from bench.models.indicators import Indicator, KeyArea, Period, PeriodKind, Polarity, UnitKind
from bench.models.issues import (
    FlagAnswer,
    FlagStatus,
    IssueFlag,
    IssueType,
    IssueTypeStatus,
    Severity,
    issue_type_indicators,
)
from bench.models.peers import STORED_KINDS, PeerGroup, PeerGroupKind, PeerGroupMember
from bench.models.publishing import (
    QueryReason,
    QueryStatus,
    SeriesBreak,
    UploadBatch,
    UploadRow,
    UploadStatus,
    ValueQuery,
)
from bench.models.reviews import ActionStatus, FollowUpAction, Visit, VisitKind, VisitTopic
from bench.models.values import Value, ValueStatus, visible_to_peers

__all__ = [
    "AUTHORITY_ROLES",
    "STORED_KINDS",
    "ActionStatus",
    "AlertState",
    "ApiToken",
    "Alliance",
    "AllyAsk",
    "AllyRequest",
    "AllyRequestStatus",
    "AuditEvent",
    "Authority",
    "AuthorityType",
    "Base",
    "ContextFigure",
    "FlagAnswer",
    "FlagStatus",
    "Follow",
    "FollowUpAction",
    "Indicator",
    "InspectorGrant",
    "Invitation",
    "IssueFlag",
    "IssueType",
    "IssueTypeStatus",
    "KeyArea",
    "Notification",
    "PeerGroup",
    "PeerGroupKind",
    "PeerGroupMember",
    "Period",
    "PeriodKind",
    "Polarity",
    "QueryReason",
    "QueryStatus",
    "Role",
    "SeriesBreak",
    "Severity",
    "Succession",
    "TokenScope",
    "UnitKind",
    "UploadBatch",
    "UploadRow",
    "UploadStatus",
    "User",
    "UserSession",
    "Value",
    "ValueQuery",
    "ValueStatus",
    "Visit",
    "VisitKind",
    "VisitTopic",
    "issue_type_indicators",
    "utcnow",
    "visible_to_peers",
]
