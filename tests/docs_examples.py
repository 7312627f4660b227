"""The shell examples of README.md and docs/*.md, as ``tests/test_docs_examples.py`` runs them.

An example is a command in a fenced ``sh``, ``bash``, ``shell`` or ``console`` block (in a
``console`` block only the lines after a ``$ `` prompt; elsewhere a leading ``$ `` is
dropped). A trailing backslash, or a quote left open, continues it on the next line. Only
``curl`` and ``belfort`` commands (also ``.venv/bin/belfort``) are run; other commands
(``scripts/…``, ``npx``, ``export``) are counted, not run.

Conventions the docs follow (docs/README.md):

- ``<!-- not run: REASON -->`` on the line before a fence: none of that block's commands
  run (it starts a server, needs the internet, a real key or PostgreSQL).
- ``# → 404`` at the end of a ``curl`` command: the example shows that error on purpose;
  the test checks the status is exactly that. ``# → exit 2`` does the same for a
  ``belfort`` command's exit status.

The commands are split into words here as a POSIX shell would (quotes, backslashes,
``$NAME``), and refused when the shell would do something else than run one command:
an unquoted ``& | ; < > ( )`` (``&`` in a URL starts a background job) or an unquoted
``? * [`` (zsh, macOS's shell, stops with "no matches found").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

FENCE_LANGUAGES = {"sh", "bash", "shell", "console"}
NOT_RUN = re.compile(r"<!--\s*not run:\s*(?P<reason>.+?)\s*-->")
EXPECT_STATUS = re.compile(r"(?:→|->)\s*(?P<status>[1-5]\d\d)\b")
EXPECT_EXIT = re.compile(r"(?:→|->)\s*exit\s+(?P<code>\d+)\b")
OPERATORS = set("&|;<>()")
GLOBS = set("?*[")
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class ShellSyntaxError(ValueError):
    """An example a shell would not run as one plain command."""


class Incomplete(ValueError):
    """The command goes on on the next line (a quote left open, a trailing backslash)."""


@dataclass(frozen=True)
class Example:
    file: str  # relative to the repository
    line: int  # where the command starts (1-based)
    text: str  # as written, continuation lines included
    words: tuple[str, ...]  # split as a shell would, with $NAME left as written
    comment: str
    not_run: str | None  # the marker's reason
    error: str | None = None  # why a shell would not run it as written

    @property
    def kind(self) -> str:
        program = self.words[0] if self.words else ""
        if program == "curl":
            return "curl"
        if program == "belfort" or program.endswith("/belfort"):
            return "belfort"
        return "other"

    @property
    def expected_status(self) -> int | None:
        match = EXPECT_STATUS.search(self.comment)
        return int(match["status"]) if match else None

    @property
    def expected_exit(self) -> int:
        match = EXPECT_EXIT.search(self.comment)
        return int(match["code"]) if match else 0

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


def split_words(text: str, env: Mapping[str, str] | None = None) -> tuple[list[str], str]:
    """``text`` as the words a POSIX shell passes to the program, and the trailing comment.

    ``$NAME`` and ``${NAME}`` outside single quotes are replaced from ``env`` (kept as
    written when ``env`` is None). Raises ``Incomplete`` when the command continues on
    the next line and ``ShellSyntaxError`` for what is not one plain command."""
    words: list[str] = []
    word: list[str] = []
    in_word = False
    i, n = 0, len(text)

    def variable(at: int) -> tuple[str, int]:
        braced = text.startswith("${", at)
        match = NAME.match(text, at + (2 if braced else 1))
        if not match or (braced and not text.startswith("}", match.end())):
            raise ShellSyntaxError(f"a bare or unsupported '$' at column {at + 1}: quote it")
        end = match.end() + (1 if braced else 0)
        if env is None:
            return text[at:end], end
        return env.get(match.group(), ""), end

    while i < n:
        c = text[i]
        if c in " \t\n":
            if in_word:
                words.append("".join(word))
                word, in_word = [], False
            i += 1
        elif c == "#" and not in_word:
            return words, text[i + 1 :].strip()
        elif c == "\\":
            if i + 1 >= n:
                raise Incomplete
            if text[i + 1] != "\n":
                word.append(text[i + 1])
                in_word = True
            i += 2
        elif c == "'":
            end = text.find("'", i + 1)
            if end < 0:
                raise Incomplete
            word.append(text[i + 1 : end])
            in_word, i = True, end + 1
        elif c == '"':
            i += 1
            while True:
                if i >= n:
                    raise Incomplete
                c = text[i]
                if c == '"':
                    break
                if c == "\\" and i + 1 < n and text[i + 1] in '"\\$`\n':
                    if text[i + 1] != "\n":
                        word.append(text[i + 1])
                    i += 2
                elif c == "$":
                    value, i = variable(i)
                    word.append(value)
                elif c == "`":
                    raise ShellSyntaxError("command substitution (`…`) in an example")
                else:
                    word.append(c)
                    i += 1
            in_word, i = True, i + 1
        elif c == "$":
            value, i = variable(i)
            word.append(value)
            in_word = True
        elif c in OPERATORS:
            raise ShellSyntaxError(
                f"an unquoted {c!r} at column {i + 1}: a shell would not run this as one command "
                "(quote the URL or argument)"
            )
        elif c in GLOBS:
            raise ShellSyntaxError(
                f"an unquoted {c!r} at column {i + 1}: zsh stops with 'no matches found' "
                "(quote the URL or argument)"
            )
        elif c == "`":
            raise ShellSyntaxError("command substitution (`…`) in an example")
        else:
            word.append(c)
            in_word = True
            i += 1
    if in_word:
        words.append("".join(word))
    return words, ""


def examples_in(path: Path, root: Path) -> list[Example]:
    """Every command in the shell blocks of one Markdown file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    name = path.relative_to(root).as_posix()
    found: list[Example] = []
    i = 0
    last_text = ""  # the last non-blank line before a fence
    while i < len(lines):
        stripped = lines[i].strip()
        if not stripped.startswith("```"):
            if stripped:
                last_text = stripped
            i += 1
            continue
        fence = stripped[: len(stripped) - len(stripped.lstrip("`"))]
        language = stripped[len(fence) :].strip().split(" ")[0].lower()
        marker = NOT_RUN.search(last_text)
        body_start = i + 1
        end = body_start
        while end < len(lines) and not lines[end].strip().startswith(fence):
            end += 1
        if language in FENCE_LANGUAGES:
            found += _commands(
                lines[body_start:end],
                body_start + 1,
                name,
                language == "console",
                marker["reason"] if marker else None,
            )
        last_text = ""
        i = end + 1
    return found


def _commands(
    block: list[str], first_line: int, file: str, console: bool, not_run: str | None
) -> list[Example]:
    found: list[Example] = []
    i = 0
    while i < len(block):
        line = block[i]
        start = i
        text = line.strip()
        if console:
            if not text.startswith("$ "):
                i += 1  # a console block's output
                continue
        if text.startswith("$ "):
            text = text[2:]
        if not text or text.startswith("#"):
            i += 1
            continue
        error: str | None = None
        while True:
            try:
                words, comment = split_words(text)
            except Incomplete:
                i += 1
                if i >= len(block):
                    words, comment, error = (
                        text.split()[:1],
                        "",
                        ("the command never ends (a quote left open or a trailing backslash)"),
                    )
                    break
                text += "\n" + block[i].rstrip()
                continue
            except ShellSyntaxError as problem:
                words, comment, error = text.split()[:1], "", str(problem)
            break
        found.append(Example(file, first_line + start, text, tuple(words), comment, not_run, error))
        i += 1
    return found
