"""Column presets and mapping files: which header holds which shipment field.

A preset (``resources/presets/*.toml``) lists header variants per field and is recognised from
a file's header with a confidence. A mapping file (TOML) names the columns of any other layout:
``[columns]`` column → field, ``[constants]`` field → value, ``date_order``, ``header_row``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from casebook import resources
from casebook.core.errors import Refused, UsageError

FIELDS = (
    "declaration_no",
    "item_no",
    "date",
    "direction",
    "exporter",
    "exporter_id",
    "exporter_address",
    "exporter_country",
    "importer",
    "importer_id",
    "importer_address",
    "importer_country",
    "origin",
    "dispatch",
    "destination",
    "hs_code",
    "description",
    "brand",
    "manufacturer",
    "quantity",
    "unit",
    "net_weight",
    "value",
    "currency",
    "value_usd",
)
#: Fields a constant may set for every row of a file.
CONSTANT_FIELDS = frozenset(
    {
        "direction",
        "origin",
        "dispatch",
        "destination",
        "currency",
        "unit",
        "exporter_country",
        "importer_country",
        "exporter",
        "importer",
        "brand",
        "manufacturer",
    }
)
ESSENTIAL = (
    ("date",),
    ("hs_code",),
    ("exporter", "importer"),
    ("value", "value_usd", "quantity", "net_weight"),
)
DATE_ORDERS = ("dmy", "mdy", "auto")
RECOGNISED = 0.5  # the confidence from which a preset is taken without being named

_PUNCT = re.compile(r"[\s,.;:()\[\]{}/\\_\-№#*\"'«»]+")


def header_key(text: str) -> str:
    """A header as compared: case-folded, ё as е, punctuation and spacing collapsed."""
    return _PUNCT.sub(" ", str(text).casefold().replace("ё", "е")).strip()


@dataclass(frozen=True, eq=False)
class Preset:
    """A named layout: header variants per field, id schemes, constants and date order."""

    name: str
    title: str
    variants: dict[str, tuple[str, ...]]
    schemes: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    date_order: str | None = None

    @property
    def lookup(self) -> dict[str, tuple[str, int]]:
        """Header key → (field, priority); a lower priority wins among headers of one field."""
        return _lookup(self)


@cache
def _lookup(preset: Preset) -> dict[str, tuple[str, int]]:
    table: dict[str, tuple[str, int]] = {}
    for name, variants in preset.variants.items():
        for rank, variant in enumerate(variants):
            key = header_key(variant)
            if key in table and table[key][0] != name:
                raise ValueError(f"preset {preset.name}: {variant!r} names two fields")
            table.setdefault(key, (name, rank))
    return table


@dataclass
class Mapping:
    """Resolved: header column index per field, constants, schemes, date order."""

    columns: dict[str, int]
    header: list[str]
    constants: dict[str, str] = field(default_factory=dict)
    schemes: dict[str, str] = field(default_factory=dict)
    date_order: str | None = None
    preset: str | None = None
    confidence: float = 1.0

    @property
    def unmapped(self) -> list[str]:
        """The headers of the columns no field takes: their cells are not imported."""
        used = set(self.columns.values())
        return [name for i, name in enumerate(self.header) if i not in used]

    def to_json(self) -> dict:
        """The mapping as recorded on the dataset."""
        return {
            "preset": self.preset,
            "confidence": round(self.confidence, 3),
            "columns": {name: self.header[i] for name, i in self.columns.items()},
            "constants": dict(self.constants),
            "schemes": dict(self.schemes),
            "date_order": self.date_order,
        }


# --- presets --------------------------------------------------------------------------------


def _preset_from(data: dict, *, source: str) -> Preset:
    fields = data.get("fields") or {}
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValueError(f"preset {source}: unknown fields {sorted(unknown)}")
    return Preset(
        name=data.get("name") or Path(source).stem,
        title=data.get("title", ""),
        variants={k: tuple(v) for k, v in fields.items()},
        schemes=dict(data.get("schemes") or {}),
        constants=dict(data.get("constants") or {}),
        date_order=data.get("date_order"),
    )


@cache
def presets() -> tuple[Preset, ...]:
    """Every preset shipped in ``resources/presets``."""
    folder = resources.path("presets")
    found = []
    for path in sorted(folder.glob("*.toml")):
        with path.open("rb") as f:
            found.append(_preset_from(tomllib.load(f), source=path.name))
    return tuple(found)


def get_preset(name: str) -> Preset:
    """The preset with this name; UsageError listing the others."""
    for preset in presets():
        if preset.name == name:
            return preset
    names = ", ".join(p.name for p in presets())
    raise UsageError(f"unknown preset {name!r}; choose one of {names}")


def score(preset: Preset, header: list[str]) -> float:
    """Confidence 0–1 that ``header`` is this preset's layout."""
    lookup = preset.lookup
    found = {lookup[k][0] for k in map(header_key, header) if k in lookup}
    filled = [h for h in header if not h.startswith("column ")] or header
    if not found:
        return 0.0
    essential = sum(any(f in found for f in group) for group in ESSENTIAL) / len(ESSENTIAL)
    coverage = min(1.0, len(found) / max(1, min(len(filled), len(preset.variants))))
    return round(0.6 * essential + 0.4 * coverage, 4)


def best_score(header: list[str]) -> float:
    """The best confidence of any preset (the readers' header-row finder)."""
    return max((score(p, header) for p in presets()), default=0.0)


