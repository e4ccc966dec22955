"""The inspection pack's record files (issue 12): reviews, visits and notes, host
responses, actions, staff views; each as published on the pack's as-of date, holding only
what the inspector's grant justifies and the pages would show them.

Notes are read through the pages' own visibility rule: a unique word planted in each
note that inspectors may not read must be in no cell of any file, and the host is named
only with its consent, its names and GSS code taken out of every text otherwise.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import update

from bench.csvout import neutralise, rows_to_csv
from bench.exports import records
from bench.models import (
    ActionSource,
    ActionStatus,
    ActionUpdate,
    FollowUpAction,
    KeyArea,
    NoteShare,
    Rag,
    ResponseKind,
    ResponseStatus,
    Role,
    ShareLevel,
    StaffView,
    StaffViewResponse,
    StaffViewStatus,
    Value,
    Visit,
    VisitNote,
    VisitNoteRevision,
    utcnow,
)
from tests import factories, factories_actions, factories_reviews, factories_sharing
from tests.factories_sharing import Scene
from tests.pages import text_of

FILES = [table.filename for table in records.TABLES]
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture
def scene(app_context, sign_in_as):
    return Scene(sign_in_as)


def _check_cell(table, column, cell: str) -> None:
    where = f"{table.filename} {column.name}: {cell!r}"
    if cell == "":
        assert column.empty_means, f"{where}: empty, but the column says no cell is empty"
        return
    if column.allowed is not None:
        assert cell in column.allowed, where
    if column.type == "date":
        assert ISO_DATE.match(cell), where
        date.fromisoformat(cell)
    elif column.type == "integer":
        assert re.fullmatch(r"-?\d+", cell), where
    elif column.type == "number":
        float(cell)
        assert re.fullmatch(r"-?\d+(\.\d+)?", cell), where
    elif column.type == "boolean":
        assert cell in ("true", "false"), where


def pack(inspector, authority, as_of: datetime | None = None) -> dict[str, list[dict[str, str]]]:
    """Every record file as the CSV writer writes it, read back with the csv module,
    each row checked against its table's columns (names, types, allowed values, empty
    cells only where the column says what empty means)."""
    sections = records.sections(inspector, authority.id, as_of or utcnow())
    assert [section.table.filename for section in sections] == FILES
    found = {}
    for section in sections:
        table = section.table
        rows = [list(row) for row in section.rows]
        for row in rows:
            assert len(row) == len(table.columns), (table.filename, row)
        text = "".join(rows_to_csv(table.header, rows))
        parsed = list(csv.reader(io.StringIO(text, newline="")))
        assert parsed[0] == table.header
        assert parsed[1:] == [[neutralise(cell) for cell in row] for row in rows]
        for row in parsed[1:]:
            for column, cell in zip(table.columns, row, strict=True):
                _check_cell(table, column, cell)
        # Read as a spreadsheet user reads them: a cell the writer neutralised (a random id
        # can start with "-") compared by its text.
        found[table.filename] = [
            dict(zip(table.header, map(_text, row), strict=True)) for row in parsed[1:]
        ]
    return found


def _text(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and neutralise(cell[1:]) == cell else cell


def every_cell(files: dict[str, list[dict[str, str]]]) -> str:
    return "\n".join(
        cell for rows in files.values() for row in rows for cell in [*row.keys(), *row.values()]
    )


def _set(model, record, **values) -> None:
    from bench.extensions import db

    db.session.execute(update(model).where(model.id == record.id).values(**values))
    db.session.commit()
    db.session.expire_all()


def _backdate(note, moment: datetime) -> None:
    """The note, its visit, its revisions and its shares all made at *moment*."""
    from bench.extensions import db

    _set(Visit, note.visit, created_at=moment)
    _set(VisitNote, note, created_at=moment)
    db.session.execute(
        update(VisitNoteRevision)
        .where(VisitNoteRevision.note_id == note.id)
        .values(created_at=moment)
    )
    db.session.execute(
        update(NoteShare).where(NoteShare.note_id == note.id).values(shared_at=moment)
    )
    db.session.commit()


# --- notes: who may read them ---------------------------------------------------------


def test_only_notes_shared_with_inspectors_now_are_in_the_pack(scene, session):
    visit = scene.visit
    factories_sharing.note(visit, "WORDOWNONLY stays at home.")
    with_host = factories_sharing.note(visit, "WORDHOSTONLY for the host.")
    factories_sharing.share(with_host, ShareLevel.HOST)
    with_allies = factories_sharing.note(visit, "WORDALLIESONLY for allies.")
    factories_sharing.share(with_allies, ShareLevel.ALLIES)
    shared = factories_sharing.note(visit, "WORDINSPECTOR for the inspector.")
    factories_sharing.share(shared, ShareLevel.INSPECTOR)
    revoked = factories_sharing.note(visit, "WORDREVOKED shared, then not.")
    factories_sharing.share(revoked, ShareLevel.INSPECTOR, revoked_at=utcnow())
    deleted = factories_sharing.note(visit, "WORDDELETED shared, then deleted.")
    factories_sharing.share(deleted, ShareLevel.INSPECTOR)
    _set(VisitNote, deleted, deleted_at=utcnow())
    good_practice = factories_sharing.note(visit, "WORDNETWORK as good practice.")
    factories_sharing.share(good_practice, ShareLevel.NETWORK_GOOD_PRACTICE)

    files = pack(scene.user("inspector"), scene.visitor)
    cells = every_cell(files)
    assert "WORDINSPECTOR" in cells
    for word in ("OWNONLY", "HOSTONLY", "ALLIESONLY", "REVOKED", "DELETED", "NETWORK"):
        assert f"WORD{word}" not in cells
    assert [row["note_id"] for row in files["visit-notes.csv"]] == [shared.public_id]
    assert [row["visit_id"] for row in files["visits.csv"]] == [visit.public_id]

    # The pages show the inspector the same notes.
    page = text_of(scene.client("inspector").get("/sharing/inspected"))
    assert "WORDINSPECTOR" in page and "WORDOWNONLY" not in page and "WORDREVOKED" not in page


@pytest.mark.parametrize(
    "who", ["inspector_no_grant", "inspector_expired", "inspector_other_grant"]
)
def test_an_inspector_without_a_current_grant_reads_no_note(scene, session, who):
    shared = factories_sharing.note(scene.visit, "WORDINSPECTOR for the inspector.")
    factories_sharing.share(shared, ShareLevel.INSPECTOR)
    files = pack(scene.user(who), scene.visitor)
    assert files["visit-notes.csv"] == [] and files["visits.csv"] == []
    assert "WORDINSPECTOR" not in every_cell(files)


def test_only_inspectors_get_the_pack(scene, session):
    with pytest.raises(ValueError, match="inspectors"):
        records.sections(scene.user("own_admin"), scene.visitor.id, utcnow())


# --- notes: naming the host -------------------------------------------------------------


def _host_text(scene) -> str:
    host = scene.host
    return f"Hostbury Council triage on the day; hostbury staff, code {host.gss_code}."


def _no_host(files, scene) -> None:
    cells = every_cell(files).lower()
    assert "hostbury" not in cells
    assert scene.host.gss_code.lower() not in cells


def test_without_consent_the_host_is_an_ally_and_its_names_are_taken_out(scene, session):
    shared = factories_sharing.note(scene.visit, _host_text(scene))
    factories_sharing.share(shared, ShareLevel.HOST)
    factories_sharing.share(shared, ShareLevel.INSPECTOR)
    review = factories_reviews.review(scene.visitor, title="After Hostbury Council")
    factories_reviews.update(review, body_md="We went to Hostbury.")
    factories_actions.action(
        scene.visitor,
        source=ActionSource.VISIT,
        visit_id=scene.visit.id,
        description=f"Copy Hostbury's triage ({scene.host.gss_code})",
    )

    files = pack(scene.user("inspector"), scene.visitor)
    _no_host(files, scene)
    [visit] = files["visits.csv"]
    assert visit["host"] == "an ally" and visit["host_gss_code"] == ""
    assert visit["title"] == "Visit to [the host council]"
    [note] = files["visit-notes.csv"]
    assert note["body_md"].startswith("[the host council] triage on the day")
    assert "[the host council]" in files["actions.csv"][0]["description"]
    # The action's visit is in visits.csv, so the two join.
    assert files["actions.csv"][0]["visit_id"] == visit["visit_id"]


def test_with_consent_the_host_is_named_as_on_the_pages(scene, session):
    shared = factories_sharing.note(scene.visit, _host_text(scene))
    factories_sharing.share(shared, ShareLevel.HOST)
    factories_sharing.share(shared, ShareLevel.INSPECTOR, host_consented_at=utcnow())
    factories_actions.action(
        scene.visitor,
        source=ActionSource.VISIT,
        visit_id=scene.visit.id,
        description="Copy Hostbury's triage",
    )
    unrelated = factories_reviews.review(scene.visitor, title="Hostbury again")

    files = pack(scene.user("inspector"), scene.visitor)
    [visit] = files["visits.csv"]
    assert visit["host"] == "Hostbury Council"
    assert visit["host_gss_code"] == scene.host.gss_code
    assert files["visit-notes.csv"][0]["body_md"] == _host_text(scene)
    assert files["actions.csv"][0]["description"] == "Copy Hostbury's triage"
    # Consent was for the visit's notes: other text still does not name the host.
    [review] = [row for row in files["reviews.csv"] if row["review_id"] == unrelated.public_id]
    assert review["title"] == "[the host council] again"
    page = text_of(scene.client("inspector").get("/sharing/inspected"))
    assert "Hostbury Council" in page


def test_a_visit_names_its_host_only_if_every_note_of_it_may(scene, session):
    consented = factories_sharing.note(scene.visit, "Hostbury one.")
    factories_sharing.share(consented, ShareLevel.HOST)
    factories_sharing.share(consented, ShareLevel.INSPECTOR, host_consented_at=utcnow())
    other = factories_sharing.note(scene.visit, "Hostbury two.")
    factories_sharing.share(other, ShareLevel.INSPECTOR)
    files = pack(scene.user("inspector"), scene.visitor)
    _no_host(files, scene)
    assert len(files["visit-notes.csv"]) == 2
    assert files["visits.csv"][0]["host"] == "an ally"


def test_an_ended_alliance_unnames_the_host_as_the_pages_do(scene, session):
    visit = scene.visit_to_ended
    shared = factories_sharing.note(visit, "WORDENDED Endedham Council's way.")
    factories_sharing.share(shared, ShareLevel.HOST)
    factories_sharing.share(shared, ShareLevel.INSPECTOR, host_consented_at=utcnow())
    files = pack(scene.user("inspector"), scene.visitor)
    cells = every_cell(files)
    assert "WORDENDED [the host council]'s way." in cells
    assert "endedham" not in cells.lower() and scene.ended.gss_code not in cells
    page = text_of(scene.client("inspector").get("/sharing/inspected"))
    assert "WORDENDED" in page and "Endedham" not in page


def test_refused_consent_keeps_the_host_unnamed(scene, session):
    shared = factories_sharing.note(scene.visit, "Hostbury does it.")
    factories_sharing.share(shared, ShareLevel.HOST)
    factories_sharing.share(
        shared, ShareLevel.INSPECTOR, host_consented_at=None, host_refused_at=utcnow()
    )
    files = pack(scene.user("inspector"), scene.visitor)
    _no_host(files, scene)


def test_host_responses_are_facts_only(scene, session):
    shared = factories_sharing.note(scene.visit, "Hostbury does it.")
    factories_sharing.share(shared, ShareLevel.HOST)
    factories_sharing.share(shared, ShareLevel.INSPECTOR)
    hour_ago = utcnow() - timedelta(hours=1)
    reply = factories_sharing.host_response(
        shared, scene.host, body_md="WORDREPLY from us", created_at=hour_ago
    )
    correction = factories_sharing.host_response(
        shared,
        scene.host,
        ResponseKind.CORRECTION,
        body_md="WORDREASON",
        proposed_body_md="WORDPROPOSED",
        status=ResponseStatus.DECLINED,
        decided_at=utcnow(),
        created_at=hour_ago,
    )
    _backdate(shared, hour_ago)
    private = factories_sharing.note(scene.visit, "Not shared.")
    factories_sharing.share(private, ShareLevel.HOST)
    factories_sharing.host_response(private, scene.host)

    files = pack(scene.user("inspector"), scene.visitor)
    rows = files["host-responses.csv"]
    assert {row["response_id"] for row in rows} == {reply.public_id, correction.public_id}
    assert {row["note_id"] for row in rows} == {shared.public_id}
    by_id = {row["response_id"]: row for row in rows}
    assert by_id[correction.public_id]["status"] == "declined"
    assert by_id[correction.public_id]["decided_on"] != ""
    assert by_id[reply.public_id]["status"] == "open"
    cells = every_cell(files)
    assert "WORDREPLY" not in cells and "WORDREASON" not in cells and "WORDPROPOSED" not in cells
    # As of before the decision, the correction was open.
    earlier = pack(scene.user("inspector"), scene.visitor, correction.decided_at - timedelta(0, 1))
    [still] = [r for r in earlier["host-responses.csv"] if r["response_id"] == correction.public_id]
    assert still["status"] == "open" and still["decided_on"] == ""


# --- as published on ---------------------------------------------------------------------


def test_as_of_gives_each_note_as_it_stood_then(scene, session):
    now = utcnow()
    t0, t1, t2 = now - timedelta(days=30), now - timedelta(days=20), now - timedelta(days=10)
    shared = factories_sharing.note(scene.visit, revisions=["WORDFIRST text", "WORDSECOND text"])
    share = factories_sharing.share(shared, ShareLevel.INSPECTOR, shared_at=t0)
    _set(VisitNote, shared, created_at=t0)
    _set(Visit, scene.visit, created_at=t0)
    for revision, moment in zip(shared.revisions, (t0, t2), strict=True):
        _set(VisitNoteRevision, revision, created_at=moment)
    later = factories_sharing.note(scene.visit, "WORDLATER text")
    factories_sharing.share(later, ShareLevel.INSPECTOR, shared_at=t0)
    shared_later = factories_sharing.note(scene.visit, "WORDSHAREDLATER text")
    _set(VisitNote, shared_later, created_at=t0)
    _set(VisitNoteRevision, shared_later.revisions[0], created_at=t0)
    factories_sharing.share(shared_later, ShareLevel.INSPECTOR, shared_at=t2)
    inspector = scene.user("inspector")

    at_t1 = pack(inspector, scene.visitor, t1)
    [note] = at_t1["visit-notes.csv"]
    assert note["body_md"] == "WORDFIRST text" and note["revision_number"] == "1"
    cells = every_cell(at_t1)
    assert "WORDSECOND" not in cells and "WORDLATER" not in cells
    assert "WORDSHAREDLATER" not in cells

    now_files = pack(inspector, scene.visitor)
    bodies = {row["body_md"] for row in now_files["visit-notes.csv"]}
    assert bodies == {"WORDSECOND text", "WORDLATER text", "WORDSHAREDLATER text"}

    before = pack(inspector, scene.visitor, t0 - timedelta(days=1))
    assert before["visit-notes.csv"] == [] and before["visits.csv"] == []

    # Withdrawn since: gone from a pack as of any date, as it is from the pages.
    _set(NoteShare, share, revoked_at=now)
    assert "WORDFIRST" not in every_cell(pack(inspector, scene.visitor, t1))


def test_consent_given_after_as_of_does_not_name_the_host_then(scene, session):
    now = utcnow()
    shared = factories_sharing.note(scene.visit, "Hostbury does it.")
    _set(VisitNote, shared, created_at=now - timedelta(days=5))
    _set(Visit, scene.visit, created_at=now - timedelta(days=5))
    _set(VisitNoteRevision, shared.revisions[0], created_at=now - timedelta(days=5))
    factories_sharing.share(shared, ShareLevel.HOST, shared_at=now - timedelta(days=5))
    factories_sharing.share(
        shared,
        ShareLevel.INSPECTOR,
        shared_at=now - timedelta(days=5),
        host_consented_at=now - timedelta(days=1),
    )
    _set_alliances_formed(scene, now - timedelta(days=10))
    inspector = scene.user("inspector")
    assert pack(inspector, scene.visitor)["visits.csv"][0]["host"] == "Hostbury Council"
    then = pack(inspector, scene.visitor, now - timedelta(days=2))
    assert then["visits.csv"][0]["host"] == "an ally"
    _no_host(then, scene)


def _set_alliances_formed(scene, moment: datetime) -> None:
    from bench.extensions import db
    from bench.models import Alliance

    db.session.execute(update(Alliance).values(formed_at=moment))
    db.session.commit()


def test_the_same_call_gives_the_same_rows(scene, session):
    for number in range(3):
        shared = factories_sharing.note(scene.visit, f"Note {number}")
        factories_sharing.share(shared, ShareLevel.INSPECTOR)
        factories_actions.action(scene.visitor, description=f"Action {number}")
    as_of = utcnow()
    sections = records.sections(scene.user("inspector"), scene.visitor.id, as_of)
    first = [[list(row) for row in section.rows] for section in sections]
    again = [[list(row) for row in section.rows] for section in sections]
    assert first == again
    assert pack(scene.user("inspector"), scene.visitor, as_of) == pack(
        scene.user("inspector"), scene.visitor, as_of
    )


# --- reviews ---------------------------------------------------------------------------


def test_reviews_key_areas_and_updates_as_of(scene, session):
    poster = factories.user(Role.STAFF, scene.visitor, name="Polly Poster")
    last_year = factories_reviews.review(scene.visitor, title="Last year")
    this_year = factories_reviews.review(
        scene.visitor,
        title="This year",
        previous_review_id=last_year.id,
        key_areas=(KeyArea.USER_SATISFACTION, KeyArea.COST_EFFICIENCY),
        team=[poster, "Lena Lived-Experience"],
    )
    as_of = utcnow()
    early = factories_reviews.update(
        this_year, poster, body_md="WORDEARLY", posted_at=as_of - timedelta(days=3)
    )
    factories_reviews.update(
        this_year, poster, body_md="WORDLATE", posted_at=as_of + timedelta(minutes=1)
    )
    other = factories.authority(name="Elsewhere Council")
    factories_reviews.review(other, title="WORDOTHERAUTHORITY")

    files = pack(scene.user("inspector"), scene.visitor, as_of)
    reviews = {row["title"]: row for row in files["reviews.csv"]}
    assert set(reviews) == {"Last year", "This year"}
    assert reviews["This year"]["previous_review_id"] == last_year.public_id
    assert reviews["This year"]["status"] == "planning"
    assert sorted(
        row["key_area"]
        for row in files["review-key-areas.csv"]
        if row["review_id"] == this_year.public_id
    ) == ["cost_efficiency", "user_satisfaction"]
    [posted] = files["review-updates.csv"]
    assert posted["update_id"] == early.public_id and posted["body_md"] == "WORDEARLY"
    cells = every_cell(files)
    for private in ("WORDLATE", "WORDOTHERAUTHORITY", "Polly", "Lena", poster.email):
        assert private not in cells

    before = pack(scene.user("inspector"), scene.visitor, last_year.created_at - timedelta(1))
    assert before["reviews.csv"] == [] and before["review-key-areas.csv"] == []


# --- actions ---------------------------------------------------------------------------


def test_actions_as_they_stood_with_owners_by_role(scene, session):
    now = utcnow()
    owner = factories.user(Role.ANALYST, scene.visitor, name="Olive Owner")
    indicator = factories.indicator(decimals=1)
    base = factories.period("2022-23")
    newer = factories.period("2023-24")
    factories.value(scene.visitor, indicator, base, value=40.0)
    first = factories.value(
        scene.visitor, indicator, newer, value=41.04, published_at=now - timedelta(days=20)
    )
    _set(Value, first, is_latest=False)
    factories.value(
        scene.visitor, indicator, newer, value=48.0, revision=2, published_at=now - timedelta(1)
    )
    review = factories_reviews.review(scene.visitor, created_at=now - timedelta(days=30))
    action = factories_actions.action(
        scene.visitor,
        review_id=review.id,
        description="WORDACTION",
        owner="",
        owner_user_id=owner.id,
        due_on=date(2020, 1, 31),
        indicator_id=indicator.id,
        baseline_period_id=base.id,
        baseline_value=40.0,
        target_period_id=newer.id,
        target_value=45.0,
        updates=[],
    )
    _set(FollowUpAction, action, created_at=now - timedelta(days=30))
    _add_update(action, ActionStatus.OPEN, "Olive Owner", now - timedelta(days=30))
    _add_update(
        action, ActionStatus.IN_PROGRESS, "Nina Named", now - timedelta(days=10), rag=Rag.AMBER
    )
    _add_update(action, ActionStatus.DONE, "Nina Named", now, note_md="WORDDONE")
    later = factories_actions.action(scene.visitor, description="WORDLATERACTION")

    files = pack(scene.user("inspector"), scene.visitor, now - timedelta(days=5))
    [row] = files["actions.csv"]
    assert row["action_id"] == action.public_id and row["review_id"] == review.public_id
    assert row["status"] == "in_progress" and row["rag"] == "amber"
    assert row["owner_role"] == "" and row["owner"] == "Nina Named"
    assert row["overdue"] == "true" and row["completed_on"] == ""
    assert (row["latest_period"], row["latest_value"]) == ("2023-24", "41")
    assert row["latest_value_status"] == "final" and row["suppression_reason"] == ""
    updates = files["action-updates.csv"]
    assert [u["update_number"] for u in updates] == ["1", "2"]
    assert (updates[0]["owner_role"], updates[0]["owner"]) == ("analyst", "")
    cells = every_cell(files)
    for private in ("WORDDONE", "WORDLATERACTION", "Olive", owner.email):
        assert private not in cells

    now_files = pack(scene.user("inspector"), scene.visitor)
    done = next(r for r in now_files["actions.csv"] if r["action_id"] == action.public_id)
    assert done["status"] == "done" and done["overdue"] == "false"
    assert done["completed_on"] != "" and done["latest_value"] == "48"
    plain = next(r for r in now_files["actions.csv"] if r["action_id"] == later.public_id)
    assert plain["suppression_reason"] == "z" and plain["latest_value"] == ""


def _add_update(action, status, owner, at, **fields) -> None:
    from bench.extensions import db

    fields.setdefault("due_on", action.due_on)
    db.session.add(ActionUpdate(action_id=action.id, status=status, owner=owner, at=at, **fields))
    db.session.commit()


def test_an_action_from_a_visit_without_shared_notes_names_neither(scene, session):
    factories_actions.action(
        scene.visitor,
        source=ActionSource.VISIT,
        visit_id=scene.visit.id,
        description="Learn from Hostbury",
    )
    files = pack(scene.user("inspector"), scene.visitor)
    [row] = files["actions.csv"]
    assert row["visit_id"] == "" and row["description"] == "Learn from [the host council]"
    _no_host(files, scene)


# --- staff views -------------------------------------------------------------------------


def _view(scene, key_area, *, author=None, responded_on=None, **fields) -> StaffView:
    from bench.extensions import db

    view = StaffView(
        authority_id=scene.visitor.id,
        key_area=key_area,
        body_md=fields.pop("body_md", "We need more time."),
        anonymous=author is None,
        author_user_id=author.id if author else None,
        submitted_on=fields.pop("submitted_on", date(2026, 1, 5)),
        released=True,
        status=StaffViewStatus.RESPONDED if responded_on else StaffViewStatus.NEW,
        **fields,
    )
    if responded_on is not None:
        view.responses = [
            StaffViewResponse(
                body_md=f"We did it {key_area}",
                responded_at=datetime.combine(responded_on, time(12), tzinfo=UTC),
            )
        ]
    db.session.add(view)
    db.session.commit()
    return view


def test_staff_views_never_name_their_author(scene, session):
    author = factories.user(Role.STAFF, scene.visitor, name="Wanda Writer")
    _view(
        scene,
        KeyArea.STAFF_ACCEPTANCE,
        author=author,
        responded_on=date(2026, 1, 20),
        body_md="WORDNAMEDVIEW rotas",
    )
    _view(scene, KeyArea.STAFF_ACCEPTANCE, responded_on=date(2026, 1, 21), body_md="WORDANON")
    hidden = _view(scene, KeyArea.STAFF_ACCEPTANCE, body_md="WORDHIDDEN")
    _set(StaffView, hidden, status=StaffViewStatus.HIDDEN, hidden_at=utcnow())
    waiting = _view(scene, KeyArea.USER_SATISFACTION, body_md="WORDWAITING")
    _set(StaffView, waiting, released=False, submitted_on=utcnow().date())

    files = pack(scene.user("inspector"), scene.visitor)
    cells = every_cell(files)
    for private in ("Wanda", author.email, "WORDHIDDEN", "WORDWAITING"):
        assert private not in cells
    said = files["staff-views-you-said-we-did.csv"]
    assert [row["you_said"] for row in said] == ["WORDNAMEDVIEW rotas", "WORDANON"]
    assert [row["view_label"] for row in said] == ["view-1", "view-2"]
    assert {row["responded_month"] for row in said} == {"2026-01"}


def test_the_summary_withholds_small_counts(scene, session):
    for day in range(5):
        _view(scene, KeyArea.COST_EFFICIENCY, responded_on=date(2026, 1, 10 + day))
    for _ in range(3):
        _view(scene, KeyArea.USER_SATISFACTION)
    files = pack(scene.user("inspector"), scene.visitor)
    rows = {(row["key_area"], row["status"]): row for row in files["staff-views-summary.csv"]}
    assert len(rows) == len(KeyArea) * len(StaffViewStatus)
    responded = rows[("cost_efficiency", "responded")]
    assert (responded["views"], responded["responded"]) == ("5", "5")
    assert responded["median_days_to_respond"] == "7"  # 5th to 10th..14th of January
    small = rows[("user_satisfaction", "new")]
    assert (small["views"], small["responded"], small["suppression_reason"]) == ("", "", "c")
    none = rows[("local_priorities", "new")]
    assert (none["views"], none["suppression_reason"]) == ("0", "z")
