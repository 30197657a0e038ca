// On the 404 page: links and bookmarks to the old folder layout of paper pages
// (papers/<slug>/ and papers/<slug>/<slug>.bib) go to the flat files that replaced them
// (papers/<slug>.html and papers/<slug>.bib). The addresses come from url() in the
// template, with the placeholder slug "SLUG", so this works under any sub-path.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var page = script.getAttribute("data-page") || "";
  var bib = script.getAttribute("data-bib") || "";
  var papers = page.slice(0, page.indexOf("SLUG"));
  var path = location.pathname;
  if (!papers || path.indexOf(papers) !== 0) return;
  var rest = path.slice(papers.length);
  var target = null;
  var m = /^([^\/]+)\/(?:index\.html)?$/.exec(rest);
  if (m) {
    target = page.replace("SLUG", m[1]);
  } else {
    m = /^([^\/]+)\/([^\/]+)\.bib$/.exec(rest);
    if (m && m[1] === m[2]) target = bib.replace("SLUG", m[1]);
  }
  // The new address never matches the patterns above, so a missing paper cannot loop.
  if (target) location.replace(target + location.hash);
})();
