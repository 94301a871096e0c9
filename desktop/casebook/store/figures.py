"""The key figures an analyst pins to a case's briefing (``book/figures.py`` computes them).

A figure keeps its filter as JSON (``ShipmentFilter.to_json``); ``figure_filter`` turns it
back into the filter, so the store, the bundle's schema and the facade read it alike.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from casebook.core.filters import ShipmentFilter
from casebook.store import models as m

#: What a figure measures: the slice's USD value, its shipment count, or its share of the
#: value of the same period's shipments.
MEASURES = ("value", "count", "share")
#: The keys of a filter's JSON (``ShipmentFilter.to_json``).
FILTER_OPTIONS = ("from", "to", "hs", "origin", "dispatch", "destination", "firm", "dataset",
                  "text", "min_value")  # fmt: skip


def figure_filter(filters: dict) -> ShipmentFilter:
    """The filter of a figure's stored JSON (UsageError naming a bad option)."""
    return ShipmentFilter.parse(
        date_from=filters.get("from"),
        date_to=filters.get("to"),
        hs=filters.get("hs"),
        origin=filters.get("origin"),
        dispatch=filters.get("dispatch"),
        destination=filters.get("destination"),
        firm=filters.get("firm"),
        dataset=filters.get("dataset"),
        text=filters.get("text"),
        min_value=filters.get("min_value"),
    )


def get_figure(session: Session, *, uid: str) -> m.Figure | None:
    return session.exec(select(m.Figure).where(m.Figure.uid == uid)).first()


def list_figures(session: Session, *, case_id: int) -> list[m.Figure]:
    """A case's figures in the order they were pinned."""
    query = select(m.Figure).where(m.Figure.case_id == case_id)
    return list(session.exec(query.order_by(m.Figure.position, m.Figure.id)))


def add_figure(
    session: Session, *, case_id: int, label: str, measure: str, filters: dict
) -> m.Figure:
    """Pin a figure after the case's last one."""
    last = session.exec(
        select(func.max(m.Figure.position)).where(m.Figure.case_id == case_id)
    ).one()
    figure = m.Figure(
        case_id=case_id, position=(last or 0) + 1, label=label, measure=measure, filters=filters
    )
    session.add(figure)
    session.flush()
    return figure


def delete_figure(session: Session, *, figure: m.Figure) -> None:
    session.delete(figure)
    session.flush()


def delete_case_figures(session: Session, *, case_id: int) -> None:
    """Unpin every figure of a case (the case is being deleted)."""
    for figure in list_figures(session, case_id=case_id):
        session.delete(figure)
