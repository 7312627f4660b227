"""Text encoding detection for delimited files.

Open data in Flanders arrives as UTF-8 (with or without BOM), as UTF-16 from
"Unicode text" Excel exports, and as Windows-1252 from older Excel versions.
We detect from a byte sample:

1. a byte-order mark decides (UTF-8-sig, UTF-16 LE/BE);
2. otherwise, if the sample is valid UTF-8 we say UTF-8;
3. otherwise Windows-1252, via a *total* codec (``belfort-cp1252``) that maps the
   five bytes cp1252 leaves undefined to the C1 control characters, like the WHATWG
   "windows-1252" decoder does. A total decoder means a file is never refused
   half-way for one odd byte; Latin-1 would silently turn € and curly quotes into
   control characters, cp1252 does not.

A file that is UTF-8 in its sample but not further on is detected while
streaming (Arrow refuses the invalid UTF-8) and re-read with the fallback codec.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

FALLBACK_ENCODING = "belfort-cp1252"

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _build_cp1252_table() -> str:
    chars = []
    for byte in range(256):
        try:
            chars.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            chars.append(chr(byte))
    return "".join(chars)


_CP1252_TABLE = _build_cp1252_table()
_CP1252_ENCODE = codecs.charmap_build(_CP1252_TABLE)


class _Cp1252Codec(codecs.Codec):
    def encode(self, input: str, errors: str = "strict") -> tuple[bytes, int]:
        return codecs.charmap_encode(input, errors, _CP1252_ENCODE)

    def decode(self, input: ReadableBuffer, errors: str = "strict") -> tuple[str, int]:
        return codecs.charmap_decode(input, errors, _CP1252_TABLE)


class _Cp1252IncrementalDecoder(codecs.IncrementalDecoder):
    def decode(self, input: ReadableBuffer, final: bool = False) -> str:
        return codecs.charmap_decode(input, self.errors, _CP1252_TABLE)[0]


class _Cp1252IncrementalEncoder(codecs.IncrementalEncoder):
    def encode(self, input: str, final: bool = False) -> bytes:
        return codecs.charmap_encode(input, self.errors, _CP1252_ENCODE)[0]


class _Cp1252StreamReader(_Cp1252Codec, codecs.StreamReader):
    pass


class _Cp1252StreamWriter(_Cp1252Codec, codecs.StreamWriter):
    pass


def _search(name: str) -> codecs.CodecInfo | None:
    if name.replace("_", "-") != FALLBACK_ENCODING:
        return None
    return codecs.CodecInfo(
        name=FALLBACK_ENCODING,
        encode=_Cp1252Codec().encode,
        decode=_Cp1252Codec().decode,
        incrementalencoder=_Cp1252IncrementalEncoder,
        incrementaldecoder=_Cp1252IncrementalDecoder,
        streamreader=_Cp1252StreamReader,
        streamwriter=_Cp1252StreamWriter,
    )


codecs.register(_search)


@dataclass(frozen=True)
class DetectedEncoding:
    """``name`` is a Python codec name; ``label`` is what we report to users."""

    name: str
    label: str
    bom_length: int = 0


def detect_encoding(sample: bytes, *, complete: bool) -> DetectedEncoding:
    """Detect the encoding of a file from its first bytes.

    ``complete`` says the sample is the whole file (so a multi-byte sequence cut at
    the end of the sample is an error, not an artefact of sampling).
    """
    for bom, name in _BOMS:
        if sample.startswith(bom):
            label = {
                "utf-8-sig": "utf-8-sig",
                "utf-16": "utf-16-le" if bom == codecs.BOM_UTF16_LE else "utf-16-be",
                "utf-32": "utf-32",
            }[name]
            return DetectedEncoding(name=name, label=label, bom_length=len(bom))
    if is_utf8(sample, complete=complete):
        return DetectedEncoding(name="utf-8", label="utf-8")
    return DetectedEncoding(name=FALLBACK_ENCODING, label="cp1252")


def is_utf8(sample: bytes, *, complete: bool) -> bool:
    """True when ``sample`` decodes as UTF-8 (ignoring a sequence cut by sampling)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(sample, final=complete)
    except UnicodeDecodeError:
        return False
    return True


def decode_sample(sample: bytes, encoding: DetectedEncoding) -> str:
    """Decode a sample, dropping a trailing partial character."""
    decoder = codecs.getincrementaldecoder(encoding.name)(errors="replace")
    return decoder.decode(sample, final=False)
