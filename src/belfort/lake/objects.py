"""The lake's object store: published version files in an S3-compatible bucket
(``BELFORT_LAKE_URL=s3://bucket/prefix``), through pyarrow's ``S3FileSystem``.

Only whole, immutable version files live there, under ``<prefix>/versions/...`` with the
same relative names the catalogue rows hold. An upload goes straight to its final key: S3
makes an object visible only once its upload is complete, so a reader (or another node)
never sees a half-written file, and the catalogue row is committed only after the upload
was checked (``belfort.lake.store.Lake.commit_version_file``).

Every failure to reach the store becomes ``LakeUnavailable`` (503) whose message names the
kind of failure (refused credentials, no such bucket, no connection), never a key.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from pyarrow import fs as pafs

from belfort.errors import LakeSettingsInvalid, LakeUnavailable

BLOCK = 1 << 20
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_PREFIX_PART = re.compile(r"[A-Za-z0-9._-]{1,200}")


@dataclass(frozen=True)
class LakeLocation:
    """Where a lake lives in an object store (parsed from ``BELFORT_LAKE_URL``)."""

    bucket: str
    prefix: str  # "" or "a/b", no slashes at either end

    @classmethod
    def parse(cls, url: str) -> LakeLocation:
        """``s3://bucket[/prefix]``; LakeSettingsInvalid for anything else."""
        parts = urlsplit(url.strip())
        if parts.scheme != "s3" or parts.query or parts.fragment or "@" in parts.netloc:
            raise LakeSettingsInvalid("BELFORT_LAKE_URL must look like s3://bucket/prefix")
        if not _BUCKET.fullmatch(parts.netloc):
            raise LakeSettingsInvalid(
                f"BELFORT_LAKE_URL: not a bucket name: {parts.netloc[:70]!r}")
        pieces = [p for p in parts.path.split("/") if p]
        if any(not _PREFIX_PART.fullmatch(p) or p in (".", "..") for p in pieces):
            raise LakeSettingsInvalid("BELFORT_LAKE_URL: the prefix may hold letters, digits "
                                      "and ._- between slashes")
        return cls(parts.netloc, "/".join(pieces))


@dataclass(frozen=True)
class StoredObject:
    relative_path: str  # as in the catalogue: versions/<dataset>/<name>.parquet
    byte_size: int
    modified: float  # POSIX seconds


def describe_failure(exc: BaseException) -> str:
    """A short, secret-free name for what went wrong talking to the store."""
    text = str(exc).upper()
    if "NO_SUCH_BUCKET" in text or "NOSUCHBUCKET" in text:
        return "the bucket does not exist"
    if any(k in text for k in ("ACCESS_DENIED", "ACCESSDENIED", "INVALID_ACCESS_KEY",
                               "SIGNATURE_DOES_NOT_MATCH", "SIGNATUREDOESNOTMATCH",
                               "INVALIDACCESSKEYID", "FORBIDDEN")):
        return "the object store refused the credentials"
    if any(k in text for k in ("NETWORK_CONNECTION", "COULDN'T CONNECT", "CONNECTION",
                               "TIMEOUT", "TIMED OUT", "RESOLVE")):
        return "the object store cannot be reached"
    code = re.search(r"AWS Error ([A-Z_]+)", str(exc))
    return f"the object store failed ({code.group(1) if code else type(exc).__name__})"


