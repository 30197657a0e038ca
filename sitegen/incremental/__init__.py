"""The build cache: wrappers around the stages that keep what cannot have changed.

It owns `.sitegen-cache/`, where these are kept, each a pickle of plain data but the last
(deleting the folder is always safe; `sitegen build --clean` ignores and replaces it):

- parsed papers, keyed by file path and its stat (size, mtime, ctime, inode);
- per output folder: the content hash and stat of every file written (the writer skips
  files whose bytes did not change without reading them back), the fingerprint of every
  page and `.bib` file (template set + globals + code + a digest of the context it was
  made from), the record of every unit the render stages declared (render/units.py: its
  key, its outputs' paths, sitemap dates and fingerprints; kept whole, unmade, while the
  key and what it shows are the same: `units.CachedRunner`), the digests of the
  sequences units show (the days, oldest first: `PageCache.settled`), and a digest of
  all the build's inputs (a build with no input changed does nothing);
- Jinja's compiled templates (`jinja-<code digest>-<key>.cache`,
  render.templates.use_bytecode_cache);
- reused includes (a tag page's rows) and what each partial reads, `fragments.pickle`
  (fragments.KeptFragments).

Soundness rules: a fingerprint covers everything a page can read, or the page is not
cached; a stat is trusted only if it is older than the moment the cache was written
(git's "racily clean" rule), so an edit in the same clock tick is never missed.
"""
