"""Which publication a list file is, so that only a newer copy of it replaces it in screening.

A list's identity comes from what the file says it is, else from its file name with dates and
download-copy marks taken out:

- EU Official Journal CSV: the act it transcribes (its CELEX number, e.g. Reg. 833/2014);
- OpenSanctions FtM: the datasets every entity in the file belongs to (``eu_fsf``); a file whose
  entities share none (an extract across lists, a collection) is known by its file name;
- US CSL: trade.gov publishes one file (``consolidated.csv``); any other file name is a
  publication of its own (``us_csl_sample_2019.csv`` -> ``sample``);
- OFAC legacy CSV: OFAC publishes the SDN list (``sdn.csv``) and the non-SDN consolidated list
  (``cons_prim.csv``) in this format; a file is the latter when its name says so.

The identity's display form is the list's automatic name ("OpenSanctions eu_fsf").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import csl, eu_csv, ftm, ofac

_EXTENSIONS = re.compile(r"(\.(csv|tsv|txt|json|jsonl|ftm|ndjson))+$", re.IGNORECASE)
_COPY_MARK = re.compile(r"\s*\(\d+\)$")  # "consolidated (1).csv", as browsers save a copy
_DATES = re.compile(
    r"(?<![0-9])(19|20)\d\d(?:[-_.]?[01]\d(?:[-_.]?[0-3]\d)?)?(?![0-9])"  # 2024, 2024-05, 20240503
)
# Leading words that only repeat the publisher or the format's own name.
_PUBLISHER_WORDS = {
    "ftm": ("opensanctions", "os"),
    "csl": ("us", "csl", "trade", "gov"),
    "eu-csv": ("opensanctions", "eu", "journal", "sanctions"),
    "ofac": ("ofac",),
}
# File names under which the publisher ships the whole list (after the words above).
_PUBLISHED_AS = {
    "csl": {"", "consolidated", "consolidated_screening_list", "consolidated_list"},
}
_OFAC_CONSOLIDATED = {"cons", "consolidated", "cons_prim", "non_sdn"}
OFAC_CONSOLIDATED_NAME = "OFAC Consolidated (non-SDN)"


@dataclass(frozen=True)
class Identity:
    """What publication a file is: a stable key and the list name it gets by default."""

    key: str
    name: str


def identify(fmt: str, text: str, *, file_name: str) -> Identity:
    """The identity of a list file in a known format."""
    stem = file_stem(file_name, fmt=fmt)
    if fmt == "eu-csv":
        act = eu_csv.list_name(text)
        if act:
            return Identity(f"eu-csv:act:{act}", act)
        return _by_file(fmt, stem, eu_csv.LIST_NAME)
    if fmt == "ftm":
        shared = ftm.shared_datasets(text)
        if shared:
            joined = "+".join(shared)
            return Identity(f"ftm:datasets:{joined}", f"{ftm.LIST_NAME} {joined}")
        return _by_file(fmt, stem, ftm.LIST_NAME)
    if fmt == "ofac":
        words = set(stem.split("_")) | {stem}
        if words & _OFAC_CONSOLIDATED and "sdn" not in words:
            return Identity("ofac:consolidated", OFAC_CONSOLIDATED_NAME)
        return Identity("ofac:sdn", ofac.LIST_NAME)
    if fmt == "csl":
        if stem in _PUBLISHED_AS["csl"]:
            return Identity("csl:consolidated", csl.LIST_NAME)
        return _by_file(fmt, stem, csl.LIST_NAME)
    raise ValueError(f"unknown list format {fmt!r}")


def _by_file(fmt: str, stem: str, base: str) -> Identity:
    """An identity from the file name (the format's own name when nothing is left of it)."""
    if not stem:
        return Identity(f"{fmt}:file:", base)
    return Identity(f"{fmt}:file:{stem}", f"{base} {stem}")


def file_stem(file_name: str, *, fmt: str) -> str:
    """The file name without folder, extensions, dates, copy marks and publisher words.

    ``opensanctions_zala_aero_cluster.ftm.jsonl`` -> ``zala_aero_cluster``;
    ``us_csl_sample_2019.csv`` -> ``sample``; ``consolidated (1).csv`` -> ``consolidated``.
    """
    name = re.split(r"[\\/]", file_name)[-1]
    name = _EXTENSIONS.sub("", name.strip())
    name = _COPY_MARK.sub("", name)
    name = _DATES.sub(" ", name.casefold())
    words = [w for w in re.split(r"[^0-9a-zа-яё]+", name) if w]
    publisher = _PUBLISHER_WORDS.get(fmt, ())
    while words and words[0] in publisher:
        words.pop(0)
    return "_".join(words)
