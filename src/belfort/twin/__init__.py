"""Crowding, the first use of Belfort's digital twin: zones with their capacity, the
occupancy estimated from the sensors linked to them, a crowding score per zone and for the
city centre, what is normal for this moment, all published live (docs/crowding.md)."""
