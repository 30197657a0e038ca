"""Which sitegen is this, as pip recorded it: the requirement line a new site's workflow installs.

pip writes PEP 610's `direct_url.json` into the dist-info of anything not installed from a
package index: a VCS URL with the commit it checked out, an archive URL, or a local folder.
Its absence means an index install, pinned by version. A local folder or file (an editable
checkout, a wheel on disk) cannot be reached by CI: `sitegen new` then says so and points the
site at a wheel vendored into its own repository.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from sitegen._meta import __version__

DISTRIBUTION = "sitegen"
#: Where a vendored wheel lives in a site repository (requirements.txt names the file).
VENDOR = "vendor"


@dataclass(frozen=True)
class InstallSource:
    """The requirement line for a site's requirements.txt, and whether CI can install it."""

    requirement: str
    #: False for a local folder or file: the workflow's runner cannot reach it.
    reachable: bool
    #: One phrase: where this sitegen came from ("git https://... at commit abc", ...).
    origin: str
    #: For a local install: the shell command that puts a wheel at the requirement's path.
    vendor_command: str = ""


def wheel_name(version: str = __version__) -> str:
    """The file name `pip wheel` gives sitegen's wheel (pure Python, any platform)."""
    return f"{DISTRIBUTION}-{version}-py3-none-any.whl"


def _local_path(url: str) -> str:
    return urllib.request.url2pathname(urllib.parse.urlsplit(url).path)


def _vendored(origin: str, command: str, wheel: str) -> InstallSource:
    return InstallSource(f"./{VENDOR}/{wheel}", False, origin, command)


def from_direct_url(raw: str | None, version: str = __version__) -> InstallSource:
    """The install source described by a `direct_url.json` text (None: no such file, an
    index install)."""
    if raw is None:
        return InstallSource(f"{DISTRIBUTION}=={version}", True,
                             f"version {version} from a package index")
    try:
        info = json.loads(raw)
        url = str(info["url"])
    except (ValueError, KeyError, TypeError):
        return from_source_folder(None, version)
    local = url.startswith("file:")
    fragment = ""
    if isinstance(info.get("subdirectory"), str):
        fragment = f"#subdirectory={info['subdirectory']}"
    if isinstance(info.get("vcs_info"), dict):
        vcs = info["vcs_info"]
        commit = vcs.get("commit_id", "")
        line = f"{DISTRIBUTION} @ {vcs.get('vcs', 'git')}+{url}@{commit}{fragment}"
        return InstallSource(line, not local, f"{url} at commit {commit}")
    if isinstance(info.get("archive_info"), dict):
        if local:
            path = _local_path(url)
            wheel = Path(path).name if path.endswith(".whl") else wheel_name(version)
            return _vendored(f"the file {path}",
                             f"mkdir -p {VENDOR} && cp '{path}' {VENDOR}/{wheel}", wheel)
        hashes = info["archive_info"].get("hashes") or {}
        digest = next((f"#{name}={value}" for name, value in sorted(hashes.items())), "")
        return InstallSource(f"{DISTRIBUTION} @ {url}{digest or fragment}", True, url)
    return from_source_folder(_local_path(url) if local else None, version,
                              editable=bool((info.get("dir_info") or {}).get("editable")))


def from_source_folder(folder: str | None, version: str = __version__,
                       editable: bool = False) -> InstallSource:
    """A sitegen run from a local folder (installed from it, editable, or not installed)."""
    where = folder or str(Path(__file__).resolve().parent.parent.parent)
    kind = "an editable install of" if editable else "the local folder"
    command = f"pip wheel --no-deps -w {VENDOR} '{where}'"
    return _vendored(f"{kind} {where}", command, wheel_name(version))


def install_source() -> InstallSource:
    """The install source of the running sitegen, as pip recorded it."""
    try:
        dist = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # run from a source tree on sys.path
        return from_source_folder(None)
    if dist.version != __version__:  # another sitegen's metadata than the code running
        return from_source_folder(None)
    return from_direct_url(dist.read_text("direct_url.json"), dist.version)
