"""Typed errors of the platform.

Layers raise these; the HTTP layer maps them to status codes in one place
(``belfort.api.errors``) and the CLI maps them to exit codes (``belfort.cli``).
"""

from __future__ import annotations

from typing import Any


class BelfortError(Exception):
    """Base class. ``code`` is a stable machine-readable name."""

    code = "error"
    http_status = 500
    exit_code = 1
    retry_after_seconds: int | None = None  # sent as ``Retry-After`` when set

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "message": self.message}
        body.update(self.details)
        return body


class NotFound(BelfortError):
    """The thing does not exist, or the principal may not know it exists."""

    code = "not_found"
    http_status = 404
    exit_code = 4


class DatasetNotFound(NotFound):
    """No dataset of that identifier the principal may see (or none with a readable version)."""


class VersionNotFound(NotFound):
    """The dataset is visible, but not that version of it."""


class Unauthorized(BelfortError):
    """No valid credentials for an action that needs them."""

    code = "unauthorized"
    http_status = 401
    exit_code = 5


class Forbidden(BelfortError):
    """Credentials are valid but do not allow this action."""

    code = "forbidden"
    http_status = 403
    exit_code = 5


class InvalidRequest(BelfortError):
    """The request itself is malformed (bad parameter, bad metadata)."""

    code = "invalid_request"
    http_status = 400
    exit_code = 2


class ConflictingKeys(InvalidRequest):
    """A request presented two different API keys (``Authorization``, ``X-API-Key``,
    ``?apikey=``): which one it meant is not guessed."""

    code = "conflicting_keys"


class Conflict(BelfortError):
    """The request clashes with the current state (e.g. illegal life-cycle transition)."""

    code = "conflict"
    http_status = 409
    exit_code = 6


class DatasetExists(Conflict):
    """A dataset with this identifier was created already (possibly a moment ago)."""

    code = "dataset_exists"


class PayloadTooLarge(BelfortError):
    code = "payload_too_large"
    http_status = 413
    exit_code = 2


class UnsupportedFormat(BelfortError):
    """The file is of a kind Belfort cannot read."""

    code = "unsupported_format"
    http_status = 415
    exit_code = 3


class UnreadableFile(BelfortError):
    """The file claims a supported format but cannot be parsed at all (corrupt, truncated,
    invalid JSON, a garbage Parquet footer): every reader's own failure is wrapped in this."""

    code = "unreadable_file"
    http_status = 422
    exit_code = 3


class FileTooLarge(PayloadTooLarge):
    """A file inflates past an ingest limit (XLSX zip members, shared strings, Parquet pages):
    refused before it is read (``BELFORT_INGEST_MAX_*``)."""

    code = "file_too_large"
    exit_code = 3


class FileShapeRefused(BelfortError):
    """A file's shape passes an ingest limit: too many columns or cells, a sheet declaring too
    much, too many shared strings (``BELFORT_INGEST_MAX_*``). Refused before it is read."""

    code = "file_shape_refused"
    http_status = 422
    exit_code = 3


class ValidationFailed(BelfortError):
    """The file was read but rows failed validation; ``details['report']`` says where."""

    code = "validation_failed"
    http_status = 422
    exit_code = 3


class QueryError(BelfortError):
    """A query refers to unknown fields, mixes types, or exceeds limits."""

    code = "query_error"
    http_status = 400
    exit_code = 2


class QueryTimeout(BelfortError):
    """A query (engine or SPARQL) ran out of time, or waited too long for a free worker."""

    code = "query_timeout"
    http_status = 503
    exit_code = 7


class NotOnSpark(QueryError):
    """A query uses something the Spark backend (``belfort.query.spark``) has no exact
    equivalent for (docs/spark.md lists them); the same query runs on the embedded engine."""

    code = "not_on_spark"


class SparkUnavailable(BelfortError):
    """The Spark cluster (``BELFORT_SPARK_URL``) could not be reached or failed a query."""

    code = "spark_unavailable"
    http_status = 503
    exit_code = 7


