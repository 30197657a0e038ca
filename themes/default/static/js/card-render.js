/* sitegen: a paper's card from its search doc-store record (search/d/N.json), as the site's
 * pages show it (partials/paper_card.html, render/cards.py), with DOM methods and text
 * nodes only. Used by the search page's results and the Saved page. */
(function (root) {
  "use strict";

  /** Append an element `tag` with class `cls` (and text) to `parent`; return it. */
  function add(parent, tag, cls, text) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    if (text !== undefined) el.textContent = text;
    parent.appendChild(el);
    return el;
  }

  function plain(parent, text) { parent.appendChild(document.createTextNode(text)); }

  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  /** "2025-08-12" as the pages write a day (the `date` filter): "August 12, 2025". */
  function longDate(iso) {
    var p = iso.split("-");
    return MONTHS[+p[1] - 1] + " " + (+p[2]) + ", " + p[0];
  }

  var STATS = [["v", "▲", "upvotes"], ["r", "★", "GitHub stars"], ["c", "💬", "comments"]];

  /** The <article> of record `doc` with links under `base` (the site's root URL);
   * `text(parent, string)` writes the title and TL;DR (the search page marks matched
   * words), by default as plain text; `heading` is the title's heading level (2). */
  function card(doc, base, text, heading) {
    text = text || plain;
    var el = document.createElement("article");
    el.className = "card card-full";
    el.dataset.date = doc.d;
    var a = add(add(el, "h" + (heading || 2), "card-title"), "a", "result-title");
    a.href = base + doc.u;
    text(a, doc.t);
    var byline = add(el, "p", "card-byline");
    add(byline, "time", "", longDate(doc.d)).dateTime = doc.d;
    if (doc.a) plain(byline, " · " + doc.a.join(", ") + (doc.m ? " et al." : ""));
    if (doc.o) {
      plain(byline, " · ");
      add(byline, "span", "card-org", doc.o);
    }
    if (doc.s) text(add(el, "p", "card-tldr result-snippet"), doc.s);
    var foot = add(el, "div", "card-foot");
    STATS.forEach(function (stat) {
      if (doc[stat[0]] === undefined) return;
      var span = add(foot, "span", "stat");
      add(span, "span", "", stat[1]).setAttribute("aria-hidden", "true");
      plain(span, " " + doc[stat[0]]);
      add(span, "span", "visually-hidden", " " + stat[2]);
    });
    var links = [];
    if (doc.x) {
      links.push(["arXiv", "https://arxiv.org/abs/" + doc.x]);
      links.push(["PDF", "https://arxiv.org/pdf/" + doc.x]);
    }
    if (doc.k) links.push(["Code", doc.k]);
    if (doc.w) links.push(["Project", doc.w]);
    if (!doc.x) {
      var title = encodeURIComponent(doc.t.split(/\s+/).join(" ").slice(0, 250));
      links.push(["Search Hugging Face", "https://huggingface.co/papers?q=" + title]);
      links.push(["Search arXiv", "https://arxiv.org/search/?searchtype=title&query=" + title]);
    }
    var ul = add(foot, "ul", "card-links");
    ul.setAttribute("aria-label", "Links");
    links.forEach(function (link) {
      var la = add(add(ul, "li"), "a", "", link[0]);
      la.href = link[1];
      la.rel = "noopener";
    });
    if (doc.g && doc.g.length) {
      var tags = add(foot, "ul", "tags");
      tags.setAttribute("aria-label", "Tags");
      doc.g.forEach(function (name) { add(add(tags, "li"), "span", "tag", name); });
    }
    add(foot, "div", "card-actions");  // picks.js's buttons
    return el;
  }

  root.SitegenCards = { card: card, add: add };
})(self);
