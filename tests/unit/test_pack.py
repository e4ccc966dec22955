"""The inspection pack's ZIP (bench.exports.pack): streamed, reproducible, and a valid
Frictionless Data Package v2 whose hashes and sizes match what it holds."""

from __future__ import annotations

import hashlib
import io
import json
import tracemalloc
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import frictionless
import pandas as pd
import pytest

from bench.csvout import rows_to_bytes
from bench.exports.pack import Blob, Manifest, Package, stream_zip, table_schema
from bench.exports.tables import SUPPRESSION_REASON, Column, Section, Table

LABEL = Column("authority_label", "Peer", "A label for the authority, fresh in every pack.")
STANDING = Table(
    "where-we-stand",
    "Where we stand",
    "Each authority's figures against its peers.",
    (
        LABEL,
        Column("is_subject_authority", "The authority inspected", "Whether.", type="boolean"),
        Column("period_end", "Period end", "The period's last day.", type="date"),
        Column("value", "Value", "The figure.", type="number", unit="per cent"),
        Column("peers_contributing", "Peers", "How many peers.", type="integer"),
        Column(
            "classification",
            "Classification",
            "Where the figure stands.",
            allowed=("within", "above", "below"),
            empty_means="no classification: the figure is withheld",
        ),
        Column("released_at", "Released", "When it was released.", type="datetime"),
        Column("note", "Note", "=The authority's own note, as written."),
        SUPPRESSION_REASON,
    ),
)
ROWS_BEFORE_REASON = [
    ("peer-01", True, date(2024, 3, 31), -3.2, 14, "below", datetime(2024, 4, 2, tzinfo=UTC), "ok"),
    ("peer-02", False, date(2024, 3, 31), Decimal("12.50"), 14, "within", None, "=1+1"),
    ("peer-03", False, date(2024, 3, 31), 1e-05, 15, "above", None, "@SUM(1+1)*cmd|' /C calc'!A0"),
    ("peer-04", False, date(2024, 3, 31), None, None, None, None, "|calc"),
]
# A withheld figure is an empty cell and a reason (c: confidential).
STANDING_ROWS = [(*row, "c" if row[3] is None else None) for row in ROWS_BEFORE_REASON]
ISSUES = Table(
    "issues",
    "Known issues",
    "Issues and how common they are among peers.",
    (
        Column("issue", "Issue", "The issue type."),
        Column("prevalence", "Prevalence", "Share of peers reporting it.", type="number"),
    ),
)
ISSUE_ROWS = [("slow direct payments", 0.4), ("%0A", 0.1)]
PACKAGE = Package(
    "bench-inspection-pack",
    "Inspection pack",
    "2024-03-31.7",
    datetime(2024, 4, 5, 12, 0, tzinfo=UTC),
    description="An authority's figures against its peers.",
    properties={
        "bench:as_of": date(2024, 3, 31),
        "bench:data_version": 7,
        "bench:thresholds": {"k": 5, "small_count": 10},
        "bench:methods": "https://bench.example/methods",
    },
)
WHEN = date(2024, 3, 31)


def members():
    return [
        Section(STANDING, iter(STANDING_ROWS)),
        Section(ISSUES, iter(ISSUE_ROWS)),
        Blob("README.txt", "Read me first.\r\nMôn.\r\n", title="Read me"),
    ]


def pack(manifest: Manifest | None = None, **changes) -> bytes:
    arguments = {"date_time": WHEN, "package": PACKAGE, "manifest": manifest, **changes}
    return b"".join(stream_zip(arguments.pop("members", members()), **arguments))


