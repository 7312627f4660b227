"""Gent in Cijfers: indicators per area (city, wijk, sector) and period, computed from the
lake through the one engine, protected where numbers are small, and served in Swing's shape
(docs/gent-in-cijfers.md)."""
