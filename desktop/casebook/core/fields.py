"""Field names in words: what the wizard and any other view show instead of ``snake_case``.

One table for the shipment fields (``ingest.presets.FIELDS``), the trade-flow fields and the
fields a preview derives, so every view names a field the same way.
"""

from __future__ import annotations

LABELS = {
    "declaration_no": "Declaration number",
    "item_no": "Item number",
    "date": "Date",
    "direction": "Direction (import/export)",
    "exporter": "Exporter",
    "exporter_id": "Exporter identifier",
    "exporter_address": "Exporter address",
    "exporter_country": "Exporter country",
    "importer": "Importer",
    "importer_id": "Importer identifier",
    "importer_address": "Importer address",
    "importer_country": "Importer country",
    "origin": "Country of origin",
    "dispatch": "Country of dispatch",
    "destination": "Country of destination",
    "hs_code": "HS code",
    "hs6": "HS code (6 digits)",
    "description": "Goods description",
    "brand": "Brand",
    "manufacturer": "Manufacturer",
    "quantity": "Quantity",
    "unit": "Unit",
    "net_weight": "Net weight (kg)",
    "value": "Value",
    "currency": "Currency",
    "value_usd": "Value (USD)",
    "source_row": "Source row",
    "reporter": "Reporting country",
    "partner": "Partner country",
    "flow": "Flow",
    "product": "Product",
    "product_level": "Product level",
    "period": "Period",
}


def field_label(name: str) -> str:
    """A field's name in words ("Country of dispatch"); an unlisted one with its underscores as
    spaces, capitalised."""
    return LABELS.get(name) or name.replace("_", " ").capitalize()
