"""Demo catalogue for ``belfort demo``: offline source files and their metadata."""

from belfort.demo.sources import DemoSource, build_demo_sources

__all__ = ["DemoSource", "build_demo_sources"]
