"""The inspection pack's ZIP, streamed: members written as they are produced, then
``data-dictionary.csv`` and ``datapackage.json`` (Frictionless Data Package v2, written by
hand from :mod:`.tables`, so there is no runtime dependency).

Nothing here reads the database or knows who is asking: the caller hands over what may be
exported (already disclosed and labelled) and this writes it. The same members, package
details and ``date_time`` give the same bytes: members keep the order given, every entry
carries the caller's timestamp and the same permissions, and the JSON is written in a
fixed order.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections.abc import Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from bench import csvout
from bench.exports.tables import DATA_DICTIONARY, FIELD_TYPES, Section, Table

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
DATAPACKAGE = "datapackage.json"
DICTIONARY = DATA_DICTIONARY.filename
RESERVED = frozenset({DATAPACKAGE, DICTIONARY})
# How every CSV in a pack is written (bench.csvout): no BOM, strict parsers would read it
# as part of the first column's name.
CSV_DIALECT = {
    "header": True,
    "delimiter": ",",
    "lineTerminator": "\r\n",
    "quoteChar": '"',
    "doubleQuote": True,
}
# Relative paths of plain names only: no "..", no absolute paths, nothing a zip tool could
# be tricked into writing outside the folder it extracts to.
SAFE_PATH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(?:/[A-Za-z0-9][A-Za-z0-9._-]*)*")
MAX_PATH = 218  # ONS: names longer than this break some Windows tools
COLUMN_NAME = re.compile(r"[a-z][a-z0-9_]*")
MEDIATYPES = {
    ".txt": "text/plain",
    ".html": "text/html",
    ".csv": "text/csv",
    ".json": "application/json",
    ".md": "text/markdown",
}
FILE_MODE = 0o644 << 16  # rw-r--r--, a plain file, on every machine
UNIX = 3  # the "made by" system in every entry, whichever system writes the pack


@dataclass(frozen=True)
class Blob:
    """A member that is not a table (``README.txt``, ``summary.html``): small, so held."""

    path: str
    content: bytes | str
    title: str = ""
    description: str = ""
    mediatype: str | None = None  # from the extension when not given

    @property
    def data(self) -> bytes:
        return self.content.encode("utf-8") if isinstance(self.content, str) else self.content


Member = Section | Blob


@dataclass(frozen=True)
class Package:
    """What ``datapackage.json`` says about the pack as a whole. ``properties`` are the
    caller's namespaced custom properties (``bench:as_of``, ``bench:data_version``,
    ``bench:thresholds``, ``bench:methods``...), written after the standard ones."""

    name: str  # lower case with dashes, e.g. bench-inspection-pack
    title: str
    version: str  # the data version
    created: datetime  # aware
    description: str = ""
    properties: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Written:
    """One member as it went into the ZIP: its uncompressed size and SHA-256 (hex)."""

    path: str
    bytes: int
    sha256: str


@dataclass
class Manifest:
    """Filled in while a pack streams, for the caller to audit the pack's hashes: read it
    once the stream is exhausted (``complete`` says it was)."""

    files: list[Written] = field(default_factory=list)
    complete: bool = False


def stream_zip(
    members: Iterable[Member],
    *,
    date_time: date | tuple[int, int, int, int, int, int],
    package: Package,
    manifest: Manifest | None = None,
) -> Iterator[bytes]:
    """Yield the ZIP's bytes as they are produced: each member (a table as CSV through
    :mod:`bench.csvout`, or a blob), then ``data-dictionary.csv`` and ``datapackage.json``.

    The ZIP is written by the standard library to a sink it cannot seek, so every entry
    carries its sizes and CRC after its data (a data descriptor) and nothing is held but
    the chunk in hand. ``date_time`` is every entry's timestamp (a date, an aware
    datetime, or zipfile's six-number tuple), so the same input gives the same bytes.
    A member over 4 GiB is refused when it ends (no ZIP64): bench's largest export, the
    whole network, is about 30 MB.
    """
    stamp = _zip_time(date_time)
    _check_package(package)
    record = manifest if manifest is not None else Manifest()
    sink = _Sink()
    resources: list[dict[str, object]] = []
    tables: list[Table] = []
    seen: set[str] = set()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member in members:
            path = member.table.filename if isinstance(member, Section) else member.path
            _check_path(path, seen)
            if isinstance(member, Section):
                tables.append(member.table)
                chunks: Iterable[bytes] = csvout.rows_to_bytes(member.table.header, member.rows)
            else:
                chunks = (member.data,)
            written = yield from _write(archive, sink, _entry(path, stamp), chunks)
            record.files.append(written)
            resources.append(_resource(member, written))
        dictionary = Section(DATA_DICTIONARY, _dictionary_rows(tables))
        chunks = csvout.rows_to_bytes(DATA_DICTIONARY.header, dictionary.rows)
        written = yield from _write(archive, sink, _entry(DICTIONARY, stamp), chunks)
        record.files.append(written)
        resources.append(_resource(dictionary, written))
        descriptor = _descriptor(package, resources)
        written = yield from _write(archive, sink, _entry(DATAPACKAGE, stamp), (descriptor,))
        record.files.append(written)
    yield sink.take()  # the central directory, written as the archive closed
    record.complete = True


def table_schema(table: Table) -> dict[str, object]:
    """A table's Table Schema (Frictionless v2), as in ``datapackage.json``: also the
    metadata of a single CSV download (for the API). An empty cell is the one missing
    value; allowed values are an ``enum`` constraint; ``bench:unit`` and
    ``bench:empty_means`` carry what Table Schema has no word for."""
    names = [column.name for column in table.columns]
    if len(set(names)) != len(names):
        raise ValueError(f"{table.name}: a column name is used twice: {names}")
    fields = []
    for column in table.columns:
        if not COLUMN_NAME.fullmatch(column.name):
            raise ValueError(f"{table.name}: {column.name!r} is not lower snake_case")
        if column.type not in FIELD_TYPES:
            raise ValueError(f"{table.name}.{column.name}: unknown type {column.type!r}")
        entry: dict[str, object] = {
            "name": column.name,
            "title": column.title,
            "description": column.description,
            "type": column.type,
        }
        if column.allowed is not None:
            # The writer would quote a value that looks like a formula, and the file would
            # then break its own schema: such a code is a programming error.
            changed = [value for value in column.allowed if csvout.neutralise(value) != value]
            if changed:
                raise ValueError(f"{table.name}.{column.name}: allowed values {changed}")
            entry["constraints"] = {"enum": list(column.allowed)}
        if column.unit:
            if csvout.neutralise(column.unit) != column.unit:  # "%": write "per cent"
                raise ValueError(f"{table.name}.{column.name}: unit {column.unit!r} in words")
            entry["bench:unit"] = column.unit
        if column.empty_means:
            entry["bench:empty_means"] = column.empty_means
        fields.append(entry)
    return {"fields": fields, "missingValues": [""]}


class _Sink:
    """A write-only file zipfile cannot seek or tell: it keeps what is written until the
    stream takes it."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: the stream takes the chunks."""

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def _write(
    archive: zipfile.ZipFile, sink: _Sink, entry: zipfile.ZipInfo, chunks: Iterable[bytes]
) -> Generator[bytes, None, Written]:
    """Write one member chunk by chunk, yielding the ZIP's bytes as they come."""
    digest = hashlib.sha256()
    size = 0
    with archive.open(entry, "w") as handle:
        for chunk in chunks:
            handle.write(chunk)
            digest.update(chunk)
            size += len(chunk)
            data = sink.take()
            if data:
                yield data
    data = sink.take()  # the compressor's tail and the data descriptor
    if data:
        yield data
    return Written(entry.filename, size, digest.hexdigest())


