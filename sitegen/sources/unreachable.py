"""Connection failures that asking again cannot fix: a host name that does not resolve, a
refused connection, no route to the network. The fetcher fails at once on these, naming the
host and what happened, instead of retrying them like a busy server."""

from __future__ import annotations

import errno
import socket

from sitegen.errors import SourceError

#: OSError numbers of a network that is not there (as opposed to a server that is slow).
NO_ROUTE = {errno.ENETUNREACH: "the network is unreachable",
            errno.EHOSTUNREACH: "no route to the host"}


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and what it was raised from (httpx -> httpcore -> socket error)."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 10:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _where(exc: BaseException, url: str) -> tuple[str, str]:
    """(host, host:port) of the request that failed; httpx errors carry their request."""
    import httpx

    try:
        target = exc.request.url  # type: ignore[attr-defined]
    except (AttributeError, RuntimeError):
        try:
            target = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError):
            return url, url
    port = target.port or (443 if target.scheme == "https" else 80)
    return target.host, f"{target.host}:{port}"


def unreachable(exc: BaseException, url: str) -> SourceError | None:
    """The error to raise at once for a connection that cannot work now, else None."""
    for cause in _causes(exc):
        if isinstance(cause, socket.gaierror):
            host, _ = _where(exc, url)
            return SourceError(f"cannot resolve the host name {host!r} ({cause.strerror or cause})",
                               url, hint="no network or no DNS here, or a mistyped URL "
                               "(--api-url, [sources] in sitegen.toml)")
        if isinstance(cause, ConnectionRefusedError):
            _, address = _where(exc, url)
            return SourceError(f"connection refused by {address}", url,
                               hint="nothing listens there: check the URL (--api-url, "
                               "[sources] in sitegen.toml), or a proxy or firewall")
        if isinstance(cause, OSError) and cause.errno in NO_ROUTE:
            host, _ = _where(exc, url)
            return SourceError(f"cannot connect to {host}: {NO_ROUTE[cause.errno]}", url,
                               hint="is this machine online?")
    return None
