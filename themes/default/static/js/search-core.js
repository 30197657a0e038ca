/* sitegen search engine: what a query needs, fetched and scored. Runs in the search page,
 * in its Web Worker (search-worker.js) and under node (the tests and the benchmark).
 *
 * The index (format 4, docs/search.md) is two segments of papers, base and recent, each
 * split by term into shards holding each posting's term frequency and field length. A
 * search is three steps:
 *   1. the query (search-query.js: `parseQuery`, phrases, the word being typed, the
 *      forgiving rewrite);
 *   2. the files it needs (`plan`, `Searcher`): the shards holding its terms in both
 *      segments, the vocabulary files of fuzzy terms, then tiers or membership files of
 *      frequent terms as the proof of the first results needs them;
 *   3. the scores (`evaluate`): each posting scored with lunr.js 2.3.9's BM25 and the
 *      archive-wide figures of the manifest, so results rank exactly as one lunr index
 *      of the whole archive would.
 */
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) {
    module.exports = factory(require("lunr"), require("./search-query.js"));
  } else {
    root.SitegenSearch = factory(root.lunr, root.SitegenQuery);
  }
})(typeof self !== "undefined" ? self : this, function (lunr, Q) {
  "use strict";

  var parseQuery = Q.parseQuery, shardFor = Q.shardFor;

  /* ---- Step 2: the files a query needs ---- */

  /** The characters a fuzzy term's matches share with it (docs/search.md). */
  function fuzzyPrefix(term) {
    return term.slice(0, term.length > 3 ? 2 : 1);
  }

  /** Index of the vocabulary file of segment `seg` listing the terms of its shard `shard`. */
  function vocabFor(seg, shard) {
    var starts = seg.vocab, lo = 0, hi = starts.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= shard) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  /** The segments that have shards (an empty segment has none). */
  function segmentsOf(manifest) {
    return manifest.segments.filter(function (seg) { return seg.shards.length > 0; });
  }

  /**
   * The shards a query's terms need: {text, ids: shard ids ("b3": shard 3 of the base
   * segment), fuzzy: [{term, editDistance, prefix, vocab: [file ids]}], negatedOnly}. The
   * shards of a fuzzy term's matches are found from the vocabulary files (`fuzzyShards`).
   */
  function plan(manifest, query) {
    var ids = new Set(), fuzzy = [], segments = segmentsOf(manifest);
    var eachShard = function (prefix, visit) {
      segments.forEach(function (seg) {
        var last = shardFor(seg.shards, prefix + "\uffff");
        for (var i = shardFor(seg.shards, prefix); i <= last; i++) visit(seg, i);
      });
    };
    query.clauses.forEach(function (clause) {
      var terms = clause.typed === "stem" ? clause.terms.concat([clause.word]) : clause.terms;
      terms.forEach(function (term) {
        var star = term.indexOf("*");
        if (clause.typed === "stem") { // a candidate or the word's term: their own shards
          segments.forEach(function (seg) { ids.add(seg.id + shardFor(seg.shards, term)); });
        } else if (star > 0) {
          eachShard(term.slice(0, star), function (seg, i) { ids.add(seg.id + i); });
        } else if (clause.editDistance) {
          var prefix = fuzzyPrefix(term), vocab = new Set();
          eachShard(prefix, function (seg, i) { vocab.add(seg.id + vocabFor(seg, i)); });
          fuzzy.push({ term: term, editDistance: clause.editDistance, prefix: prefix,
                       vocab: Array.from(vocab) });
        } else {
          segments.forEach(function (seg) { ids.add(seg.id + shardFor(seg.shards, term)); });
        }
      });
    });
    return { text: query.text, ids: Array.from(ids).sort(), fuzzy: fuzzy,
             negatedOnly: query.negatedOnly };
  }

  /** The index terms (of sorted `lists`) starting with `prefix` that lunr's fuzzy match
   * of `f` accepts. */
  function fuzzyMatches(f, lists) {
    var builder = new lunr.TokenSet.Builder();
    sortedUnion(lists).forEach(function (t) {
      if (t.lastIndexOf(f.prefix, 0) === 0) builder.insert(t);
    });
    builder.finish();
    return builder.root.intersect(lunr.TokenSet.fromFuzzyString(f.term, f.editDistance))
      .toArray();
  }

  /** The distinct strings of sorted lists, sorted (JavaScript string order). */
  function sortedUnion(lists) {
    var all = [].concat.apply([], lists).sort(), out = [];
    for (var i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) out.push(all[i]);
    return out;
  }

  /**
   * A `load(path, version)` for the search folder at URL `index`: a promise of the parsed
   * JSON of a file ("t/b3.json"), asked with `?v=` its version (the base's files keep
   * their URLs when a day is added); without a version (the manifest) revalidated.
   */
  function fetcher(index) {
    return function (path, version) {
      var url = index + path + (version ? "?v=" + encodeURIComponent(version) : "");
      return fetch(url, version ? {} : { cache: "no-cache" }).then(function (response) {
        if (!response.ok) {
          throw new Error("could not load the search index (" + response.status + ")");
        }
        return response.json();
      });
    };
  }

  /* ---- Refs and scores ---- */

  /**
   * Refs are paper numbers (oldest first) in base 52, written in letters so that no ref
   * looks like an array index (JavaScript would reorder such object keys): "A".."z", "BA"...
   */
  var REF_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  function refNumber(ref) {
    var n = 0;
    for (var i = 0; i < ref.length; i++) n = n * 52 + REF_ALPHABET.indexOf(ref.charAt(i));
    return n;
  }
  function refOf(n) {
    var out = REF_ALPHABET.charAt(n % 52);
    for (n = Math.floor(n / 52); n > 0; n = Math.floor(n / 52)) {
      out = REF_ALPHABET.charAt(n % 52) + out;
    }
    return out;
  }

  /** Lookup table for one loaded shard ({t: terms, p: their entries}), made once. */
  function prepare(shard) {
    var postings = new Map();
    for (var i = 0; i < shard.t.length; i++) postings.set(shard.t[i], shard.p[i]);
    return { seg: null, terms: shard.t, postings: postings };
  }

  // lunr 2.3.9's BM25 (Builder: _k1 = 1.2, _b = 0.75), the same operations in its order.
  var K1 = 1.2, B = 0.75;
  /** lunr.idf: `withTerm` = the sum over fields of the papers holding the term there. */
  function idf(withTerm, documents) {
    var x = (documents - withTerm + 0.5) / (withTerm + 0.5);
    return Math.log(1 + Math.abs(x));
  }
  /** Builder.createFieldVectors' score of one (term, field, paper), rounded as it rounds. */
  function fieldScore(termIdf, tf, length, average, boost) {
    var score = termIdf * ((K1 + 1) * tf) / (K1 * (1 - B + B * (length / average)) + tf);
    score *= boost;
    score *= 1; // the document boost
    return Math.round(score * 1000) / 1000;
  }
  /** lunr's averageFieldLength per field: the sum of field lengths over the paper count. */
  function averages(manifest) {
    return manifest.lengths.map(function (sum) { return sum / manifest.docs; });
  }

  /** A field entry [paper number differences, tfs, lengths] as {docs, tfs, lens}. */
  var decoded = new WeakMap();
  function decode(entry) {
    if (!entry) return null;
    var known = decoded.get(entry);
    if (known) return known;
    var docs = new Array(entry[0].length), n = 0;
    for (var i = 0; i < docs.length; i++) { n += entry[0][i]; docs[i] = n; }
    known = { docs: docs, tfs: entry[1], lens: entry[2] };
    decoded.set(entry, known);
    return known;
  }

  /** The first position in the sorted strings `list` whose string is not below `value`. */
  function lowerBound(list, value) {
    var lo = 0, hi = list.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (list[mid] < value) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /** Position of `doc` in the sorted array `docs`, or -1. */
  function find(docs, doc) {
    var lo = 0, hi = docs.length - 1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1, at = docs[mid];
      if (at === doc) return mid;
      if (at < doc) lo = mid + 1; else hi = mid - 1;
    }
    return -1;
  }

  /**
   * One term's postings over the whole archive with their scores: the base's head and
   * loaded tiers merged by paper number, then the recent segment's (numbers above the
   * base's), per field {docs, scores, recent}; `df` and `idf` archive-wide, `tail` the
   * base's description of the term's tiers (or null).
   */
  function combine(manifest, term, baseEntry, tiers, recentEntry) {
    var nf = manifest.fields.length, avg = averages(manifest);
    var tail = baseEntry && baseEntry.length > nf ? baseEntry[nf] : null;
    var parts = [], df = tail ? tail.df : 0;
    for (var f = 0; f < nf; f++) {
      var base = baseEntry ? [decode(baseEntry[f])] : [];
      tiers.forEach(function (tier) { base.push(decode(tier[f])); });
      var recent = recentEntry ? decode(recentEntry[f]) : null;
      parts.push({ base: base.filter(Boolean), recent: recent });
      if (!tail && base[0]) df += base[0].docs.length;
      if (recent) df += recent.docs.length;
    }
    var termIdf = idf(df, manifest.docs);
    var fields = parts.map(function (p, f) {
      return scoredField(p, function (tf, len) {
        return fieldScore(termIdf, tf, len, avg[f], manifest.boosts[f]);
      });
    });
    return { term: term, df: df, idf: termIdf, tail: tail, fields: fields };
  }

  /** One field of a term: its pieces' postings in paper-number order, each scored (a
   * score computed once per (tf, length)). */
  function scoredField(part, fieldScoreOf) {
    var docs = [], scores = [], cache = new Map();
    var pieces = part.base.slice();
    if (part.recent) pieces.push(part.recent);
    var triples = [];
    pieces.forEach(function (piece) {
      for (var i = 0; i < piece.docs.length; i++) {
        triples.push([piece.docs[i], piece.tfs[i], piece.lens[i]]);
      }
    });
    if (pieces.length > 1) triples.sort(function (a, b) { return a[0] - b[0]; });
    for (var i = 0; i < triples.length; i++) {
      var key = triples[i][1] * 4294967296 + triples[i][2], s = cache.get(key); // exact below 2^53
      if (s === undefined) { s = fieldScoreOf(triples[i][1], triples[i][2]); cache.set(key, s); }
      docs.push(triples[i][0]);
      scores.push(s);
    }
    return { docs: docs, scores: scores, recent: part.recent };
  }

  /** The largest field-f score a tier's frontier points ([tf, length, ...]) can reach now. */
  function bound(manifest, posting, points, f) {
    var avg = averages(manifest)[f], best = 0;
    for (var i = 0; i < points.length; i += 2) {
      best = Math.max(best, fieldScore(posting.idf, points[i], points[i + 1], avg,
                                       manifest.boosts[f]));
    }
    return best;
  }

  /* ---- Step 3: evaluating a query over the loaded shards ---- */

  var ALL = null; // lunr.Set.complete
  var combined = new WeakMap(); // first entry of a term -> Map(tiers loaded -> combine())

  /**
   * The postings of the loaded shards (each with its `seg` id) and tail tiers (term ->
   * [tiers 0..j]): `lookup(term)` (combined once per term and tier count), `expand(clause,
   * term)` (a wildcard or fuzzy term's matches among the loaded terms, lunr's token-set
   * expansion), `tiersMissing(term, posting)`, `loadedTiers(term)`.
   */
  function loadedPostings(manifest, shards, tails) {
    var baseShards = shards.filter(function (s) { return s.seg === "b"; });
    var recentShards = shards.filter(function (s) { return s.seg !== "b"; });
    var tokenSets = new Map(); // prefix -> token set (termsFrom)
    var entryOf = function (list, term) {
      for (var i = 0; i < list.length; i++) {
        var e = list[i].postings.get(term);
        if (e) return e;
      }
      return undefined;
    };
    var lookup = function (term) {
      var baseEntry = entryOf(baseShards, term), recentEntry = entryOf(recentShards, term);
      var first = baseEntry || recentEntry;
      if (!first) return undefined;
      var tiers = tails.get(term) || [];
      var byTiers = combined.get(first);
      if (!byTiers) { byTiers = new Map(); combined.set(first, byTiers); }
      var found = byTiers.get(tiers.length);
      if (!found) {
        found = combine(manifest, term, baseEntry, tiers, recentEntry);
        byTiers.set(tiers.length, found);
      }
      return found;
    };
    var loadedTiers = function (term) { return tails.has(term) ? tails.get(term).length : 0; };
    // The loaded terms starting with `prefix` as a lunr token set (made once per prefix):
    // the range of each shard's sorted terms, found by binary search, so a prefix or fuzzy
    // term costs its matches' neighbourhood, not every term of the loaded shards. The
    // terms are inserted in the same order as into one set of every loaded term, so
    // lunr's expansion lists them in the same order.
    var termsFrom = function (prefix) {
      var found = tokenSets.get(prefix);
      if (found) return found;
      var builder = new lunr.TokenSet.Builder();
      sortedUnion(shards.map(function (s) {
        return s.terms.slice(lowerBound(s.terms, prefix), lowerBound(s.terms, prefix + "\uffff"));
      })).forEach(function (t) { builder.insert(t); });
      builder.finish();
      tokenSets.set(prefix, builder.root);
      return builder.root;
    };
    var expand = function (clause, term) {
      var star = term.indexOf("*");
      if (star < 0 && !clause.fuzzy) return lookup(term) ? [term] : [];
      var wanted = clause.fuzzy ? lunr.TokenSet.fromFuzzyString(term, clause.editDistance)
        : lunr.TokenSet.fromString(term);
      // a wildcard's matches start with what comes before its first *; a fuzzy term's
      // with its first characters (the same terms as fuzzyMatches, whatever is loaded)
      var prefix = star >= 0 ? term.slice(0, star) : fuzzyPrefix(term);
      var found = termsFrom(prefix).intersect(wanted).toArray();
      if (star >= 0) return found;
      return found.filter(function (t) { return t.lastIndexOf(prefix, 0) === 0; });
    };
    // A typed word's "stem" clause: the longest candidate the index holds, if neither the
    // word's own term nor any term starting with the word is in the index.
    var fallback = function (clause) {
      if (lookup(clause.word)) return [];
      if (termsFrom(clause.prefix).intersect(lunr.TokenSet.fromString(clause.prefix + "*"))
        .toArray().length) {
        return [];
      }
      for (var i = 0; i < clause.terms.length; i++) {
        if (lookup(clause.terms[i])) return [clause.terms[i]];
      }
      return [];
    };
    return {
      lookup: lookup, expand: expand, loadedTiers: loadedTiers, fallback: fallback,
      tiersMissing: function (term, posting) {
        return loadedTiers(term) < (posting.tail ? posting.tail.b.length : 0);
      }
    };
  }

  /**
   * Match the query's clauses against the postings, as lunr.Index.prototype.query does:
   * the papers matched (in the order first met, with the fields they matched in), the
   * query vectors (per field: term -> weight), the required set (ALL: no constraint) and
   * the prohibited one, the terms matched (for highlighting), the split terms with tiers
   * not loaded (`pending`), and those whose membership file a +/- clause needs first.
   */
  function matchClauses(fields, query, postings, members) {
    var m = {
      order: [], docs: new Map(), vectors: fields.map(function () { return new Map(); }),
      required: Object.create(null), prohibited: new Set(), matchedTerms: [],
      seen: new Set(), pending: new Map(), needMembers: new Set()
    };
    query.clauses.forEach(function (clause) { matchClause(fields, clause, postings, members, m); });
    m.allRequired = requiredSet(fields, m.required);
    return m;
  }

  /** One clause: each of its terms expanded, each match added to `m` (matchClauses). */
  function matchClause(fields, clause, postings, members, m) {
    var clauseMatches = new Set();
    var required = clause.presence === lunr.Query.presence.REQUIRED;
    var prohibited = clause.presence === lunr.Query.presence.PROHIBITED;
    var stem = clause.typed === "stem", terms = stem ? postings.fallback(clause) : clause.terms;
    for (var t = 0; t < terms.length; t++) {
      var expanded = stem ? terms : postings.expand(clause, terms[t]);
      if (expanded.length === 0 && required) {
        clause.fields.forEach(function (f) { m.required[f] = new Set(); });
        break;
      }
      expanded.forEach(function (term) {
        var posting = postings.lookup(term), member = null;
        if (postings.tiersMissing(term, posting)) {
          // tiers missing: the score is bounded (pending); a +/- clause needs the exact
          // set of papers holding the term, which its membership file gives
          if (!prohibited) m.pending.set(term, posting);
          if (clause.presence !== lunr.Query.presence.OPTIONAL) {
            if (members.has(term)) member = members.get(term);
            else m.needMembers.add(term);
          }
        }
        clause.fields.forEach(function (field) {
          var f = fields.indexOf(field), part = posting.fields[f], holders = part.docs;
          if (member) {
            holders = member[f].slice();
            if (part.recent) holders.push.apply(holders, part.recent.docs);
          }
          if (required) {
            holders.forEach(function (r) { clauseMatches.add(r); });
            if (m.required[field] === undefined) m.required[field] = ALL;
          }
          if (prohibited) {
            holders.forEach(function (r) { m.prohibited.add(r); });
            return;
          }
          addMatch(m, f, field, term, clause.boost, part);
        });
      });
    }
    if (required) {
      clause.fields.forEach(function (f) {
        var have = m.required[f];
        m.required[f] = have === ALL ? clauseMatches : new Set(Array.from(have).filter(
          function (r) { return clauseMatches.has(r); }));
      });
    }
  }

  /** A term matched in field f: its query weight, and its papers (once per term and field). */
  function addMatch(m, f, field, term, boost, part) {
    var qv = m.vectors[f];
    qv.set(term, (qv.get(term) || 0) + boost);
    var key = term + "/" + field;
    if (m.seen.has(key)) return;
    m.seen.add(key);
    m.matchedTerms.push({ docs: part.docs, term: term });
    for (var i = 0; i < part.docs.length; i++) {
      var doc = m.docs.get(part.docs[i]);
      if (doc === undefined) {
        doc = { n: part.docs[i], fields: [f] };
        m.docs.set(part.docs[i], doc);
        m.order.push(doc);
      } else if (doc.fields.indexOf(f) < 0) doc.fields.push(f);
    }
  }

  /** The papers every required clause allows (ALL when none constrains): the per-field
   * sets intersected. */
  function requiredSet(fields, required) {
    var all = ALL;
    fields.forEach(function (f) {
      var req = required[f];
      if (req !== undefined && req !== ALL && req !== all) { // x ∩ x = x
        all = all === ALL ? req : new Set(Array.from(all).filter(function (r) {
          return req.has(r);
        }));
      }
    });
    return all;
  }

  /**
   * Query vectors as [term, weight, posting] arrays in term order (JavaScript string
   * order: lunr's term numbers), with their magnitudes, per field.
   */
  function queryVectors(vectors, lookup) {
    return vectors.map(function (qv) {
      var terms = Array.from(qv).sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
      var sum = 0;
      terms.forEach(function (e) { sum += e[1] * e[1]; e.push(lookup(e[0])); });
      return { terms: terms, magnitude: Math.sqrt(sum) };
    });
  }

  /** The matched papers allowed by the required and prohibited sets, scored (lunr's
   * Vector.similarity per field matched: the dot product in term order over the query
   * vector's magnitude, summed) and sorted by score (stable: ties in paper order). */
  function rank(m, vectors) {
    var similarity = function (f, n) {
      var q = vectors[f].terms, dot = 0;
      for (var i = 0; i < q.length; i++) {
        var part = q[i][2].fields[f], at = find(part.docs, n);
        if (at >= 0) dot += q[i][1] * part.scores[at];
      }
      return dot / vectors[f].magnitude || 0;
    };
    var results = [];
    m.order.forEach(function (doc) {
      if (m.allRequired !== ALL && !m.allRequired.has(doc.n)) return;
      if (m.prohibited.has(doc.n)) return;
      var score = 0;
      for (var i = 0; i < doc.fields.length; i++) score += similarity(doc.fields[i], doc.n);
      results.push({ ref: refOf(doc.n), n: doc.n, score: score });
    });
    return results.sort(function (a, b) { return b.score - a.score; });
  }

  /** For each split term whose tails are not all loaded: the most its next tier (and so
   * any tier after it) can add to a paper's score, under today's figures. */
  function tailBounds(manifest, m, vectors, postings) {
    var bounds = [];
    m.pending.forEach(function (posting, term) {
      var points = posting.tail.b[postings.loadedTiers(term)], ub = 0;
      manifest.fields.forEach(function (field, f) {
        var w = m.vectors[f].get(term), magnitude = vectors[f].magnitude;
        if (w && magnitude) ub += w * bound(manifest, posting, points[f], f) / magnitude;
      });
      bounds.push({ posting: posting, ub: ub });
    });
    return bounds;
  }

  /**
   * certified(k): whether the first k results are provably lunr's first k, in lunr's
   * order: each scores (a lower bound) strictly more than the upper bound of every paper
   * after it (its score plus the bound of each pending term whose loaded postings lack
   * it; a paper in no loaded posting can reach the sum of the bounds).
   */
  function certifier(results, bounds, nf) {
    return function (k) {
      if (!bounds.length) return true;
      var outside = 0;
      bounds.forEach(function (b) { outside += b.ub; });
      if (results.length < k) return outside === 0;
      var upper = function (r) {
        var u = r.score;
        bounds.forEach(function (b) {
          for (var i = 0; i < nf; i++) {
            if (find(b.posting.fields[i].docs, r.n) >= 0) return;
          }
          u += b.ub;
        });
        return u;
      };
      var uppers = results.map(upper), suffix = new Array(results.length + 1);
      suffix[results.length] = outside;
      for (var i = results.length - 1; i >= 0; i--) suffix[i] = Math.max(uppers[i], suffix[i + 1]);
      for (var j = 0; j < k; j++) {
        if (!(results[j].score > suffix[j + 1])) return false;
      }
      return true;
    };
  }

  /**
   * Run `query` (parseQuery) over prepared shards and loaded tail tiers (term -> [tiers
   * 0..j]), scoring exactly as lunr.Index.prototype.query does on one index of every
   * paper, without its per-match objects. Returns {results: [{ref, n, score}], termsOf(ref),
   * pending: split terms with tiers not loaded, certified(k)}, or {needMembers: [terms]}
   * when a split term with tiers missing is required or excluded: its membership file
   * (`members`: term -> per field [paper numbers]) gives the exact set of base papers
   * holding it; the recent segment's postings are complete.
   */
  function evaluate(manifest, shards, query, tails, members) {
    var postings = loadedPostings(manifest, shards, tails || new Map());
    var m = matchClauses(manifest.fields, query, postings, members || new Map());
    if (m.needMembers.size) return { needMembers: Array.from(m.needMembers) };
    var vectors = queryVectors(m.vectors, postings.lookup);
    var results = rank(m, vectors);
    return {
      results: results,
      pending: Array.from(m.pending.keys()),
      certified: certifier(results, tailBounds(manifest, m, vectors, postings),
                           manifest.fields.length),
      termsOf: function (ref) {
        var out = new Set(), n = refNumber(ref);
        for (var i = 0; i < m.matchedTerms.length; i++) {
          if (find(m.matchedTerms[i].docs, n) >= 0) out.add(m.matchedTerms[i].term);
        }
        return out;
      }
    };
  }

  /* ---- The searcher: the steps put together, each file fetched once ---- */

  /** Tiers per split term fetched automatically for a first page (docs/search.md). */
  var TIER_BUDGET = 1;
  /** A phrase query checks at least this many of its strongest matches for the phrase. */
  var PHRASE_WINDOW = 20;

  /**
   * A searcher over one manifest; `load(path, version)` returns a promise of parsed JSON
   * for a path relative to the search folder ("t/b3.json") and the version to ask for
   * (the file's segment's; `fetcher` makes one). search(text, k, budget) resolves to
   * {planned, results, termsOf, complete, exact}: tiers of split terms are fetched (at
   * most `budget` per term, default TIER_BUDGET; Infinity for all) until the first k
   * results are proved to be lunr's first k (exact), complete when every tier is in.
   * run(query, k, budget) does the same for a query made by parseQuery.
   */
  function Searcher(manifest, load) {
    var cache = new Map(), nf = manifest.fields.length;
    var segment = {};
    manifest.segments.forEach(function (seg) { segment[seg.id] = seg; });
    var versionOf = function (path) {
      if (path.lastIndexOf("d/", 0) === 0 || path.lastIndexOf("p/", 0) === 0) {
        var bucket = parseInt(path.slice(2), 10);
        return manifest.segments[bucket < manifest.baseBuckets ? 0 : 1].v;
      }
      return segment[path.charAt(2)].v;
    };
    var get = function (path, then) {
      if (!cache.has(path)) {
        cache.set(path, load(path, versionOf(path)).then(then).catch(function (err) {
          cache.delete(path);
          throw err;
        }));
      }
      return cache.get(path);
    };
    var same = function (x) { return x; };
    var infoOf = function (shards, term) { // a split term's tail description
      for (var i = 0; i < shards.length; i++) {
        var e = shards[i].seg === "b" && shards[i].postings.get(term);
        if (e) return e[nf];
      }
      return null;
    };
    // Fetch the next tier of each term (every remaining tier when `all`) into `loaded`.
    var moreTiers = function (shards, loaded, terms, all) {
      var jobs = [];
      terms.forEach(function (term) {
        var have = loaded.get(term) || [], info = infoOf(shards, term), count = info.b.length;
        for (var j = have.length; j < (all ? count : Math.min(count, have.length + 1)); j++) {
          jobs.push(get("x/b" + info.id + "-" + j + ".json", same));
        }
        jobs.push(Promise.resolve(null));
      });
      return Promise.all(jobs).then(function (got) {
        var at = 0;
        terms.forEach(function (term) {
          var have = (loaded.get(term) || []).slice();
          while (got[at] !== null) have.push(got[at++]);
          at++;
          loaded.set(term, have);
        });
      });
    };
    // The membership file of each split term (base papers holding it, by field) into `into`.
    var moreMembers = function (shards, into, terms) {
      return Promise.all(terms.map(function (term) {
        return get("m/b" + infoOf(shards, term).id + ".json", function (m) {
          return m.map(function (steps) { // differences from the previous number -> numbers
            var n = 0;
            return steps.map(function (step) { n += step; return n; });
          });
        }).then(function (m) { into.set(term, m); });
      }));
    };
    // Add to planned.ids the shards (of each segment) holding the matches of its fuzzy terms.
    var fuzzyShards = function (planned) {
      if (!planned.fuzzy.length) return Promise.resolve(planned);
      return Promise.all(planned.fuzzy.map(function (f) {
        return Promise.all(f.vocab.map(function (v) { return get("v/" + v + ".json", same); }))
          .then(function (lists) { return fuzzyMatches(f, lists); });
      })).then(function (matched) {
        var ids = new Set(planned.ids);
        matched.forEach(function (terms) {
          terms.forEach(function (t) {
            segmentsOf(manifest).forEach(function (seg) {
              ids.add(seg.id + shardFor(seg.shards, t));
            });
          });
        });
        planned.ids = Array.from(ids).sort();
        return planned;
      });
    };
    var shardsOf = function (planned) {
      return Promise.all(planned.ids.map(function (id) {
        return get("t/" + id + ".json", function (data) {
          var shard = prepare(data);
          shard.seg = id.charAt(0);
          return shard;
        });
      }));
    };
    var run = function (query, k, budget) {
      var planned = plan(manifest, query), loaded = new Map(), members = new Map();
      budget = budget === undefined ? TIER_BUDGET : budget;
      if (planned.negatedOnly) {
        return Promise.resolve({ planned: planned, results: null, termsOf: null });
      }
      return fuzzyShards(planned).then(shardsOf).then(function (shards) {
        var round = function () {
          var found = evaluate(manifest, shards, query, loaded, members);
          if (found.needMembers) {
            return moreMembers(shards, members, found.needMembers).then(round);
          }
          var proved = found.certified(k || 10);
          var next = proved ? [] : found.pending.filter(function (term) {
            return (loaded.get(term) || []).length < budget;
          });
          if (next.length) return moreTiers(shards, loaded, next, false).then(round);
          return { planned: planned, results: found.results, termsOf: found.termsOf,
                   complete: found.pending.length === 0, exact: proved };
        };
        return round();
      });
    };
    this.manifest = manifest;
    this.run = run;
    this.search = function (text, k, budget) {
      var query;
      try {
        query = parseQuery(manifest, text);
      } catch (err) {
        return Promise.reject(err);
      }
      return run(query, k, budget);
    };
    // Paper n's entry in a per-bucket family: "d" (the doc store), "p" (word pairs).
    var inBucket = function (family, n) {
      var size = manifest.bucketDocs;
      return get(family + "/" + Math.floor(n / size) + ".json", same).then(
        function (b) { return b[n % size] || null; });
    };
    // The first `window` results holding every phrase (by their word pairs) ahead of
    // the others, each group in score order; found.phrase says how many were checked.
    var byPhrase = function (query, found, window) {
      var pairs = query.phrases.map(Q.phrasePairs);
      var checked = pairs.some(function (p) { return p.length > 0; });
      if (!checked || !found.results || !found.results.length) return Promise.resolve(found);
      var head = found.results.slice(0, window);
      return Promise.all(head.map(function (r) { return inBucket("p", r.n); }))
        .then(function (words) {
          var holding = [], others = [];
          head.forEach(function (r, i) {
            var has = pairs.every(function (h) { return Q.hasPairs(words[i], h); });
            (has ? holding : others).push({ ref: r.ref, n: r.n, score: r.score, phrase: has });
          });
          var out = Object.assign({}, found);
          out.results = holding.concat(others, found.results.slice(window));
          out.phrase = { checked: head.length, holding: holding.length };
          return out;
        });
    };
    /**
     * The search a reader means by `text`: `text` as lunr reads it, with its quoted
     * phrases (every word required; of the first max(k, PHRASE_WINDOW) results, those
     * holding the phrase first) and the word being typed also as a prefix
     * (search-query.js); when that finds nothing, its words of 5 or more letters one edit
     * away (`retry`: the text run instead). Resolves as `search` does, plus `query`.
     */
    this.find = function (text, k, budget) {
      var query;
      try {
        query = Q.withTypedWord(manifest, parseQuery(manifest, text), text);
      } catch (err) {
        return Promise.reject(err);
      }
      var window = Math.max(k || 10, PHRASE_WINDOW);
      var finish = function (q, retry) {
        return function (found) {
          found.query = q;
          if (retry) found.retry = retry;
          return byPhrase(q, found, window);
        };
      };
      return run(query, k, budget).then(function (found) {
        var retry = found.results && !found.results.length && Q.forgivingText(manifest, text);
        if (!retry) return finish(query, null)(found);
        var again = parseQuery(manifest, retry);
        return run(again, k, budget).then(finish(again, retry));
      });
    };
    this.docs = function (refs) {
      return Promise.all(refs.map(function (ref) { return inBucket("d", refNumber(ref)); }));
    };
  }

  /**
   * The first k results of what a reader typed (`Searcher.find`) as plain data (what the
   * worker posts to the page): {total, complete, exact, retry, phrase, results: [{ref,
   * terms, phrase}]}, or {negatedOnly: true}. `retry` is the text searched instead when
   * the typed one found nothing; `phrase` {checked, holding} counts the results checked
   * for a quoted phrase and those holding it.
   */
  function top(searcher, text, k, budget) {
    return searcher.find(text, k, budget).then(function (found) {
      if (found.results === null) return { negatedOnly: true };
      return {
        total: found.results.length, complete: found.complete, exact: found.exact,
        retry: found.retry || null, phrase: found.phrase || null,
        results: found.results.slice(0, k).map(function (r) {
          return { ref: r.ref, terms: Array.from(found.termsOf(r.ref)),
                   phrase: r.phrase === undefined ? null : r.phrase };
        })
      };
    });
  }

  return {
    parseQuery: parseQuery, plan: plan, evaluate: evaluate, Searcher: Searcher, top: top,
    fetcher: fetcher, CJK_RANGES: Q.CJK_RANGES, CJK_CLASS: Q.CJK_CLASS, bigrams: Q.bigrams,
    splitCjk: Q.splitCjk, shardFor: shardFor, fuzzyMatches: fuzzyMatches, prepare: prepare,
    refNumber: refNumber, refOf: refOf, fieldScore: fieldScore, idf: idf,
    isCjk: Q.isCjk, query: Q
  };
});
