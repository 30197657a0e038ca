// What a reader's text becomes (search-query.js) and finds (Searcher.find) on a built search
// folder, next to one lunr.js 2.3.9 index of every paper given the same clauses: the engine's
// results before the phrase ordering must equal lunr's, refs, order and scores.
// usage: node query_check.js SEARCH_DIR FULL_INDEX_JSON QUERIES_JSON  -> JSON on stdout
"use strict";
const fs = require("fs");
const path = require("path");
const lunr = require("lunr");
const S = require("../../themes/default/static/js/search-core.js");

const [dir, fullPath, queriesPath] = process.argv.slice(2);
const read = (p) => JSON.parse(fs.readFileSync(p, "utf8"));
const manifest = read(path.join(dir, "manifest.json"));
const full = lunr.Index.load(read(fullPath));
const load = (p) => Promise.resolve(read(path.join(dir, p)));

/** The term a typed word's "stem" clause keeps, decided on the whole index (the engine
 * decides it on the shards it loaded: the same when it loads the right ones). */
function fallbackTerm(clause) {
  const has = (t) => Object.prototype.hasOwnProperty.call(full.invertedIndex, t);
  if (has(clause.word)) return null;
  if (full.tokenSet.intersect(lunr.TokenSet.fromString(clause.prefix + "*")).toArray().length) {
    return null;
  }
  return clause.terms.find(has) || null;
}

/** lunr's results for the engine's clauses, built with lunr's own Query. */
function oracle(query) {
  return full.query((q) => {
    for (const clause of query.clauses) {
      let terms = clause.terms;
      if (clause.typed === "stem") {
        const kept = fallbackTerm(clause);
        terms = kept ? [kept] : [];
      }
      for (const term of terms) {
        const options = { fields: clause.fields, boost: clause.boost,
                          presence: clause.presence, usePipeline: false };
        if (clause.fuzzy) options.editDistance = clause.editDistance;
        q.term(term, options);
      }
    }
  }).map((r) => [r.ref, r.score]);
}

(async () => {
  const out = [];
  for (const q of read(queriesPath)) {
    const row = { query: q };
    try {
      const files = [];
      const recording = (p) => { files.push(p); return load(p); };
      const searcher = new S.Searcher(manifest, recording);
      const found = await searcher.find(q, 10, Infinity);
      row.loaded = files;
      row.retry = found.retry || null;
      row.phrase = found.phrase || null;
      row.clauses = found.query.clauses.map((c) => ({
        terms: c.terms, fields: c.fields, presence: c.presence, fuzzy: c.fuzzy,
        typed: c.typed || null }));
      row.phrases = found.query.phrases.map((p) => p.terms);
      row.results = found.results ? found.results.map((r) => [r.ref, r.phrase]) : null;
      const ranked = found.results ? await searcher.run(found.query, 1e9, Infinity) : null;
      row.ranked = ranked ? ranked.results.map((r) => [r.ref, r.score]) : null;
      row.oracle = found.results ? oracle(found.query) : null;
      const top = await S.top(new S.Searcher(manifest, load), q, 3);
      row.top = top;
    } catch (err) {
      row.error = err.name + ": " + err.message;
    }
    out.push(row);
  }
  process.stdout.write(JSON.stringify(out));
})().catch((err) => { console.error(err); process.exit(1); });
