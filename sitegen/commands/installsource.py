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
    #: For a local install: the folder or file on this disk it came from.
    local: str = ""


def wheel_name(version: str = __version__) -> str:
    """The file name `pip wheel` gives sitegen's wheel (pure Python, any platform)."""
    return f"{DISTRIBUTION}-{version}-py3-none-any.whl"


def _local_path(url: str) -> str:
    return urllib.request.url2pathname(urllib.parse.urlsplit(url).path)


def _vendored(origin: str, command: str, wheel: str, local: str) -> InstallSource:
    return InstallSource(f"./{VENDOR}/{wheel}", False, origin, command, local)


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
                             f"mkdir -p {VENDOR} && cp '{path}' {VENDOR}/{wheel}", wheel, path)
        hashes = info["archive_info"].get("hashes") or {}
        digest = next((f"#{name}={value}" for name, value in sorted(hashes.items())), "")
        return InstallSource(f"{DISTRIBUTION} @ {url}{digest or fragment}", True, url)
    return from_source_folder(_local_path(url) if local else None, version,
                              editable=bool((info.get("dir_info") or {}).get("editable")))


def from_source_folder(folder: str | None, version: str = __version__,
                       editable: bool = False) -> InstallSource:
    """A sitegen run from a local folder (installed from it, editable, or not installed)."""
    where = folder or str(RUNNING.parent)
    kind = "an editable install of" if editable else "the local folder"
    command = f"pip wheel --no-deps -w {VENDOR} '{where}'"
    return _vendored(f"{kind} {where}", command, wheel_name(version), where)


#: The package folder of the sitegen that is running.
RUNNING = Path(__file__).resolve().parent.parent


def _describes_running_code(dist: metadata.Distribution, source: InstallSource) -> bool:
    """Whether the installed metadata is that of the code running: not another sitegen's
    (a checkout put first on sys.path, beside an installed one)."""
    if dist.version != __version__:
        return False
    installed = Path(str(dist.locate_file(f"{DISTRIBUTION}/__init__.py")))
    if installed.is_file():
        return installed.resolve().parent == RUNNING
    # An editable or folder install: the running package must live in that folder.
    return bool(source.local) and RUNNING.is_relative_to(source.local)


def install_source() -> InstallSource:
    """The install source of the running sitegen, as pip recorded it."""
    try:
        dist = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # run from a source tree on sys.path
        return from_source_folder(None)
    source = from_direct_url(dist.read_text("direct_url.json"), dist.version)
    return source if _describes_running_code(dist, source) else from_source_folder(None)
