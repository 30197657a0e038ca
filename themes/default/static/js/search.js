/* sitegen search page.
 *
 * The index (format 4) is two segments of papers (base and recent), each split by term
 * into shards holding each posting's term frequency and field length. A query is parsed
 * with lunr's own parser, the shards holding its terms are fetched from both segments, and
 * each posting is scored with lunr.js 2.3.9's BM25 and the archive-wide figures of the
 * manifest, so the results rank exactly as one lunr index of the whole archive would.
 * Results are built with DOM text nodes only.
 *
 * The first part (the search core) also runs under node: tests and the benchmark use it.
 */
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) {
    module.exports = factory(require("lunr"));
  } else {
    root.SitegenSearch = factory(root.lunr);
  }
})(typeof self !== "undefined" ? self : this, function (lunr) {
  "use strict";

  // Code point ranges split into bigrams; mirrors CJK_RANGES in sitegen/lunrindex.py.
  var CJK_RANGES = [
    [0x1100, 0x11FF], [0x3040, 0x309F], [0x30A0, 0x30FF], [0x3130, 0x318F],
    [0x31F0, 0x31FF], [0x3400, 0x4DBF], [0x4E00, 0x9FFF], [0xA960, 0xA97F],
    [0xAC00, 0xD7AF], [0xF900, 0xFAFF], [0xFF66, 0xFF9F], [0x20000, 0x3134F]
  ];
  var CJK_CLASS = CJK_RANGES.map(function (r) {
    return "\\u{" + r[0].toString(16) + "}-\\u{" + r[1].toString(16) + "}";
  }).join("");
  var CJK_SPLIT = new RegExp("([" + CJK_CLASS + "]+)", "u");
  var CJK_TEST = new RegExp("[" + CJK_CLASS + "]", "u");
  var WORD = /[\p{L}\p{N}_]/u;
  var pipeline = lunr.Pipeline.load(["stemmer"]);

  /** Overlapping bigrams of a CJK run, by code point ("注意力" -> ["注意", "意力"]). */
  function bigrams(run) {
    var chars = Array.from(run);
    if (chars.length < 2) return [run];
    var out = [];
    for (var i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
    return out;
  }

  /** Rewrite CJK runs in a query into bigram terms, keeping each piece's +/-, field: and ~/^. */
  function splitCjk(text, fields) {
    return text.split(/\s+/).filter(Boolean).map(function (piece) {
      if (!CJK_TEST.test(piece)) return piece;
      var m = /^([+-]?)(?:([^:\s]+):)?(.*?)((?:[~^]\d+)*)$/u.exec(piece);
      var op = m[1], field = m[2], body = m[3], suffix = m[4];
      if (field && fields.indexOf(field) < 0) { body = field + ":" + body; field = ""; }
      var prefix = op + (field ? field + ":" : "");
      var terms = [];
      body.split(CJK_SPLIT).forEach(function (part, i) {
        if (i % 2) terms.push.apply(terms, bigrams(part));
        else if (WORD.test(part)) terms.push(part);
      });
      return terms.map(function (t) { return prefix + t + suffix; }).join(" ");
    }).join(" ");
  }

  /** Index of the shard whose term range holds `term` (shards: first term of each, sorted). */
  function shardFor(shards, term) {
    var lo = 0, hi = shards.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (shards[mid] <= term) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

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
   * Parse `text` and list the shards its terms need: {query text, shard ids ("b3": shard 3
   * of the base segment), negatedOnly, fuzzy: [{term, editDistance, prefix, vocab: [file
   * ids]}]} (the shards of a fuzzy term's matches are found from the vocabulary files, see
   * `fuzzyShards`). Throws lunr.QueryParseError on bad syntax, including a leading wildcard.
   */
  function plan(manifest, text) {
    var queryText = splitCjk(text, manifest.fields);
    var query = new lunr.Query(manifest.fields);
    new lunr.QueryParser(queryText, query).parse();
    var ids = new Set(), fuzzy = [], segments = segmentsOf(manifest);
    var eachShard = function (prefix, visit) {
      segments.forEach(function (seg) {
        var last = shardFor(seg.shards, prefix + "\uffff");
        for (var i = shardFor(seg.shards, prefix); i <= last; i++) visit(seg, i);
      });
    };
    query.clauses.forEach(function (clause) {
      var terms = clause.usePipeline
        ? pipeline.runString(clause.term, { fields: clause.fields }) : [clause.term];
      terms.forEach(function (term) {
        var star = term.indexOf("*");
        if (star === 0) {
          throw new lunr.QueryParseError(
            "a term cannot start with * here; put the * at the end (transform*)", 0, 1);
        }
        if (star > 0) {
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
    return {
      text: queryText,
      ids: Array.from(ids).sort(),
      fuzzy: fuzzy,
      negatedOnly: query.clauses.length > 0 && query.isNegated()
    };
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
   * base's), per field {docs, scores}; `df` and `idf` archive-wide, `tail` the base's
   * description of the term's tiers (or null).
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
      var docs = [], scores = [], boost = manifest.boosts[f], cache = new Map();
      var score = function (tf, len) {
        var key = tf * 4294967296 + len, s = cache.get(key); // exact below 2^53
        if (s === undefined) { s = fieldScore(termIdf, tf, len, avg[f], boost); cache.set(key, s); }
        return s;
      };
      var pieces = p.base.slice();
      if (p.recent) pieces.push(p.recent);
      var triples = [];
      pieces.forEach(function (piece) {
        for (var i = 0; i < piece.docs.length; i++) {
          triples.push([piece.docs[i], piece.tfs[i], piece.lens[i]]);
        }
      });
      if (pieces.length > 1) triples.sort(function (a, b) { return a[0] - b[0]; });
      for (var i = 0; i < triples.length; i++) {
        docs.push(triples[i][0]);
        scores.push(score(triples[i][1], triples[i][2]));
      }
      return { docs: docs, scores: scores, recent: p.recent };
    });
    return { term: term, df: df, idf: termIdf, tail: tail, fields: fields };
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

  var hasOwn = Object.prototype.hasOwnProperty;
  var ALL = null; // lunr.Set.complete

  /** Tiers per split term fetched automatically for a first page (docs/search.md). */
  var TIER_BUDGET = 1;
  var combined = new WeakMap(); // first entry of a term -> Map(tiers loaded -> combine())

  /**
   * Run a lunr query over prepared shards (each with its `seg` id) and loaded tail tiers
   * (term -> [tiers 0..j]), scoring exactly as lunr.Index.prototype.query does on one
   * index of every paper, without its per-match objects. Returns {results: [{ref, score}],
   * termsOf(ref), pending: split terms with tiers not loaded, certified(k): whether the
   * first k results are provably lunr's first k}, or {needMembers: [terms]} when a split
   * term with tiers missing is required or excluded: its membership file (`members`: term
   * -> per field [paper numbers]) gives the exact set of base papers holding it; the recent
   * segment's postings are complete.
   */
  function evaluate(manifest, shards, text, tails, members) {
    tails = tails || new Map();
    members = members || new Map();
    var fields = manifest.fields, nf = fields.length;
    var query = new lunr.Query(fields);
    new lunr.QueryParser(text, query).parse();
    var tokenSet = null, pending = new Map(), needMembers = new Set();
    var baseShards = shards.filter(function (s) { return s.seg === "b"; });
    var recentShards = shards.filter(function (s) { return s.seg !== "b"; });
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
    var tiersOf = function (posting) { return posting.tail ? posting.tail.b.length : 0; };
    var loadedTiers = function (term) { return tails.has(term) ? tails.get(term).length : 0; };
    var expand = function (clause) {
      if (clause.term.indexOf("*") < 0 && !("editDistance" in clause)) {
        return lookup(clause.term) ? [clause.term] : [];
      }
      if (!tokenSet) {
        var builder = new lunr.TokenSet.Builder();
        sortedUnion(shards.map(function (s) { return s.terms; })).forEach(function (t) {
          builder.insert(t);
        });
        builder.finish();
        tokenSet = builder.root;
      }
      var found = tokenSet.intersect(lunr.TokenSet.fromClause(clause)).toArray();
      if (clause.term.indexOf("*") >= 0) return found;
      var prefix = fuzzyPrefix(clause.term); // the same terms as fuzzyMatches, whatever is loaded
      return found.filter(function (t) { return t.lastIndexOf(prefix, 0) === 0; });
    };
    var queryVectors = [], requiredMatches = Object.create(null);
    // lunr unites its per-field prohibited sets at the end: one set from the start is the same
    var allProhibited = new Set(), seen = new Set(), matchedTerms = [];
    var docs = new Map(), order = [];
    fields.forEach(function () { queryVectors.push(new Map()); });

    query.clauses.forEach(function (clause) {
      var terms = clause.usePipeline
        ? pipeline.runString(clause.term, { fields: clause.fields }) : [clause.term];
      var clauseMatches = new Set();
      var required = clause.presence === lunr.Query.presence.REQUIRED;
      var prohibited = clause.presence === lunr.Query.presence.PROHIBITED;
      for (var m = 0; m < terms.length; m++) {
        clause.term = terms[m];
        var expanded = expand(clause);
        if (expanded.length === 0 && required) {
          clause.fields.forEach(function (f) { requiredMatches[f] = new Set(); });
          break;
        }
        expanded.forEach(function (term) {
          var posting = lookup(term), member = null;
          if (loadedTiers(term) < tiersOf(posting)) {
            // tiers missing: the score is bounded (pending); a +/- clause needs the exact
            // set of papers holding the term, which its membership file gives
            if (!prohibited) pending.set(term, posting);
            if (clause.presence !== lunr.Query.presence.OPTIONAL) {
              if (members.has(term)) member = members.get(term);
              else needMembers.add(term);
            }
          }
          clause.fields.forEach(function (field) {
            var f = fields.indexOf(field), part = posting.fields[f], refs = part.docs;
            var holders = refs;
            if (member) {
              holders = member[f].slice();
              if (part.recent) holders.push.apply(holders, part.recent.docs);
            }
            if (required) {
              holders.forEach(function (r) { clauseMatches.add(r); });
              if (requiredMatches[field] === undefined) requiredMatches[field] = ALL;
            }
            if (prohibited) {
              var set = allProhibited;
              holders.forEach(function (r) { set.add(r); });
              return;
            }
            var qv = queryVectors[f];
            qv.set(term, (qv.get(term) || 0) + clause.boost);
            var key = term + "/" + field;
            if (seen.has(key)) return;
            seen.add(key);
            matchedTerms.push({ docs: part.docs, term: term });
            for (var l = 0; l < refs.length; l++) {
              var doc = docs.get(refs[l]);
              if (doc === undefined) {
                doc = { n: refs[l], fields: [f] };
                docs.set(refs[l], doc);
                order.push(doc);
              } else if (doc.fields.indexOf(f) < 0) doc.fields.push(f);
            }
          });
        });
      }
      if (required) {
        clause.fields.forEach(function (f) {
          var have = requiredMatches[f];
          if (have === ALL) requiredMatches[f] = clauseMatches;
          else requiredMatches[f] = new Set(Array.from(have).filter(function (r) {
            return clauseMatches.has(r);
          }));
        });
      }
    });

    var allRequired = ALL;
    fields.forEach(function (f) {
      var req = requiredMatches[f];
      if (req !== undefined && req !== ALL && req !== allRequired) { // x ∩ x = x
        allRequired = allRequired === ALL ? req : new Set(Array.from(allRequired).filter(
          function (r) { return req.has(r); }));
      }
    });

    if (needMembers.size) return { needMembers: Array.from(needMembers) };

    // Query vectors as [term, weight, posting] arrays in term order (JavaScript string
    // order: lunr's term numbers) and their magnitudes, per field.
    var qsorted = [], qmag = [];
    queryVectors.forEach(function (qv) {
      var arr = Array.from(qv).sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
      var sum = 0;
      arr.forEach(function (e) { sum += e[1] * e[1]; e.push(lookup(e[0])); });
      qsorted.push(arr);
      qmag.push(Math.sqrt(sum));
    });
    // lunr's Vector.similarity: the dot product summed in term order, over the magnitude.
    var similarity = function (f, n) {
      var q = qsorted[f], dot = 0;
      for (var i = 0; i < q.length; i++) {
        var part = q[i][2].fields[f], at = find(part.docs, n);
        if (at >= 0) dot += q[i][1] * part.scores[at];
      }
      return dot / qmag[f] || 0;
    };
    var results = [];
    order.forEach(function (doc) {
      if (allRequired !== ALL && !allRequired.has(doc.n)) return;
      if (allProhibited.has(doc.n)) return;
      var score = 0;
      for (var i = 0; i < doc.fields.length; i++) score += similarity(doc.fields[i], doc.n);
      results.push({ ref: refOf(doc.n), n: doc.n, score: score });
    });
    results.sort(function (a, b) { return b.score - a.score; });

    // Bounds for split terms whose tails are not loaded: what a tail could still add,
    // from the frontier points of the first tier not loaded under today's figures.
    var bounds = [];
    pending.forEach(function (posting, term) {
      var points = posting.tail.b[loadedTiers(term)], ub = 0;
      fields.forEach(function (field, f) {
        var w = queryVectors[f].get(term);
        if (w && qmag[f]) ub += w * bound(manifest, posting, points[f], f) / qmag[f];
      });
      bounds.push({ posting: posting, ub: ub });
    });
    var certified = function (k) {
      if (!bounds.length) return true;
      var outside = 0; // the most a paper absent from every loaded posting could score
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
      // Paper j is surely above every paper after it when its score (a lower bound) beats
      // their upper bounds; then the first k are lunr's first k, in lunr's order.
      var uppers = results.map(upper), suffix = new Array(results.length + 1);
      suffix[results.length] = outside;
      for (var i = results.length - 1; i >= 0; i--) suffix[i] = Math.max(uppers[i], suffix[i + 1]);
      for (var j = 0; j < k; j++) {
        if (!(results[j].score > suffix[j + 1])) return false;
      }
      return true;
    };
    return {
      results: results,
      pending: Array.from(pending.keys()),
      certified: certified,
      termsOf: function (ref) {
        var out = new Set(), n = refNumber(ref);
        for (var i = 0; i < matchedTerms.length; i++) {
          if (find(matchedTerms[i].docs, n) >= 0) out.add(matchedTerms[i].term);
        }
        return out;
      }
    };
  }

  /**
   * A searcher over one manifest; `load(path, version)` returns a promise of parsed JSON
   * for a path relative to the search folder ("t/b3.json") and the version to ask for
   * (the file's segment's: the base's files keep their URLs when a day is added).
   * search(text, k, budget) resolves to {planned, results, termsOf, complete, exact}:
   * tiers of split terms are fetched (at most `budget` per term, default TIER_BUDGET;
   * Infinity for all) until the first k results are proved to be lunr's first k (exact),
   * complete when every tier is in.
   */
  function Searcher(manifest, load) {
    var cache = new Map(), nf = manifest.fields.length;
    var segment = {};
    manifest.segments.forEach(function (seg) { segment[seg.id] = seg; });
    var versionOf = function (path) {
      if (path.lastIndexOf("d/", 0) === 0) {
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
    this.manifest = manifest;
    this.search = function (text, k, budget) {
      var planned, loaded = new Map(), members = new Map();
      budget = budget === undefined ? TIER_BUDGET : budget;
      try {
        planned = plan(manifest, text);
      } catch (err) {
        return Promise.reject(err);
      }
      if (planned.negatedOnly) {
        return Promise.resolve({ planned: planned, results: null, termsOf: null });
      }
      return fuzzyShards(planned).then(function () {
        return Promise.all(planned.ids.map(function (id) {
          return get("t/" + id + ".json", function (data) {
            var shard = prepare(data);
            shard.seg = id.charAt(0);
            return shard;
          });
        }));
      }).then(function (shards) {
        var round = function () {
          var found = evaluate(manifest, shards, planned.text, loaded, members);
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
    this.docs = function (refs) {
      var size = manifest.bucketDocs;
      return Promise.all(refs.map(function (ref) {
        var n = refNumber(ref);
        return get("d/" + Math.floor(n / size) + ".json", same).then(
          function (b) { return b[n % size] || null; });
      }));
    };
  }

  /**
   * The first k results of a query as plain data (what the worker posts to the page):
   * {total, complete, results: [{ref, terms}]}, or {negatedOnly: true}.
   */
  function top(searcher, text, k, budget) {
    return searcher.search(text, k, budget).then(function (found) {
      if (found.results === null) return { negatedOnly: true };
      return {
        total: found.results.length, complete: found.complete, exact: found.exact,
        results: found.results.slice(0, k).map(function (r) {
          return { ref: r.ref, terms: Array.from(found.termsOf(r.ref)) };
        })
      };
    });
  }

  return {
    top: top,
    CJK_RANGES: CJK_RANGES, bigrams: bigrams, splitCjk: splitCjk, shardFor: shardFor,
    plan: plan, fuzzyMatches: fuzzyMatches, prepare: prepare, evaluate: evaluate,
    refNumber: refNumber, fieldScore: fieldScore, idf: idf,
    refOf: refOf,
    Searcher: Searcher, isCjk: function (s) {
      return CJK_TEST.test(s);
    }, CJK_CLASS: CJK_CLASS
  };
});

/* The page: wire the box, the URL, the keyboard and the results list. */
(function () {
  "use strict";
  if (typeof document === "undefined") return;
  var app = document.getElementById("search-app");
  if (!app || !window.lunr || !window.SitegenSearch) return;
  var S = window.SitegenSearch;
  var base = app.dataset.base, indexUrl = app.dataset.index;
  var input = document.getElementById("search-q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var approx = document.getElementById("search-approx");
  var exactButton = document.getElementById("search-exact");
  var PAGE = 10, DEBOUNCE = 150;
  var searcher = null, current = null, total = 0, shown = 0, timer = 0, serial = 0;
  var complete = true, currentQuery = "";
  var TOKEN = new RegExp("([" + S.CJK_CLASS + "]+)|([\\p{L}\\p{N}_]+)", "gu");
  app.hidden = false;
  var nojs = document.getElementById("search-nojs");
  if (nojs) nojs.hidden = true;

  function setStatus(text, isError) {
    status.textContent = text;
    status.classList.toggle("error", Boolean(isError));
  }

  function fetchJson(path, version) {
    var url = indexUrl + path + (version ? "?v=" + encodeURIComponent(version) : "");
    return fetch(url, version ? {} : { cache: "no-cache" }).then(function (r) {
      if (!r.ok) throw new Error("could not load the search index (" + r.status + ")");
      return r.json();
    });
  }

  /**
   * The query engine: search.js's core in a Web Worker when the browser has workers (the
   * page stays responsive while shards are parsed and scored), else on this thread.
   * search(q, k) resolves to the shape of SitegenSearch.top.
   */
  function engine(manifest) {
    var local = new S.Searcher(manifest, function (path, version) {
      return fetchJson(path, version);
    });
    var inPage = {
      docs: local.docs, search: function (q, k, budget) { return S.top(local, q, k, budget); }
    };
    app.dataset.engine = "page";
    if (typeof Worker === "undefined" || !app.dataset.worker) return inPage;
    var worker, waiting = new Map(), next = 0, failed = false;
    try {
      worker = new Worker(app.dataset.worker);
    } catch (err) {
      return inPage;
    }
    worker.onmessage = function (event) {
      var reply = event.data, job = waiting.get(reply.id);
      if (!job) return;
      waiting.delete(reply.id);
      if (!reply.error) { job.resolve(reply.found); return; }
      var err = reply.error.name === "QueryParseError"
        ? new lunr.QueryParseError(reply.error.message, 0, 0) : new Error(reply.error.message);
      job.reject(err);
    };
    worker.onerror = function (event) { // the worker could not start: search here instead
      event.preventDefault();
      failed = true;
      app.dataset.engine = "page";
      waiting.forEach(function (job) {
        inPage.search(job.q, job.k, job.budget).then(job.resolve, job.reject);
      });
      waiting.clear();
    };
    worker.postMessage({ type: "init", manifest: manifest, index: indexUrl });
    app.dataset.engine = "worker";
    return {
      docs: local.docs,
      search: function (q, k, budget) {
        if (failed) return inPage.search(q, k, budget);
        return new Promise(function (resolve, reject) {
          var id = next++;
          waiting.set(id, { resolve: resolve, reject: reject, q: q, k: k, budget: budget });
          worker.postMessage({ type: "search", id: id, q: q, k: k, budget: budget });
        });
      }
    };
  }

  var ready = fetchJson("manifest.json").then(function (manifest) {
    searcher = engine(manifest);
    searcher.manifest = manifest;
    return searcher;
  });

  /** Append `text` to `parent`, wrapping words whose index term matched in <mark>. */
  function highlight(parent, text, terms) {
    var last = 0, m;
    var push = function (s, marked) {
      if (!s) return;
      if (marked) {
        var mark = document.createElement("mark");
        mark.appendChild(document.createTextNode(s));
        parent.appendChild(mark);
      } else parent.appendChild(document.createTextNode(s));
    };
    TOKEN.lastIndex = 0;
    while ((m = TOKEN.exec(text)) !== null) {
      push(text.slice(last, m.index), false);
      if (m[1]) {
        var chars = Array.from(m[1]), hit = chars.map(function () { return false; });
        S.bigrams(m[1]).forEach(function (gram, i) {
          if (terms.has(gram)) { hit[i] = true; if (chars.length > 1) hit[i + 1] = true; }
        });
        var run = "", state = hit[0];
        chars.forEach(function (c, i) {
          if (hit[i] !== state) { push(run, state); run = ""; state = hit[i]; }
          run += c;
        });
        push(run, state);
      } else {
        var stem = lunr.stemmer(new lunr.Token(m[2].toLowerCase())).toString();
        push(m[2], terms.has(stem));
      }
      last = m.index + m[0].length;
    }
    push(text.slice(last), false);
  }

  function renderItem(result, doc, terms) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.className = "result-title";
    a.href = base + (doc ? doc.u : "archive/");
    highlight(a, doc ? doc.t : "(a paper missing from the search files)", terms);
    li.appendChild(a);
    if (doc) {
      var meta = document.createElement("p");
      meta.className = "result-meta";
      var time = document.createElement("time");
      time.dateTime = doc.d;
      time.textContent = doc.d;
      meta.appendChild(time);
      if (doc.g.length) meta.appendChild(document.createTextNode(" · " + doc.g.join(", ")));
      li.appendChild(meta);
      if (doc.s) {
        var p = document.createElement("p");
        p.className = "result-snippet";
        highlight(p, doc.s, terms);
        li.appendChild(p);
      }
    }
    return li;
  }

  function describe(found, q) {
    var n = found.total;
    var count = found.complete ? String(n) : "At least " + n;
    return count + (n === 1 && found.complete ? " paper matches" : " papers match") +
      " “" + q + "”.";
  }

  /** Show the next page of results, asking the engine for more when needed. */
  function showMore(run) {
    var want = shown + PAGE;
    var ask = want > current.length && (current.length < total || !complete);
    // Asked for by the reader: fetch whatever the exact order of the next page needs.
    var before = ask ? searcher.search(currentQuery, want, Infinity) : Promise.resolve(null);
    return before.then(function (found) {
      if (run !== serial) return;
      if (found) {
        current = found.results;
        total = found.total;
        complete = found.complete;
        approx.hidden = true;
        setStatus(describe(found, currentQuery));
      }
      var slice = current.slice(shown, want);
      shown += slice.length;
      more.hidden = shown >= total && complete;
      return searcher.docs(slice.map(function (r) { return r.ref; })).then(function (docs) {
        if (run !== serial) return;
        slice.forEach(function (r, i) {
          list.appendChild(renderItem(r, docs[i], new Set(r.terms)));
        });
        return true;
      });
    }).catch(function (err) {
      if (run === serial) setStatus("Search failed: " + err.message, true);
      return false;
    });
  }

  function updateUrl(q) {
    var url = location.pathname + (q ? "?q=" + encodeURIComponent(q) : "");
    history.replaceState(null, "", url);
  }

  function run(q) {
    var mine = ++serial;
    updateUrl(q);
    approx.hidden = true;
    if (!q.trim()) {
      list.replaceChildren();
      more.hidden = true;
      current = null;
      setStatus(searcher ? "Type to search " + searcher.manifest.docs + " papers." : "");
      return Promise.resolve();
    }
    return ready.then(function (s) {
      return s.search(q, PAGE);
    }).then(function (found) {
      if (mine !== serial) return;
      list.replaceChildren();
      shown = 0;
      if (found.negatedOnly) {
        current = null;
        more.hidden = true;
        setStatus("Add a word to search for: a query of only -excluded words matches everything.",
          true);
        return;
      }
      current = found.results;
      total = found.total;
      complete = found.complete;
      currentQuery = q;
      approx.hidden = found.exact !== false || !total;
      if (!total) {
        more.hidden = true;
        setStatus("No papers match “" + q + "”. Try fewer or other words, or a prefix such as transform*.");
        return;
      }
      return showMore(mine).then(function (shownOk) {
        if (shownOk && mine === serial) setStatus(describe(found, q));  // after the list
      });
    }).catch(function (err) {
      if (mine !== serial) return;
      list.replaceChildren();
      more.hidden = true;
      current = null;
      var syntax = err instanceof lunr.QueryParseError || err.name === "QueryParseError";
      setStatus((syntax ? "Invalid search: " : "Search failed: ") + err.message, true);
    });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { run(input.value); }, DEBOUNCE);
  });
  input.form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    run(input.value);
  });
  exactButton.addEventListener("click", function () {
    if (!current) return;
    var mine = ++serial, count = Math.max(shown, PAGE);
    exactButton.disabled = true;
    searcher.search(currentQuery, count, Infinity).then(function (found) {
      if (mine !== serial) return;
      current = found.results;
      total = found.total;
      complete = found.complete;
      approx.hidden = true;
      list.replaceChildren();
      shown = 0;
      var page = function () { return shown < count && shown < current.length; };
      var step = function () { return page() ? showMore(mine).then(step) : null; };
      return Promise.resolve(step()).then(function () {
        if (mine === serial) setStatus(describe(found, currentQuery));
      });
    }).catch(function (err) {
      if (mine === serial) setStatus("Search failed: " + err.message, true);
    }).then(function () { exactButton.disabled = false; });
  });
  more.addEventListener("click", function () {
    if (!current || more.disabled) return;
    more.disabled = true;
    showMore(serial).then(function () { more.disabled = false; });
  });

  function links() { return Array.prototype.slice.call(list.querySelectorAll("a.result-title")); }

  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" && links().length) {
      event.preventDefault();
      links()[0].focus();
    }
  });
  list.addEventListener("keydown", function (event) {
    var all = links(), at = all.indexOf(document.activeElement);
    if (at < 0) return;
    if (event.key === "ArrowDown" && at + 1 < all.length) { event.preventDefault(); all[at + 1].focus(); }
    if (event.key === "ArrowUp") { event.preventDefault(); (at > 0 ? all[at - 1] : input).focus(); }
  });
  document.addEventListener("keydown", function (event) {
    var t = event.target, typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      input.focus();
      input.select();
    }
  });

  var initial = new URLSearchParams(location.search).get("q") || "";
  input.value = initial;
  ready.then(function () { return run(initial); }, function (err) {
    setStatus("Search failed: " + err.message, true);
  });
  if (!initial) input.focus();
})();
