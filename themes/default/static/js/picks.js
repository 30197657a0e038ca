/* sitegen: a reader's own picks, kept in this browser only (docs/picks.md). Every card gets
 * a "save" and a "mark read" button in the empty box the card keeps for them (so nothing
 * moves), and cards matching the reader's keywords or authors (set on the Saved page) are
 * marked. One localStorage entry per site; no request is made. Without JavaScript or
 * storage the cards are as they were. */
(function () {
  "use strict";
  var me = document.currentScript;
  var base = (me && me.getAttribute("data-base")) || "/";
  var KEY = "sitegen-picks:" + base;
  var storage = null;
  try {
    storage = window.localStorage;
    storage.getItem(KEY);
  } catch (err) {
    return; // storage off (a privacy setting): no buttons
  }

  /** The stored picks, checked field by field (the entry may be old, edited or broken). */
  function read() {
    var raw = null;
    try { raw = JSON.parse(storage.getItem(KEY) || "null"); } catch (err) { raw = null; }
    var state = { v: 1, saved: {}, read: {}, words: [], authors: [] };
    if (!raw || typeof raw !== "object") return state;
    var saved = raw.saved && typeof raw.saved === "object" ? raw.saved : {};
    Object.keys(saved).forEach(function (slug) {
      var e = saved[slug];
      if (!e || typeof e !== "object") return;
      state.saved[slug] = {
        t: typeof e.t === "string" ? e.t : slug,
        d: typeof e.d === "string" && /^\d{4}-\d\d-\d\d$/.test(e.d) ? e.d : "",
        at: typeof e.at === "number" ? e.at : 0
      };
      if (typeof e.n === "number") state.saved[slug].n = e.n;
    });
    var done = raw.read && typeof raw.read === "object" ? raw.read : {};
    Object.keys(done).forEach(function (slug) { state.read[slug] = 1; });
    ["words", "authors"].forEach(function (name) {
      if (Array.isArray(raw[name])) {
        state[name] = raw[name].filter(function (w) { return typeof w === "string" && w.trim(); });
      }
    });
    return state;
  }

  var state = read();

  /** Change the picks with `change(state)` on a fresh copy (another tab may have written)
   * and store them; false (and nothing changed) when the browser refuses (storage full). */
  function update(change) {
    var next = read();
    change(next);
    try {
      storage.setItem(KEY, JSON.stringify(next));
    } catch (err) {
      return false;
    }
    state = next;
    return true;
  }

  /** The slug of the paper a card shows (its title links to papers/<slug>.html), or "". */
  function slugOf(card) {
    var link = card.querySelector(".card-title a");
    if (!link) return "";
    var path = new URL(link.href, location.href).pathname, head = base + "papers/";
    if (path.lastIndexOf(head, 0) !== 0 || path.slice(-5) !== ".html") return "";
    try { return decodeURIComponent(path.slice(head.length, -5)); } catch (err) { return ""; }
  }

  /** The paper's title as its card's link reads (not the ★ of a watched author). */
  function titleOf(card) {
    return card.querySelector(".card-title a").textContent.trim().replace(/\s+/g, " ");
  }

  function button(kind, label, title) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "pick-button pick-" + kind;
    b.title = b.dataset.label = label;
    b.setAttribute("aria-pressed", "false");
    var name = document.createElement("span");
    name.className = "visually-hidden";
    name.textContent = label + ": " + title;
    b.appendChild(name);
    return b;
  }

  /** Give the cards under `root` (or `root` itself) their buttons, state and marks. */
  function decorate(root) {
    var cards = root.matches && root.matches(".card") ? [root]
      : Array.prototype.slice.call(root.querySelectorAll(".card"));
    cards.forEach(function (card) {
      var box = card.querySelector(".card-actions"), slug = slugOf(card);
      if (!box || !slug) return;
      if (!box.firstChild) {
        var title = titleOf(card);
        box.appendChild(button("save", "Save", title));
        box.appendChild(button("read", "Mark read", title));
      }
      card.dataset.paper = slug;
      show(card);
    });
  }

  function show(card) {
    var slug = card.dataset.paper;
    card.querySelector(".pick-save").setAttribute("aria-pressed", String(slug in state.saved));
    card.querySelector(".pick-read").setAttribute("aria-pressed", String(slug in state.read));
    card.classList.toggle("card-read", slug in state.read);
    mark(card);
  }

  function showAll() {
    Array.prototype.forEach.call(document.querySelectorAll(".card[data-paper]"), show);
  }

  /* ---- Highlighting the reader's keywords and authors ---- */

  function escaped(text) { return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }
  /** A pattern of `list`, case-insensitive: keywords as word starts, the whole word
   * marked ("agent" marks "agents"); authors as whole names. Null for an empty list. */
  function pattern(list, whole) {
    var parts = list.map(function (w) { return escaped(w.trim()); }).filter(Boolean);
    if (!parts.length) return null;
    return new RegExp("(?<![\\p{L}\\p{N}])(?:" + parts.join("|") + ")" +
      (whole ? "(?![\\p{L}\\p{N}])" : "[\\p{L}\\p{N}]*"), "giu");
  }

  /** The text nodes of `el` outside math (MathML keeps its own text). */
  function texts(el) {
    var nodes = [];
    if (!el) return nodes;
    var walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      if (!walker.currentNode.parentNode.closest("math")) nodes.push(walker.currentNode);
    }
    return nodes;
  }

  /** Wrap the matches of `re` in the text `nodes` in <mark class="pick">; true if any. */
  function wrap(nodes, re) {
    var found = false;
    if (!re) return found;
    nodes.forEach(function (node) {
      var text = node.data, last = 0, m, out = document.createDocumentFragment();
      re.lastIndex = 0;
      while ((m = re.exec(text)) !== null) {
        out.appendChild(document.createTextNode(text.slice(last, m.index)));
        var mk = document.createElement("mark");
        mk.className = "pick";
        mk.textContent = m[0];
        out.appendChild(mk);
        last = m.index + m[0].length;
      }
      if (!last) return;
      found = true;
      out.appendChild(document.createTextNode(text.slice(last)));
      node.parentNode.replaceChild(out, node);
    });
    return found;
  }

  function mark(card) {
    Array.prototype.forEach.call(card.querySelectorAll("mark.pick"), function (mk) {
      var parent = mk.parentNode;
      parent.replaceChild(document.createTextNode(mk.textContent), mk);
      parent.normalize();
    });
    var words = pattern(state.words, false), names = pattern(state.authors, true);
    var hit = wrap(texts(card.querySelector(".card-title a")), words);
    hit = wrap(texts(card.querySelector(".card-tldr")), words) || hit;
    var byline = card.querySelector(".card-byline");  // the names: its own text, author links
    hit = wrap(byline ? Array.prototype.filter.call(byline.childNodes, function (node) {
      return node.nodeType === 3;
    }).concat(texts(byline).filter(function (node) {
      return node.parentNode.matches("a.author");
    })) : [], names) || hit;
    card.classList.toggle("card-pick", hit);
  }

  /* ---- The buttons ---- */

  document.addEventListener("click", function (event) {
    var b = event.target.closest && event.target.closest(".pick-button");
    var card = b && b.closest(".card[data-paper]");
    if (!card) return;
    var slug = card.dataset.paper, saving = b.classList.contains("pick-save");
    var on = b.getAttribute("aria-pressed") !== "true";
    var title = titleOf(card);
    var date = card.dataset.date || "";
    var ok = update(function (s) {
      if (saving && on) s.saved[slug] = { t: title, d: date, at: Date.now() };
      else if (saving) delete s.saved[slug];
      else if (on) s.read[slug] = 1;
      else delete s.read[slug];
    });
    if (ok) b.title = b.dataset.label;  // a refusal said before is no longer true
    else b.title = "Not kept: this browser's storage is full or turned off";
    showAll();  // the same paper may be on the page twice
  });

  window.addEventListener("storage", function (event) {  // another tab changed them
    if (event.key === KEY || event.key === null) { state = read(); showAll(); }
  });

  window.SitegenPicks = {
    key: KEY, base: base, decorate: decorate, update: update,
    state: function () { return state; }, refresh: function () { state = read(); showAll(); }
  };
  decorate(document);
})();
