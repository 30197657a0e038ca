/* sitegen search page: the box, the address, the keyboard and the results list, on the
 * engine of search-core.js (in a worker when it can: search-worker.js). Results are built
 * with DOM text nodes only. */
(function () {
  "use strict";
  var app = document.getElementById("search-app");
  if (!app || !window.lunr || !window.SitegenSearch || !window.SitegenCards) return;
  var S = window.SitegenSearch;
  var base = app.dataset.base, indexUrl = app.dataset.index, load = S.fetcher(indexUrl);
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
  setStatus("");  // the no-JavaScript note goes; the line keeps its height (site.css)

  function setStatus(text, isError) {
    status.textContent = text;
    status.classList.toggle("error", Boolean(isError));
  }

  /**
   * The query engine: search-core.js in a Web Worker when the browser has workers (the
   * page stays responsive while shards are parsed and scored; search-worker.js), else on
   * this thread. search(q, k, budget) resolves to the shape of SitegenSearch.top.
   */
  function engine(manifest) {
    var local = new S.Searcher(manifest, load);
    var inPage = function (q, k, budget) { return S.top(local, q, k, budget); };
    var W = window.SitegenSearchWorker;
    var remote = W && app.dataset.worker ? W.connect(app.dataset.worker, manifest, indexUrl,
      inPage, function () { app.dataset.engine = "page"; }) : null;
    app.dataset.engine = remote ? "worker" : "page";
    return { docs: local.docs, search: remote || inPage };
  }

  var ready = load("manifest.json").then(function (manifest) {
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

  /** A result as the site's cards show a paper (card-render.js), from its doc-store
   * record, with the words whose index term matched marked; picks.js adds its buttons. */
  function renderItem(result, doc, terms) {
    var li = document.createElement("li");
    var mark = function (el, text) { highlight(el, text, terms); };
    if (doc) {
      li.appendChild(window.SitegenCards.card(doc, base, mark));
      if (window.SitegenPicks) window.SitegenPicks.decorate(li);
      return li;
    }
    var title = window.SitegenCards.add(li, "article", "card card-full");
    var a = window.SitegenCards.add(window.SitegenCards.add(title, "h2", "card-title"), "a",
                                    "result-title");
    a.href = base + "archive/";
    mark(a, "(a paper missing from the search files)");
    return li;
  }

  /** The status line of a search: how many papers match, and what was searched when
   * the typed text found nothing (role=status: screen readers announce it). */
  function describe(found, q) {
    var n = found.total;
    var count = found.complete ? String(n) : "At least " + n;
    var papers = n === 1 && found.complete ? " paper" : " papers";
    var text = found.retry
      ? "No papers match “" + q + "”; showing " + count.toLowerCase() + papers +
        " for “" + found.retry + "” (words one letter away)."
      : count + papers + (n === 1 && found.complete ? " matches" : " match") + " “" + q + "”.";
    if (found.phrase && found.phrase.holding) {
      text += " Of the first " + found.phrase.checked + ", the " + found.phrase.holding +
        " with the exact phrase come first.";
    }
    return text;
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
        var also = found.retry ? ", nor “" + found.retry + "” (words one letter away)" : "";
        setStatus("No papers match “" + q + "”" + also + ". Try fewer or other words, " +
                  "or a prefix such as transform*.");
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
  // "/" is search-shortcut.js's, on every page.

  // Arriving with a query (the header's search box, a shared link): once the results are
  // shown, the box holding the query has the focus, its description (the status line,
  // then the help) read out; ↓ goes on into the results.
  var initial = new URLSearchParams(location.search).get("q") || "";
  input.value = initial;
  ready.then(function () { return run(initial); }, function (err) {
    setStatus("Search failed: " + err.message, true);
  }).then(function () {
    if (initial && document.activeElement === document.body) {
      input.focus();
      input.setSelectionRange(initial.length, initial.length);
    }
  });
  if (!initial) input.focus();
})();