def recognise(header: list[str], *, preset: str | None = None) -> Mapping:
    """The mapping of the named preset, or of the best-scoring one; refuses if nothing fits."""
    candidates = [get_preset(preset)] if preset else list(presets())
    ranked = sorted(((score(p, header), p) for p in candidates), key=lambda sp: -sp[0])
    confidence, chosen = ranked[0]
    if confidence == 0.0:
        raise Refused("no shipment columns recognised; name them in a mapping file (--mapping)")
    mapping = _apply(chosen, header)
    mapping.confidence = confidence
    check_usable(mapping)
    return mapping


def _apply(preset: Preset, header: list[str]) -> Mapping:
    best: dict[str, tuple[int, int]] = {}
    by_key: dict[str, list[int]] = {}
    for index, name in enumerate(header):
        by_key.setdefault(header_key(name), []).append(index)
    for key, indexes in by_key.items():
        if key not in preset.lookup:
            continue
        name, rank = preset.lookup[key]
        if len(indexes) > 1:
            raise Refused(
                f"the header has {len(indexes)} columns named {header[indexes[0]]!r} "
                f"(columns {', '.join(str(i + 1) for i in indexes)}); which is {name} is "
                'ambiguous: write a mapping file (--mapping) naming the column, e.g. "#'
                f'{indexes[0] + 1}" = "{name}"'
            )
        if name not in best or rank < best[name][0]:
            best[name] = (rank, indexes[0])
    return Mapping(
        columns={name: index for name, (_, index) in best.items()},
        header=list(header),
        constants=dict(preset.constants),
        schemes=dict(preset.schemes),
        date_order=preset.date_order,
        preset=preset.name,
    )


def check_usable(mapping: Mapping) -> None:
    """Refuse a mapping that holds no shipment data worth importing."""
    present = set(mapping.columns)
    essentials = [g for g in ESSENTIAL if any(f in present for f in g)]
    if len(present) < 2 or not essentials:
        found = ", ".join(sorted(present)) or "none"
        raise Refused(
            f"no shipment columns recognised (found: {found}); "
            "name them in a mapping file (--mapping)"
        )


# --- mapping files --------------------------------------------------------------------------


def read_mapping_toml(path: str | Path) -> dict:
    """A mapping file's TOML as a dict; UsageError naming the file when it cannot be read."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except OSError as exc:
        raise UsageError(f"cannot read mapping file {path}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"mapping file {path.name} is not valid TOML: {exc}") from exc


def load_mapping_file(path: str | Path) -> dict:
    """A mapping file's content, validated (fields, constants, date order)."""
    data = read_mapping_toml(path)
    _validate_mapping_file(data, Path(path).name)
    return data


def _validate_mapping_file(data: dict, name: str) -> None:
    columns = data.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise UsageError(f"mapping file {name}: a [columns] table (column = field) is required")
    for column, target in columns.items():
        if target not in FIELDS:
            raise UsageError(f"mapping file {name}: {column!r} maps to unknown field {target!r}")
    for target in data.get("constants") or {}:
        if target not in CONSTANT_FIELDS:
            raise UsageError(f"mapping file {name}: {target!r} cannot be a constant")
    order = data.get("date_order", "auto")
    if order not in DATE_ORDERS:
        raise UsageError(f"mapping file {name}: date_order must be one of {', '.join(DATE_ORDERS)}")


def mapping_from_file(data: dict, header: list[str]) -> Mapping:
    """Resolve a loaded mapping file against a header (names, or ``#N`` for column N)."""
    keys = [header_key(h) for h in header]
    columns: dict[str, int] = {}
    for column, target in data["columns"].items():
        index = _column_index(str(column), header, keys)
        if target in columns:
            raise UsageError(f"mapping: two columns map to {target!r}")
        columns[target] = index
    order = data.get("date_order", "auto")
    mapping = Mapping(
        columns=columns,
        header=list(header),
        constants={k: str(v) for k, v in (data.get("constants") or {}).items()},
        schemes=dict(data.get("schemes") or {}),
        date_order=None if order == "auto" else order,
        preset=None,
    )
    check_usable_with_constants(mapping)
    return mapping


def check_usable_with_constants(mapping: Mapping) -> None:
    """A mapping file may hold few columns; it still needs one."""
    if not mapping.columns:
        raise Refused("no shipment columns recognised; the mapping names no column")


def _column_index(column: str, header: list[str], keys: list[str]) -> int:
    if re.fullmatch(r"#\d+", column):
        index = int(column[1:]) - 1
        if not 0 <= index < len(header):
            raise UsageError(f"mapping: column {column} is beyond the {len(header)} columns")
        return index
    exact = [i for i, h in enumerate(header) if h == column]
    matches = exact or [i for i, k in enumerate(keys) if k == header_key(column)]
    if not matches:
        raise UsageError(f"mapping: the file has no column {column!r}")
    if len(matches) > 1:
        places = ", ".join(f"#{i + 1}" for i in matches)
        raise Refused(f'mapping: column {column!r} is ambiguous ({places}); name it as "#N"')
    return matches[0]


def save_mapping(mapping: Mapping, path: str | Path) -> None:
    """Write a resolved mapping as a mapping file the user can edit and reuse."""
    import tomli_w

    data: dict = {"columns": {}, "date_order": mapping.date_order or "auto"}
    names = mapping.header
    for target, index in sorted(mapping.columns.items(), key=lambda kv: kv[1]):
        column = names[index] if names.count(names[index]) == 1 else f"#{index + 1}"
        data["columns"][column] = target
    if mapping.constants:
        data["constants"] = dict(mapping.constants)
    if mapping.schemes:
        data["schemes"] = dict(mapping.schemes)
    Path(path).write_text(tomli_w.dumps(data), encoding="utf-8")
