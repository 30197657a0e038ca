/* sitegen search worker: the engine (search-core.js) off the page's thread, and the page's
 * side of the conversation with it, so that the protocol is written in this file only.
 *
 * The protocol: the page posts {type: "init", manifest, index} once (index: the search
 * folder's URL), then {type: "search", id, q, k, budget} per query; the worker answers
 * {id, found} (found: what SitegenSearch.top resolves to) or {id, error: {name, message}}.
 *
 * Run as a worker, this file loads lunr.js, search-query.js and search-core.js and
 * answers. Loaded in the page (after search-core.js), it defines
 * SitegenSearchWorker.connect.
 */
(function (scope) {
  "use strict";

  /** The worker: answer the page's messages with search-core.js's searcher. */
  function serve() {
    var searcher = null;
    scope.onmessage = function (event) {
      var message = event.data, S = scope.SitegenSearch;
      if (message.type === "init") {
        searcher = new S.Searcher(message.manifest, S.fetcher(message.index));
        return;
      }
      if (message.type !== "search" || !searcher) return;
      Promise.resolve().then(function () {
        return S.top(searcher, message.q, message.k, message.budget);
      }).then(function (found) {
        scope.postMessage({ id: message.id, found: found });
      }, function (err) {
        scope.postMessage({ id: message.id, error: { name: err.name, message: err.message } });
      });
    };
  }

  /** The error a reply carries, as the engine threw it (a syntax error stays one). */
  function errorOf(reply) {
    return reply.name === "QueryParseError"
      ? new scope.lunr.QueryParseError(reply.message, 0, 0) : new Error(reply.message);
  }

  /**
   * The page's side: start the worker at `url` on `manifest` (the search folder at
   * `index`) and return search(q, k, budget), a promise of SitegenSearch.top's result; or
   * null when this browser cannot start a worker. If the worker fails later, `fallback`
   * (a search on the page's thread) answers the queries waiting and those after, and
   * `onFallback` is told.
   */
  function connect(url, manifest, index, fallback, onFallback) {
    if (typeof Worker === "undefined") return null;
    var worker, waiting = new Map(), next = 0, failed = false;
    try {
      worker = new Worker(url);
    } catch (err) {
      return null;
    }
    worker.onmessage = function (event) {
      var reply = event.data, job = waiting.get(reply.id);
      if (!job) return;
      waiting.delete(reply.id);
      if (reply.error) job.reject(errorOf(reply.error));
      else job.resolve(reply.found);
    };
    worker.onerror = function (event) { // the worker could not start: search here instead
      event.preventDefault();
      failed = true;
      onFallback();
      waiting.forEach(function (job) {
        fallback(job.q, job.k, job.budget).then(job.resolve, job.reject);
      });
      waiting.clear();
    };
    worker.postMessage({ type: "init", manifest: manifest, index: index });
    return function search(q, k, budget) {
      if (failed) return fallback(q, k, budget);
      return new Promise(function (resolve, reject) {
        var id = next++;
        waiting.set(id, { resolve: resolve, reject: reject, q: q, k: k, budget: budget });
        worker.postMessage({ type: "search", id: id, q: q, k: k, budget: budget });
      });
    };
  }

  if (typeof importScripts === "function" && typeof document === "undefined") {
    importScripts("../vendor/lunr/lunr.min.js", "search-query.js", "search-core.js");
    serve();
  } else {
    scope.SitegenSearchWorker = { connect: connect };
  }
})(self);
