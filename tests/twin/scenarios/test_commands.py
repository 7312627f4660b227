"""``belfort zones links [FILE]`` and ``belfort zones demo``: the zone graph's street links
from a YAML or JSON file, all or nothing, with exit code 2 for a bad file."""

from __future__ import annotations

from pathlib import Path

from tests.twin.test_commands import cli  # noqa: F401  (the fixture)


def test_links_come_from_a_file_and_a_bad_file_changes_nothing(
        cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    demo = cli("zones", "demo")
    assert demo.exit_code == 0 and "16 demo street link(s) added" in demo.output
    assert cli("zones", "links").output.count("\n") == 16
    good = tmp_path / "links.yaml"
    good.write_text("links:\n  - {id: k-g, from: korenmarkt, to: graslei, width_m: 8, "
                    "length_m: 90}\n")
    done = cli("zones", "links", str(good))
    assert done.exit_code == 0 and "1 street link(s)" in done.output
    assert cli("zones", "links").output.startswith("k-g\tkorenmarkt\tgraslei\t8 m × 90 m")
    for name, content in (("loop.json", b'[{"id": "x", "from": "kouter", "to": "kouter", '
                                          b'"width_m": 1, "length_m": 1}]'),
                          ("nowhere.yaml", b"- {id: x, from: kouter, to: mars, width_m: 1, "
                                           b"length_m: 1}\n"),
                          ("binary.yaml", b"\xff\xfe\x00junk"),
                          ("nul.json", b'[{"id": "x\x00"}]')):
        bad = tmp_path / name
        bad.write_bytes(content)
        refused = cli("zones", "links", str(bad))
        assert refused.exit_code == 2, (name, refused.output)
    assert cli("zones", "links").output.startswith("k-g\t")  # nothing changed
