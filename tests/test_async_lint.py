"""Nothing blocks the event loop: the rule of ``tests/async_lint.py`` over ``belfort.api``
and ``belfort.portal``, and the rule itself on planted examples."""

from __future__ import annotations

import textwrap

from tests.async_lint import Checker, package_sources
from tests.conftest import REPO_ROOT


def _findings(sources: dict[str, str]) -> list[str]:
    checker = Checker({name: textwrap.dedent(text) for name, text in sources.items()})
    return [f"{f.function}:{f.call}" for f in checker.findings()]


def test_no_async_function_in_the_api_or_portal_blocks_the_event_loop() -> None:
    sources, packages = package_sources(REPO_ROOT / "src")
    checker = Checker(sources, packages)
    assert (
        len(checker.sync) > 500 and "belfort.publishing.ingest_file" in checker.blocking
    )  # the rule sees the code
    findings = checker.findings()
    assert not findings, (
        "blocking calls on the event loop (make the handler a plain def, or move the "
        "work into run_in_threadpool):\n" + "\n".join(map(str, findings))
    )


WRITES = """
    from belfort.platform import Platform

    def _touch_catalogue(platform):
        with platform.db.session() as session:
            session.commit()

    def update_metadata(platform, changes):
        return _touch_catalogue(platform)

    def pure(x):
        return x + 1
"""


def test_the_rule_catches_a_planted_blocking_handler() -> None:
    handler = """
        import time
        import shutil
        from starlette.concurrency import run_in_threadpool
        from belfort.writes import update_metadata, pure
        from belfort import writes

        async def patch(request, platform):
            changes = await request.json()            # awaited: asynchronous
            pure(changes)                             # no I/O anywhere
            update_metadata(platform, changes)        # blocks: through a helper into the db
            writes.update_metadata(platform, changes) # the same, through the module
            await run_in_threadpool(update_metadata, platform, changes)            # fine
            await run_in_threadpool(lambda: update_metadata(platform, changes))    # fine
            platform.engine.run("select 1")           # blocks: the engine
            platform.lake.new_staging_dir()           # blocks: the data directory
            with open("/tmp/x", "wb") as handle:      # blocks: file I/O
                handle.write(b"x")
            time.sleep(1)                             # blocks
            shutil.rmtree("/tmp/x")                   # blocks

            def helper():
                return platform.db.session()

            helper()                                  # blocks: a nested helper called directly
            await run_in_threadpool(helper)           # fine
    """
    found = _findings({"belfort.writes": WRITES, "belfort.api.bad": handler})
    assert found == [
        "patch:update_metadata",
        "patch:writes.update_metadata",
        "patch:platform.engine.run",
        "patch:platform.lake.new_staging_dir",
        "patch:open",
        "patch:time.sleep",
        "patch:shutil.rmtree",
        "patch:helper",
    ]


def test_the_rule_follows_a_helper_that_opens_a_session_and_awaited_calls_are_not_blocking() -> (
    None
):
    pages = """
        from fastapi import Request

        def _edit_page(request, platform, dataset_id):
            with platform.db.session() as session:
                return session.get(object, dataset_id)

        async def save(request: Request, platform):
            form = await request.form()
            await platform.aio.open()                 # awaited: an async API, whatever its name
            return _edit_page(request, platform, form["id"])

        def plain(request, platform):                 # a plain def runs in the thread pool
            return _edit_page(request, platform, "x")
    """
    assert _findings({"belfort.portal.bad": pages}) == ["save:_edit_page"]


def test_the_rule_checks_async_dependencies_and_only_the_api_and_portal() -> None:
    deps = """
        async def get_principal(request):
            with request.app.state.platform.db.session() as session:   # a key looked up on the loop
                return session.scalar("...")
    """
    elsewhere = """
        async def not_a_handler(platform):
            platform.db.session()
    """
    assert _findings({"belfort.api.deps": deps, "belfort.linked.worker": elsewhere}) == [
        "get_principal:request.app.state.platform.db.session",
        "get_principal:session.scalar",
    ]
