"""Sanctions and export-control list files read into plain records (no database here)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

from casebook.core.errors import Refused, UsageError

from . import csl, eu_csv, ftm, ofac
from .identity import identify
from .model import ListedRecord, ParsedList
from .parsing import check_published, decode, read_bytes, sha256

__all__ = ["FORMATS", "ListedRecord", "ParsedList", "detect_format", "load_list"]

FORMATS = ("ofac", "csl", "ftm", "eu-csv")
_ALIASES = {"eu_csv": "eu-csv", "eu": "eu-csv", "sdn": "ofac", "jsonl": "ftm"}


def detect_format(path: str | Path) -> str:
    """The list format of a file ('ofac', 'csl', 'ftm' or 'eu-csv'), refusing any other."""
    path = Path(path)
    head = decode(read_bytes(path)[: 256 * 1024], file_name=path.name)
    return sniff(head, file_name=path.name)


def sniff(text: str, *, file_name: str) -> str:
    """The list format of a file's first part."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    if first.lstrip().startswith("{"):
        return _sniff_json(first, file_name=file_name)
    header = {h.strip() for h in next(csv.reader(io.StringIO(first)), [])}
    if eu_csv.REQUIRED <= header:
        return "eu-csv"
    if csl.REQUIRED <= header:
        return "csl"
    fields = next(csv.reader(io.StringIO(first)), [])
    if fields and fields[0].strip().isdigit():
        return _sniff_ofac(fields, file_name=file_name)
    raise Refused(f"{file_name}: not a list format Casebook reads ({', '.join(FORMATS)})")


def _sniff_json(first: str, *, file_name: str) -> str:
    """FtM JSON lines, or a refusal naming what is wrong with line 1."""
    try:
        entity = json.loads(first)
    except (json.JSONDecodeError, RecursionError) as exc:  # RecursionError: nested too deep
        why = getattr(exc, "msg", "nested too deep")
        raise Refused(f"{file_name}, line 1: not JSON ({why})") from None
    if isinstance(entity, dict) and "schema" in entity and "properties" in entity:
        return "ftm"
    raise Refused(f"{file_name}, line 1: JSON, but not FollowTheMoney entities")


def _sniff_ofac(fields: list[str], *, file_name: str) -> str:
    """sdn.csv, or a refusal that explains an alt.csv/add.csv given as the main file."""
    if len(fields) == ofac.SDN_FIELDS:
        return "ofac"
    if len(fields) in (ofac.ALT_FIELDS, ofac.ADD_FIELDS):
        kind = "alt.csv (aliases)" if len(fields) == ofac.ALT_FIELDS else "add.csv (addresses)"
        raise Refused(
            f"{file_name}: looks like an OFAC {kind}; load sdn.csv and pass this with --alt/--add"
        )
    raise Refused(f"{file_name}, line 1: not a list format Casebook reads ({', '.join(FORMATS)})")


def load_list(
    path: str | Path,
    *,
    fmt: str = "auto",
    alt: str | Path | None = None,
    add: str | Path | None = None,
    name: str | None = None,
    published: str | date | None = None,
) -> ParsedList:
    """Read a list file (and OFAC companions) into records; never refused for lack of a name or date.

    The list's name: the one the file carries (an EU act), else ``name``, else the name of the
    publication the file is (``identify``: "OpenSanctions eu_fsf", "US CSL sample", "OFAC SDN").
    """
    path = Path(path)
    data = read_bytes(path)
    text = decode(data, file_name=path.name)
    fmt = _check_format(fmt, text=text, file_name=path.name)
    if (alt or add) and fmt != "ofac":
        raise UsageError("--alt and --add go with an OFAC sdn.csv only")
    given_date = check_published(published)
    records, companions, orphans = _records(fmt, text, file_name=path.name, alt=alt, add=add)
    own_name, file_date = _own_name(fmt, text), _own_date(fmt, text)
    identity = identify(fmt, text, file_name=path.name)
    given = None if own_name else (name or "").strip() or None
    return ParsedList(
        name=own_name or given or identity.name,
        format=fmt,
        published=file_date or given_date,
        sha256=sha256(data),
        file_name=path.name,
        records=records,
        companions=companions,
        orphans=orphans,
        identity=identity.key,
        name_given=given is not None,
    )


def _check_format(fmt: str, *, text: str, file_name: str) -> str:
    """The format asked for (or detected), refusing a file that is not in it."""
    fmt = _ALIASES.get((fmt or "auto").casefold(), (fmt or "auto").casefold())
    if fmt != "auto" and fmt not in FORMATS:
        raise UsageError(f"unknown list format {fmt!r} (one of auto, {', '.join(FORMATS)})")
    found = sniff(text[: 256 * 1024], file_name=file_name)
    if fmt not in ("auto", found):
        raise Refused(f"{file_name}: not a {fmt} file (it looks like {found})")
    return found


def _records(fmt: str, text: str, *, file_name: str, alt, add):
    """The records of a file in a known format, with companion hashes and orphan count."""
    if fmt == "ofac":
        return _ofac_records(text, file_name=file_name, alt=alt, add=add)
    parser = {"csl": csl.parse, "ftm": ftm.parse, "eu-csv": eu_csv.parse}[fmt]
    return parser(text, file_name=file_name), {}, 0


def _ofac_records(text: str, *, file_name: str, alt, add):
    """sdn.csv records joined with alt.csv aliases and add.csv addresses."""
    records = ofac.parse_sdn(text, file_name=file_name)
    companions: dict[str, str] = {}
    orphans = 0
    for companion, join in ((alt, ofac.join_aliases), (add, ofac.join_addresses)):
        if companion is None:
            continue
        companion = Path(companion)
        data = read_bytes(companion)
        companions[companion.name] = sha256(data)
        orphans += join(records, decode(data, file_name=companion.name), file_name=companion.name)
    return list(records.values()), companions, orphans


def _own_name(fmt: str, text: str) -> str | None:
    """The list name the file itself carries, if its format has one."""
    return eu_csv.list_name(text) if fmt == "eu-csv" else None


def _own_date(fmt: str, text: str) -> str | None:
    """The publication date the file itself carries, if its format has one."""
    return ftm.published(text) if fmt == "ftm" else None