class QueryFailed(BelfortError):
    """A SPARQL query's worker stopped for another reason than its limits (or the endpoint is
    shutting down): the server protects itself, so 503, not 500; the worker is replaced."""

    code = "query_failed"
    http_status = 503
    exit_code = 7


class QueryOutOfMemory(BelfortError):
    """A SPARQL query needed more memory than its worker may use (it was stopped and the
    worker replaced); the server itself is unharmed."""

    code = "query_out_of_memory"
    http_status = 503
    exit_code = 7


class Busy(BelfortError):
    """Every worker is taken and the waiting line is full: try again after ``retry_after``."""

    code = "busy"
    http_status = 503
    exit_code = 7

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, details={"retry_after": retry_after})
        self.retry_after_seconds = retry_after


class QueryCancelled(BelfortError):
    """A query (an export) was stopped because its client went away; nobody sees it."""

    code = "query_cancelled"
    http_status = 503
    exit_code = 7


class UnknownTerm(InvalidRequest):
    """A theme, licence, frequency, place or organisation that is on none of the catalogue's
    controlled lists (``belfort.catalog.vocabularies``); ``details["problems"]`` names each
    value with the closest entry as a suggestion."""

    code = "unknown_term"
    http_status = 422


class UnknownField(NotFound):
    """A field description names a field the dataset's newest version does not have (or the
    dataset has no version yet)."""

    code = "unknown_field"


class MetadataInvalid(InvalidRequest):
    """Metadata (a dataset's, a register entry's) failed validation. The message and
    ``details['problems']`` are as before (English, for API clients and the CLI);
    ``details['errors']`` lists each error as data — ``type`` (pydantic's error type),
    ``loc`` (the field path), ``ctx`` (its plain parameters) — so a page can say what is
    wrong in its own language, next to the field (``belfort.portal.messages``)."""

    @classmethod
    def from_errors(cls, what: str, errors: list[dict[str, Any]], *, limit: int = 20,
                    loc_chars: int = 60, msg_chars: int = 300) -> MetadataInvalid:
        """From pydantic's ``ValidationError.errors()``: ``what`` names the thing in the
        message ("metadata", "processing activity")."""
        problems: list[str] = []
        structured: list[dict[str, Any]] = []
        for err in errors[:limit]:
            loc = [p if isinstance(p, int) else str(p)[:loc_chars] for p in err.get("loc", ())]
            where = ".".join(str(p) for p in loc) or what.split()[-1]
            problems.append(f"{where}: {str(err.get('msg', ''))[:msg_chars]}")
            ctx = {k: v for k, v in (err.get("ctx") or {}).items()
                   if isinstance(v, (int, float, str)) and not isinstance(v, bool)}
            ctx = {k: v[:100] if isinstance(v, str) else v for k, v in ctx.items()}
            structured.append({"type": str(err.get("type", "value_error")), "loc": loc, "ctx": ctx})
        return cls(f"invalid {what}: " + "; ".join(problems),
                   details={"problems": problems, "errors": structured})


class DeviceRefused(Unauthorized):
    """A device (sensor) presented no credential, an unknown one, or one that was revoked;
    the refusal is recorded (``belfort.streams.sensors.record_refusal``)."""

    code = "device_refused"


class DeviceRateLimited(BelfortError):
    """One device sent more observations than its share (``BELFORT_STREAM_DEVICE_RATE``):
    the batch is refused whole, nothing of it is stored; retry after ``retry_after``."""

    code = "device_rate_limited"
    http_status = 429
    exit_code = 7

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, details={"retry_after": retry_after})
        self.retry_after_seconds = retry_after


class BatchTooLarge(PayloadTooLarge):
    """An observation batch has more items (or bytes) than ``BELFORT_STREAM_MAX_BATCH``
    allows; nothing of it is stored."""

    code = "batch_too_large"