class ObjectStore:
    """One bucket and prefix, read and written whole-file by relative path."""

    def __init__(self, location: LakeLocation, *, endpoint_url: str | None, region: str | None,
                 access_key: str | None, secret_key: str | None,
                 timeout_seconds: float = 5.0) -> None:
        self.location = location
        options: dict[str, object] = {
            "connect_timeout": timeout_seconds, "request_timeout": max(timeout_seconds, 30.0),
            "retry_strategy": pafs.AwsStandardS3RetryStrategy(max_attempts=2),
            "allow_bucket_creation": False, "allow_bucket_deletion": False,
            "check_directory_existence_before_creation": False,
        }
        if endpoint_url:
            endpoint = urlsplit(endpoint_url.strip())
            if endpoint.scheme not in ("http", "https") or not endpoint.netloc \
                    or endpoint.path not in ("", "/") or "@" in endpoint.netloc:
                raise LakeSettingsInvalid(
                    "BELFORT_LAKE_ENDPOINT_URL must look like http(s)://host[:port]")
            options["scheme"] = endpoint.scheme
            options["endpoint_override"] = endpoint.netloc
            options["force_virtual_addressing"] = False
        if region:
            options["region"] = region
        if bool(access_key) != bool(secret_key):
            raise LakeSettingsInvalid(
                "BELFORT_LAKE_ACCESS_KEY and BELFORT_LAKE_SECRET_KEY go together")
        if access_key and secret_key:
            options["access_key"] = access_key
            options["secret_key"] = secret_key
        try:
            self.fs = pafs.S3FileSystem(**options)
        except (OSError, ValueError, TypeError) as exc:
            raise LakeSettingsInvalid(f"the lake's object store settings are refused "
                                      f"({type(exc).__name__})") from None

    def key(self, relative_path: str) -> str:
        base = self.location.bucket
        if self.location.prefix:
            base += "/" + self.location.prefix
        return f"{base}/{relative_path}"

    def check_bucket(self) -> None:
        """LakeSettingsInvalid when the bucket is missing or the credentials are refused,
        LakeUnavailable when the store cannot be reached (a readiness probe too)."""
        try:
            info = self.fs.get_file_info(self.location.bucket)
            # HeadBucket alone may pass with bad credentials on some stores: list too
            self.fs.get_file_info(pafs.FileSelector(self.key("versions"), recursive=False,
                                                    allow_not_found=True))
        except OSError as exc:
            reason = describe_failure(exc)
            if "cannot be reached" in reason or "failed" in reason:
                raise LakeUnavailable(f"{reason}: {self.location.bucket}") from None
            raise LakeSettingsInvalid(f"BELFORT_LAKE_URL: {reason}: "
                                      f"{self.location.bucket}") from None
        if info.type == pafs.FileType.NotFound:
            raise LakeSettingsInvalid(
                f"BELFORT_LAKE_URL: the bucket does not exist: {self.location.bucket}")

    def upload(self, local: Path, relative_path: str) -> str:
        """Write ``local`` to its final key and check what arrived; its sha256 checksum.
        LakeUnavailable (and no object left, as far as the store lets us) on failure."""
        digest = hashlib.sha256()
        size = 0
        key = self.key(relative_path)
        try:
            with local.open("rb") as source, self.fs.open_output_stream(key) as sink:
                for block in iter(lambda: source.read(BLOCK), b""):
                    digest.update(block)
                    sink.write(block)
                    size += len(block)
            stored = self.fs.get_file_info(key)
        except OSError as exc:
            self.delete(relative_path, quiet=True)
            raise LakeUnavailable(f"publishing failed: {describe_failure(exc)}") from None
        if stored.size != size:
            self.delete(relative_path, quiet=True)
            raise LakeUnavailable(f"publishing failed: the object store holds {stored.size} "
                                  f"bytes of {size}")
        return "sha256:" + digest.hexdigest()

    def download(self, relative_path: str, target: Path) -> int:
        """Copy the object to ``target`` (a new file); its size."""
        size = 0
        try:
            with self.fs.open_input_stream(self.key(relative_path)) as source, \
                    target.open("wb") as sink:
                while block := source.read(BLOCK):
                    sink.write(block)
                    size += len(block)
        except FileNotFoundError:
            raise LakeUnavailable(f"the version file {relative_path!r} is missing from the "
                                  "object store") from None
        except OSError as exc:
            raise LakeUnavailable(f"the version file cannot be read: "
                                  f"{describe_failure(exc)}") from None
        return size

    def checksum(self, relative_path: str) -> str | None:
        """The object's sha256 (read whole); None when there is no such object."""
        digest = hashlib.sha256()
        try:
            with self.fs.open_input_stream(self.key(relative_path)) as source:
                while block := source.read(BLOCK):
                    digest.update(block)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise LakeUnavailable(describe_failure(exc)) from None
        return "sha256:" + digest.hexdigest()

    def info(self, relative_path: str) -> StoredObject | None:
        try:
            found = self.fs.get_file_info(self.key(relative_path))
        except OSError as exc:
            raise LakeUnavailable(describe_failure(exc)) from None
        if found.type != pafs.FileType.File:
            return None
        return StoredObject(relative_path, found.size or 0, _seconds(found.mtime))

    def delete(self, relative_path: str, *, quiet: bool = False) -> None:
        try:
            self.fs.delete_file(self.key(relative_path))
        except FileNotFoundError:
            pass
        except OSError as exc:
            if not quiet:
                raise LakeUnavailable(describe_failure(exc)) from None

    def listing(self, under: str = "versions") -> Iterator[StoredObject]:
        """Every object under ``<prefix>/<under>``."""
        base = self.key("")
        try:
            found = self.fs.get_file_info(pafs.FileSelector(self.key(under), recursive=True,
                                                            allow_not_found=True))
        except OSError as exc:
            raise LakeUnavailable(describe_failure(exc)) from None
        for item in found:
            if item.type == pafs.FileType.File and item.path.startswith(base):
                yield StoredObject(item.path[len(base):], item.size or 0, _seconds(item.mtime))


def _seconds(moment: datetime | None) -> float:
    return moment.timestamp() if moment is not None else 0.0