def _entry(path: str, stamp: tuple[int, int, int, int, int, int]) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(path, date_time=stamp)
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.create_system = UNIX
    entry.external_attr = FILE_MODE
    return entry


def _zip_time(value: date | tuple[int, int, int, int, int, int]) -> tuple[int, ...]:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"A pack's time must be aware: {value!r}")
        value = value.astimezone(UTC)
        return (value.year, value.month, value.day, value.hour, value.minute, value.second)
    if isinstance(value, date):
        return (value.year, value.month, value.day, 0, 0, 0)
    stamp = tuple(value)
    if len(stamp) != 6 or stamp[0] < 1980:
        raise ValueError(f"Not a ZIP time (six numbers, from 1980): {value!r}")
    return stamp


def _check_path(path: str, seen: set[str]) -> None:
    if len(path) > MAX_PATH or not SAFE_PATH.fullmatch(path):
        raise ValueError(f"Not a file name a pack may hold: {path!r}")
    if path in RESERVED or path in seen:
        raise ValueError(f"A pack holds one file named {path!r}")
    seen.add(path)


def _check_package(package: Package) -> None:
    if not re.fullmatch(r"[a-z0-9._-]+", package.name):
        raise ValueError(f"A package name is lower case with dashes: {package.name!r}")
    for key in package.properties:
        if ":" not in key:
            # A bare key could overwrite or contradict a standard property.
            raise ValueError(f"A custom property is namespaced (bench:...): {key!r}")


