/* sitegen search, step 1: the query. What a reader typed becomes the clauses the engine
 * (search-core.js) runs, in the page, its Web Worker and node (tests, benchmark):
 *   - lunr's own query parser, CJK runs split into bigrams, each term through lunr's
 *     search pipeline (`parseQuery`);
 *   - quoted phrases ("large language models"): every word required, and the words' pairs
 *     for checking which papers hold the phrase (`splitPhrases`, `phrasePairs`,
 *     `hasPairs`, against the pair fingerprints sitegen/search/phrases.py writes);
 *   - the word being typed, matched as a prefix too (`withTypedWord`: "parrot" finds
 *     ParrotBench) or, when it is not a word of the archive, as the word it starts with
 *     ("diffusio" -> "diffus", the stem of "diffusion");
 *   - the forgiving rewrite tried when a query finds nothing (`forgivingText`: words of
 *     5 or more letters get `~1`, one edit away).
 * docs/search.md says why each rule is what it is.
 */
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) {
    module.exports = factory(require("lunr"));
  } else {
    root.SitegenQuery = factory(root.lunr);
  }
})(typeof self !== "undefined" ? self : this, function (lunr) {
  "use strict";

  var REQUIRED = lunr.Query.presence.REQUIRED;
  var OPTIONAL = lunr.Query.presence.OPTIONAL;
  var PROHIBITED = lunr.Query.presence.PROHIBITED;

  /* ---- Text: CJK bigrams, as sitegen/search/analyser.py makes them ---- */

  // Code point ranges split into bigrams; mirrors CJK_RANGES in sitegen/search/analyser.py.
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
  var searchPipeline = lunr.Pipeline.load(["stemmer"]);

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

  /* ---- Words as the index holds them ---- */

  // The analyser's tokenizer separators, and lunr.py's trimmer (Python's \w is Unicode;
  // lunr.js's trimmer is ASCII-only, so it is not used here).
  var SEPARATORS = /[ \t\n\r\f\v\u00a0-]+/;
  var TRIM = /^[^\p{L}\p{N}_]*?([\p{L}\p{N}_]+)[^\p{L}\p{N}_]*?$/u;

  /** One word through the index's pipeline: trimmer, stop words, stemmer (or nothing). */
  function indexTerm(word) {
    var m = TRIM.exec(word);
    var token = new lunr.Token(m ? m[1] : word);
    if (!token.toString() || !lunr.stopWordFilter(token)) return [];
    return [lunr.stemmer(token).toString()];
  }

  /** The index terms of `text` in order, as the analyser makes them (`Analyzer.terms`). */
  function indexTerms(text) {
    var out = [];
    text.toLowerCase().split(SEPARATORS).forEach(function (token) {
      if (!token) return;
      if (!CJK_TEST.test(token)) { out.push.apply(out, indexTerm(token)); return; }
      token.split(CJK_SPLIT).forEach(function (piece, i) {
        if (i % 2) out.push.apply(out, bigrams(piece));
        else if (WORD.test(piece)) out.push.apply(out, indexTerm(piece));
      });
    });
    return out;
  }

  /* ---- Quoted phrases ---- */

  var QUOTE = /["\u201c\u201d]/;
  var QUOTES = /["\u201c\u201d]/g;

  /**
   * The quoted phrases of `text` taken out: {rest: the text without them, phrases:
   * [{fields, text, terms}]}. `field:"..."` searches one field; a quote left open runs
   * to the end (a phrase being typed). An excluded phrase (-"...") is refused: without
   * word positions the engine cannot tell which papers hold it.
   */
  function splitPhrases(text, fields) {
    var rest = "", phrases = [], at = 0;
    while (at < text.length) {
      var open = text.slice(at).search(QUOTE);
      if (open < 0) { rest += text.slice(at); break; }
      open += at;
      var before = text.slice(at, open);
      var lead = /(^|\s)([+-]?)(?:([^\s:"\u201c\u201d]+):)?$/.exec(before);
      if (!lead) { // a quote inside a word: a separator
        rest += before + " ";
        at = open + 1;
        continue;
      }
      rest += before.slice(0, lead.index + lead[1].length) + " ";
      var close = text.slice(open + 1).search(QUOTE);
      var inner = close < 0 ? text.slice(open + 1) : text.slice(open + 1, open + 1 + close);
      at = close < 0 ? text.length : open + 2 + close;
      if (lead[2] === "-") {
        throw new lunr.QueryParseError(
          "a quoted phrase cannot be excluded; exclude one of its words instead (-word)",
          open, open + 1);
      }
      var field = lead[3];
      if (field && fields.indexOf(field) < 0) {
        throw new lunr.QueryParseError("unrecognised field '" + field +
          "', possible fields: " + fields.join(", "), open, open + 1);
      }
      var terms = indexTerms(inner);
      if (terms.length) {
        phrases.push({ fields: field ? [field] : fields.slice(), text: inner.trim(),
                       terms: terms });
      }
    }
    return { rest: rest, phrases: phrases };
  }

  /**
   * The query the engine runs for `text`: {text: the part lunr parses (CJK runs as
   * bigrams), clauses: [{fields, boost, presence, fuzzy, editDistance, terms}], phrases,
   * negatedOnly}. A clause's `terms` have been through lunr's search pipeline (none for a
   * stop word; a wildcard term as typed); `fuzzy` is whether it had `~N`. Each word of a
   * phrase is a required clause of its own. Every later step reads this query only, so a
   * rewrite of it (another edit distance, a prefix) is a search of its own. Throws
   * lunr.QueryParseError on bad syntax, including a leading wildcard.
   */
  function parseQuery(manifest, text) {
    var split = splitPhrases(text, manifest.fields);
    var queryText = splitCjk(split.rest, manifest.fields);
    var parsed = new lunr.Query(manifest.fields);
    new lunr.QueryParser(queryText, parsed).parse();
    var clauses = parsed.clauses.map(function (clause) {
      var terms = clause.usePipeline
        ? searchPipeline.runString(clause.term, { fields: clause.fields }) : [clause.term];
      terms.forEach(function (term) {
        if (term.indexOf("*") === 0) {
          throw new lunr.QueryParseError(
            "a term cannot start with * here; put the * at the end (transform*)", 0, 1);
        }
      });
      return {
        fields: clause.fields, boost: clause.boost, presence: clause.presence,
        fuzzy: "editDistance" in clause, editDistance: clause.editDistance, terms: terms
      };
    });
    split.phrases.forEach(function (phrase) {
      phrase.terms.forEach(function (term) {
        clauses.push({ fields: phrase.fields, boost: 1, presence: REQUIRED, fuzzy: false,
                       editDistance: 0, terms: [term] });
      });
    });
    return {
      text: queryText, clauses: clauses, phrases: split.phrases,
      negatedOnly: clauses.length > 0 && clauses.every(function (c) {
        return c.presence === PROHIBITED;
      })
    };
  }

  /* ---- The word being typed ---- */

  /** A typed word is a prefix from this many characters on; its prefix may span at most
   * PREFIX_SHARDS term shards of each segment (a broader one waits for more letters). */
  var PREFIX_MIN = 3, PREFIX_SHARDS = 2;
  /** A typed word that is no word of the archive also matches the longest word it starts
   * with, dropping at most STEM_DROP letters and keeping at least STEM_MIN. */
  var STEM_MIN = 4, STEM_DROP = 5;

  /** Index of the shard whose term range holds `term` (shards: first term of each, sorted). */
  function shardFor(shards, term) {
    var lo = 0, hi = shards.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (shards[mid] <= term) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  /** The last word of `text` if it is still being typed: {fields, word (lower case)}, or
   * null (text ending in a space, an operator, a phrase, CJK, fewer than 3 characters). */
  function typedWord(manifest, text) {
    if (!text || /\s$/.test(text) || (text.match(QUOTES) || []).length % 2) return null;
    var piece = text.split(/\s+/).pop(), fields = manifest.fields;
    if (QUOTE.test(piece) || /^[+-]/.test(piece)) return null;
    var m = /^([^:]+):(.*)$/.exec(piece);
    if (m) {
      if (fields.indexOf(m[1]) < 0) return null;
      fields = [m[1]];
      piece = m[2];
    }
    var parts = piece.split(/-+/);
    if (parts.length > 1) fields = manifest.fields; // lunr: a field: applies to the first part
    var word = parts[parts.length - 1].toLowerCase();
    if (!/^[\p{L}\p{N}_]+$/u.test(word) || CJK_TEST.test(word)) return null;
    return Array.from(word).length >= PREFIX_MIN ? { fields: fields, word: word } : null;
  }

  /**
   * `query` (made from `text`) with the word being typed also matched as a prefix (a
   * clause `word*`) and, when neither it nor any word it begins is in the archive, as the
   * longest word of the archive it starts with (a clause `typed: "stem"` whose terms are
   * the candidates, longest first; search-core.js keeps the first the index holds). The
   * same query when no word is being typed or its prefix is too broad.
   */
  function withTypedWord(manifest, query, text) {
    var typed = typedWord(manifest, text);
    if (!typed || query.negatedOnly) return query;
    var broad = manifest.segments.some(function (seg) {
      if (!seg.shards.length) return false;
      var first = shardFor(seg.shards, typed.word);
      return shardFor(seg.shards, typed.word + "\uffff") - first + 1 > PREFIX_SHARDS;
    });
    if (broad) return query;
    var clauses = query.clauses.slice();
    clauses.push({ fields: typed.fields, boost: 1, presence: OPTIONAL, fuzzy: false,
                   editDistance: 0, terms: [typed.word + "*"], typed: "prefix" });
    var chars = Array.from(typed.word), candidates = [];
    for (var n = chars.length - 1; n >= Math.max(STEM_MIN, chars.length - STEM_DROP); n--) {
      candidates.push(chars.slice(0, n).join(""));
    }
    if (candidates.length) {
      clauses.push({ fields: typed.fields, boost: 1, presence: OPTIONAL, fuzzy: false,
                     editDistance: 0, terms: candidates, typed: "stem",
                     word: searchPipeline.runString(typed.word)[0] || typed.word,
                     prefix: typed.word });
    }
    return { text: query.text, clauses: clauses, phrases: query.phrases,
             negatedOnly: false, typed: typed.word };
  }

  /* ---- When nothing matches ---- */

  /** Words this long or longer are retried one edit away when a query finds nothing. */
  var FUZZY_MIN = 5;

  /** `text` with `~1` after each plain word of FUZZY_MIN or more letters (outside quotes,
   * not excluded, not CJK), or null when no word qualifies. */
  function forgivingText(manifest, text) {
    var inQuote = false, changed = false;
    var out = text.split(/(\s+)/).map(function (piece) {
      if (!piece.trim()) return piece;
      var quotes = (piece.match(QUOTES) || []).length, skip = inQuote || quotes > 0;
      if (quotes % 2) inQuote = !inQuote;
      if (skip) return piece;
      var m = /^\+?(?:([^\s:]+):)?([\p{L}\p{N}_]+)$/u.exec(piece);
      if (!m || (m[1] && manifest.fields.indexOf(m[1]) < 0) || CJK_TEST.test(m[2]) ||
          Array.from(m[2]).length < FUZZY_MIN) {
        return piece;
      }
      changed = true;
      return piece + "~1";
    });
    return changed ? out.join("") : null;
  }

  /* ---- Word pairs (sitegen/search/phrases.py) ---- */

  var CRC_TABLE = (function () {
    var table = [];
    for (var n = 0; n < 256; n++) {
      var c = n;
      for (var k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1;
      table.push(c >>> 0);
    }
    return table;
  })();
  var utf8 = new TextEncoder();

  /** CRC-32 of a term's UTF-8 bytes (zlib.crc32). */
  function crc32(text) {
    var bytes = utf8.encode(text), c = 0xFFFFFFFF;
    for (var i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xFF] ^ (c >>> 8);
    return (c ^ 0xFFFFFFFF) >>> 0;
  }

  /** The fingerprint of the pair (a, b): bits 16 to 31 of (crc(a) * 0x9E3779B1) xor crc(b). */
  function pairHash(a, b) {
    return ((Math.imul(crc32(a), 0x9E3779B1) ^ crc32(b)) >>> 16) & 0xFFFF;
  }

  /** The fingerprints of a phrase's adjacent terms. */
  function phrasePairs(phrase) {
    var out = [];
    for (var i = 0; i + 1 < phrase.terms.length; i++) {
      out.push(pairHash(phrase.terms[i], phrase.terms[i + 1]));
    }
    return out;
  }

  /** Whether a paper's pair fingerprints (sorted 16-bit little-endian numbers, base64)
   * hold every one of `wanted`. */
  function hasPairs(encoded, wanted) {
    if (!wanted.length) return true;
    if (!encoded) return false;
    var data = atob(encoded), count = data.length >> 1;
    var at = function (i) { return data.charCodeAt(2 * i) | (data.charCodeAt(2 * i + 1) << 8); };
    return wanted.every(function (value) {
      var lo = 0, hi = count - 1;
      while (lo <= hi) {
        var mid = (lo + hi) >> 1, v = at(mid);
        if (v === value) return true;
        if (v < value) lo = mid + 1; else hi = mid - 1;
      }
      return false;
    });
  }

  return {
    CJK_RANGES: CJK_RANGES, CJK_CLASS: CJK_CLASS, bigrams: bigrams, splitCjk: splitCjk,
    isCjk: function (s) { return CJK_TEST.test(s); },
    indexTerms: indexTerms, splitPhrases: splitPhrases, parseQuery: parseQuery,
    shardFor: shardFor, typedWord: typedWord, withTypedWord: withTypedWord,
    forgivingText: forgivingText, crc32: crc32, pairHash: pairHash,
    phrasePairs: phrasePairs, hasPairs: hasPairs,
    PREFIX_SHARDS: PREFIX_SHARDS, FUZZY_MIN: FUZZY_MIN
  };
});
