"""The checkpoint key: made once (0600) in the data directory or given by a file, refused
clearly when it is not an Ed25519 key; a checkpoint verifies outside Belfort with only the
published public key."""

from __future__ import annotations

import base64
import stat
import threading
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from belfort.audit.log import checkpoint
from belfort.audit.signing import KEY_FILE_NAME, Signer, message
from belfort.errors import AuditKeyInvalid
from belfort.platform import Platform
from belfort.settings import Settings
from tests.audit.helpers import fill


def test_the_key_is_made_once_private_and_shared(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    made: list[Signer] = []
    threads = [threading.Thread(target=lambda: made.append(Signer.for_settings(settings)))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    path = tmp_path / "data" / KEY_FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len({s.key_id for s in made}) == 1
    assert Signer.for_settings(settings).key_id == made[0].key_id
    assert [p.name for p in path.parent.iterdir()] == [KEY_FILE_NAME]  # no temporary left


def test_a_key_file_given_by_setting(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    path = tmp_path / "key.pem"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    path.chmod(0o600)
    signer = Signer.for_settings(Settings(data_dir=tmp_path / "d", audit_signing_key_file=path))
    assert signer.public.public_bytes_raw() == key.public_key().public_bytes_raw()
    assert not (tmp_path / "d" / KEY_FILE_NAME).exists()


@pytest.mark.parametrize("content", [None, b"", b"not a key\x00<script>", b"-----BEGIN x" * 5000,
                                     "ec"])
def test_a_bad_key_file_is_refused_clearly(tmp_path: Path, content: bytes | str | None) -> None:
    path = tmp_path / "key.pem"
    if content == "ec":
        other = ec.generate_private_key(ec.SECP256R1())
        path.write_bytes(other.private_bytes(serialization.Encoding.PEM,
                                             serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption()))
    elif isinstance(content, bytes):
        path.write_bytes(content)
    with pytest.raises(AuditKeyInvalid):
        Signer.for_settings(Settings(data_dir=tmp_path / "d", audit_signing_key_file=path))


def test_a_checkpoint_verifies_with_the_published_key_alone(platform: Platform) -> None:
    fill(platform, accesses=2)
    made = checkpoint(platform)
    assert made is not None
    from belfort.audit.log import audit_log

    published = audit_log(platform).signer.published()
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(published["public_key"]))
    text = f"belfort-audit-checkpoint/v1\n{made.seq}\n{made.hash}\n" + \
        made.at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert text.encode() == message(made.seq, made.hash, made.at)
    public.verify(base64.b64decode(made.signature), text.encode())  # raises when it fails
