"""The HTTP application, composed: the API's and the portal's routers on one platform.

Composition lives here, above both adapters (docs/architecture.md, "Layers"): ``belfort.api``
knows nothing of the portal; this module gives the error handlers the portal's HTML error
page and mounts the portal's static files.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

import anyio
from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from belfort import __version__, metrics, upkeep
from belfort.api import access_requests as access_requests_api
from belfort.api import alerts as alerts_api
from belfort.api import (
    audit,
    dcat,
    ingest,
    ldes,
    linked_records,
    log_redaction,
    native,
    shutdown,
    sparql,
)
from belfort.api import cijfers as cijfers_api
from belfort.api import dashboards as dashboards_api
from belfort.api import fields as fields_api
from belfort.api import fiware as fiware_api
from belfort.api import forecasts as forecasts_api
from belfort.api import governance as governance_api
from belfort.api import metadata_quality as metadata_quality_api
from belfort.api import observations as observations_api
from belfort.api import operations as operations_api
from belfort.api import organisations as organisations_api
from belfort.api import policies as policies_api
from belfort.api import quality as quality_api
from belfort.api import quality_kpis as quality_kpis_api
from belfort.api import register as register_api
from belfort.api import scenarios as scenarios_api
from belfort.api import sta as sta_api
from belfort.api import transparency as transparency_api
from belfort.api import zones as zones_api
from belfort.api.cache_header import CacheStatusMiddleware
from belfort.api.caching import PrivateAnswers
from belfort.api.cors import CorsMiddleware
from belfort.api.errors import install_error_handlers
from belfort.api.observability import Observability
from belfort.api.ods import downloads as ods_downloads
from belfort.api.ods import v1 as ods_v1
from belfort.api.ods import v2 as ods_v2
from belfort.api.ods import v2_catalog as ods_v2_catalog
from belfort.api.openapi import openapi_builder
from belfort.api.params import declared_parameters_only
from belfort.api.quotas import QuotaMiddleware
from belfort.api.responses import JSONResponse
from belfort.api.security_headers import SecurityHeaders
from belfort.api.threads import size_threads
from belfort.audit.log import audit_log
from belfort.cijfers import dataset as cijfers_dataset
from belfort.cijfers import hooks as cijfers_hooks
from belfort.dashboards.forecasts import ForecastReader, set_forecast_reader
from belfort.dashboards.store import ensure_default as ensure_default_dashboard
from belfort.linked.store import linked_data
from belfort.platform import Platform
from belfort.portal import access_request_pages as portal_access_requests
from belfort.portal import charts
from belfort.portal import cijfers_pages as portal_cijfers
from belfort.portal import dashboard_pages as portal_dashboards
from belfort.portal import dashboard_staff as portal_dashboard_staff
from belfort.portal import dataset_page as portal_dataset
from belfort.portal import explore_urls as portal_explore_urls
from belfort.portal import forecast_pages as portal_forecasts
from belfort.portal import map_base as portal_map_base
from belfort.portal import organisation_pages as portal_organisations
from belfort.portal import pages as portal_pages
from belfort.portal import quality_pages as portal_quality
from belfort.portal import register_pages as portal_register
from belfort.portal import register_staff as portal_register_staff
from belfort.portal import scenario_pages as portal_scenarios
from belfort.portal import staff as portal_staff
from belfort.portal import staff_access_requests as portal_staff_access_requests
from belfort.portal import staff_alerts as portal_staff_alerts
from belfort.portal import staff_fields as portal_staff_fields
from belfort.portal import staff_governance as portal_staff_governance
from belfort.portal import staff_oidc as portal_staff_oidc
from belfort.portal import staff_organisations as portal_staff_organisations
from belfort.portal import staff_policies as portal_staff_policies
from belfort.portal import staff_sensors as portal_staff_sensors
from belfort.portal import transparency_page as portal_transparency
from belfort.portal.errors import error_page
from belfort.portal.render import STATIC_DIR
from belfort.quality import dataset as quality_dataset
from belfort.settings import Settings, load_settings
from belfort.streams import live_catalog
from belfort.streams.mqtt import MqttBridgeSlot, start_mqtt_bridge
from belfort.twin.datasets import register_live_sources
from belfort.twin.forecasting import dataset as forecast_dataset
from belfort.twin.forecasting import source as forecast_source


def create_app(platform: Platform | None = None, settings: Settings | None = None) -> FastAPI:
    """Build the app. Without a platform, one is built from settings at start-up."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = platform is None
        app.state.platform = platform or Platform(settings or load_settings())
        size_threads(app.state.platform.settings.threads)  # BELFORT_THREADS (belfort.api.threads)
        app.state.secret = portal_staff.staff_secret(app.state.platform)  # signs the staff forms
        register_live_sources(app.state.platform)  # druktebarometer-info, drukte-per-zone
        quality_dataset.register(app.state.platform)  # datakwaliteit: quality results as data
        if app.state.platform.settings.quality_dataset:
            quality_dataset.ensure_quality_dataset(app.state.platform)
        ensure_default_dashboard(app.state.platform)  # the default Ghent dashboard, when absent
        forecast_source.install(app.state.platform)  # forecast_above alert rules read these
        # dashboard tiles show the forecasts beside their live values
        set_forecast_reader(app.state.platform, ForecastReader(forecast_source.forecast_dict,
                                                               forecast_source.zone_names))
        forecast_dataset.register(app.state.platform)  # drukteverwachting-per-zone
        cijfers_hooks.install(app.state.platform)  # indicators follow their sources' versions
        cijfers_dataset.register(app.state.platform)  # gent-in-cijfers
        if owned:
            quieten_garbage_collector()
            # the chart renderer's first call takes ~0.6 s: pay it before the first visitor
            threading.Thread(target=charts.warm_up, name="chart-warm-up", daemon=True).start()
            # the SPARQL store of BELFORT_PUBLIC_URL (~15 s for 10,000 datasets) before the first query
            threading.Thread(target=linked_data(app.state.platform).warm_up, name="sparql-warm-up", daemon=True).start()
            # BELFORT_MQTT_URL: this process's MQTT bridge (a shared subscription per worker)
            app.state.platform.component(MqttBridgeSlot, start_mqtt_bridge)
            # signs the audit trail's time-based checkpoints (BELFORT_AUDIT_CHECKPOINT_MINUTES)
            audit_log(app.state.platform).start()
        # live datasets of the sensors registered so far are in the catalogue before the first
        # request
        await anyio.to_thread.run_sync(partial(live_catalog.sync, app.state.platform, force=True))
        # compaction, alert rules, forecasts, live data quality: here only with
        # BELFORT_UPKEEP=serving (else in the upkeep process of `belfort serve`, or `belfort upkeep`)
        jobs = (upkeep.BackgroundJobs(app.state.platform)
                if owned and app.state.platform.settings.upkeep == "serving" else None)
        # the queue depths of /metrics, sampled in each worker
        sampler = operations_api.QueueSampler(app.state.platform).start() if owned else None
        try:
            yield
        finally:
            if sampler is not None:
                sampler.stop()
                metrics.process_exiting()
            if jobs is not None:
                jobs.stop()
            if owned:
                app.state.platform.close()

    app = FastAPI(
        title="Belfort",
        version=__version__,
        description="Urban Data Platform: catalogue, ingest and query APIs.",
        lifespan=lifespan,
        default_response_class=JSONResponse,
        # FastAPI's /docs and /redoc pages load scripts from a CDN; Belfort must run in a
        # closed network, so they are off. The OpenAPI document itself is served.
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(declared_parameters_only)],  # routes read only what they document
    )
    log_redaction.install()  # ?apikey= values never reach the access log in clear
    app.openapi = openapi_builder(app)  # type: ignore[method-assign]  # FastAPI documents replacing app.openapi
    if platform is not None:
        app.state.platform = platform
        app.state.secret = portal_staff.staff_secret(platform)
    effective = platform.settings if platform is not None else (settings or load_settings())
    app.add_middleware(CacheStatusMiddleware)  # which kept answers served a response
    app.add_middleware(
        QuotaMiddleware,
        per_address=effective.quota_per_address,
        per_key=effective.quota_per_key,
        window_seconds=effective.quota_window_seconds,
        trust_forwarded_for=effective.trust_forwarded_for,
    )
    app.add_middleware(PrivateAnswers, public_keys=effective.public_api_key_set)
    app.add_middleware(SecurityHeaders, tile_url=effective.map_tile_url,
                       dashboard_frame_ancestors=effective.dashboard_frame_ancestors)
    app.add_middleware(CorsMiddleware)  # preflight before quotas, CORS on a 429 too
    app.add_middleware(Observability)  # X-Request-ID, the figures of /metrics
    if effective.trusted_proxies.strip():
        # outermost: the scheme (https → Secure cookies) and client address a trusted
        # reverse proxy reports, before anything reads them
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=effective.trusted_proxies)
    install_error_handlers(app, html_page=error_page)
    app.include_router(operations_api.router)  # /ready, /metrics
    app.include_router(native.router)
    app.include_router(fiware_api.router)  # POST /iot/json
    app.include_router(fields_api.router)
    app.include_router(quality_api.router)
    app.include_router(quality_kpis_api.router)
    app.include_router(governance_api.router)  # roles, metadata reviews, the worklist
    app.include_router(metadata_quality_api.router)
    app.include_router(ingest.router)
    app.include_router(observations_api.router)
    app.include_router(organisations_api.router)
    app.include_router(audit.router)
    app.include_router(transparency_api.router)
    app.include_router(ods_v1.router)
    app.include_router(ods_v2.router)
    app.include_router(ods_v2_catalog.router)
    app.include_router(ods_downloads.router)  # before the portal's /explore/dataset/{id}/{tab}
    app.include_router(dcat.router)
    app.include_router(sparql.router)
    app.include_router(ldes.router)
    app.include_router(sta_api.router)  # SensorThings API v1.1 at /sta/v1.1/
    app.include_router(linked_records.router)
    app.include_router(portal_pages.router)
    app.include_router(portal_organisations.router)
    app.include_router(portal_quality.router)
    app.include_router(portal_transparency.router)
    app.include_router(portal_scenarios.router)
    app.include_router(portal_forecasts.router)
    app.include_router(portal_cijfers.router)  # /cijfers: Gent in Cijfers pages (issue 18)
    app.include_router(portal_dataset.router)
    app.include_router(portal_map_base.router)
    app.include_router(portal_explore_urls.router)
    app.include_router(portal_staff.router)
    app.include_router(portal_staff_oidc.router)  # /staff/sign-in/oidc, /staff/sign-in/callback
    app.include_router(portal_staff_fields.router)
    app.include_router(portal_staff_organisations.router)
    app.include_router(portal_staff_governance.router)  # /staff/governance: the worklist
    app.include_router(portal_staff_policies.router)
    app.include_router(portal_access_requests.router)  # /toegangsaanvragen (issue 14 item 5)
    app.include_router(portal_staff_access_requests.router)  # /staff/access-requests
    app.include_router(portal_staff_sensors.router)
    app.include_router(portal_staff_alerts.router)
    app.include_router(register_api.router)
    app.include_router(zones_api.router)
    app.include_router(cijfers_api.router)  # Swing: /jiveservices/odata/, /jive/selectiontableasjson.ashx
    app.include_router(cijfers_api.native)  # /api/belfort/v1/indicators
    app.include_router(alerts_api.router)
    app.include_router(forecasts_api.router)
    app.include_router(scenarios_api.router)
    app.include_router(policies_api.router)
    app.include_router(access_requests_api.router)
    app.include_router(portal_register.router)
    app.include_router(portal_register_staff.router)
    app.include_router(dashboards_api.router)
    app.include_router(portal_dashboards.router)
    app.include_router(portal_dashboard_staff.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/api/", tags=["operations"], summary="Where to start (JSON)")
    def index() -> JSONResponse:
        return JSONResponse(
            {
                "name": "Belfort",
                "version": __version__,
                "links": {
                    "portal": "/",
                    "datasets": "/api/belfort/v1/datasets",
                    "openapi": "/openapi.json",
                    "health": "/health",
                    "ready": "/ready",
                },
            }
        )

    @app.get("/health", tags=["operations"], summary="Liveness and version")
    def health() -> JSONResponse:
        return JSONResponse({"status": "ok", "version": __version__})

    return app


def quieten_garbage_collector() -> None:
    """Fewer, cheaper pauses in a serving process.

    Python's full collections walk every live object; in a server that holds
    import-time objects and caches they were the largest source of tail latency
    (bench/README.md: p99 of a cached search 70-77 ms → 18-33 ms under load). Objects
    that exist at start-up are moved out of the collector's sight (``gc.freeze``) and
    young-generation collections run after 100,000 allocations instead of 700.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)


def app_from_environment() -> FastAPI:
    """Entry point for ``uvicorn --factory belfort.app:app_from_environment``."""
    shutdown.install()  # live streams learn of SIGTERM and tell their clients to reconnect
    return create_app()
