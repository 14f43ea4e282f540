/* Herald console: live countdowns. Every element with data-deadline (an ISO 8601 instant)
   shows the time left, or "overdue by …" once it has passed, updated every second. Kept in
   a file of its own because the Content-Security-Policy allows no inline scripts. */
(function () {
  "use strict";

  function span(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
    var m = Math.floor((s % 3600) / 60), sec = s % 60;
    if (d > 0) { return d + " d " + h + " h " + m + " min"; }
    if (h > 0) { return h + " h " + m + " min " + sec + " s"; }
    return m + " min " + sec + " s";
  }

  function tick() {
    var now = Date.now();
    var nodes = document.querySelectorAll("[data-deadline]");
    for (var i = 0; i < nodes.length; i++) {
      var at = Date.parse(nodes[i].getAttribute("data-deadline"));
      if (isNaN(at)) { continue; }
      var left = at - now;
      var text = left < 0 ? "overdue by " + span(left) : "in " + span(left);
      if (nodes[i].textContent !== text) { nodes[i].textContent = text; }
      nodes[i].classList.toggle("overdue", left < 0);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    window.setInterval(tick, 1000);
  });
})();
