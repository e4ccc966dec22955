"""The search index follows every change to what it copies, in the same transaction;
``flask search reindex`` rebuilds the same results; a search costs the same number of
statements for 5 results as for 50."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, event, func, select, text

from bench.extensions import db
from bench.models import (
    ActionUpdate,
    Authority,
    KeyArea,
    ReviewKeyArea,
    Role,
    SearchDocument,
    SearchFacet,
    ShareLevel,
    Visit,
    VisitNote,
    VisitTopic,
)
from tests import factories
from tests import factories_search as fs
from tests.factories_search import own_fixture, staff_fixture  # noqa: F401 - fixtures

WORD = "fennel"


def documents(session):
    return session.scalar(select(func.count()).select_from(SearchDocument))


def test_a_new_revision_replaces_the_old_text(staff, own, session):
    note = fs.note(fs.visit(own), f"The {WORD} rota.")
    fs.revise(fs.fresh(note), "The parsnip rota.")
    assert staff.found(WORD) == []
    (found,) = staff.found("parsnip")
    assert found["id"] == note.public_id
    assert documents(session) == 1


def test_the_visit_and_its_topics_change_the_notes_documents(staff, own, session):
    visit = fs.visit(own, title="Day services")
    note = fs.note(visit, f"A {WORD} rota.")
    issue = factories.issue_type()
    visit = fs.fresh(visit)
    visit.title = "Reablement at home"
    visit.topics.append(VisitTopic(issue_type_id=issue.id))
    session.commit()
    (found,) = staff.found(WORD, issue_type=issue.code)
    assert found["title"] == "Reablement at home: What they do differently"
    assert found["id"] == note.public_id
    topic = session.scalars(select(VisitTopic).where(VisitTopic.visit_id == visit.id)).one()
    session.delete(topic)
    session.commit()
    assert staff.found(WORD, issue_type=issue.code) == []


def test_a_reviews_key_areas_reach_its_updates_and_notes(staff, own, session):
    review = fs.review(own)
    update = fs.review_update(review, f"A {WORD} update.")
    note = fs.note(fs.visit(own, review_id=review.id), f"A {WORD} note.")
    assert staff.found(WORD, key_area="staff_acceptance") == []
    session.add(ReviewKeyArea(review_id=review.id, key_area=KeyArea.STAFF_ACCEPTANCE))
    session.commit()
    found = staff.found(WORD, key_area="staff_acceptance")
    assert {item["id"] for item in found} == {update.public_id, note.public_id}


def test_an_actions_updates_are_searched_with_it(staff, own, session):
    action = fs.action(own, "Pilot weekend rotas")
    fs.action_update(action, f"The {WORD} team starts in May.")
    (found,) = staff.found(WORD)
    assert (found["id"], found["title"]) == (action.public_id, "Pilot weekend rotas")
    session.execute(delete(ActionUpdate).where(ActionUpdate.action_id == action.id))
    fs.fresh(action).owner = "A new owner"  # any change to the action re-reads its updates
    session.commit()
    assert staff.found(WORD) == []


def test_deleting_a_source_takes_its_document(staff, own, session):
    visit = fs.visit(own)
    fs.note(visit, f"One {WORD}.")
    fs.note(visit, f"Two {WORD}.")
    action = fs.action(own, f"Three {WORD}")
    assert len(staff.found(WORD)) == 3
    session.delete(fs.fresh(action))
    session.commit()
    assert len(staff.found(WORD)) == 2
    # A visit deleted in the database alone: the cascade takes its notes' documents.
    session.execute(delete(Visit).where(Visit.id == visit.id))
    session.commit()
    assert staff.found(WORD) == []
    assert documents(session) == 0
    assert session.scalar(select(func.count()).select_from(SearchFacet)) == 0


def test_a_change_rolled_back_leaves_the_index_as_it_was(staff, own, session):
    note = fs.note(fs.visit(own), f"A {WORD} rota.")
    savepoint = session.begin_nested()
    fs.fresh(note).deleted_at = datetime.now(UTC)
    session.flush()
    assert documents(session) == 0
    savepoint.rollback()
    assert len(staff.found(WORD)) == 1


def test_a_renamed_host_is_taken_out_under_its_new_name(app_context, sign_in_as, own, session):
    host = factories.authority(name="Hostshire Council")
    ally = factories.authority()
    factories.alliance(own, host)
    factories.alliance(own, ally)
    visit = fs.visit(own, host)
    fs.note(visit, f"Newshire and Hostshire run the {WORD} rota.", shared_with=(ShareLevel.ALLIES,))
    reader = fs.Searcher(sign_in_as(Role.STAFF, ally), app_context.test_client())
    assert len(reader.found("Newshire")) == 1
    fs.fresh(host).name = "Newshire Council"
    session.commit()
    assert reader.found("Newshire") == []
    (found,) = reader.found(WORD)
    # "Hostshire" is no longer a name of the host's, so it stays.
    assert "Newshire" not in found["snippet"] and "Hostshire" in found["snippet"]
    assert found["snippet"].count("the host council]") == 1


def _results(searchers, queries):
    return [
        searcher.api(words, per_page=500, **filters).get_json()
        for searcher in searchers
        for words, filters in queries
    ]


def test_reindex_rebuilds_the_same_results(app_context, staff, own, session, sign_in_as):
    host = factories.authority(name="Hostshire Council")
    factories.alliance(own, host)
    issue = factories.issue_type()
    review = fs.review(own, (KeyArea.COST_EFFICIENCY,))
    visit = fs.visit(own, host, issue_types=(issue,), review_id=review.id, title="Hostshire")
    fs.note(visit, f"Hostshire's {WORD} rota.", shared_with=(ShareLevel.HOST,))
    fs.note(visit, f"Our own {WORD} notes.")
    fs.review_update(review, f"{WORD} update")
    fs.action_update(fs.action(own, f"{WORD} action", issue_type_id=issue.id), "parsnip")
    fs.good_practice("Rotas", f"A {WORD} rota", key_area=KeyArea.COST_EFFICIENCY)
    searchers = [staff, fs.Searcher(sign_in_as(Role.STAFF, host), app_context.test_client())]
    queries = [
        (WORD, {}),
        ("Hostshire", {}),
        ("parsnip", {}),
        (WORD, {"issue_type": issue.code}),
        (WORD, {"key_area": "cost_efficiency"}),
    ]
    before = _results(searchers, queries)
    assert [body["total"] for body in before] == [5, 2, 1, 3, 4, 2, 1, 0, 1, 2]
    # The index is lost: searches find nothing, until it is rebuilt.
    session.execute(delete(SearchDocument))
    session.commit()
    assert all(body["total"] == 0 for body in _results(searchers, queries))
    outcome = app_context.test_cli_runner().invoke(args=["search", "reindex"])
    assert outcome.exit_code == 0, outcome.output
    assert outcome.output.strip() == "5 documents indexed"
    assert _results(searchers, queries) == before
    if db.engine.dialect.name == "sqlite":
        session.execute(
            text(
                "INSERT INTO search_documents_fts(search_documents_fts, rank) "
                "VALUES ('integrity-check', 1)"
            )
        )


def test_the_same_statements_for_5_results_as_for_50(staff, own, session):
    visit = fs.visit(own)

    def statements(call):
        count = 0

        def counter(*_args):
            nonlocal count
            count += 1

        call()  # the first request of a while also notes when the session or token was used
        connection = session.connection()
        event.listen(connection, "before_cursor_execute", counter)
        try:
            assert call().status_code == 200
        finally:
            event.remove(connection, "before_cursor_execute", counter)
        return count

    def add(number):
        for index in range(number):
            fs.note(visit, f"{WORD} {index}")
            fs.action(own, f"{WORD} action {index}")

    calls = {"page": lambda: staff.page(WORD), "api": lambda: staff.api(WORD, per_page=100)}
    add(3)
    few = {name: statements(call) for name, call in calls.items()}
    add(22)
    many = {name: statements(call) for name, call in calls.items()}
    assert staff.api(WORD).get_json()["total"] == 50
    assert few == many


def test_a_note_without_a_host_keeps_no_second_copy(own, session):
    fs.note(fs.visit(own), f"A {WORD} rota.")
    host = factories.authority()
    factories.alliance(own, host)
    fs.note(fs.visit(own, host), f"A {WORD} rota.")
    rows = session.execute(
        select(SearchDocument.body_redacted, Authority.id)
        .join(VisitNote, VisitNote.id == SearchDocument.note_id)
        .join(Visit, Visit.id == VisitNote.visit_id)
        .outerjoin(Authority, Authority.id == Visit.host_authority_id)
        .order_by(SearchDocument.id)
    ).all()
    assert [(body is None, host_id is None) for body, host_id in rows] == [
        (True, True),
        (False, False),
    ]
