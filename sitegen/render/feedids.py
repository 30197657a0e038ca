"""Feed and entry ids that never change, so readers never show a paper twice.

A new site gets `[feeds] site_id`, a random UUID that `sitegen new` writes once into
sitegen.toml: every id is then `urn:uuid:` + a name-based UUID (version 5) of the site id
and the entry's path (`papers/<slug>/`), whatever the site's address becomes (a custom
domain, a renamed repository). A site without one keeps the ids it always had: the path on
`[feeds] id_base`, or on the base URL.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sitegen.config import Config


@dataclass(frozen=True)
class FeedIds:
    """Makes the id of a feed or entry from its site-relative path (`papers/x/`, `tags/y/`)."""

    site_id: str  # a UUID, or "" for the address-based ids
    base: str  # where address-based ids are rooted, ending in "/"

    def of(self, path: str) -> str:
        if self.site_id:
            return uuid.uuid5(uuid.UUID(self.site_id), path).urn
        return self.base + path

    @property
    def scheme(self) -> str:
        """What the ids are made from (a cached entry made with another is made again)."""
        return f"uuid:{self.site_id}" if self.site_id else self.base


def feed_ids(config: Config) -> FeedIds:
    """The ids of a site's feeds: from `[feeds] site_id`, else `id_base`, else `base_url`."""
    base = config.feeds["id_base"] or config.site["base_url"]
    return FeedIds(config.feeds["site_id"], base if base.endswith("/") else base + "/")
