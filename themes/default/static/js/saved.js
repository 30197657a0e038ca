/* sitegen: the Saved page (docs/picks.md). Lists the papers saved in this browser
 * (picks.js) as cards drawn from the search doc store, so any paper of the site shows
 * whole wherever it was saved; exports them as one .bib made of the papers' own .bib
 * files; keeps the reader's keywords and authors for highlighting. Requests: the site's
 * own search files and .bib files only. */
(function () {
  "use strict";
  var app = document.getElementById("saved-app");
  var P = window.SitegenPicks, C = window.SitegenCards;
  var status = document.getElementById("saved-status");
  if (!app) return;
  if (!P || !C) {  // picks.js stopped: storage is off
    status.textContent = "Saved papers need this browser's storage (localStorage), " +
      "which is turned off for this site.";
    return;
  }
  var base = app.dataset.base, index = app.dataset.index;
  var list = document.getElementById("saved-list");
  var exportButton = document.getElementById("saved-export");
  var words = document.getElementById("pick-words");
  var authors = document.getElementById("pick-authors");
  var prefsStatus = document.getElementById("prefs-status");

  /* ---- Finding a paper's record in the doc store ---- */

  var manifest = fetch(index + "manifest.json", { cache: "no-cache" }).then(function (r) {
    if (!r.ok) throw new Error("no search files (" + r.status + ")");
    return r.json();
  });
  var buckets = new Map();

  /** Doc-store bucket `i` (its records, oldest first), fetched once with its version. */
  function bucket(m, i) {
    if (!buckets.has(i)) {
      var seg = m.segments[i < m.baseBuckets ? 0 : 1] || m.segments[0];
      buckets.set(i, fetch(index + "d/" + i + ".json?v=" + encodeURIComponent(seg.v))
        .then(function (r) {
          if (!r.ok) throw new Error("search file d/" + i + ".json: " + r.status);
          return r.json();
        }));
    }
    return buckets.get(i);
  }

  function slugOf(doc) {
    var m = /^papers\/(.+)\.html$/.exec(doc && doc.u || "");
    try { return m ? decodeURIComponent(m[1]) : ""; } catch (err) { return ""; }
  }

  /** Papers are numbered by (date, slug) (docs/search.md), so the store is searched in
   * that order: compare a paper with a record. */
  function compare(d, slug, doc) {
    var other = slugOf(doc);
    return d < doc.d ? -1 : d > doc.d ? 1 : slug < other ? -1 : slug > other ? 1 : 0;
  }

  /** {n, doc} of the saved paper `slug` of day `d`, or null: first at the number found
   * last time (checked: numbers move when an older paper is added), else by binary search
   * over the buckets (about log2(papers / 8) small files, shared between papers). */
  function locate(m, slug, entry) {
    var size = m.bucketDocs, count = Math.ceil(m.docs / size);
    var atHint = typeof entry.n === "number" && entry.n >= 0 && entry.n < m.docs
      ? bucket(m, Math.floor(entry.n / size)).then(function (recs) {
        var doc = recs[entry.n % size];
        return doc && slugOf(doc) === slug ? { n: entry.n, doc: doc } : null;
      }) : Promise.resolve(null);
    var step = function (lo, hi) {
      if (lo > hi || !entry.d) return null;
      var mid = (lo + hi) >> 1;
      return bucket(m, mid).then(function (recs) {
        recs = recs.filter(Boolean);
        if (!recs.length) return null;
        if (compare(entry.d, slug, recs[0]) < 0) return step(lo, mid - 1);
        if (compare(entry.d, slug, recs[recs.length - 1]) > 0) return step(mid + 1, hi);
        for (var i = 0; i < recs.length; i++) {
          if (compare(entry.d, slug, recs[i]) === 0) return { n: mid * size + i, doc: recs[i] };
        }
        return null;
      });
    };
    return atHint.then(function (found) { return found || step(0, count - 1); });
  }

  /* ---- The list ---- */

  /** Saved papers, the last saved first: [[slug, entry]]. */
  function saved() {
    var s = P.state().saved;
    return Object.keys(s).sort(function (a, b) {
      return s[b].at - s[a].at || (a < b ? -1 : 1);
    }).map(function (slug) { return [slug, s[slug]]; });
  }

  /** A card from what was kept when the paper was saved (not in the search files). */
  function keptCard(slug, entry) {
    var doc = { t: entry.t, u: "papers/" + encodeURIComponent(slug) + ".html", d: entry.d,
                x: "", g: [] };
    var card = C.card(doc, base);
    card.querySelector(".card-links").remove();
    C.add(card.querySelector(".card-byline"), "span", "",
          " · not found in this site's search files: shown as saved");
    return card;
  }

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  function render() {
    var items = saved();
    exportButton.disabled = !items.length;
    if (!items.length) {
      list.replaceChildren();
      status.textContent = "No saved papers yet. Save one with ☆ on any card of this site.";
      return Promise.resolve();
    }
    status.textContent = "Loading " + plural(items.length, "saved paper") + "…";
    return manifest.catch(function () { return null; }).then(function (m) {
      return Promise.all(items.map(function (item) {
        return m ? locate(m, item[0], item[1]).catch(function () { return null; }) : null;
      }));
    }).then(function (found) {
      var hints = {};
      list.replaceChildren.apply(list, items.map(function (item, i) {
        var li = document.createElement("li");
        li.appendChild(found[i] ? C.card(found[i].doc, base) : keptCard(item[0], item[1]));
        if (found[i] && found[i].n !== item[1].n) hints[item[0]] = found[i].n;
        return li;
      }));
      P.decorate(list);
      if (Object.keys(hints).length) {
        P.update(function (s) {
          Object.keys(hints).forEach(function (slug) {
            if (s.saved[slug]) s.saved[slug].n = hints[slug];
          });
        });
      }
      var missing = found.filter(function (f) { return !f; }).length;
      status.textContent = plural(items.length, "saved paper") +
        (missing ? " (" + missing + " not in the search files, shown as saved)." : ".") +
        " Unsaving one here keeps its card until the page is loaded again.";
    });
  }

  /* ---- Export as .bib ---- */

  /** a, b, ..., z, aa, ab, ...: the suffix of the n-th key already taken. */
  function suffix(n) {
    var out = "";
    for (; n > 0; n = Math.floor(n / 26)) out = String.fromCharCode(97 + (--n % 26)) + out;
    return out;
  }

  /** `text` (one paper's .bib file) with its key made unique among `seen`. */
  function uniqueKey(text, seen) {
    var m = /^(\s*@\w+\{)([^,\s]+),/.exec(text);
    if (!m) return text;
    var key = m[2], n = 0;
    while (seen[key]) key = m[2] + suffix(++n);
    seen[key] = true;
    return m[1] + key + "," + text.slice(m[0].length);
  }

  exportButton.addEventListener("click", function () {
    var items = saved();
    exportButton.disabled = true;
    Promise.all(items.map(function (item) {
      return fetch(base + "papers/" + encodeURIComponent(item[0]) + ".bib")
        .then(function (r) { return r.ok ? r.text() : null; })
        .catch(function () { return null; });
    })).then(function (texts) {
      var seen = {}, out = [];
      texts.forEach(function (text) {
        if (text) out.push(uniqueKey(text.replace(/\s*$/, "\n"), seen));
      });
      var missing = items.length - out.length;
      if (out.length) {
        var url = URL.createObjectURL(new Blob([out.join("\n")],
                                               { type: "application/x-bibtex" }));
        var a = document.createElement("a");
        a.href = url;
        a.download = "saved-papers.bib";
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
      }
      status.textContent = "Exported " + plural(out.length, "paper") + " as saved-papers.bib" +
        (missing ? "; " + plural(missing, "paper") + " had no .bib file on the site." : ".");
    }).then(function () { exportButton.disabled = false; });
  });

  /* ---- Keywords and authors ---- */

  function split(text) {
    return text.split(",").map(function (w) { return w.trim().replace(/\s+/g, " "); })
      .filter(Boolean);
  }

  words.value = P.state().words.join(", ");
  authors.value = P.state().authors.join(", ");
  document.getElementById("saved-prefs").addEventListener("submit", function (event) {
    event.preventDefault();
    var ok = P.update(function (s) {
      s.words = split(words.value);
      s.authors = split(authors.value);
    });
    P.refresh();
    prefsStatus.textContent = ok ? "Kept." : "Not kept: this browser's storage is full or off.";
  });
  document.getElementById("saved-fields").disabled = false;

  render();
})();
