"""How one reader sees one visit's host: the label, and its name taken out of text where
the reader may not see it (the rule itself is bench.visits.visibility's)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.models import Visit
from bench.visits.visibility import Reader, host_label, may_name_host, names_of, redact


@dataclass(frozen=True)
class Naming:
    """The host as *reader* may see it on one visit: every title, list of people and
    note text shown to them goes through :meth:`text`."""

    label: str
    may_name: bool
    gss_code: str | None = None
    names: list[str] = field(default_factory=list)

    def text(self, source: str) -> str:
        return source if self.may_name else redact(source, self.names)


def naming_for(
    reader: Reader, visit: Visit, *, allied_now: bool, host_consented: bool = False
) -> Naming:
    host = visit.host_authority
    label = host_label(reader, visit, allied_now=allied_now, host_consented=host_consented)
    if host is None:
        return Naming(label, may_name=False)
    if may_name_host(reader, visit, allied_now=allied_now, host_consented=host_consented):
        return Naming(label, may_name=True, gss_code=host.gss_code)
    return Naming(label, may_name=False, names=names_of(host))