def _resource_name(path: str) -> str:
    return re.sub(r"[^a-z0-9._-]", "-", path.lower())


def _resource(member: Member, written: Written) -> dict[str, object]:
    if isinstance(member, Section):
        table = member.table
        return {
            "name": table.name,
            "type": "table",
            "path": written.path,
            "title": table.title,
            "description": table.description,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "bytes": written.bytes,
            "hash": f"sha256:{written.sha256}",
            "dialect": dict(CSV_DIALECT),
            "schema": table_schema(table),
        }
    mediatype = member.mediatype or _mediatype(member.path)
    resource: dict[str, object] = {"name": _resource_name(member.path), "path": written.path}
    if member.title:
        resource["title"] = member.title
    if member.description:
        resource["description"] = member.description
    resource["mediatype"] = mediatype
    if mediatype.startswith("text/") or mediatype == "application/json":
        resource["encoding"] = "utf-8"
    resource["bytes"] = written.bytes
    resource["hash"] = f"sha256:{written.sha256}"
    return resource


def _mediatype(path: str) -> str:
    suffix = path[path.rfind(".") :].lower() if "." in path else ""
    if suffix not in MEDIATYPES:
        raise ValueError(f"Give the media type of {path!r}")
    return MEDIATYPES[suffix]


def _dictionary_rows(tables: list[Table]) -> Iterator[tuple[object, ...]]:
    for table in tables:
        for column in table.columns:
            yield (
                table.filename,
                column.name,
                column.title,
                column.description,
                column.type,
                column.unit,
                "; ".join(column.allowed) if column.allowed is not None else None,
                column.empty_means or None,
            )


def _descriptor(package: Package, resources: list[dict[str, object]]) -> bytes:
    descriptor: dict[str, object] = {
        "$schema": PROFILE,
        "name": package.name,
        "title": package.title,
    }
    if package.description:
        descriptor["description"] = package.description
    descriptor["version"] = package.version
    descriptor["created"] = csvout.iso_datetime(package.created)
    descriptor["resources"] = resources
    descriptor.update(package.properties)
    text = json.dumps(descriptor, indent=2, ensure_ascii=False, default=_json_value)
    return (text + "\n").encode("utf-8")


def _json_value(value: object) -> str:
    """Dates in custom properties as the CSVs write them; anything else is refused."""
    if isinstance(value, date):  # datetimes too
        return csvout.neutralise(value)
    raise TypeError(f"Not a value datapackage.json can hold: {value!r}")
