"""The Gent in Cijfers pages (issue 18 item 4): the overview (``/cijfers``), a wijk's profile
(``/cijfers/wijken/{code}``), two to four wijken compared (``/cijfers/vergelijk?wijk=…``), an
indicator's map (``/cijfers/indicatoren/{code}?periode=…``) and the CSV downloads per wijk
and per indicator. Thin adapters over ``belfort.cijfers.published`` (protected values only)
and ``belfort.portal.cijfers_views``. Bad input is a 4xx page, never a 500."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from belfort.api.deps import get_platform
from belfort.cijfers import profile, published
from belfort.cijfers.geography import Area, Geography, geography_of
from belfort.cijfers.periods import type_of
from belfort.errors import InvalidRequest, NotFound
from belfort.platform import Platform
from belfort.policy.principals import Principal
from belfort.portal import cijfers_svg, cijfers_views
from belfort.portal.i18n import Translator, language_of
from belfort.portal.pages import portal_principal
from belfort.portal.render import environment, render

router = APIRouter(include_in_schema=False)

MIN_COMPARED, MAX_COMPARED = 2, 4
MAX_PARAM = 60
MAX_PROFILES = 64  # 25 wijken × 2 languages fit


def _infos(platform: Platform) -> list[published.IndicatorInfo]:
    with platform.db.session() as session:
        return published.indicators(session)


@router.get("/cijfers")
async def overview(request: Request, platform: Platform = Depends(get_platform),
                   principal: Principal = Depends(portal_principal)) -> Response:
    infos = await run_in_threadpool(_infos, platform)
    geography = await run_in_threadpool(geography_of, platform)  # may read the sectors' file
    t = Translator(language_of(request))
    return render(request, "cijfers.html", principal, active="cijfers",
                  themes=cijfers_views.by_theme(infos, t), wijken=geography.wijken,
                  modelled=any(i.modelled for i in infos), compare_min=MIN_COMPARED,
                  compare_max=MAX_COMPARED)


def _series_data(platform: Platform, geography: Geography, wijken: Sequence[str]
                 ) -> tuple[list[published.IndicatorInfo], dict[str, published.Series]]:
    with platform.db.session() as session:
        infos = published.indicators(session)
        return infos, published.areas_series(session, infos, geography, wijken)


def _wijk(geography: Geography, code: str) -> Area:
    return published.wijk_of(geography, code[:MAX_PARAM])


class ProfileCache:
    """Profiles built since the catalogue's last change (``platform.generation``: every
    write of indicator values bumps it), per wijk and language; at most ``MAX_PROFILES``."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.generation: object = None
        self.views: OrderedDict[tuple[str, str], cijfers_views.Profile] = OrderedDict()
        # the indicators and every wijk's latest figures: the same for every profile
        self.shared: tuple[list[published.IndicatorInfo],
                           dict[str, published.WijkFigures]] | None = None

    def view(self, platform: Platform, geography: Geography, wijk: Area,
             lang: str) -> cijfers_views.Profile:
        generation = platform.generation.current()  # read before the data: never newer
        key = (wijk.code, lang)
        with self.lock:
            if generation != self.generation:
                self.views.clear()
                self.shared = None
                self.generation = generation
            found = self.views.get(key)
            if found is not None:
                self.views.move_to_end(key)
                return found
            shared = self.shared
        with platform.db.session() as session:
            if shared is None:
                infos = published.indicators(session)
                latest = published.latest_periods(session)
                shared = (infos, published.wijken_at(session, infos, latest))
            infos, others = shared
            series = published.areas_series(session, infos, geography, [wijk.code])
        view = cijfers_views.wijk_profile(wijk, geography, infos, series, others,
                                          Translator(lang))
        with self.lock:
            if generation == self.generation:
                self.shared = shared
                self.views[key] = view
                while len(self.views) > MAX_PROFILES:
                    self.views.popitem(last=False)
        return view


def _profile(platform: Platform, geography: Geography, wijk: Area,
             lang: str) -> cijfers_views.Profile:
    cache = platform.component(ProfileCache, lambda _p: ProfileCache())
    return cache.view(platform, geography, wijk, lang)


