"""Data quality measured on every version: rules, profiling, reports over time (issue 17).

See ``docs/quality.md``: ``rules`` (what a steward declares, checked when saved), ``run``
(one profiling scan through the engine, one stored report), ``timeliness``, ``store``,
``hook`` (after publication, in the background), ``report`` (the JSON a caller may see) and
``scheduler`` (the live datasets on a schedule, one process at a time).
"""
