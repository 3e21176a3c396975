/* Live pages without a reload (CSP: a static file, no inline script).
 *
 * An element with data-live-url asks that JSON endpoint every few seconds while something runs:
 *   {"done": bool, "texts": {"<selector>": "text", ...}}
 * Each text replaces the text of the element its selector names; once "done", the page's main content
 * is fetched again and swapped in place (the page shows the outcome, still without a reload), and the
 * asking stops. It also stops after data-live-limit polls (default 120: about four minutes).
 */
(function () {
  "use strict";
  function swapContent() {
    return fetch(window.location.href, {credentials: "same-origin"})
      .then(function (response) { return response.text(); })
      .then(function (html) {
        // The parsed copy lives under this page's CSP: its own <style nonce> (another nonce) would be refused.
        // The page keeps the style sheets it has; only #content-main is taken from the copy.
        html = html.replace(/<style[\s\S]*?<\/style>/gi, "");
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("content-main");
        var here = document.getElementById("content-main");
        if (!fresh || !here) { return; }
        here.replaceWith(fresh);
        document.documentElement.dataset.liveSwapped = "true";
      });
  }
  function follow(box) {
    var polls = 0, limit = parseInt(box.dataset.liveLimit || "120", 10);
    var every = parseInt(box.dataset.liveEvery || "2000", 10);
    function poll() {
      fetch(box.dataset.liveUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
        .then(function (data) {
          Object.keys(data.texts || {}).forEach(function (selector) {
            document.querySelectorAll(selector).forEach(function (el) { el.textContent = data.texts[selector]; });
          });
          if (data.done) { return swapContent(); }
          if (++polls < limit) { setTimeout(poll, every); }
        })
        .catch(function () { /* logged out or gone: stop asking */ });
    }
    setTimeout(poll, every);
  }
  function start() { document.querySelectorAll("[data-live-url]").forEach(follow); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
