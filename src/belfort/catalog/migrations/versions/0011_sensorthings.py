"""SensorThings API: Things, Locations, STA Sensors, ObservedProperties, Datastreams

Additive: five new tables (``belfort.streams.sta_*``); observations stay in ``observations``.

Revision ID: 0011
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0014"  # re-chained after main's 0014 (the brief gave 0010)
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sta_things",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("properties", sa.JSON(), nullable=True),
    )
    op.create_table(
        "sta_locations",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("encoding_type", sa.String(length=100), nullable=False),
        sa.Column("location", sa.JSON(), nullable=False),
        sa.Column("properties", sa.JSON(), nullable=True),
    )
    op.create_table(
        "sta_thing_locations",
        sa.Column("thing_id", sa.Integer(), sa.ForeignKey("sta_things.id"), primary_key=True),
        sa.Column("location_id", sa.Integer(), sa.ForeignKey("sta_locations.id"),
                  primary_key=True),
    )
    op.create_table(
        "sta_sensors",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("encoding_type", sa.String(length=100), nullable=False),
        sa.Column("metadata", sa.Text(), nullable=False),
        sa.Column("properties", sa.JSON(), nullable=True),
    )
    op.create_table(
        "sta_observed_properties",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("definition", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("properties", sa.JSON(), nullable=True),
    )
    op.create_table(
        "sta_datastreams",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("observation_type", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.JSON(), nullable=False),
        sa.Column("properties", sa.JSON(), nullable=True),
        sa.Column("thing_id", sa.Integer(), sa.ForeignKey("sta_things.id"), nullable=False,
                  index=True),
        sa.Column("sensor_id", sa.Integer(), sa.ForeignKey("sta_sensors.id"), nullable=False,
                  index=True),
        sa.Column("observed_property_id", sa.Integer(),
                  sa.ForeignKey("sta_observed_properties.id"), nullable=False, index=True),
        sa.Column("belfort_sensor_id", sa.String(length=100), nullable=False),
        sa.Column("property", sa.String(length=100), nullable=False),
        sa.UniqueConstraint("belfort_sensor_id", "property"),
    )


def downgrade() -> None:
    op.drop_table("sta_datastreams")
    op.drop_table("sta_observed_properties")
    op.drop_table("sta_sensors")
    op.drop_table("sta_thing_locations")
    op.drop_table("sta_locations")
    op.drop_table("sta_things")