class SensorInvalid(InvalidRequest):
    """A sensor's registration is incomplete or wrong (``details['problems']``)."""

    code = "sensor_invalid"
    http_status = 422


class SensorNotFound(NotFound):
    code = "sensor_not_found"


class SensorThingsInvalid(InvalidRequest):
    """A SensorThings API request that cannot be read: a malformed body, entity or query
    option (``$filter``, ``$orderby``, ``$expand``, …); the message says what and where."""

    code = "sensorthings_invalid"


class SensorThingsNotFound(NotFound):
    """No SensorThings entity of that type and id (in the path or referenced in a body)."""

    code = "sensorthings_not_found"


# --- MQTT bridge and the FIWARE forms (belfort.streams.mqtt, belfort.api.fiware) ---
class MqttSettingsInvalid(BelfortError):
    """``BELFORT_MQTT_URL`` (or another MQTT setting) cannot be used."""

    code = "mqtt_settings_invalid"
    http_status = 500
    exit_code = 2


class MeasuresInvalid(InvalidRequest):
    """A FIWARE measures body that cannot be read as a whole (not JSON, not an object of
    attribute → value, no attributes); ``details['reason']`` says which."""

    code = "measures_invalid"


class MeasuresMediaType(BelfortError):
    """A FIWARE measures body sent as something other than JSON."""

    code = "unsupported_media_type"
    http_status = 415
    exit_code = 2


class ZoneInvalid(InvalidRequest):
    """A zone's definition is wrong: its polygon (not closed, not WGS84, self-intersecting,
    too many vertices, too large), its area or its density (``details['problems']``)."""

    code = "zone_invalid"
    http_status = 422


class ZoneNotFound(NotFound):
    code = "zone_not_found"


class ZoneExists(Conflict):
    """A zone with this id exists already (remove it first to redefine it)."""

    code = "zone_exists"


# --- dashboards (belfort.dashboards) ---


class DashboardInvalid(InvalidRequest):
    """A dashboard spec (YAML or JSON) failed validation: ``details['problems']`` lists each
    problem as ``{"path": "tiles[2].thresholds[0].upto", "message": "…"}``."""

    code = "dashboard_invalid"
    http_status = 422


class DashboardNotFound(NotFound):
    code = "dashboard_not_found"


class TooManyStreams(BelfortError):
    """This process already serves ``BELFORT_DASHBOARD_MAX_STREAMS`` live dashboard streams;
    try again later (or another process)."""

    code = "too_many_streams"
    http_status = 503
    exit_code = 7
    retry_after_seconds = 5


# --- aggregation thresholds (belfort.query.disclosure) ---


class AggregatesOnly(Forbidden):
    """The principal may only read aggregates of this dataset (its grant has a minimum group
    size): record listings, record ids, exports and streams are refused."""

    code = "aggregates_only"


class DisclosureRefused(Forbidden):
    """Under an aggregation threshold, the question could reveal single records: a function
    such as min/max/median/percentile, a record-id filter or a filter on a field that may not
    be filtered on (``details`` names the function or fields)."""

    code = "disclosure_refused"


# --- audit trail (belfort.audit) ---


class AuditQueryInvalid(InvalidRequest):
    """A parameter of the audit trail query (``GET /api/belfort/v1/audit``, ``belfort audit
    list``) is malformed: ``details['parameter']`` names it."""

    code = "audit_query_invalid"
    http_status = 422


class AuditKeyInvalid(BelfortError):
    """The checkpoint signing key (``BELFORT_AUDIT_SIGNING_KEY_FILE`` or the data
    directory's ``audit-signing-key.pem``) is missing, unreadable or not an Ed25519 key."""

    code = "audit_key_invalid"
    http_status = 500
    exit_code = 2


class AuditChainBroken(BelfortError):
    """``belfort audit verify`` found an altered, removed, inserted or reordered entry or a
    checkpoint that does not match: ``details['first_bad_seq']`` names the first bad seq."""

    code = "audit_chain_broken"
    http_status = 500
    exit_code = 8


