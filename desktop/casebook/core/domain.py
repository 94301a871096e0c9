"""Closed vocabularies of the domain model (DESIGN.md)."""

from __future__ import annotations

CASE_STATUSES = ("open", "active", "closed", "archived")
PRIORITIES = ("low", "medium", "high", "critical")
FIRM_ROLES = (
    "manufacturer",
    "supplier",
    "intermediary",
    "forwarder",
    "importer",
    "end user",
    "subject",
    "other",
)
RELATIONSHIP_KINDS = (
    "ownership",
    "subsidiary",
    "supplier",
    "customer",
    "distributor",
    "shared address",
    "shared officer",
    "other",
)
#: Kinds of a relationship with a person at one end (PERSON_FIRM_KINDS, to a firm) or both
#: (PERSON_PERSON_KINDS); ``shareholder`` alone carries a share.
PERSON_FIRM_KINDS = (
    "director",
    "officer",
    "shareholder",
    "beneficial owner",
    "founder",
    "employee",
)
PERSON_PERSON_KINDS = ("associate", "family")
PERSON_KINDS = PERSON_FIRM_KINDS + PERSON_PERSON_KINDS
#: The kinds that make a person one who directs or owns a firm (red flags, FtM Ownership).
CONTROL_KINDS = ("director", "shareholder", "beneficial owner", "founder")
OWNERSHIP_KINDS = ("shareholder", "beneficial owner")
EVIDENCE_KINDS = ("document", "web capture", "image", "registry extract", "customs record", "note")
HIT_STATUSES = ("unreviewed", "confirmed", "dismissed")
#: The lowest score screening reports as a hit (chosen from tests/benchmarks/bench_screening.py).
SCREENING_THRESHOLD = 0.78


def clean_choice(value: object, choices: tuple[str, ...]) -> str | None:
    """The member of ``choices`` that ``value`` names (case-insensitive), or None."""
    if not isinstance(value, str):
        return None
    folded = value.strip().casefold().replace("_", " ")
    return folded if folded in choices else None


#: What a node of the link chart stands for (saved positions name it by kind and uid); a
#: person record will be the second kind.
CHART_SUBJECTS = ("firm", "person")
CHART_GROUP_LENGTH = 200  # characters of a chart group's name
#: Shipments printed in a briefing's appendix (the largest by value); the full table travels
#: beside the PDF, so a million-row case still prints a briefing of a few hundred pages.
APPENDIX_ROWS = 2_000
