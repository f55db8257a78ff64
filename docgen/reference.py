"""The reference pages' tables, read from mizan's code so they cannot drift from it.

``mkdocs.yml`` runs :func:`on_page_markdown` as a hook: a page that holds a marker
such as ``<!-- mizan:settings -->`` gets the table in its place. Each table is built
from the code itself (``mizan/conf.py``'s ``SETTINGS``, each with its default and doc;
``mizan.__all__`` and the exception tree drawn in ``mizan.exceptions``; the system
checks' ``Error(...)`` calls, the management commands' parsers, the error codes the
code raises), so a setting, check, command or code added without its documentation
fails ``make docs`` (``--strict``) instead of going unlisted.
"""

from __future__ import annotations

import argparse
import ast
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "mizan"


class DocsError(Exception):
    """The code holds something the reference cannot document (say what, and where)."""


def _setup_django() -> None:
    """Configure a minimal project so management commands can build their parsers."""
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "mizan"],
            DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
            ROOT_URLCONF="mizan.urls",
            USE_TZ=True,
        )
        django.setup()


# -- settings -------------------------------------------------------------------------


def _code(text: str) -> str:
    return "`" + text.replace("|", "\\|") + "`"


def settings_table() -> str:
    from mizan.conf import SETTINGS

    rows = ["| key | default | type | meaning |", "|---|---|---|---|"]
    for setting in SETTINGS:
        if not setting.doc.strip():
            raise DocsError(
                f"mizan/conf.py: the setting {setting.name!r} has no doc; write one line "
                "saying what it does (it becomes the reference's 'meaning')."
            )
        accepts = setting.accepts if isinstance(setting.accepts, tuple) else (setting.accepts,)
        types = " or ".join(t.__name__ for t in accepts)
        meaning = setting.doc.replace("|", "\\|")
        rows.append(f"| `{setting.name}` | {_code(repr(setting.default))} | {types} | {meaning} |")
    return "\n".join(rows) + "\n"


# -- system checks --------------------------------------------------------------------


def _render(node: ast.expr) -> str:
    """A message as its source says it: constant text, each ``{value}`` shown as ``…``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value if isinstance(part, ast.Constant) else "…" for part in node.values
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _render(node.left) + _render(node.right)
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "str":
        return "(the error's own message)"
    return "…"


def _python_files() -> Iterator[Path]:
    yield from sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def system_checks() -> list[dict[str, str]]:
    """Every ``Error``/``Warning``/... with an ``id="mizan.…"`` in mizan's code."""
    found: dict[str, dict[str, str]] = {}
    for path in _python_files():
        tree = ast.parse(path.read_text(), str(path))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(func):
                if not isinstance(node, ast.Call):
                    continue
                level = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if level not in ("Debug", "Info", "Warning", "Error", "Critical"):
                    continue
                keywords = {k.arg: k.value for k in node.keywords}
                ident = keywords.get("id")
                if not (isinstance(ident, ast.Constant) and str(ident.value).startswith("mizan.")):
                    continue
                message = _render(node.args[0] if node.args else keywords.get("msg", node))
                hint = _render(keywords["hint"]) if "hint" in keywords else ""
                entry = found.setdefault(
                    ident.value,
                    {
                        "id": ident.value,
                        "level": level,
                        "where": str(path.relative_to(ROOT)),
                        "doc": ast.get_docstring(func) or "",
                        "messages": "",
                        "hints": "",
                    },
                )
                entry["messages"] += ("<br>" if entry["messages"] else "") + message
                if hint and hint not in entry["hints"]:
                    entry["hints"] += ("<br>" if entry["hints"] else "") + hint
    return [found[k] for k in sorted(found)]


def checks_table() -> str:
    rows = ["| id | level | message | hint |", "|---|---|---|---|"]
    for check in system_checks():
        message, hint = (check[k].replace("|", "\\|") for k in ("messages", "hints"))
        rows.append(f"| `{check['id']}` | {check['level']} | {message} | {hint} |")
    return "\n".join(rows) + "\n"


# -- management commands --------------------------------------------------------------


_DJANGO_OPTIONS = {
    "help", "version", "verbosity", "settings", "pythonpath", "traceback", "no_color",
    "force_color", "skip_checks",
}  # fmt: skip


def commands_section() -> str:
    """Each of mizan's management commands: its help and its own options, from its parser."""
    _setup_django()
    from django.core.management import load_command_class

    parts = []
    for path in sorted((PACKAGE / "management" / "commands").glob("*.py")):
        if path.stem.startswith("_"):
            continue
        parser = load_command_class("mizan", path.stem).create_parser("manage.py", path.stem)
        rows = ["| option | meaning |", "|---|---|"]
        for action in parser._actions:
            if action.dest in _DJANGO_OPTIONS:
                continue
            spelling = ", ".join(action.option_strings) or action.dest
            if action.nargs != 0:
                spelling += " " + (action.metavar or action.dest.upper())
            meaning = (action.help or "").replace("|", "\\|")
            if action.default not in (None, False, argparse.SUPPRESS):
                meaning += f" (default: `{action.default}`)"
            rows.append(f"| `{spelling}` | {meaning} |")
        parts.append(
            f"### `{path.stem}`\n\n{parser.description}\n\n"
            f"```sh\npython manage.py {path.stem} [options]\n```\n\n" + "\n".join(rows) + "\n"
        )
    return "\n".join(parts)


