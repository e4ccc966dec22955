"""One use of an inspector's grant, one ``grant_used`` event (DESIGN.md, Anonymity 8).

Who is viewing which authority is worked out once per request, however many page
builders ask; the authority's audit log then counts visits, not internal calls.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bench.compare.service import CACHE
from bench.models import AuditEvent, InspectorGrant, Role, TokenScope
from tests import factories
from tests.integration.test_compare import _network


@pytest.fixture(autouse=True)
def fresh_cache():
    CACHE.clear()
    yield
    CACHE.clear()


@pytest.fixture
def granted(sign_in_as, session):
    """An inspector signed in, under a current grant to the sixth of six councils."""
    authorities, indicator = _network(session, [10, 20, 30, 40, 50, 200])
    authority = authorities[5]
    inspector = sign_in_as(Role.INSPECTOR)
    now = datetime.now(UTC)
    session.add(
        InspectorGrant(
            inspector_id=inspector.user.id, authority_id=authority.id,
            starts_at=now - timedelta(days=1), expires_at=now + timedelta(days=30),
        )
    )  # fmt: skip
    session.commit()
    return inspector, authority, indicator


def _grant_uses(session) -> list[AuditEvent]:
    return session.scalars(
        select(AuditEvent).where(AuditEvent.action == "grant_used").order_by(AuditEvent.id)
    ).all()


@pytest.mark.parametrize(
    "page", ["/compare/?group=type", "/compare/norms?group=type", "/compare/indicators/{code}"]
)
def test_each_page_view_under_a_grant_is_one_event(granted, session, page):
    inspector, authority, indicator = granted
    path = page.format(code=indicator.code)
    separator = "&" if "?" in path else "?"
    for visit in (1, 2):
        response = inspector.get(f"{path}{separator}authority={authority.gss_code}")
        assert response.status_code == 200, path
        uses = _grant_uses(session)
        assert len(uses) == visit, (path, [event.details for event in uses])
    assert {event.authority_id for event in uses} == {authority.id}
    assert {event.actor_id for event in uses} == {inspector.user.id}


@pytest.mark.parametrize(
    "path", ["/api/v1/standing", "/api/v1/norms", "/api/v1/comparisons/{code}"]
)
def test_the_api_equivalents_record_no_use_they_do_not_allow(granted, app_context, session, path):
    # The API serves only users with an authority of their own: an inspector's token is
    # refused before any grant is looked at, so no use is recorded.
    inspector, _authority, indicator = granted
    _, secret = factories.api_token(inspector.user, TokenScope.READ)
    before = session.scalar(select(func.count()).select_from(AuditEvent))
    response = app_context.test_client().get(
        path.format(code=indicator.code), headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 403
    assert _grant_uses(session) == []
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == before