@router.get("/cijfers/wijken/{code}")
async def wijk_page(code: str, request: Request, platform: Platform = Depends(get_platform),
                    principal: Principal = Depends(portal_principal)) -> Response:
    geography = await run_in_threadpool(geography_of, platform)
    wijk = _wijk(geography, code)
    lang = language_of(request)
    view = await run_in_threadpool(_profile, platform, geography, wijk, lang)
    if view.html is None:  # the same for every visitor: rendered once per kept profile
        view.html = environment().get_template("cijfers_wijk_main.html").render(
            t=Translator(lang), lang=lang, view=view, percent=round(profile.TOLERANCE * 100),
            thresholds=sorted({i.threshold for i in view.infos if i.threshold}))
    return render(request, "cijfers_wijk.html", principal, active="cijfers", view=view,
                  main=view.html)


@router.get("/cijfers/wijken/{code}/cijfers.csv")
async def wijk_download(code: str, platform: Platform = Depends(get_platform)) -> Response:
    geography = await run_in_threadpool(geography_of, platform)
    wijk = _wijk(geography, code)
    _infos, series = await run_in_threadpool(_series_data, platform, geography, [wijk.code])
    return _csv(published.wijk_csv(series, wijk, geography), f"gent-in-cijfers-wijk-{wijk.code}")


def _compared(geography: Geography, request: Request) -> list[Area]:
    if len(request.query_params.multi_items()) > 20:
        raise InvalidRequest("too many parameters")
    asked = request.query_params.getlist("wijk")
    if not MIN_COMPARED <= len(asked) <= MAX_COMPARED:
        raise InvalidRequest(f"wijk: name {MIN_COMPARED} to {MAX_COMPARED} wijken "
                             f"(?wijk=1&wijk=2)", details={"say": "compare_count"})
    wijken = [_wijk(geography, a) for a in asked]
    if len({w.code for w in wijken}) != len(wijken):
        raise InvalidRequest("wijk: each wijk once")
    return wijken


@router.get("/cijfers/vergelijk")
async def compare_page(request: Request, platform: Platform = Depends(get_platform),
                       principal: Principal = Depends(portal_principal)) -> Response:
    geography = await run_in_threadpool(geography_of, platform)
    wijken = _compared(geography, request)
    infos, series = await run_in_threadpool(_series_data, platform, geography,
                                            [w.code for w in wijken])
    t = Translator(language_of(request))
    themes, notes = cijfers_views.compare_rows(wijken, geography, infos, series, t)
    return render(request, "cijfers_compare.html", principal, active="cijfers", wijken=wijken,
                  themes=themes, notes=notes, modelled=any(i.modelled for i in infos),
                  thresholds=sorted({i.threshold for i in infos if i.threshold}))


def _indicator(platform: Platform, geography: Geography, code: str) -> published.Series:
    with platform.db.session() as session:
        info = published.indicator_info(session, code[:MAX_PARAM])
        return published.indicator_series(session, info, geography)


@router.get("/cijfers/indicatoren/{code}")
async def indicator_page(code: str, request: Request, platform: Platform = Depends(get_platform),
                         principal: Principal = Depends(portal_principal)) -> Response:
    geography = await run_in_threadpool(geography_of, platform)
    series = await run_in_threadpool(_indicator, platform, geography, code)
    period = _period(series, request.query_params.get("periode"))
    t = Translator(language_of(request))
    view = cijfers_views.indicator_map(series, period, geography, t) if period else None
    return render(request, "cijfers_indicator.html", principal, active="cijfers",
                  series=series, period=period, view=view, modelled_map=geography.modelled,
                  hatch=cijfers_svg.hatch_swatch("hidden"), none_fill=cijfers_svg.NO_VALUE_FILL)


def _period(series: published.Series, asked: str | None) -> str | None:
    if asked is None or asked == "":
        return series.latest
    text = asked.strip()[:20]
    if type_of(text) is None:
        raise InvalidRequest(f"periode: a period such as 2024, 2024-H1, 2024-Q3 or 2024-07, "
                             f"not {text!r}")
    if text not in series.periods:
        raise NotFound(f"{series.info.code!r} has no period {text!r}",
                       details={"say": "cijfers_period"})
    return text


@router.get("/cijfers/indicatoren/{code}/waarden.csv")
async def indicator_download(code: str, platform: Platform = Depends(get_platform)) -> Response:
    geography = await run_in_threadpool(geography_of, platform)
    series = await run_in_threadpool(_indicator, platform, geography, code)
    return _csv(published.indicator_csv(series, geography), f"gent-in-cijfers-{series.info.code}")


def _csv(text: str, name: str) -> Response:
    return Response(text.encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