# -- error codes ----------------------------------------------------------------------

# What each code means. The codes themselves are read from the code (every ``code=``,
# ``code = "..."`` and ``"code": "..."`` in mizan); a code raised without an entry here,
# or an entry for a code nothing raises, stops the docs build.
ERROR_CODES: dict[str, str] = {
    "BAD_USER_INPUT": "An argument fails validation; `extensions.argument` names it and "
    '`extensions.problems` lists each `{path, message}` (`["person", "age"]`). Also a '
    "variable of the wrong type, and a Django `ValidationError` raised by the function "
    "(`extensions.fields`). The function never ran.",
    "BAD_REQUEST": "The request itself is wrong: malformed JSON (or JSON nested too deep), a "
    "malformed multipart request, Django's file or field count exceeded, an APQ hash that is "
    "not 64 hex digits, no query, an unsupported "
    "content type, a subscription sent over HTTP, a persisted URL with an unknown, repeated "
    "or ill-typed parameter (`extensions.parameter` names it). Also the default code of a "
    "`ClientError` raised without `code=`.",
    "UNAUTHENTICATED": "`auth=` refused the call because nobody is logged in, or the "
    "function raised `Unauthenticated`.",
    "FORBIDDEN": "`auth=` or a channel's `authorize()` refused the call, or the function "
    "raised `Forbidden` or Django's `PermissionDenied`.",
    "NOT_FOUND": "The function raised `Http404`; a form update's `id` names no row it may change.",
    "METHOD_NOT_ALLOWED": "A mutation or a POST-only query (a form's validate) was sent over "
    "GET: status `405`, nothing ran.",
    "PAYLOAD_TOO_LARGE": "A multipart request over `MAX_UPLOAD_SIZE`, or another body over "
    "`MAX_BODY_BYTES`: status `413`, nothing ran.",
    "CSRF_FAILED": "A POST carrying the session cookie, or any multipart POST, came without "
    "the CSRF token (`X-CSRFToken`): status `403`, nothing ran.",
    "QUERY_TOO_DEEP": "An operation nests fields deeper than `MAX_DEPTH` (its fragments "
    "expanded). Nothing was validated or ran.",
    "TOO_MANY_ALIASES": "The document uses more than `MAX_ALIASES` aliases, its fragments "
    "expanded.",
    "TOO_MANY_SELECTIONS": "The document selects more than `MAX_SELECTIONS` fields, its "
    "fragments expanded (a fragment spread twice counts twice).",
    "FIELD_REPEATED_TOO_OFTEN": "One object field is selected more than `MAX_REPEATED_FIELDS` "
    "times at one response path; the message names the path.",
    "VARIABLES_TOO_DEEP": "The variables nest lists and objects deeper than `MAX_VARIABLES_DEPTH`.",
    "DOCUMENT_TOO_LARGE": "The document is longer than `MAX_DOCUMENT_LENGTH` characters; "
    "nothing was parsed.",
    "URI_TOO_LONG": "A persisted URL longer than `MAX_URL_LENGTH`: status `414`.",
    "INTERNAL_SERVER_ERROR": "The function raised anything else. The client sees `Internal "
    "server error.` and nothing more; the server logs the traceback on the `mizan` logger. "
    "With `DEBUG = True` the message shows the exception.",
    "GRAPHQL_PARSE_FAILED": "The document is not valid GraphQL, or has more than `MAX_TOKENS` "
    "tokens.",
    "GRAPHQL_VALIDATION_FAILED": "The document asks for unknown fields or arguments, spreads a "
    "fragment within itself, or asks for introspection switched off.",
    "PERSISTED_QUERY_NOT_FOUND": "An automatic persisted query's hash names no document "
    "mizan knows: send the query with it to register it.",
    "TRUSTED_DOCUMENTS_ONLY": "`TRUSTED_DOCUMENTS_ONLY` is on and the document is neither "
    "persisted nor trusted.",
    "TOO_MANY_SUBSCRIPTIONS": "A WebSocket already holds `CHANNELS_MAX_SUBSCRIPTIONS` operations.",
    "RATE_LIMITED": "The call went over a rate limit: the function's `rate=` (or `DEFAULT_RATE`), "
    "or django-allauth's for the accounts functions. The function did not run; "
    "`extensions.retryAfter` says in how many seconds to try again. When every root field was "
    "refused, status `429` with `Retry-After`.",
    "CONFLICT": "The call does not fit the caller's state, such as logging in or signing up "
    "while logged in (mizan.contrib.allauth).",
}

