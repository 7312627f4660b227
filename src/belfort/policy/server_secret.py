"""The server's own secret, for tokens it signs (the staff pages' CSRF tokens).

``BELFORT_SECRET_KEY`` when set (every worker and every server behind one address must
share it); otherwise 32 random bytes generated once and kept in ``secret_key`` in the data
directory (mode 0600), so all workers of one data directory agree and restarts keep it.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

FILE_NAME = "secret_key"


@lru_cache(maxsize=16)
def server_secret(configured: str | None, data_dir: Path) -> bytes:
    """The secret (read once at start-up: the file is I/O)."""
    if configured:
        return configured.encode("utf-8")
    path = data_dir / FILE_NAME
    try:
        return bytes.fromhex(path.read_text().strip())
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    temporary = data_dir / f".{FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(secrets.token_hex(32))
    try:
        os.link(temporary, path)  # fails if another worker was first: theirs wins
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return bytes.fromhex(path.read_text().strip())
