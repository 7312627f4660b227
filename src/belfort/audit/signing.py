"""The Ed25519 key that signs the audit trail's checkpoints, and what a checkpoint signs.

The key is ``BELFORT_AUDIT_SIGNING_KEY_FILE``, else ``audit-signing-key.pem`` in the data
directory, made on first use: written to a private temporary file (mode 0600) and linked
into place, so two processes starting at once end up with the same key. The public key is
published (``GET /api/belfort/v1/audit/public-key``): anyone can check a checkpoint with
any Ed25519 implementation over the bytes ``message`` returns.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from belfort.catalog.audit_chain import timestamp
from belfort.errors import AuditKeyInvalid
from belfort.settings import Settings

log = logging.getLogger("belfort.audit")

KEY_FILE_NAME = "audit-signing-key.pem"
MESSAGE_PREFIX = "belfort-audit-checkpoint/v1"
MAX_KEY_BYTES = 16_384


def message(seq: int, entry_hash: str, at: datetime) -> bytes:
    """The bytes a checkpoint signs: ``belfort-audit-checkpoint/v1``, seq, hash and time,
    one per line (UTF-8, no final newline)."""
    return f"{MESSAGE_PREFIX}\n{seq}\n{entry_hash}\n{timestamp(at)}".encode()


def key_id(public: Ed25519PublicKey) -> str:
    """SHA-256 of the raw 32-byte public key, in hex: names the key a checkpoint used."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def key_path(settings: Settings) -> Path:
    return settings.audit_signing_key_file or settings.data_dir / KEY_FILE_NAME


def _read_key(path: Path) -> Ed25519PrivateKey:
    try:
        if path.stat().st_size > MAX_KEY_BYTES:
            raise AuditKeyInvalid(f"{path}: larger than a key file")
        data = path.read_bytes()
    except OSError as exc:
        raise AuditKeyInvalid(f"the audit signing key {path} cannot be read: "
                              f"{exc.strerror}") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise AuditKeyInvalid(f"{path} is not an unencrypted PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise AuditKeyInvalid(f"{path} is not an Ed25519 key")
    if path.stat().st_mode & 0o077:
        log.warning("the audit signing key %s can be read by other users (chmod 600 it)", path)
    return key


def _create_key(path: Path) -> Ed25519PrivateKey:
    """A new key in ``path`` (0600), unless another process made one first: then that one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)  # atomic, and refuses to replace a key already there
        except FileExistsError:
            return _read_key(path)
    finally:
        temporary.unlink(missing_ok=True)
    log.info("made the audit signing key %s", path)
    return key


@dataclass(frozen=True)
class Signer:
    """The checkpoint key of this installation."""

    private: Ed25519PrivateKey

    @classmethod
    def for_settings(cls, settings: Settings) -> Signer:
        path = key_path(settings)
        if settings.audit_signing_key_file is not None or path.exists():
            return cls(_read_key(path))
        return cls(_create_key(path))

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    @property
    def key_id(self) -> str:
        return key_id(self.public)

    def sign(self, seq: int, entry_hash: str, at: datetime) -> str:
        return base64.b64encode(self.private.sign(message(seq, entry_hash, at))).decode()

    def published(self) -> dict[str, Any]:
        """What ``GET /api/belfort/v1/audit/public-key`` answers."""
        raw = self.public.public_bytes(serialization.Encoding.Raw,
                                       serialization.PublicFormat.Raw)
        pem = self.public.public_bytes(serialization.Encoding.PEM,
                                       serialization.PublicFormat.SubjectPublicKeyInfo)
        return {
            "algorithm": "Ed25519",
            "key_id": self.key_id,
            "public_key": base64.b64encode(raw).decode(),
            "public_key_pem": pem.decode(),
            "signed_message": f"{MESSAGE_PREFIX}\\n<seq>\\n<hash>\\n<at>",
        }


def load_public_key(data: bytes) -> Ed25519PublicKey:
    """A public key from PEM (as published) or from its raw 32 bytes in base64."""
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            key = serialization.load_pem_public_key(data)
        else:
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(data.strip(),
                                                                      validate=True))
    except (ValueError, TypeError):
        raise AuditKeyInvalid("not an Ed25519 public key (PEM or base64)") from None
    if not isinstance(key, Ed25519PublicKey):
        raise AuditKeyInvalid("not an Ed25519 public key")
    return key


def signature_valid(public: Ed25519PublicKey, signature: str, seq: int, entry_hash: str,
                    at: datetime) -> bool:
    try:
        public.verify(base64.b64decode(signature, validate=True), message(seq, entry_hash, at))
    except (InvalidSignature, ValueError):
        return False
    return True