_CODE = re.compile(r"^[A-Z][A-Z0-9_]{3,}$")


def _codes_in(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        values: list[ast.expr] = []
        if isinstance(node, ast.Call):
            values += [k.value for k in node.keywords if k.arg == "code"]
        elif isinstance(node, ast.Assign):
            if any(getattr(t, "id", None) == "code" for t in node.targets):
                values.append(node.value)
        elif isinstance(node, ast.Dict):
            values += [
                v
                for k, v in zip(node.keys, node.values, strict=True)
                if isinstance(k, ast.Constant) and k.value == "code" and v is not None
            ]
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            # A default such as ``def fail(message, code="BAD_REQUEST")``.
            positional = [*node.args.posonlyargs, *node.args.args]
            arguments = positional[len(positional) - len(node.args.defaults) :]
            values += [
                d for a, d in zip(arguments, node.args.defaults, strict=True) if a.arg == "code"
            ]
            values += [
                d
                for a, d in zip(node.args.kwonlyargs, node.args.kw_defaults, strict=True)
                if a.arg == "code" and d is not None
            ]
        for value in values:
            if isinstance(value, ast.Constant) and _CODE.match(str(value.value)):
                yield value.value


def error_codes() -> dict[str, list[str]]:
    """Every error code mizan's code can send, with the files that name it.

    A code is found where the code hands it over by name (``code="..."``, ``code = "..."``,
    ``{"code": "..."}``, a ``code`` parameter's default); a code passed positionally
    (``error(414, message, "URI_TOO_LONG")``) is found when :data:`ERROR_CODES` describes
    it and the literal is in the code."""
    found: dict[str, list[str]] = {}
    for path in _python_files():
        tree = ast.parse(path.read_text(), str(path))
        literals = {
            n.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and n.value in ERROR_CODES
        }
        for code in [*_codes_in(tree), *sorted(literals)]:
            where = str(path.relative_to(ROOT))
            if where not in found.setdefault(code, []):
                found[code].append(where)
    return found


def error_codes_table() -> str:
    found = error_codes()
    undocumented = sorted(set(found) - set(ERROR_CODES))
    if undocumented:
        raise DocsError(
            f"error codes sent by mizan but not described in docgen/reference.py's "
            f"ERROR_CODES: {', '.join(undocumented)} (in {found[undocumented[0]]})"
        )
    gone = sorted(set(ERROR_CODES) - set(found))
    if gone:
        raise DocsError(
            f"docgen/reference.py's ERROR_CODES describes codes nothing in mizan sends: "
            f"{', '.join(gone)}; remove them."
        )
    rows = ["| `extensions.code` | when |", "|---|---|"]
    rows += [f"| `{code}` | {ERROR_CODES[code]} |" for code in sorted(found)]
    return "\n".join(rows) + "\n"


# -- the Python API -------------------------------------------------------------------


def exports_table() -> str:
    """``mizan.__all__``, each name with the first line of its docstring."""
    import mizan

    rows = ["| `from mizan import …` | what it is |", "|---|---|"]
    for name in mizan.__all__:
        doc = (getattr(mizan, name).__doc__ or "").strip()
        if not doc:
            raise DocsError(f"mizan.{name} has no docstring; write one (it becomes this row).")
        rows.append(f"| `{name}` | {doc.splitlines()[0].replace('|', chr(92) + '|')} |")
    return "\n".join(rows) + "\n"


def exception_tree() -> str:
    """The hierarchy drawn in ``mizan.exceptions``' docstring, as it is written there."""
    import mizan.exceptions

    doc = mizan.exceptions.__doc__ or ""
    drawn = [line for line in doc.splitlines() if line.startswith("    ")]
    missing = [name for name in mizan.exceptions.__all__ if not any(name in line for line in drawn)]
    if missing:
        raise DocsError(f"mizan/exceptions.py: draw {', '.join(missing)} in the docstring's tree.")
    text = "\n".join(line[4:] for line in drawn).replace("``", "`")
    return "```text\n" + text + "\n```\n"


# -- the hook -------------------------------------------------------------------------

GENERATORS: dict[str, Callable[[], str]] = {
    "settings": settings_table,
    "checks": checks_table,
    "commands": commands_section,
    "error-codes": error_codes_table,
    "exports": exports_table,
    "exceptions": exception_tree,
}
MARKER = re.compile(r"<!-- mizan:([a-z-]+) -->")


def expand(markdown: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in GENERATORS:
            raise DocsError(f"unknown reference marker {match.group(0)!r}")
        return GENERATORS[name]()

    return MARKER.sub(replace, markdown)


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    return expand(markdown)