# --- ODRL policies (belfort.policy.odrl, belfort.policy.policies) ---


class PolicyInvalid(InvalidRequest):
    """An ODRL policy is malformed or outside Belfort's subset: ``details['problems']`` is
    ``[{"path": "permission[0].constraint[1].rightOperand", "message": "…"}]``."""

    code = "policy_invalid"
    http_status = 422


class PolicyNotFound(NotFound):
    code = "policy_not_found"


class PolicyExists(Conflict):
    """A policy with this uid exists already (replace it with PUT, or delete it first)."""

    code = "policy_exists"


class UnknownPurpose(InvalidRequest):
    """A request (or an access request) declared a purpose that is not a DPV purpose Belfort
    knows (``GET /api/belfort/v1/policies/purposes`` lists them)."""

    code = "unknown_purpose"
    http_status = 422


# --- access (belfort.policy.reading) ---


class ActionNotGranted(Forbidden):
    """The caller may read the dataset, but its grant does not include this action (an
    export, say, where an agreement prohibits distributing it)."""

    code = "action_not_granted"
# --- identity: OpenID Connect tokens, scoped keys (belfort.policy.oidc, belfort.policy.keys) ---


class InvalidToken(Unauthorized):
    """A bearer token that is not a valid token of the configured OpenID Connect provider:
    malformed, forged (bad signature, unknown key, refused algorithm), expired, not yet
    valid, or for another issuer or audience. The message says which; the token never
    appears in it. Answered with ``WWW-Authenticate: Bearer error="invalid_token"``."""

    code = "invalid_token"


class IdentityProviderUnavailable(BelfortError):
    """The OpenID Connect provider (its discovery document, keys or token endpoint) could
    not be reached or answered something unreadable; try again later."""

    code = "identity_provider_unavailable"
    http_status = 503
    exit_code = 7
    retry_after_seconds = 30


class SignInFailed(InvalidRequest):
    """A staff sign-in through the OpenID Connect provider did not complete: the provider
    refused, the sign-in expired, or its state does not match this browser's."""

    code = "sign_in_failed"


# --- crowding alerts (belfort.twin.alerts) ---


class InvalidAlertRule(InvalidRequest):
    """An alert rule or advice text that cannot be kept: an unknown kind or level, a
    threshold out of range, a clearing level not below the threshold, text too long or with
    control characters. The message says which field."""

    code = "invalid_alert_rule"


class WebhookRefused(InvalidRequest):
    """An alert webhook URL that is not http(s), does not resolve, or points at an internal
    address (loopback, private, link-local, reserved) not allowed by
    ``BELFORT_ALERTS_WEBHOOK_ALLOW_HOSTS``."""

    code = "webhook_refused"


class AlertNotFound(NotFound):
    """No alert (or alert rule) of that id."""

    code = "alert_not_found"


# --- request counts and register purposes of policies (belfort.policy.granting) ---


class RequestLimitReached(Forbidden):
    """A policy granted the caller this dataset, but its ``count`` constraint's requests for
    the current period are used up and no other policy grants it: ``details['policy']``
    names the policy, ``details['resets_at']`` when the period's window ends (null: never);
    ``Retry-After`` says the same in seconds."""

    code = "request_limit_reached"

    def __init__(self, message: str, *, policy: str, resets_at: str | None,
                 retry_after: int | None) -> None:
        super().__init__(message, details={"policy": policy, "resets_at": resets_at})
        self.retry_after_seconds = retry_after


class PurposeNotRegistered(Forbidden):
    """The dataset holds personal data and the purpose the request declared (or none) is not
    one its processing register entry lists, so no policy grants it (``details['register_
    entry']`` names the entry, ``details['register_purposes']`` what it lists)."""

    code = "purpose_not_in_register"
# --- what-if scenarios (belfort.twin.scenarios) ---


