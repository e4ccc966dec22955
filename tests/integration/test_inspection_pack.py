"""The inspection pack (issue 12): one ZIP for an authority under a grant, valid as a
Frictionless Data Package (hashes included), every CSV readable by csv and pandas, no
peer named in any file or name, labels fresh in every pack, as-of reproducible byte for
byte, audited with its hashes, and stopped at once by a grant's end."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from datetime import UTC, datetime

import pandas as pd
import pytest
from frictionless import Package, system
from sqlalchemy import select

from bench.compare.service import CACHE
from bench.extensions import db
from bench.models import AuditEvent, Authority, InspectorGrant
from tests.integration.test_compare import OFLOG
from tests.pages import sign_in

INSPECTOR = "inspector@inspectorate.demo.example"
PASSWORD = "bench-demo-password"
LANCASHIRE = "E10000017"
PACK = "/compare/export/inspection-pack.zip"


@pytest.fixture
def inspector(demo):
    client = demo.test_client()
    sign_in(client, INSPECTOR, PASSWORD)
    return client


def _pack(client, query: str = "") -> tuple[zipfile.ZipFile, bytes, object]:
    response = client.get(f"{PACK}?authority={LANCASHIRE}{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/zip"
    body = response.get_data()
    return zipfile.ZipFile(io.BytesIO(body)), body, response


def _csv(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    text = archive.read(name).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _other_names(demo) -> set[str]:
    """Every council's name and code but Lancashire's and its allies' in the pack's
    notes (named only with consent, which the record files' own tests cover)."""
    with OFLOG.open(newline="") as handle:
        names = {row["authority_name"] for row in csv.DictReader(handle)}
    with demo.app_context():
        codes = set(db.session.scalars(select(Authority.gss_code)))
    return (names | codes) - {"Lancashire", LANCASHIRE}


def test_the_pack_is_a_valid_data_package_with_every_file(inspector, demo, tmp_path):
    archive, _, response = _pack(inspector)
    names = archive.namelist()
    for expected in (
        "README.txt", "indicators.csv", "issue-types.csv", "where-we-stand.csv",
        "peer-figures.csv", "trends.csv", "norm-or-exception.csv", "reviews.csv",
        "visits.csv", "visit-notes.csv", "actions.csv", "staff-views-summary.csv",
        "staff-views-you-said-we-did.csv", "summary.html", "data-dictionary.csv",
        "datapackage.json",
    ):  # fmt: skip
        assert expected in names
    assert names[-1] == "datapackage.json"
    disposition = response.headers["Content-Disposition"]
    assert "e10000017" in disposition.lower()  # the inspector may see whom the pack is for
    archive.extractall(tmp_path)
    with system.use_context(trusted=True):
        report = Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    descriptor = json.loads(archive.read("datapackage.json"))
    for resource in descriptor["resources"]:
        data = archive.read(resource["path"])
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert resource["bytes"] == len(data)
        if resource["path"].endswith(".csv"):
            frame = pd.read_csv(io.BytesIO(data), keep_default_na=False, dtype=str)
            assert list(frame.columns) == [f["name"] for f in resource["schema"]["fields"]]
    assert descriptor["bench:as_of"] == datetime.now(UTC).date().isoformat()
    assert descriptor["bench:thresholds"]["k"] >= 3
    summary = archive.read("summary.html").decode()
    assert "Inspection pack: Lancashire" in summary and "QS1" in summary


def test_the_pack_names_no_peer_and_its_labels_are_fresh(inspector, demo):
    first, body, _ = _pack(inspector)
    second, _, _ = _pack(inspector)
    text = b"".join(first.read(name) for name in first.namelist()).decode("utf-8")
    others = _other_names(demo)
    # Allies appear in notes only with the host's consent: take those named there out.
    notes = first.read("visit-notes.csv").decode() + first.read("visits.csv").decode()
    leaked = [
        name for name in others
        if name not in notes and (f",{name}," in text or f'"{name}"' in text or f" {name} " in text)
    ]  # fmt: skip
    assert leaked == []
    rows = _csv(first, "peer-figures.csv")
    own = [row for row in rows if row["authority_gss_code"]]
    assert {row["authority_gss_code"] for row in own} == {LANCASHIRE}
    peers = [row for row in rows if not row["authority_gss_code"]]
    assert peers and all(row["authority_label"].startswith("peer-") for row in peers)
    assert all(row["authority_name"] == "" for row in peers)
    # Within one indicator and period a label is used once; across packs they differ.
    scopes: dict[tuple[str, str], list[str]] = {}
    for row in peers:
        scopes.setdefault((row["indicator_code"], row["period"]), []).append(row["authority_label"])
    assert all(len(labels) == len(set(labels)) for labels in scopes.values())
    again = [
        row["authority_label"]
        for row in _csv(second, "peer-figures.csv")
        if not row["authority_gss_code"]
    ]
    assert again != [row["authority_label"] for row in peers]


def test_the_pack_agrees_with_the_where_we_stand_export(inspector):
    archive, _, _ = _pack(inspector, "&group=neighbours")
    single = inspector.get(
        f"/compare/export/where-we-stand.csv?authority={LANCASHIRE}&group=neighbours"
    )
    assert single.status_code == 200
    page_rows = list(csv.DictReader(io.StringIO(single.get_data(as_text=True), newline="")))
    latest = page_rows[0]["period"]
    pack_rows = [row for row in _csv(archive, "where-we-stand.csv") if row["period"] == latest]
    assert len(pack_rows) == len(page_rows)
    for packed, shown in zip(pack_rows, page_rows, strict=True):
        assert {key: packed[key] for key in shown} == shown


def test_as_of_reproduces_the_pack_byte_for_byte(inspector):
    yesterday = datetime.now(UTC).date().fromordinal(datetime.now(UTC).date().toordinal() - 1)
    query = f"&as_of={yesterday.isoformat()}"
    _, first, _ = _pack(inspector, query)
    CACHE.clear()
    _, second, _ = _pack(inspector, query)
    assert first == second


def test_the_pack_is_audited_with_its_hashes_and_a_grant_end_stops_it(inspector, demo):
    archive, _, _ = _pack(inspector)
    with demo.app_context():
        events = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action.in_(["export_downloaded", "export_completed"]))
            .order_by(AuditEvent.id)
        ).all()
        started, completed = events[-2], events[-1]
        assert started.action == "export_downloaded" and completed.action == "export_completed"
        assert started.details["file"] == completed.details["file"] == "inspection-pack"
        hashes = {item["path"]: item["sha256"] for item in completed.details["files"]}
        for name in archive.namelist():
            assert hashes[name] == hashlib.sha256(archive.read(name)).hexdigest()
        grant = db.session.scalars(select(InspectorGrant)).first()
        grant.revoked_at = datetime.now(UTC)
        db.session.commit()
    assert inspector.get(f"{PACK}?authority={LANCASHIRE}").status_code == 404
    # Without naming an authority there is no pack.
    assert inspector.get(PACK).status_code == 404


def test_the_pack_is_offered_where_an_inspector_works_under_a_grant(inspector):
    link = f'href="{PACK}?authority={LANCASHIRE}'
    assert link in inspector.get("/grants/yours").get_data(as_text=True)
    page = inspector.get(f"/compare/?authority={LANCASHIRE}").get_data(as_text=True)
    assert link in page
