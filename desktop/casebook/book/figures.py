"""Facade section: the key figures an analyst pins to a case's briefing.

A figure is one number of the shipments a filter selects: their USD value, their count, or
their share of the value of the same period's shipments (the period: the filter's dates only).
It is stored as its filter, never as its number, so every view recomputes it from the data as it
is now, and prints the ``casebook stats`` command that does the same.
"""

from __future__ import annotations

import shlex

from casebook.book.cases import find_case
from casebook.book.shipments import check_lens
from casebook.briefing.text import percent
from casebook.core.errors import NotFound, UsageError
from casebook.core.filters import ShipmentFilter
from casebook.core.numbers import money
from casebook.store import figures as store
from casebook.store import models as m

LABEL_MAX = 200
MEASURES = store.MEASURES
#: Decimal places of a share in JSON (a fraction 0–1).
SHARE_PLACES = 6


def recompute_command(ref: str, lens: ShipmentFilter, *, command: str = "stats", **flags) -> str:
    """The command that recomputes a figure: its own flags, then the lens's."""
    parts = [f"casebook {command} --case {shlex.quote(ref)}"]
    parts += [f"--{k.replace('_', '-')} {v}" for k, v in flags.items() if v]
    parts += [shlex.quote(arg) for arg in lens.cli_args()]
    return " ".join(parts)


def period_of(lens: ShipmentFilter) -> ShipmentFilter:
    """The lens's dates only: the total a share is taken of."""
    return ShipmentFilter(date_from=lens.date_from, date_to=lens.date_to)


def shown(measure: str, value: float | int | None) -> str:
    """A figure's value as printed: dollars, a count, or a percentage with one decimal."""
    if value is None:
        return "—"
    if measure == "share":
        return percent(value)
    if measure == "count":
        return f"{value:,}"
    return money(value)


def _label(value: object) -> str:
    label = " ".join(str(value or "").split())
    if not label:
        raise UsageError("a figure needs a label (--label)")
    if len(label) > LABEL_MAX:
        raise UsageError(f"a figure's label is longer than {LABEL_MAX} characters")
    return label


def _measure(value: object) -> str:
    measure = str(value or "value").strip().lower()
    if measure not in MEASURES:
        raise UsageError(f"unknown measure {value!r}; use {', '.join(MEASURES)}")
    return measure


def _audit_fields(figure: m.Figure) -> dict:
    return {"label": figure.label, "measure": figure.measure, "filters": figure.filters}


class FiguresSection:
    """Pinned key figures: add, list (recomputed), remove."""

    def figure_value(
        self, *, case_ref: str, measure: str, lens: ShipmentFilter | None = None
    ) -> float | int | None:
        """The figure's number now: USD value (None when no shipment has one), shipment
        count, or share (a fraction rounded to ``SHARE_PLACES``; None when the period has no
        value)."""
        lens = lens or ShipmentFilter()
        (row,) = self.stats(case_ref=case_ref, by=None, lens=lens, compare=False)["rows"]
        if measure == "count":
            return row["shipments"]
        if measure == "value" or row["value_usd"] is None:
            return row["value_usd"]
        (total,) = self.stats(case_ref=case_ref, by=None, lens=period_of(lens), compare=False)[
            "rows"
        ]
        if not total["value_usd"]:
            return None
        return round(row["value_usd"] / total["value_usd"], SHARE_PLACES)

    def figure_command(self, *, case_ref: str, measure: str, lens: ShipmentFilter) -> str:
        """The ``casebook stats`` command(s) behind a figure (a share: the slice, then its
        period's total)."""
        command = recompute_command(case_ref, lens)
        if measure == "share":
            command += "; " + recompute_command(case_ref, period_of(lens))
        return command

    def _figure_json(self, case_ref: str, figure: m.Figure) -> dict:
        """A figure with its value recomputed now. A filter that no longer resolves (a firm
        or dataset removed since it was pinned) gives no value and says why."""
        out = {"uid": figure.uid, "label": figure.label, "measure": figure.measure}
        lens = store.figure_filter(figure.filters)
        try:
            value = self.figure_value(case_ref=case_ref, measure=figure.measure, lens=lens)
        except NotFound as e:
            value, out["problem"] = None, str(e)
        return out | {
            "value": value,
            "shown": shown(figure.measure, value),
            "filters": lens.to_json(),
            "command": self.figure_command(case_ref=case_ref, measure=figure.measure, lens=lens),
        }

    def add_figure(
        self,
        *,
        case_ref: str,
        label: str,
        measure: str = "value",
        lens: ShipmentFilter | None = None,
    ) -> dict:
        """Pin a figure to a case: ``{uid, label, measure, value, shown, filters, command}``
        (``value``: USD, a count, or a share as a fraction 0–1)."""
        label, measure = _label(label), _measure(measure)
        with self._write() as session:
            case = find_case(session, case_ref)
            lens = check_lens(session, lens, case_id=case.id)
            figure = store.add_figure(
                session, case_id=case.id, label=label, measure=measure, filters=lens.to_json()
            )
            self._audit(
                session,
                "figure.add",
                "figure",
                target_uid=figure.uid,
                case_id=case.id,
                after=_audit_fields(figure),
            )
            ref = case.ref
        return self._figure_json(ref, figure)

    def list_figures(self, *, case_ref: str) -> list[dict]:
        """A case's pinned figures, in the order pinned, each recomputed now."""
        with self._read() as session:
            case = find_case(session, case_ref)
            figures = store.list_figures(session, case_id=case.id)
        return [self._figure_json(case.ref, f) for f in figures]

    def remove_figure(self, uid: str) -> dict:
        """Unpin a figure; returns it as it was (without its value)."""
        with self._write() as session:
            figure = store.get_figure(session, uid=uid)
            if figure is None:
                raise NotFound(f"no figure {uid!r}")
            before = _audit_fields(figure)
            store.delete_figure(session, figure=figure)
            self._audit(
                session,
                "figure.remove",
                "figure",
                target_uid=figure.uid,
                case_id=figure.case_id,
                before=before,
            )
        return {"uid": uid, "label": before["label"], "measure": before["measure"]}
