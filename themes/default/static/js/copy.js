// Copy buttons: progressive enhancement. Without JavaScript the text stays a selectable
// <pre>; with it, each button[data-copy-target] is shown and copies its target's text.
// No inline scripts (a Content-Security-Policy forbids them); text is never parsed as HTML.
(function () {
  "use strict";
  function select(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  function copy(button) {
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    if (!target) return;
    var status = button.parentNode.querySelector(".copy-status");
    var say = function (message) { if (status) status.textContent = message; };
    var text = target.textContent;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { say("Copied."); },
        function () { select(target); say("Selected: press Ctrl+C to copy."); });
    } else {
      select(target);
      var done = false;
      try { done = document.execCommand("copy"); } catch (e) { done = false; }
      say(done ? "Copied." : "Selected: press Ctrl+C to copy.");
    }
  }
  var buttons = document.querySelectorAll("button[data-copy-target]");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].hidden = false;
    buttons[i].addEventListener("click", function (event) { copy(event.currentTarget); });
  }
})();