class ScenarioInvalid(InvalidRequest):
    """A scenario or a street link is wrong: unknown zones or links, a window that ends before
    it starts or is longer than ``BELFORT_TWIN_SCENARIO_MAX_HOURS``, a link from a zone to
    itself, a bad width or length (``details['problems']`` lists every problem)."""

    code = "scenario_invalid"
    http_status = 422


class ZoneGraphTooLarge(InvalidRequest):
    """More street links than ``BELFORT_TWIN_SCENARIO_MAX_LINKS`` (or more scenarios kept than
    ``BELFORT_TWIN_SCENARIO_MAX_SAVED``)."""

    code = "zone_graph_too_large"
    http_status = 413


class ScenarioNotFound(NotFound):
    code = "scenario_not_found"


class ZoneLinkNotFound(NotFound):
    code = "zone_link_not_found"


class ZoneLinkExists(Conflict):
    """A street link with this id (or between these two zones) exists already."""

    code = "zone_link_exists"


# --- twin forecasts: the backtest's input file (belfort.twin.forecast) ---


class ForecastInputInvalid(ValidationFailed):
    """A counts file the forecast backtest cannot use: unreadable, without the
    ``sensor_id,timestamp,count`` columns, too large, or with too little usable history.
    The message says what; ``details`` may carry the report of what was read."""

    code = "forecast_input_invalid"


# --- twin forecasts served: the model registry (belfort.twin.forecasting) ---


class ForecastModelNotFound(NotFound):
    """No registered forecast model has this version."""

    code = "forecast_model_not_found"


class ForecastHistoryTooShort(Conflict):
    """Too little history of the platform's own observations to train (or backtest) a
    forecast model; the message says how much there is and about how much is needed."""

    code = "forecast_history_too_short"


# --- Gent in Cijfers (belfort.cijfers) ---


class IndicatorInvalid(InvalidRequest):
    """An indicator or its definition is refused when saved: a filter that does not parse,
    unknown fields, incompatible periods, an unknown dataset or area level, or an imported
    table with unknown area codes (``details['problems']`` lists every problem, per row for a
    table)."""

    code = "indicator_invalid"
    http_status = 422


class IndicatorNotFound(NotFound):
    code = "indicator_not_found"


class IndicatorSourceClosed(IndicatorInvalid):
    """An indicator's source is no longer open to everyone (or no longer published): its
    values are withdrawn, since indicators are public."""

    code = "indicator_source_closed"


# --- operations: the catalogue database out of reach (belfort.commands.operations) ---


class DatabaseUnavailable(BelfortError):
    """The catalogue database cannot be reached (down, refusing connections, or a wrong
    address); the message names the kind of failure, never the URL or its password."""

    code = "database_unavailable"
    http_status = 503
    exit_code = 7


# --- data quality (belfort.quality) ---


class QualityRuleInvalid(InvalidRequest):
    """A data-quality rule that cannot be saved: it does not parse, names a field the
    dataset does not have, compares values of the wrong type, or passes a limit (rules per
    dataset, characters per rule, pattern length). The message names the rule."""

    code = "invalid_quality_rule"
    http_status = 422


class QualityGateBlocked(BelfortError):
    """A version's data quality is below the publication gate of its dataset's
    classification (``belfort.quality.gate``): it is not published. ``details['failing']``
    lists the rules (and dimensions) at fault with their figures; publishing anyway needs an
    override with a written reason."""

    code = "quality_gate_blocked"
    http_status = 422
    exit_code = 9


class LakeUnavailable(BelfortError):
    """The lake's object store (``BELFORT_LAKE_URL``) cannot be reached or refused a request:
    a version file not cached on this node cannot be read, nothing can be published. The
    message names the kind of failure, never a key or secret."""

    code = "lake_unavailable"
    http_status = 503
    exit_code = 7
    retry_after_seconds = 5


class LakeSettingsInvalid(BelfortError):
    """``BELFORT_LAKE_URL`` and its settings do not name a usable bucket (malformed address,
    no such bucket, credentials refused): refused at start-up."""

    code = "lake_settings_invalid"
    http_status = 500
    exit_code = 2