def extract(data: bytes, folder: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None  # every CRC right
        archive.extractall(folder)
    return folder / "datapackage.json"


def test_the_pack_is_a_valid_data_package_whose_hashes_match(tmp_path):
    manifest = Manifest()
    data = pack(manifest)
    descriptor_path = extract(data, tmp_path)
    report = frictionless.validate(descriptor_path)
    assert report.valid, report.flatten(["resourcePath", "type", "note"])

    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    paths = ["where-we-stand.csv", "issues.csv", "README.txt", "data-dictionary.csv"]
    assert [resource["path"] for resource in descriptor["resources"]] == paths
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == [*paths, "datapackage.json"]  # in the order given
    assert manifest.complete
    assert [written.path for written in manifest.files] == [*paths, "datapackage.json"]
    for resource, written in zip(descriptor["resources"], manifest.files, strict=False):
        content = (tmp_path / resource["path"]).read_bytes()
        assert resource["bytes"] == written.bytes == len(content)
        sha256 = hashlib.sha256(content).hexdigest()
        assert resource["hash"] == f"sha256:{sha256}" and written.sha256 == sha256
    json_file = (tmp_path / "datapackage.json").read_bytes()
    assert manifest.files[-1].sha256 == hashlib.sha256(json_file).hexdigest()


def test_a_changed_file_fails_validation(tmp_path):
    # The hashes are checked, not merely present: one changed label is caught.
    descriptor_path = extract(pack(), tmp_path)
    table = tmp_path / "where-we-stand.csv"
    table.write_bytes(table.read_bytes().replace(b"peer-01", b"peer-09"))
    report = frictionless.validate(descriptor_path)
    assert not report.valid
    assert [error[0] for error in report.flatten(["type"])] == ["hash-count"]


def test_the_descriptor_says_what_the_pack_is(tmp_path):
    descriptor = json.loads(extract(pack(), tmp_path).read_text(encoding="utf-8"))
    assert descriptor["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert descriptor["name"] == "bench-inspection-pack"
    assert descriptor["version"] == "2024-03-31.7"
    assert descriptor["created"] == "2024-04-05T12:00:00Z"
    assert descriptor["bench:as_of"] == "2024-03-31"
    assert descriptor["bench:thresholds"] == {"k": 5, "small_count": 10}
    standing, _, readme, dictionary = descriptor["resources"]
    assert standing["type"] == "table" and standing["format"] == "csv"
    assert standing["mediatype"] == "text/csv" and standing["encoding"] == "utf-8"
    assert standing["dialect"]["lineTerminator"] == "\r\n" and standing["dialect"]["header"]
    assert standing["schema"] == table_schema(STANDING)
    fields = {field["name"]: field for field in standing["schema"]["fields"]}
    assert fields["value"]["bench:unit"] == "per cent"
    assert fields["classification"]["constraints"] == {"enum": ["within", "above", "below"]}
    assert fields["suppression_reason"]["constraints"] == {"enum": ["c", "x", "z", "u"]}
    assert fields["suppression_reason"]["bench:empty_means"] == "the row's figures are shown"
    assert standing["schema"]["missingValues"] == [""]
    assert readme == {
        "name": "readme.txt",
        "path": "README.txt",
        "title": "Read me",
        "mediatype": "text/plain",
        "encoding": "utf-8",
        "bytes": len("Read me first.\r\nMôn.\r\n".encode()),
        "hash": readme["hash"],
    }
    assert "type" not in readme  # not a table
    assert dictionary["type"] == "table" and dictionary["name"] == "data-dictionary"


def test_the_data_dictionary_describes_every_column_neutralised(tmp_path):
    extract(pack(), tmp_path)
    frame = pd.read_csv(tmp_path / "data-dictionary.csv", dtype=str, keep_default_na=False)
    assert list(frame.columns) == [
        "file",
        "column",
        "title",
        "description",
        "type",
        "unit",
        "allowed_values",
        "empty_means",
    ]
    assert list(zip(frame["file"], frame["column"], strict=True)) == [
        *(("where-we-stand.csv", column) for column in STANDING.header),
        *(("issues.csv", column) for column in ISSUES.header),
    ]
    row = frame.set_index("column").loc["classification"]
    assert row["allowed_values"] == "within; above; below"
    assert row["empty_means"] == "no classification: the figure is withheld"
    assert frame.set_index("column").loc["value", "unit"] == "per cent"
    # A description is text like any other: one that looks like a formula is quoted.
    assert frame.set_index("column").loc["note", "description"] == (
        "'=The authority's own note, as written."
    )


def test_cells_are_written_by_the_one_writer(tmp_path):
    extract(pack(), tmp_path)
    lines = (tmp_path / "where-we-stand.csv").read_bytes().split(b"\r\n")
    assert lines[1] == b"peer-01,true,2024-03-31,-3.2,14,below,2024-04-02T00:00:00Z,ok,"
    assert lines[2] == b"peer-02,false,2024-03-31,12.50,14,within,,'=1+1,"
    assert lines[4] == b"peer-04,false,2024-03-31,,,,,'|calc,c"
    assert (tmp_path / "issues.csv").read_bytes().endswith(b"'%0A,0.1\r\n")


def test_the_same_input_gives_the_same_bytes():
    first, second = pack(), pack()
    assert first == second
    assert pack(date_time=date(2024, 4, 1)) != first  # the time is the caller's, not now
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        for entry in archive.infolist():
            assert entry.date_time == (2024, 3, 31, 0, 0, 0)
            assert entry.compress_type == zipfile.ZIP_DEFLATED
            assert entry.external_attr == 0o644 << 16 and entry.create_system == 3
            assert entry.flag_bits & 0x08  # sizes after the data: written as it streamed


def test_a_table_schema_describes_a_single_csv(tmp_path):
    # The lead's single downloads reuse table_schema: frictionless reads a CSV by it.
    (tmp_path / "issues.csv").write_bytes(b"".join(rows_to_bytes(ISSUES.header, ISSUE_ROWS)))
    resource = frictionless.Resource(
        path="issues.csv",
        basepath=str(tmp_path),
        schema=frictionless.Schema.from_descriptor(table_schema(ISSUES)),
    )
    report = resource.validate()
    assert report.valid, report.flatten(["type", "note"])


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (Blob("../evil.txt", "x"), "Not a file name"),
        (Blob("/etc/passwd.txt", "x"), "Not a file name"),
        (Blob("a\\b.txt", "x"), "Not a file name"),
        (Blob("datapackage.json", "{}"), "one file named"),
        (Blob("README.txt", "again"), "one file named"),
        (Blob("notes.bin", b"\x00"), "media type"),
    ],
)
def test_members_a_pack_cannot_hold(extra, message):
    with pytest.raises(ValueError, match=message):
        pack(members=[*members(), extra])


