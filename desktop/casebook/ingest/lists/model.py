"""Plain records a list loader returns; the store copies them into its tables."""

from __future__ import annotations

from dataclasses import dataclass, field

SCHEMAS = ("entity", "individual", "vessel", "aircraft", "other")


@dataclass
class ListedRecord:
    """One entry of a sanctions or export-control list, as the list gives it."""

    source_id: str
    schema: str
    name: str
    aliases: list[str] = field(default_factory=list)
    weak_aliases: list[str] = field(default_factory=list)
    identifiers: dict[str, list[str]] = field(default_factory=dict)
    countries: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    programmes: list[str] = field(default_factory=list)
    listed_on: str | None = None
    remarks: str | None = None
    birth_dates: list[str] = field(default_factory=list)  # individuals (see lists.birth)
    sublist: str | None = None
    screenable: bool = False

    @property
    def names(self) -> list[str]:
        """The name, then strong aliases, then weak aliases, each once."""
        return unique([self.name, *self.aliases, *self.weak_aliases])


@dataclass
class ParsedList:
    """A whole list file (with its companions) read into records."""

    name: str
    format: str
    published: str | None
    sha256: str
    file_name: str
    records: list[ListedRecord]
    companions: dict[str, str] = field(default_factory=dict)  # file name -> sha256
    orphans: int = 0  # companion rows whose entry is not in the main file
    identity: str = ""  # which publication the file is (see ingest.lists.identity)
    name_given: bool = False  # the name came from --name, not from the file

    @property
    def newest_listing(self) -> str | None:
        """The latest listing date of any record (ISO), or None."""
        return max((r.listed_on for r in self.records if r.listed_on), default=None)

    @property
    def entities(self) -> int:
        """How many records are screened against firms."""
        return sum(1 for r in self.records if r.screenable)

    @property
    def name_count(self) -> int:
        """How many distinct names (primary names and aliases) the records carry."""
        return sum(len(r.names) for r in self.records)


def unique(values) -> list[str]:
    """Non-empty strings, stripped, first spelling of each kept (case and spaces ignored)."""
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        text = " ".join((value or "").split())
        fold = text.casefold()
        if text and fold not in seen:
            seen.add(fold)
            out.append(text)
    return out
