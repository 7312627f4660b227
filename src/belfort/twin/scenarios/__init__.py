"""What-if scenarios: a zone graph (``graph.py``, stored links ``links.py``, Ghent's demo links
``demo_links.py``), walking demand between zones from the counts (``demand.py``), the
capacity-aware assignment (``assign.py``), running a scenario (``run.py``) and saving,
listing and exporting them (``store.py``). See docs/twin-scenarios.md."""
