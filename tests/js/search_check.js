// Answer queries on a built search folder two ways: through the segmented, sharded Searcher
// of search-core.js (scores computed at query time), and with one lunr index over all papers
// loaded by real lunr.js 2.3.9 (lunr.Index.load): refs, order and scores must be equal.
// usage: node search_check.js SEARCH_DIR FULL_INDEX_JSON QUERIES_JSON  -> JSON on stdout
"use strict";
const fs = require("fs");
const path = require("path");
const lunr = require("lunr");
const S = require("../../themes/default/static/js/search-core.js");

const [dir, fullPath, queriesPath] = process.argv.slice(2);
const read = (p) => JSON.parse(fs.readFileSync(p, "utf8"));
const manifest = read(path.join(dir, "manifest.json"));
const shardFiles = fs.existsSync(path.join(dir, "t")) ? fs.readdirSync(path.join(dir, "t")) : [];
const full = lunr.Index.load(read(fullPath));
const load = (p) => Promise.resolve(read(path.join(dir, p)));
const searcher = new S.Searcher(manifest, load);
const pairs = (results) => results.map((r) => [r.ref, r.score]);  // exact scores

(async () => {
  const out = { shards: shardFiles.length, results: [] };
  for (const q of read(queriesPath)) {
    const row = { query: q };
    try {
      // k = 3, default tier budget: tiers are fetched only to prove the first 3 (exact).
      const files = [];  // what a reader's first query fetches
      const recording = (p) => { files.push(p); return load(p); };
      const first = await new S.Searcher(manifest, recording).search(q, 3);
      row.loaded = files;
      row.top = first.results && first.results.slice(0, 3).map((r) => r.ref);
      row.complete = first.complete;
      row.exact = first.exact;
      const heads = await new S.Searcher(manifest, load).search(q, 3, 0);  // no tier at all
      row.headsExact = heads.exact;
      row.headsTop = heads.results && heads.results.slice(0, 3).map((r) => r.ref);
      const found = await searcher.search(q, 1e9, Infinity);  // everything: every tier
      row.sharded = found.results && pairs(found.results);
      row.shards = found.planned.ids;
      row.text = found.planned.text;
      row.full = pairs(full.search(found.planned.text));
      row.fullTop = row.full.slice(0, 3).map((p) => p[0]);
      const top = found.results ? found.results.slice(0, 3).map((r) => r.ref) : [];
      row.docs = await searcher.docs(top);
    } catch (err) {
      row.error = err.name + ": " + err.message;
    }
    out.results.push(row);
  }
  process.stdout.write(JSON.stringify(out));
})().catch((err) => { console.error(err); process.exit(1); });
