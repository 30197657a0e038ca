/* sitegen: "Sort by upvotes" on a day's page. Without JavaScript the list keeps the day's
 * own order (Hugging Face's); this shows the button and reorders the cards in place, and
 * back. The rule: most upvotes first, ties by GitHub stars, then the day's order. */
(function () {
  "use strict";
  var list = document.getElementById("day-papers");
  var bar = document.querySelector(".sort-bar");
  if (!list || !bar) return;
  var button = bar.querySelector(".sort-button");
  var note = bar.querySelector(".sort-note");
  var items = Array.prototype.slice.call(list.children);
  function count(item, name) {
    var card = item.querySelector(".card");
    return card ? Number(card.dataset[name]) || 0 : 0;
  }
  var ranked = items.map(function (item, index) {
    return { item: item, index: index, up: count(item, "upvotes"), stars: count(item, "stars") };
  }).sort(function (a, b) {
    return b.up - a.up || b.stars - a.stars || a.index - b.index;
  }).map(function (entry) { return entry.item; });
  function show(byVotes) {
    (byVotes ? ranked : items).forEach(function (item) { list.appendChild(item); });
    button.setAttribute("aria-pressed", byVotes ? "true" : "false");
    button.textContent = byVotes ? "Show the day's order" : "Sort by upvotes";
    note.textContent = byVotes ? "Most upvoted first; ties by GitHub stars, then the day's order."
      : "";
  }
  button.addEventListener("click", function () {
    show(button.getAttribute("aria-pressed") !== "true");
  });
  button.hidden = false;
})();
