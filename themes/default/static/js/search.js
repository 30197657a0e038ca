/* sitegen search page.
 *
 * The index is split by term into shards (each a complete lunr.js 2.3.9 index with global
 * term numbers and scores). A query is parsed with lunr's own parser, the shards holding
 * its terms are fetched and merged into one lunr index, which ranks exactly as the index
 * of the whole archive would. Results are built with DOM text nodes only.
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

  /** Index of the vocabulary file listing the terms of shard `shard`. */
  function vocabFor(manifest, shard) {
    var starts = manifest.vocab, lo = 0, hi = starts.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= shard) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  /**
   * Parse `text` and list the shards its terms need: {query text, shard ids, negatedOnly,
   * fuzzy: [{term, editDistance, prefix, vocab: [vocabulary file ids]}]} (the shards of a
   * fuzzy term's matches are found from the vocabulary files, see `fuzzyShards`).
   * Throws lunr.QueryParseError on bad syntax, including a leading wildcard.
   */
  function plan(manifest, text) {
    var queryText = splitCjk(text, manifest.fields);
    var query = new lunr.Query(manifest.fields);
    new lunr.QueryParser(queryText, query).parse();
    var ids = new Set(), fuzzy = [];
    var addRange = function (prefix) {
      var last = shardFor(manifest.shards, prefix + "\uffff");
      for (var i = shardFor(manifest.shards, prefix); i <= last; i++) ids.add(i);
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
        if (star > 0) addRange(term.slice(0, star));
        else if (clause.editDistance) {
          var prefix = fuzzyPrefix(term), vocab = new Set();
          var last = shardFor(manifest.shards, prefix + "\uffff");
          for (var i = shardFor(manifest.shards, prefix); i <= last; i++) {
            vocab.add(vocabFor(manifest, i));
          }
          fuzzy.push({ term: term, editDistance: clause.editDistance, prefix: prefix,
                       vocab: Array.from(vocab) });
        } else ids.add(shardFor(manifest.shards, term));
      });
    });
    return {
      text: queryText,
      ids: Array.from(ids).sort(function (a, b) { return a - b; }),
      fuzzy: fuzzy,
      negatedOnly: query.clauses.length > 0 && query.isNegated()
    };
  }

  /** The index terms starting with `prefix` that lunr's fuzzy match of `f` accepts. */
  function fuzzyMatches(f, terms) {
    var builder = new lunr.TokenSet.Builder();
    terms.forEach(function (t) { if (t.lastIndexOf(f.prefix, 0) === 0) builder.insert(t); });
    builder.finish();
    return builder.root.intersect(lunr.TokenSet.fromFuzzyString(f.term, f.editDistance))
      .toArray();
  }

  /** Merge loaded shards (in shard order) into the one lunr index they are slices of. */
  function merge(manifest, shards) {
    var inverted = [];
    var vectors = new Map();
    shards.forEach(function (shard) {
      for (var i = 0; i < shard.invertedIndex.length; i++) inverted.push(shard.invertedIndex[i]);
      shard.fieldVectors.forEach(function (pair) {
        var known = vectors.get(pair[0]);
        if (known) { for (var j = 0; j < pair[1].length; j++) known.push(pair[1][j]); }
        else vectors.set(pair[0], pair[1].slice());
      });
    });
    return lunr.Index.load({
      version: lunr.version, fields: manifest.fields, pipeline: ["stemmer"],
      invertedIndex: inverted, fieldVectors: Array.from(vectors)
    });
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

  /** Lookup tables for one loaded shard (made once, when it arrives). */
  function prepare(shard) {
    var postings = new Map(), vectors = Object.create(null); // field -> ref -> elements
    shard.invertedIndex.forEach(function (pair) { postings.set(pair[0], pair[1]); });
    shard.fieldVectors.forEach(function (pair) {
      var cut = pair[0].indexOf("/"), field = pair[0].slice(0, cut);
      (vectors[field] || (vectors[field] = new Map())).set(pair[0].slice(cut + 1), pair[1]);
    });
    return { terms: shard.invertedIndex.map(function (p) { return p[0]; }),
             postings: postings, vectors: vectors };
  }

  var hasOwn = Object.prototype.hasOwnProperty;

  /** The score of term number `index` in the vector of (field, ref), from `sources`. */
  function valueOf(sources, field, ref, index) {
    if (!sources) return undefined;
    for (var s = 0; s < sources.length; s++) {
      var byRef = sources[s].vectors[field], el = byRef && byRef.get(ref);
      if (!el) continue;
      var lo = 0, hi = el.length / 2 - 1;
      while (lo <= hi) {
        var mid = (lo + hi) >> 1, at = el[2 * mid];
        if (at === index) return el[2 * mid + 1];
        if (at < index) lo = mid + 1; else hi = mid - 1;
      }
    }
    return undefined;
  }
  var ALL = null; // lunr.Set.complete

  /** Merge two posting objects ({ref: metadata}) keeping refs in index (paper number) order. */
  function mergePostings(a, b) {
    var ka = Object.keys(a), kb = Object.keys(b), out = {}, i = 0, j = 0;
    var na = ka.map(refNumber), nb = kb.map(refNumber);
    while (i < ka.length || j < kb.length) {
      if (j >= kb.length || (i < ka.length && na[i] < nb[j])) { out[ka[i]] = a[ka[i]]; i++; }
      else { out[kb[j]] = b[kb[j]]; j++; }
    }
    return out;
  }

  /** Tiers per split term fetched automatically for a first page (docs/search.md). */
  var TIER_BUDGET = 1;
  var tailInfos = new WeakMap();
  var mergedPostings = new WeakMap(); // last loaded tier -> head + tiers merged
  /**
   * term -> {id, bounds} for the manifest's split terms: tier j of term i is x/i-j.json and
   * bounds[j] holds the largest score per field in tiers j and later.
   */
  function tailInfo(manifest) {
    if (!tailInfos.has(manifest)) {
      tailInfos.set(manifest, new Map((manifest.tails || []).map(function (t, i) {
        return [t[0], { id: i, bounds: t[1] }];
      })));
    }
    return tailInfos.get(manifest);
  }

  /**
   * Run a lunr query over prepared shards (in shard order) and loaded tail tiers (term ->
   * [prepared tiers 0..j]), scoring exactly as lunr.Index.prototype.query does on the one index
   * the files are slices of, without its per-match objects. Returns {results: [{ref,
   * score}], termsOf(ref), pending: split terms with tiers not loaded, certified(k):
   * whether the first k results are provably lunr's first k}, or {needMembers: [terms]}
   * when a split term with tiers missing is required or excluded: its membership file
   * (`members`: term -> {field: [refs]}) gives the exact set; its score stays bounded.
   */
  function evaluate(manifest, shards, text, tails, members) {
    tails = tails || new Map();
    members = members || new Map();
    var fields = manifest.fields, info = tailInfo(manifest);
    var query = new lunr.Query(fields);
    new lunr.QueryParser(text, query).parse();
    var tokenSet = null, pending = new Map(), needMembers = new Set();
    var loadedTiers = function (term) { return tails.has(term) ? tails.get(term).length : 0; };
    var sourcesOf = new Map(); // term number -> [its shard, its loaded tiers...]
    var lookup = function (term) {
      var head, shard;
      for (var i = 0; i < shards.length && !head; i++) {
        head = shards[i].postings.get(term);
        shard = shards[i];
      }
      if (!head) return undefined;
      var tiers = tails.get(term) || [];
      sourcesOf.set(head._index, [shard].concat(tiers));
      if (!tiers.length) return head;
      var last = tiers[tiers.length - 1], all = mergedPostings.get(last);
      if (!all) {
        all = { _index: head._index };
        fields.forEach(function (f) {
          all[f] = tiers.reduce(function (acc, tier) {
            return mergePostings(acc, tier.postings.get(term)[f]);
          }, head[f]);
        });
        mergedPostings.set(last, all);
      }
      return all;
    };
    var expand = function (clause) {
      if (clause.term.indexOf("*") < 0 && !("editDistance" in clause)) {
        return lookup(clause.term) ? [clause.term] : [];
      }
      if (!tokenSet) {
        var builder = new lunr.TokenSet.Builder();
        shards.forEach(function (s) { s.terms.forEach(function (t) { builder.insert(t); }); });
        builder.finish();
        tokenSet = builder.root;
      }
      var found = tokenSet.intersect(lunr.TokenSet.fromClause(clause)).toArray();
      if (clause.term.indexOf("*") >= 0) return found;
      var prefix = fuzzyPrefix(clause.term); // the same terms as fuzzyMatches, whatever is loaded
      return found.filter(function (t) { return t.lastIndexOf(prefix, 0) === 0; });
    };
    var queryVectors = Object.create(null), requiredMatches = Object.create(null);
    // lunr unites its per-field prohibited sets at the end: one set from the start is the same
    var allProhibited = new Set(), seen = new Set(), matchedTerms = [];
    var docs = new Map(), order = [];
    fields.forEach(function (f) { queryVectors[f] = new Map(); });

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
          var posting = lookup(term), termIndex = posting._index, member = null;
          if (info.has(term) && loadedTiers(term) < info.get(term).bounds.length) {
            // tiers missing: the score is bounded (pending); a +/- clause needs the exact
            // set of papers holding the term, which its membership file gives
            if (!prohibited) pending.set(term, posting);
            if (clause.presence !== lunr.Query.presence.OPTIONAL) {
              if (members.has(term)) member = members.get(term);
              else needMembers.add(term);
            }
          }
          clause.fields.forEach(function (field) {
            var fieldPosting = posting[field], refs = Object.keys(fieldPosting);
            var holders = member ? member[field] : refs;
            if (required) {
              holders.forEach(function (r) { clauseMatches.add(r); });
              if (requiredMatches[field] === undefined) requiredMatches[field] = ALL;
            }
            if (prohibited) {
              var set = allProhibited;
              holders.forEach(function (r) { set.add(r); });
              return;
            }
            var qv = queryVectors[field];
            qv.set(termIndex, (qv.get(termIndex) || 0) + clause.boost);
            var key = term + "/" + field;
            if (seen.has(key)) return;
            seen.add(key);
            matchedTerms.push(fieldPosting, term);
            for (var l = 0; l < refs.length; l++) {
              var doc = docs.get(refs[l]);
              if (doc === undefined) {
                doc = { ref: refs[l], fields: [field] };
                docs.set(refs[l], doc);
                order.push(doc);
              } else if (doc.fields.indexOf(field) < 0) doc.fields.push(field);
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

    // Query vectors as sorted [index, weight] arrays and their magnitudes, per field.
    var qsorted = Object.create(null), qmag = Object.create(null);
    fields.forEach(function (f) {
      var arr = Array.from(queryVectors[f]).sort(function (a, b) { return a[0] - b[0]; });
      var sum = 0;
      arr.forEach(function (e) { sum += e[1] * e[1]; });
      qsorted[f] = arr;
      qmag[f] = Math.sqrt(sum);
    });
    // lunr's Vector.similarity: the dot product summed in term order, over the magnitude.
    var similarity = function (field, ref) {
      var q = qsorted[field], dot = 0;
      for (var i = 0; i < q.length; i++) { // in term order, as lunr's Vector.dot sums
        var found = valueOf(sourcesOf.get(q[i][0]), field, ref, q[i][0]);
        if (found !== undefined) dot += q[i][1] * found;
      }
      return dot / qmag[field] || 0;
    };
    var results = [];
    order.forEach(function (doc) {
      if (allRequired !== ALL && !allRequired.has(doc.ref)) return;
      if (allProhibited.has(doc.ref)) return;
      var score = 0;
      for (var i = 0; i < doc.fields.length; i++) score += similarity(doc.fields[i], doc.ref);
      results.push({ ref: doc.ref, score: score });
    });
    results.sort(function (a, b) { return b.score - a.score; });

    // Bounds for split terms whose tails are not loaded: what a tail could still add.
    var bounds = [];
    pending.forEach(function (posting, term) {
      var max = info.get(term).bounds[loadedTiers(term)], ub = 0;
      fields.forEach(function (f, i) {
        var w = queryVectors[f].get(posting._index);
        if (w && qmag[f]) ub += w * max[i] / qmag[f];
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
          for (var i = 0; i < fields.length; i++) {
            if (hasOwn.call(b.posting[fields[i]], r.ref)) return;
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
        var out = new Set();
        for (var i = 0; i < matchedTerms.length; i += 2) {
          if (hasOwn.call(matchedTerms[i], ref)) out.add(matchedTerms[i + 1]);
        }
        return out;
      }
    };
  }

  /**
   * A searcher over one manifest; `load(path)` returns a promise of parsed JSON for a path
   * relative to the search folder ("t/3.json"). search(text, k, budget) resolves to
   * {planned, results, termsOf, complete, exact}: tiers of split terms are fetched (at
   * most `budget` per term, default TIER_BUDGET; Infinity for all) until the first k
   * results are proved to be lunr's first k (exact), complete when every tier is in.
   */
  function Searcher(manifest, load) {
    var cache = new Map(), info = tailInfo(manifest);
    var get = function (path, then) {
      if (!cache.has(path)) {
        cache.set(path, load(path).then(then).catch(function (err) {
          cache.delete(path);
          throw err;
        }));
      }
      return cache.get(path);
    };
    var same = function (x) { return x; };
    // Fetch the next tier of each term (every remaining tier when `all`) into `loaded`.
    var moreTiers = function (loaded, terms, all) {
      var jobs = [];
      terms.forEach(function (term) {
        var have = loaded.get(term) || [], count = info.get(term).bounds.length;
        for (var j = have.length; j < (all ? count : Math.min(count, have.length + 1)); j++) {
          jobs.push(get("x/" + info.get(term).id + "-" + j + ".json", prepare));
        }
        jobs.push(Promise.resolve(null));
      });
      return Promise.all(jobs).then(function (prepared) {
        var at = 0;
        terms.forEach(function (term) {
          var have = (loaded.get(term) || []).slice();
          while (prepared[at] !== null) have.push(prepared[at++]);
          at++;
          loaded.set(term, have);
        });
      });
    };
    // The membership file of each split term (every paper holding it, by field) into `into`.
    var moreMembers = function (into, terms) {
      return Promise.all(terms.map(function (term) {
        return get("m/" + info.get(term).id + ".json", function (m) {
          // per field: paper numbers as differences from the previous one -> refs
          var out = Object.create(null);
          manifest.fields.forEach(function (f) {
            var n = 0;
            out[f] = (m[f] || []).map(function (step) { n += step; return refOf(n); });
          });
          return out;
        }).then(function (m) { into.set(term, m); });
      }));
    };
    // Add to planned.ids the shards holding the matches of its fuzzy terms.
    var fuzzyShards = function (planned) {
      if (!planned.fuzzy.length) return Promise.resolve(planned);
      return Promise.all(planned.fuzzy.map(function (f) {
        return Promise.all(f.vocab.map(function (v) { return get("v/" + v + ".json", same); }))
          .then(function (lists) {
            return fuzzyMatches(f, [].concat.apply([], lists));
          });
      })).then(function (matched) {
        var ids = new Set(planned.ids);
        matched.forEach(function (terms) {
          terms.forEach(function (t) { ids.add(shardFor(manifest.shards, t)); });
        });
        planned.ids = Array.from(ids).sort(function (a, b) { return a - b; });
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
          return get("t/" + id + ".json", prepare);
        }));
      }).then(function (shards) {
        var round = function () {
          var found = evaluate(manifest, shards, planned.text, loaded, members);
          if (found.needMembers) return moreMembers(members, found.needMembers).then(round);
          var proved = found.certified(k || 10);
          var next = proved ? [] : found.pending.filter(function (term) {
            return (loaded.get(term) || []).length < budget;
          });
          if (next.length) return moreTiers(loaded, next, false).then(round);
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
    plan: plan, fuzzyMatches: fuzzyMatches, merge: merge, prepare: prepare, evaluate: evaluate, refNumber: refNumber,
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
    var local = new S.Searcher(manifest, function (path) {
      return fetchJson(path, manifest.version);
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
