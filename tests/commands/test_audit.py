"""``belfort audit verify|checkpoint|list|public-key``."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from belfort.cli import main
from belfort.platform import Platform
from belfort.settings import Settings
from tests.audit.helpers import drop_guards, fill, sql


def test_verify_checkpoint_and_list(tmp_path: Path, database_url: str) -> None:
    where = ["--data-dir", str(tmp_path / "data"), "--database-url", database_url]
    platform = Platform(Settings(data_dir=tmp_path / "data", database_url=database_url))
    try:
        fill(platform, accesses=4)
        runner = CliRunner()
        made = runner.invoke(main, ["audit", "checkpoint", *where], catch_exceptions=False)
        assert made.exit_code == 0 and "checkpoint at seq 5" in made.output
        again = runner.invoke(main, ["audit", "checkpoint", *where], catch_exceptions=False)
        assert again.exit_code == 0 and "nothing to sign" in again.output
        ok = runner.invoke(main, ["audit", "verify", *where], catch_exceptions=False)
        assert ok.exit_code == 0, ok.output
        assert "intact: 5 entries, 1 signed checkpoints" in ok.output
        listed = runner.invoke(main, ["audit", "list", "--actor", "person:user1", "--json",
                                      *where], catch_exceptions=False)
        page = json.loads(listed.output)
        assert [e["seq"] for e in page["events"]] == [5, 3]
        text_list = runner.invoke(main, ["audit", "list", "--limit", "2", *where])
        assert text_list.exit_code == 0 and "--cursor 4" in text_list.output
        pem = runner.invoke(main, ["audit", "public-key", *where])
        assert pem.output.startswith("-----BEGIN PUBLIC KEY-----")

        drop_guards(platform)
        sql(platform, "UPDATE audit_events SET purpose = 'dpv:Marketing' WHERE seq = 3")
        bad = runner.invoke(main, ["audit", "verify", *where])
        assert bad.exit_code == 8
        assert "first bad seq 3" in bad.output
        as_json = runner.invoke(main, ["audit", "verify", "--json", *where])
        assert as_json.exit_code == 8
        assert json.loads(as_json.stdout)["first_bad_seq"] == 3
    finally:
        platform.close()


def test_checkpoints_of_an_earlier_key_verify_with_public_key(tmp_path: Path) -> None:
    data = tmp_path / "data"
    where = ["--data-dir", str(data)]
    platform = Platform(Settings(data_dir=data))
    try:
        fill(platform, accesses=1)
    finally:
        platform.close()
    runner = CliRunner()
    assert runner.invoke(main, ["audit", "checkpoint", *where]).exit_code == 0
    old_public = runner.invoke(main, ["audit", "public-key", *where]).output
    (data / "audit-signing-key.pem").rename(tmp_path / "old.pem")  # the key is changed
    new = Ed25519PrivateKey.generate()
    (data / "audit-signing-key.pem").write_bytes(new.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    refused = runner.invoke(main, ["audit", "verify", *where])
    assert refused.exit_code == 8 and "unknown key" in refused.output
    (tmp_path / "old.pub").write_text(old_public)
    accepted = runner.invoke(main, ["audit", "verify", "--public-key",
                                    str(tmp_path / "old.pub"), *where])
    assert accepted.exit_code == 0, accepted.output


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    where = ["--data-dir", str(tmp_path / "data")]
    runner = CliRunner()
    for args in (["--limit", "0"], ["--limit", "x" * 10_000], ["--since", "gisteren"],
                 ["--actor", "a\x00b"], ["--cursor", "-4"]):
        r = runner.invoke(main, ["audit", "list", *args, *where])
        assert r.exit_code == 2 and "error" in r.output, (args, r.output)
    (tmp_path / "junk.pub").write_bytes(b"<script>\x00")
    r = runner.invoke(main, ["audit", "verify", "--public-key", str(tmp_path / "junk.pub"),
                             *where])
    assert r.exit_code == 2 and "public key" in r.output
