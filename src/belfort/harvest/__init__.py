"""Bringing other portals' data into Belfort (``belfort harvest …``)."""
