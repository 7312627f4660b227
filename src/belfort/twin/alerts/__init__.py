"""Crowding alerts: rules per zone with hysteresis, their evaluation (one process at a time),
the channels an alert goes out on, the operators' advice it carries, acknowledgement
([crowding alerts](../../../../docs/twin-alerts.md))."""
