/* sitegen search worker: runs search.js's core (fetching, parsing and scoring the index
 * shards) off the page's thread. The page posts {type: "init", manifest, index} once, then
 * {type: "search", id, q, k, budget}; the worker answers {id, found} or {id, error: {name, message}}.
 */
"use strict";
importScripts("../vendor/lunr/lunr.js", "search.js");

var searcher = null;

self.onmessage = function (event) {
  var message = event.data;
  if (message.type === "init") {
    var manifest = message.manifest, index = message.index;
    searcher = new self.SitegenSearch.Searcher(manifest, function (path, version) {
      var url = index + path + "?v=" + encodeURIComponent(version);
      return fetch(url).then(function (response) {
        if (!response.ok) throw new Error("could not load the search index (" + response.status + ")");
        return response.json();
      });
    });
    return;
  }
  if (message.type !== "search" || !searcher) return;
  Promise.resolve().then(function () {
    return self.SitegenSearch.top(searcher, message.q, message.k, message.budget);
  }).then(function (found) {
    self.postMessage({ id: message.id, found: found });
  }, function (err) {
    self.postMessage({ id: message.id, error: { name: err.name, message: err.message } });
  });
};
