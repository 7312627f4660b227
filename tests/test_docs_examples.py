"""Docs that cannot drift: every ``curl`` and ``belfort`` example in README.md and docs/*.md
runs against a real demo server, and fails the suite when it breaks.

One ``belfort demo --small`` data directory in a temporary directory, one ``belfort serve``
(uvicorn) subprocess on a free port. ``curl`` is the real curl binary, with the documented
host (http://127.0.0.1:8000 or http://localhost:8000) rewritten to the test server;
``belfort`` is this checkout's command with ``BELFORT_DATA_DIR`` set to the same data
directory and ``BELFORT_KEY`` holding an admin key made for the run. Commands run in a
working directory holding the small files the examples name (``tellingen.csv``, …).

An example fails when a shell would not run it as written (tests/docs_examples.py), when
it exits non-zero, or when curl gets a status of 400 or more — unless the example says so
with ``# → 404``. Examples that cannot run carry ``<!-- not run: REASON -->`` in the doc;
they are counted and listed, and there may be only a few (docs/README.md).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.docs_examples import Example, ShellSyntaxError, examples_in, split_words

DOCUMENTED_HOSTS = ("http://127.0.0.1:8000", "http://localhost:8000")
MAX_NOT_RUN = 6  # examples marked "not run"; keep them few
BIN = Path(sys.executable).parent

# The user's own files the examples name, small and realistic.
EXAMPLE_FILES = {
    "tellingen.csv": "telpunt,tijdstip,aantal\nKorenmarkt,2024-07-15T08:00:00,412\n"
    "Korenmarkt,2024-07-15T09:00:00,530\nVeldstraat,2024-07-15T08:00:00,388\n",
    "bezetting.csv": "parking,tijdstip,bezet,capaciteit\n"
    "P01 Vrijdagmarkt,2024-07-15T08:00:00,312,632\n"
    "P02 Reep,2024-07-15T08:00:00,201,462\n",
    "metingen.csv": "station,tijdstip,no2\nMarylebone Road,2024-07-15 08:00:00,41.5\n"
    "Marylebone Road,2024-07-15 09:00:00,44.0\n",
    "query.rq": "PREFIX dcat: <http://www.w3.org/ns/dcat#>\n"
    "SELECT ?dataset WHERE { ?dataset a dcat:Dataset } LIMIT 5\n",
}


def documents() -> list[Path]:
    return [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]


def all_examples() -> list[Example]:
    return [e for doc in documents() for e in examples_in(doc, REPO_ROOT)]


EXAMPLES = all_examples()
RUN = [e for e in EXAMPLES if e.kind in {"curl", "belfort"} and e.not_run is None]


@dataclass
class DocsServer:
    url: str
    data_dir: Path
    workdir: Path
    env: dict[str, str]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def docs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DocsServer]:
    root = tmp_path_factory.mktemp("docs-examples")
    data_dir, workdir = root / "data", root / "work"
    workdir.mkdir()
    for name, text in EXAMPLE_FILES.items():
        (workdir / name).write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BELFORT_")}
    env |= {"BELFORT_DATA_DIR": str(data_dir), "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}"}
    belfort = str(BIN / "belfort")
    subprocess.run(
        [belfort, "demo", "--small", "--load-only"],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    made = subprocess.run(
        [belfort, "keys", "create", "docs examples"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    env["BELFORT_KEY"] = made.stdout.strip().splitlines()[-1]
    port = _free_port()
    log = (root / "server.log").open("w")
    server = subprocess.Popen(
        [belfort, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/health", timeout=2):
                    break
            except OSError:
                assert server.poll() is None, (
                    f"the docs server stopped: {(root / 'server.log').read_text()}"
                )
                assert time.monotonic() < deadline, (
                    "the docs server did not answer /health within 60 s"
                )
                time.sleep(0.1)
        yield DocsServer(url, data_dir, workdir, env)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _rewrite(word: str, url: str) -> str:
    for host in DOCUMENTED_HOSTS:
        word = word.replace(host, url)
    return word


def run_example(example: Example, server: DocsServer) -> str | None:
    """Run one example; None when it did what the doc says, else what went wrong."""
    if example.error:
        return example.error
    words, _ = split_words(example.text, server.env)
    words = [_rewrite(w, server.url) for w in words]
    if example.kind == "curl":
        curl = shutil.which("curl")
        assert curl, "curl is missing: scripts/test installs it (apt-get install -y curl)"
        outside = [
            w
            for w in words[1:]
            if w.startswith(("http://", "https://")) and not w.startswith(server.url)
        ]
        if outside:
            return f"asks a host other than the documented local server: {outside}"
        argv = [
            curl,
            *words[1:],
            "--silent",
            "--show-error",
            "--max-time",
            "60",
            "--write-out",
            "\n%{http_code}",
        ]
    else:
        argv = [str(BIN / "belfort"), *words[1:]]
    done = subprocess.run(
        argv, cwd=server.workdir, env=server.env, capture_output=True, text=True, timeout=120
    )
    output = (done.stdout[-1500:] + done.stderr[-1500:]).strip()
    if example.kind == "curl":
        if done.returncode != 0:
            return f"curl exited {done.returncode}: {output}"
        status = int(done.stdout.rstrip().rsplit("\n", 1)[-1])
        expected = example.expected_status
        if expected is not None and status != expected:
            return f"answered {status}, the doc says {expected}: {output}"
        if expected is None and status >= 400:
            return (
                f"answered {status} (if that is the point of the example, say so with "
                f"'# → {status}'): {output}"
            )
        return None
    if done.returncode != example.expected_exit:
        return f"exited {done.returncode}, expected {example.expected_exit}: {output}"
    return None


@pytest.mark.parametrize("example", RUN, ids=[e.where for e in RUN])
def test_documented_example_runs(example: Example, docs_server: DocsServer) -> None:
    problem = run_example(example, docs_server)
    assert problem is None, f"{example.where}: {example.text}\n→ {problem}"


def test_examples_found_and_not_run_are_few(request: pytest.FixtureRequest) -> None:
    """The docs have examples (the extraction did not silently find nothing), and the
    ones marked "not run" are few; the counts are written to the test report."""
    curl = [e for e in EXAMPLES if e.kind == "curl"]
    belfort = [e for e in EXAMPLES if e.kind == "belfort"]
    not_run = [e for e in EXAMPLES if e.kind in {"curl", "belfort"} and e.not_run is not None]
    other = [e for e in EXAMPLES if e.kind == "other"]
    lines = [
        f"docs examples: {len(RUN)} run ({len(curl)} curl, {len(belfort)} belfort in all), "
        f"{len(not_run)} marked not run, {len(other)} other commands not run"
    ]
    lines += [f"  not run: {e.where} {' '.join(e.words[:3])} — {e.not_run}" for e in not_run]
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    for line in lines:
        request.node.user_properties.append(("docs_examples", line))
        if reporter is not None and capture is not None:
            with capture.global_and_fixture_disabled():
                reporter.write_line(line)
    assert len(curl) >= 15 and len(belfort) >= 3, lines[0]
    assert len(not_run) <= MAX_NOT_RUN, "\n".join(lines)


# --- the extraction itself ------------------------------------------------------------------


def _doc(tmp_path: Path, text: str) -> list[Example]:
    path = tmp_path / "doc.md"
    path.write_text(text, encoding="utf-8")
    return examples_in(path, tmp_path)


def test_extraction_joins_continuations_drops_prompts_and_reads_markers(tmp_path: Path) -> None:
    found = _doc(
        tmp_path,
        (
            "Intro.\n\n```sh\n"
            "$ curl -H 'Accept: text/turtle' \\\n"
            '    "http://127.0.0.1:8000/catalog?page=2&page_size=5"   # Turtle\n'
            "# a comment line\n"
            "curl http://127.0.0.1:8000/datasets/nope   # → 404\n"
            'belfort keys create "data team"\n'
            "```\n\n"
            "<!-- not run: starts a server -->\n"
            "```bash\nbelfort serve --port 8000\n```\n\n"
            "```console\n$ belfort datasets list\nid  state\nx   draft\n```\n\n"
            "```python\ncurl = 1\n```\n"
        ),
    )
    assert [(e.line, e.kind) for e in found] == [
        (4, "curl"),
        (7, "curl"),
        (8, "belfort"),
        (13, "belfort"),
        (17, "belfort"),
    ]
    first = found[0]
    assert first.words == (
        "curl",
        "-H",
        "Accept: text/turtle",
        "http://127.0.0.1:8000/catalog?page=2&page_size=5",
    )
    assert first.comment == "Turtle" and first.error is None
    assert found[1].expected_status == 404 and first.expected_status is None
    assert found[2].words[-1] == "data team"
    assert found[3].not_run == "starts a server" and found[2].not_run is None
    assert found[4].words == ("belfort", "datasets", "list")


@pytest.mark.parametrize(
    "command",
    [
        "curl http://127.0.0.1:8000/catalog.rdf?page=2&page_size=500",  # the linked-data.md bug
        "curl http://127.0.0.1:8000/catalog?page=2",  # zsh: no matches found
        "curl http://127.0.0.1:8000/x | jq .",
        "curl http://127.0.0.1:8000/x; rm -rf /",
        "curl http://127.0.0.1:8000/x > out.json",
        "curl $(cat url)",
    ],
)
def test_a_command_a_shell_would_not_run_as_written_is_refused(
    command: str, tmp_path: Path
) -> None:
    with pytest.raises(ShellSyntaxError):
        split_words(command)
    (example,) = _doc(tmp_path, f"```sh\n{command}\n```\n")
    assert example.error


def test_variables_quotes_and_comments_as_a_shell_reads_them() -> None:
    words, comment = split_words(
        """curl -H "Authorization: Bearer $KEY" 'http://h/$NOT' a\\ b "${KEY}x" # → 201""",
        {"KEY": "s3cret"},
    )
    assert words == [
        "curl",
        "-H",
        "Authorization: Bearer s3cret",
        "http://h/$NOT",
        "a b",
        "s3cretx",
    ]
    assert comment == "→ 201"
    assert split_words("curl http://h/a#frag")[0] == ["curl", "http://h/a#frag"]
