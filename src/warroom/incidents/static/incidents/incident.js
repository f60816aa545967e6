// The incident pages' only script: it keeps the deadline countdowns ticking between the
// server's refreshes, and says so when an htmx action fails (htmx swaps no error answer).
// Its words come translated from the page, on the script element's data attributes.
(function () {
  "use strict";
  var words = (document.currentScript && document.currentScript.dataset) || {};

  function clock(seconds) {
    var s = Math.abs(seconds);
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    var x = s % 60;
    return h + ":" + (m < 10 ? "0" : "") + m + ":" + (x < 10 ? "0" : "") + x;
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-left]").forEach(function (el) {
      // Seconds left when the server rendered it, counted down from when it arrived here,
      // so a wrong clock on this computer does not matter.
      if (!el.dataset.arrived) el.dataset.arrived = String(now);
      var left = Number(el.dataset.left) - Math.round((now - Number(el.dataset.arrived)) / 1000);
      var label = left < 0 ? words.overdue : words.remaining;
      if (label) el.textContent = label.replace("%(time)s", clock(left));
      el.classList.toggle("overdue", left < 0);
    });
  }

  function complain(text) {
    var box = document.getElementById("incident-error");
    if (!box || !text) return;
    box.textContent = text;
    box.hidden = false;
  }

  setInterval(tick, 1000);
  document.addEventListener("htmx:responseError", function (event) {
    complain((words.failed || "").replace("%(status)s", String(event.detail.xhr.status)));
  });
  document.addEventListener("htmx:sendError", function () {
    complain(words.offline);
  });
})();
