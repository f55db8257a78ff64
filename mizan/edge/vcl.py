"""The VCL mizan ships (``mizan/edge/mizan.vcl``), and its settings block filled in.

The file is valid VCL as it stands (origin on 127.0.0.1:8000, purges from localhost,
invalidation headers kept); :func:`render_vcl` and ``manage.py export_vcl`` rewrite
only the block between ``# --- mizan:settings`` and ``# --- mizan:end``.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from pathlib import Path

VCL_PATH = Path(__file__).with_name("mizan.vcl")

_BLOCK = re.compile(r"# --- mizan:settings ---.*?\n(.*?)# --- mizan:end ---\n", re.S)
_SWITCH_COMMENT = (
    "# Invalidation headers towards browsers: kept (front ends and htmx-style pages read\n"
    "# X-Mizan-Invalidate; X-Mizan-Purged says how many stored objects it dropped), or\n"
    "# stripped with `unset resp.http.X-Mizan-Invalidate; unset resp.http.X-Mizan-Purged;`.\n"
)
_HOST = re.compile(r"[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\]")


def render_vcl(
    backend: str = "127.0.0.1:8000",
    purgers: Sequence[str] = ("127.0.0.1", "::1"),
    forward_invalidate: bool = True,
) -> str:
    """The shipped VCL with its origin (``host:port``), the addresses allowed to send
    PURGE (IPs or networks, ``10.0.0.0/8``), and whether browsers see the invalidation
    headers."""
    host, port = _backend(backend)
    acl = "".join(f"    {_acl_entry(entry)};\n" for entry in purgers)
    strip = (
        ""
        if forward_invalidate
        else "    unset resp.http.X-Mizan-Invalidate;\n    unset resp.http.X-Mizan-Purged;\n"
    )
    settings = (
        f'backend default {{\n    .host = "{host}";\n    .port = "{port}";\n}}\n\n'
        f"# Who may send PURGE requests.\nacl mizan_purgers {{\n{acl}}}\n\n"
        f"{_SWITCH_COMMENT}sub mizan_to_client {{\n{strip}}}\n"
    )
    text = VCL_PATH.read_text()
    match = _BLOCK.search(text)
    if match is None:  # pragma: no cover - the shipped file always has its markers
        raise RuntimeError(f"{VCL_PATH} lost its '# --- mizan:settings' block")
    return text[: match.start(1)] + settings + text[match.end(1) :]


def _backend(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not _HOST.fullmatch(host) or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"backend {value!r} is not host:port, e.g. '127.0.0.1:8000'.")
    return host.strip("[]"), int(port)


def _acl_entry(value: str) -> str:
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ValueError(
            f"purger address {value!r} is not an IP address or network (e.g. '10.0.0.0/8')."
        ) from None
    if network.num_addresses == 1:
        return f'"{network.network_address}"'
    return f'"{network.network_address}"/{network.prefixlen}'
