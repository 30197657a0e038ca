"""Site -> outputs, pure producers: the template environment, pages, metadata, feeds, sitemap."""
