"""The tables of indicators and their values (migration 0026)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from belfort.catalog.models import Base, UTCDateTime, utcnow

# Swing's missing-value codes ("ontbrekende waarden")
UNKNOWN = -99999
NOT_APPLICABLE = -99998
SUPPRESSED_BY_SUPPLIER = -99997  # propagates to aggregates
EMPTY = -99996
MISSING_CODES = (UNKNOWN, NOT_APPLICABLE, SUPPRESSED_BY_SUPPLIER, EMPTY)


class Indicator(Base):
    """An indicator: texts in Dutch and English, unit and rounding, the display threshold,
    its period type and range, the area levels it has, where it comes from (``sources``:
    dataset ids) and how (``kind``: ``query`` with ``definition``, or ``table``: imported);
    ``modelled``: generated plausibly, not measured (the demo's profile)."""

    __tablename__ = "cijfers_indicators"

    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    name_nl: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    description_nl: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    theme: Mapped[str] = mapped_column(String(60), default="")
    unit: Mapped[str] = mapped_column(String(40), default="")
    decimals: Mapped[int] = mapped_column(Integer, default=0)
    threshold: Mapped[int] = mapped_column(Integer, default=5)
    period_type: Mapped[str] = mapped_column(String(10), default="year")
    first_period: Mapped[str | None] = mapped_column(String(10))
    last_period: Mapped[str | None] = mapped_column(String(10))
    geolevels: Mapped[list[str]] = mapped_column(JSON)
    sources: Mapped[list[str]] = mapped_column(JSON)
    kind: Mapped[str] = mapped_column(String(10), default="query")
    definition: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    modelled: Mapped[bool] = mapped_column(Boolean, default=False)
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class IndicatorValue(Base):
    """One value: an indicator for one area (``geolevel``, ``geoitem``) and period, or a
    missing code; ``contributors``: how many records or people it counts (what the display
    threshold is applied to); ``display``: what is published instead of a protected value;
    ``source_version``: ``dataset@number`` it was computed from."""

    __tablename__ = "cijfers_values"

    indicator: Mapped[str] = mapped_column(
        String(60), ForeignKey("cijfers_indicators.code", ondelete="CASCADE"), primary_key=True
    )
    geolevel: Mapped[str] = mapped_column(String(10), primary_key=True)
    geoitem: Mapped[str] = mapped_column(String(60), primary_key=True)
    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    value: Mapped[float | None] = mapped_column(Float)
    missing: Mapped[int | None] = mapped_column(Integer)
    contributors: Mapped[int | None] = mapped_column(BigInteger)
    # what is published instead of the value: "< 5" (below the threshold), "x" (hidden so
    # that a suppressed value cannot be worked out from the others); None: the value
    display: Mapped[str | None] = mapped_column(String(12))
    source_version: Mapped[str | None] = mapped_column(String(120))


class MemberValue(Base):
    """One value of an indicator's breakdown (migration 0033): as ``IndicatorValue``, for one
    ``member`` of the breakdown (its code); the members of an area and period add up to the
    area's value in ``cijfers_values``."""

    __tablename__ = "cijfers_member_values"

    indicator: Mapped[str] = mapped_column(
        String(60), ForeignKey("cijfers_indicators.code", ondelete="CASCADE"), primary_key=True
    )
    geolevel: Mapped[str] = mapped_column(String(10), primary_key=True)
    geoitem: Mapped[str] = mapped_column(String(60), primary_key=True)
    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    member: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[float | None] = mapped_column(Float)
    missing: Mapped[int | None] = mapped_column(Integer)
    contributors: Mapped[int | None] = mapped_column(BigInteger)
    display: Mapped[str | None] = mapped_column(String(12))
    source_version: Mapped[str | None] = mapped_column(String(120))
