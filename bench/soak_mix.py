"""The soak's request mix (bench/soak.py): public reads, exports, SPARQL and hostile patterns.

Every request the soak sends is a ``Req``: method, URL path (or an absolute URL), headers,
body, and what the answer may be. The global rule (every kind): a status below 500, or 503,
is in the intended set; a 500 (or 502, 504, ...), a connection error or a timeout is a
failure. Some kinds are stricter: public reads expect 2xx/3xx (or 429/503), and a
link-injection answer must not link to the attacker's host.

The hostile kinds are the patterns of issue 11 (quota bypass, integers beyond 64 bits,
link injection, made-up Host headers on SPARQL, cartesian and SERVICE queries, hostile
uploads). Each kind has its own arrival rate; public reads get the rest of the total.
"""

from __future__ import annotations

import io
import json
import random
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

# Open, published datasets of the demo catalogue (src/belfort/demo/sources.py) and the
# field their v1 searches filter on.
OPEN_DATASETS = {
    "passantentellingen-auckland": "aantal",
    "passantentellers-auckland": None,
    "stadswijken-gent-demo": None,
    "telpunten-drukte-gent": None,
    "passantentellingen-gent-demo": "aantal",
    "bezetting-parkeergarages-demo": "bezet",
}
BIG_DATASET = "passantentellingen-auckland"  # 183,939 rows
INTERNAL_DATASET = "meldingen-openbaar-domein-intern"
PROBE_PATH = "/api/belfort/v1/datasets"
EVIL_HOST = "evil.example"
# A link (or script, form) to the attacker's host: protocol-relative or absolute.
EVIL_LINK = re.compile(
    rb"""(?:href|src|action|content)\s*=\s*["']?[^"'>]*?(?:https?:)?(?://|\\\\|/\\)evil\.example""",
    re.IGNORECASE,
)
BEYOND_64_BITS = str(2**64)
BEYOND_63_BITS = str(2**63)

INTENDED = "status < 500 or 503"
READ_OK = frozenset(range(200, 400)) | {429, 503}


def in_intended_set(status: int) -> bool:
    """The statuses the soak accepts from any request: 2xx, 3xx, 4xx (incl. 429) and 503."""
    return 100 <= status < 500 or status == 503


@dataclass
class Req:
    kind: str
    label: str
    method: str
    url: str  # a path on the server, or an absolute URL (e.g. a test's faulty server)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    allowed: frozenset[int] | None = None  # None: the intended set
    read_bytes: int | None = None  # stop reading (and disconnect) after this many bytes
    timeout_s: float = 30.0
    body_must_not_match: re.Pattern[bytes] | None = None
    attacker: bool = False  # counted against the per-address quota check
    # an export: a transfer cut off this long after the request is the server's export
    # budget at work (BELFORT_EXPORT_TIMEOUT_SECONDS), not a failure
    cut_off_after_s: float | None = None

    def describe(self) -> str:
        """The request for the report; the admin key's secret is never written out."""
        extra = "".join(
            f" [{k}: {_redacted(k, v)[:60]}]"
            for k, v in self.headers.items()
            if k.lower() != "x-forwarded-for"
        )
        return f"{self.method} {self.url[:300]}{extra}"


def _redacted(name: str, value: str) -> str:
    if name.lower() == "authorization" and value.startswith("Bearer bfk_"):
        return "Bearer (the soak's admin key)"
    return value


# --- hostile files ------------------------------------------------------------------------


def wide_csv(columns: int) -> bytes:
    """A CSV whose header has ``columns`` columns, and one row."""
    header = ",".join(f"c{i}" for i in range(columns))
    row = ",".join("1" for _ in range(columns))
    return (header + "\n" + row + "\n").encode()


def xlsx_far_cell() -> bytes:
    """A few-kB XLSX declaring ``A1:XFD1048576`` with a cell in A1 and one in XFD1048576."""
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<dimension ref="A1:XFD1048576"/><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>naam</t></is></c></row>'
            '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
            "</sheetData></worksheet>"
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


# --- the mix --------------------------------------------------------------------------------


@dataclass
class MixConfig:
    admin_key: str
    service_port: int  # a local listener: a SPARQL SERVICE call that reaches it is a failure
    wide_columns: int = 100_000
    export_budget_s: float = 60.0  # the server's BELFORT_EXPORT_TIMEOUT_SECONDS in the soak
    extra: list[dict[str, Any]] = field(default_factory=list)  # test-only requests, as JSON


SPARQL_SIMPLE = (
    "PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dct: <http://purl.org/dc/terms/> "
    "SELECT ?d ?title WHERE { ?d a dcat:Dataset ; dct:title ?title } LIMIT 10"
)
SPARQL_CARTESIAN = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i LIMIT 10"


