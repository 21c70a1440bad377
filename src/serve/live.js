// planpress serve: reloads the page when the site changes, keeping the
// scroll position. Injected into every HTML page of the preview only.
(function () {
  "use strict";
  var script = document.currentScript;
  var shown = script ? script.getAttribute("data-planpress-build") : null;
  var key = "planpress-scroll:" + location.pathname + location.search;
  var source = null;
  var reloading = false;

  // Back where the reader was before the reload.
  try {
    var saved = sessionStorage.getItem(key);
    if (saved !== null) {
      sessionStorage.removeItem(key);
      var y = parseFloat(saved) || 0;
      var restore = function () { window.scrollTo(0, y); };
      restore();
      document.addEventListener("DOMContentLoaded", restore);
      window.addEventListener("load", function () {
        restore();
        if ("scrollRestoration" in history) history.scrollRestoration = "auto";
      });
    }
  } catch (e) { /* storage blocked: reload without keeping the position */ }

  function reload() {
    if (reloading) return;
    reloading = true;
    try {
      sessionStorage.setItem(key, String(window.scrollY || window.pageYOffset || 0));
      if ("scrollRestoration" in history) history.scrollRestoration = "manual";
    } catch (e) { /* ignore */ }
    location.reload();
  }

  // The server says which build it has: on connecting ("hello") and after
  // every change ("reload"). A page of any other build is out of date.
  function check(event) {
    if (event.data !== shown) reload();
  }

  // Only visible pages keep a connection: a browser allows few per site,
  // and a hidden tab catches up through "hello" when it is shown again.
  function connect() {
    if (source || !window.EventSource || document.visibilityState === "hidden") return;
    source = new EventSource("/__planpress/live");
    source.addEventListener("hello", check);
    source.addEventListener("reload", check);
  }
  function disconnect() {
    if (source) {
      source.close();
      source = null;
    }
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") disconnect(); else connect();
  });
  window.addEventListener("pagehide", disconnect);
  window.addEventListener("pageshow", connect);
  connect();
})();
