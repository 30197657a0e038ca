"""The build cache: wrappers around the stages that keep what cannot have changed.

It owns `.sitegen-cache/`, where these are kept, each a pickle of plain data but the last
(deleting the folder is always safe; `sitegen build --clean` ignores and replaces it):

- parsed papers, keyed by file path and its stat (size, mtime, ctime, inode);
- per output folder: the content hash and stat of every file written (the writer skips
  files whose bytes did not change without reading them back), the fingerprint of every
  page (template set + globals + code + a digest of the context it was rendered from),
  the key of every group of outputs made from a few values only (a day's paper pages and
  `.bib` files from its papers, a day's page from the day, a list page from its place:
  kept whole, unmade, while the key is the same; the fingerprints of a group's pages are
  kept in the group), the digests of the days, oldest first (`PageCache.settled`), and a
  digest of all the build's inputs (a build with no input changed does nothing);
- Jinja's compiled templates (`jinja-<code digest>-<key>.cache`, render.use_bytecode_cache);
- fragments of pages (a tag page's rows) and what each partial reads, `fragments.pickle`
  (render.FragmentStore).

Soundness rules: a fingerprint covers everything a page can read, or the page is not
cached; a stat is trusted only if it is older than the moment the cache was written
(git's "racily clean" rule), so an edit in the same clock tick is never missed.
"""