class Mix:
    """Builds the requests of each kind; ``n`` is the request's sequence number."""

    def __init__(self, config: MixConfig, seed: int = 11) -> None:
        self.config = config
        self.rng = random.Random(seed)
        self.admin = {"Authorization": f"Bearer {config.admin_key}"}
        self.kinds: dict[str, Callable[[int], Req]] = {
            "public": self.public,
            "export": self.export,
            "sparql": self.sparql,
            "sparql_hostile": self.sparql_hostile,
            "quota_bypass": self.quota_bypass,
            "overflow": self.overflow,
            "link_injection": self.link_injection,
            "upload": self.upload,
            "injected": self.injected,
        }
        self._wide: bytes | None = None
        self._xlsx = xlsx_far_cell()

    def make(self, kind: str, n: int) -> Req:
        return self.kinds[kind](n)

    # public reads: v1 search, v2.1 records, catalogue, dataset pages
    def public(self, n: int) -> Req:
        r = self.rng
        ds = r.choice(list(OPEN_DATASETS))
        q = quote(ds)
        choices: list[tuple[str, str]] = [
            (
                "v1 search",
                f"/api/records/1.0/search/?dataset={q}&rows=10&start={r.randrange(0, 1000)}",
            ),
            (
                "v2.1 records",
                f"/api/explore/v2.1/catalog/datasets/{q}/records"
                f"?limit=10&offset={r.randrange(0, 500)}",
            ),
            ("v2.1 catalogue", "/api/explore/v2.1/catalog/datasets?limit=20"),
            ("v1 catalogue", "/api/datasets/1.0/search/?rows=10"),
            ("native catalogue", PROBE_PATH),
            ("native dataset", f"/api/belfort/v1/datasets/{q}"),
            ("dataset page", f"/datasets/{q}"),
            ("portal search", "/datasets?q=" + r.choice(["fiets", "parking", "wijk", "tellingen"])),
        ]
        field_name = OPEN_DATASETS[ds]
        if field_name:
            choices.append(
                (
                    "v1 search + filter",
                    f"/api/records/1.0/search/?dataset={q}&rows=10"
                    f"&q={quote(f'{field_name}>={r.randrange(0, 500)}')}",
                )
            )
        label, url = choices[n % len(choices)]
        return Req("public", label, "GET", url, allowed=READ_OK)

    # exports: full, heavily filtered, cut off by the client, restricted
    def export(self, n: int) -> Req:
        big = f"/api/explore/v2.1/catalog/datasets/{BIG_DATASET}/exports/csv"
        heavy = " or ".join(f'search(sensor, "{w}")' for w in ("lane", "street", "queen", "a"))
        variants = [
            Req("export", "v2.1 csv, whole dataset", "GET", big, timeout_s=180),
            Req(
                "export",
                "v2.1 csv, heavy filter",
                "GET",
                big
                + "?"
                + urlencode({"where": f"({heavy}) and aantal >= 0", "order_by": "aantal desc"}),
                timeout_s=180,
            ),
            Req(
                "export",
                "v2.1 csv, client leaves after 64 kB",
                "GET",
                big + "?" + urlencode({"where": f"({heavy})", "order_by": "sensor"}),
                read_bytes=65_536,
            ),
            Req(
                "export",
                "v1 download csv, filter, client leaves after 16 kB",
                "GET",
                "/api/records/1.0/download/?"
                + urlencode({"dataset": BIG_DATASET, "format": "csv", "q": "aantal>=0"}),
                read_bytes=16_384,
            ),
            Req(
                "export",
                "v2.1 csv of an internal dataset, anonymous",
                "GET",
                f"/api/explore/v2.1/catalog/datasets/{INTERNAL_DATASET}/exports/csv",
            ),
        ]
        chosen = variants[n % len(variants)]
        chosen.cut_off_after_s = self.config.export_budget_s
        chosen.timeout_s = max(chosen.timeout_s, self.config.export_budget_s + 60)
        return chosen

    def sparql(self, n: int) -> Req:
        return _sparql("sparql", "simple SELECT", SPARQL_SIMPLE + f" # soak {n}")

    def sparql_hostile(self, n: int) -> Req:
        port = self.config.service_port
        variants = [
            _sparql(
                "sparql_hostile",
                "cartesian product, sorted",
                SPARQL_CARTESIAN + f" # {n}",
                timeout_s=120,
            ),
            _sparql(
                "sparql_hostile",
                "made-up Host header",
                SPARQL_SIMPLE,
                headers={"Host": f"soak-{n}.{EVIL_HOST}"},
                timeout_s=120,
            ),
            _sparql(
                "sparql_hostile",
                "SERVICE <iri>",
                f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
            ),
            _sparql(
                "sparql_hostile",
                "SERVICE with an escaped local name (ex:x\\#)",
                f"PREFIX ex: <http://127.0.0.1:{port}/> "
                "SELECT * WHERE { SERVICE ex:x\\# { ?s ?p ?o } }",
            ),
            _sparql(
                "sparql_hostile",
                "SERVICE SILENT, lower case",
                f"select * where {{ service silent <http://127.0.0.1:{port}/q> {{ ?s ?p ?o }} }}",
            ),
        ]
        return variants[n % len(variants)]

    # the per-address quota bypass of issue 11 item 4 (see soak.py's quota check)
    def quota_bypass(self, n: int) -> Req:
        if n % 2 == 0:
            return Req(
                "quota_bypass",
                "empty bearer (`Authorization: Bearer`) + junk X-API-Key",
                "GET",
                PROBE_PATH,
                headers={"Authorization": "Bearer", "X-API-Key": f"junk{n}"},
                attacker=True,
            )
        return Req(
            "quota_bypass",
            "?apikey=junk&apikey=",
            "GET",
            PROBE_PATH + f"?apikey=junk{n}&apikey=",
            attacker=True,
        )

    def overflow(self, n: int) -> Req:
        ds = "telpunten-drukte-gent"
        big, big63 = BEYOND_64_BITS, BEYOND_63_BITS
        variants = [
            ("v1 dataset search start", "GET", f"/api/datasets/1.0/search/?start={big}", {}),
            ("v1 dataset search rows", "GET", f"/api/datasets/1.0/search/?rows={big}", {}),
            (
                "v1 record search start",
                "GET",
                f"/api/records/1.0/search/?dataset={ds}&start={big}",
                {},
            ),
            (
                "v2.1 records offset",
                "GET",
                f"/api/explore/v2.1/catalog/datasets/{ds}/records?offset={big}",
                {},
            ),
            (
                "v2.1 records limit",
                "GET",
                f"/api/explore/v2.1/catalog/datasets/{ds}/records?limit={big63}",
                {},
            ),
            ("native version", "GET", f"/api/belfort/v1/datasets/{ds}/versions/{big}", {}),
            (
                "native records version",
                "GET",
                f"/api/belfort/v1/datasets/{ds}/records?version={big}",
                {},
            ),
            (
                "publish version (admin)",
                "POST",
                f"/api/belfort/v1/datasets/{ds}/versions/{big63}/publish",
                self.admin,
            ),
            ("audit offset (admin)", "GET", f"/api/belfort/v1/audit?offset={big63}", self.admin),
            ("negative start", "GET", f"/api/records/1.0/search/?dataset={ds}&start=-{big}", {}),
        ]
        label, method, url, headers = variants[n % len(variants)]
        return Req("overflow", label, method, url, headers=dict(headers))

    def link_injection(self, n: int) -> Req:
        paths = [
            f"//{EVIL_HOST}/x",
            f"//{EVIL_HOST}/datasets",
            f"///{EVIL_HOST}/",
            f"/%2F{EVIL_HOST}/x",
            f"//{EVIL_HOST}/x?lang=en",
        ]
        return Req(
            "link_injection",
            paths[n % len(paths)],
            "GET",
            paths[n % len(paths)],
            body_must_not_match=EVIL_LINK,
        )

    def upload(self, n: int) -> Req:
        dataset = f"soak-hostile-{n}"
        params = {"title_nl": "Soak: vijandig bestand", "draft": "true"}
        if n % 2 == 0:
            if self._wide is None:
                self._wide = wide_csv(self.config.wide_columns)
            return Req(
                "upload",
                f"wide CSV header ({self.config.wide_columns:,} columns)",
                "POST",
                f"/api/belfort/v1/datasets/{dataset}/ingest?"
                + urlencode({**params, "filename": "wide.csv"}),
                headers={**self.admin, "Content-Type": "text/csv"},
                body=self._wide,
                timeout_s=180,
            )
        return Req(
            "upload",
            "XLSX declaring A1:XFD1048576",
            "POST",
            f"/api/belfort/v1/datasets/{dataset}/ingest?"
            + urlencode({**params, "filename": "far.xlsx", "format": "xlsx"}),
            headers={**self.admin, "Content-Type": "application/octet-stream"},
            body=self._xlsx,
            timeout_s=180,
        )

    # test-only: requests given as JSON (--extra-requests), e.g. a URL known to answer 500
    def injected(self, n: int) -> Req:
        spec = self.config.extra[n % len(self.config.extra)]
        allowed = spec.get("allowed")
        return Req(
            "injected",
            spec.get("label", spec["url"]),
            spec.get("method", "GET"),
            spec["url"],
            headers=dict(spec.get("headers", {})),
            allowed=frozenset(allowed) if allowed else None,
            timeout_s=float(spec.get("timeout_s", 10)),
        )


def _sparql(
    kind: str,
    label: str,
    query: str,
    *,
    headers: dict[str, str] | None = None,
    timeout_s: float = 60,
) -> Req:
    return Req(
        kind,
        label,
        "POST",
        "/sparql",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/sparql-results+json",
            **(headers or {}),
        },
        body=urlencode({"query": query}).encode(),
        timeout_s=timeout_s,
    )


def load_extra(path: str | None) -> list[dict[str, Any]]:
    if not path:
        return []
    with open(path, encoding="utf-8") as fh:
        extra = json.load(fh)
    if not isinstance(extra, list) or not all(isinstance(e, dict) and "url" in e for e in extra):
        raise SystemExit(f"{path}: expected a JSON list of objects with a 'url'")
    return extra
