"""Red flags with people: the same person directing or owning two or more firms of a case, and
a listed person (a confirmed screening hit) behind a firm. They sit beside the shipment rules
(``analysis.flags``) in the ``flags`` JSON: a flag cites persons, not shipments."""

from __future__ import annotations

from collections import defaultdict

from casebook.core.domain import CONTROL_KINDS
from casebook.store import persons as store

RULES = (
    {
        "id": "shared_person",
        "title": "Same person behind other firms of the case",
        "explanation": "A director, shareholder, beneficial owner or founder of this firm holds "
        "one of these roles in another firm of the case: firms that look separate may be one.",
        "weight": 2,
    },
    {
        "id": "listed_person",
        "title": "Listed person behind the firm",
        "explanation": "A person linked to this firm (other than as an employee) is on a "
        "sanctions list, by a confirmed screening hit.",
        "weight": 3,
    },
)
_RULE = {r["id"]: r for r in RULES}


def rules_json() -> list[dict]:
    """The person rules, in the shape of ``analysis.flags.rules_json``."""
    return [dict(r) for r in RULES]


def _role(row: dict) -> str:
    share = f" {row['share']:g}%" if row["share"] is not None else ""
    return f"{row['kind']}{share}"


def person_flags(session, *, case_id: int) -> dict[str, dict]:
    """Firm uid → ``{uid, name, flags}`` for the firms a person rule flags."""
    roles = store.firm_roles(session, case_id=case_id)
    listed = store.confirmed_listings(session, case_id=case_id)
    out: dict[str, dict] = {}

    def flag(row: dict, rule: str, reason: str) -> None:
        firm = out.setdefault(row["firm_uid"], {"uid": row["firm_uid"], "name": row["firm_name"],
                                                 "flags": []})  # fmt: skip
        firm["flags"].append(
            {
                "rule": rule,
                "title": _RULE[rule]["title"],
                "reason": reason,
                "shipments": [],
                "shipment_count": 0,
                "value_usd": None,
                "persons": [row["person_uid"]],
            }
        )

    controls: dict[int, list[dict]] = defaultdict(list)
    for row in roles:
        if row["kind"] in CONTROL_KINDS:
            controls[row["person_id"]].append(row)
    for rows in controls.values():
        firms = {r["firm_id"] for r in rows}
        if len(firms) < 2:
            continue
        for row in rows:
            others = [
                f"{r['firm_name']} ({_role(r)})" for r in rows if r["firm_id"] != row["firm_id"]
            ]
            flag(row, "shared_person", f"{row['person_name']} ({_role(row)}) is also behind "
                 f"{', '.join(dict.fromkeys(others))}")  # fmt: skip
    for row in roles:
        for listing in listed.get(row["person_id"], []) if row["kind"] != "employee" else []:
            programmes = ", ".join(listing["programmes"])
            flag(row, "listed_person", f"{row['person_name']} ({_role(row)}) is listed: "
                 f"{listing['list']} {listing['listed_uid']} {listing['listed_name']}"
                 + (f" ({programmes})" if programmes else ""))  # fmt: skip
    return out


def add_person_flags(session, *, case_id: int, firms: list[dict]) -> list[dict]:
    """The shipment rules' flagged firms with the person flags added (a firm no shipment rule
    flags is added), rescored and sorted as ``analysis.flags.flag_firms`` sorts."""
    extra = person_flags(session, case_id=case_id)
    by_uid = {f["uid"]: f for f in firms}
    for uid, found in extra.items():
        firm = by_uid.setdefault(uid, {"uid": uid, "name": found["name"], "score": 0, "flags": []})
        firm["flags"] = [*firm["flags"], *_once(found["flags"])]
        firm["score"] += sum(_RULE[r]["weight"] for r in {f["rule"] for f in found["flags"]})
    merged = list(by_uid.values())
    return sorted(merged, key=lambda f: (-f["score"], f["name"].casefold(), f["uid"]))


def _once(flags: list[dict]) -> list[dict]:
    seen, out = set(), []
    for item in flags:
        key = (item["rule"], item["reason"])
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out