@pytest.mark.parametrize(
    ("column", "message"),
    [
        (Column("value", "Value", "v", type="number", unit="%"), "in words"),
        (Column("sign", "Sign", "s", allowed=("+", "-")), "allowed values"),
        (Column("Value", "Value", "v"), "snake_case"),
        (Column("value", "Value", "v", type="float"), "unknown type"),
    ],
)
def test_columns_that_would_break_their_own_schema(column, message):
    with pytest.raises(ValueError, match=message):
        table_schema(Table("t", "T", "t", (column,)))


def test_package_details_that_are_refused():
    with pytest.raises(ValueError, match="namespaced"):
        pack(package=Package("p", "P", "1", PACKAGE.created, properties={"version": "2"}))
    with pytest.raises(ValueError, match="aware"):
        pack(date_time=datetime(2024, 3, 31, 9, 0))
    with pytest.raises(ValueError, match="ZIP time"):
        pack(date_time=(1970, 1, 1, 0, 0, 0))


def test_a_large_member_streams_in_flat_memory():
    # 500,000 rows (about 13 MB of CSV) pass through while the writer holds a small, fixed
    # amount (a chunk of CSV text, the compressor's window): never the file.
    rows = 500_000
    table = Table("big", "Big", "Many rows.", (LABEL, Column("value", "V", "v", type="number")))
    stream = stream_zip(
        [Section(table, ((f"peer-{n % 400:03d}", n * 0.37) for n in range(rows)))],
        date_time=WHEN,
        package=PACKAGE,
        manifest=(manifest := Manifest()),
    )
    tracemalloc.start()
    try:
        size = sum(len(chunk) for chunk in stream)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert manifest.files[0].bytes > 10_000_000
    assert size > 1_000_000  # the ZIP, compressed
    assert peak < manifest.files[0].bytes / 10, (peak, manifest.files[0].bytes)
