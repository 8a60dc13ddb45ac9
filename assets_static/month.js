// The month a person is looking at travels with them (?month=YYYY-MM): a link to another page of
// the portal opens on the same month unless it names one itself. Links are followed the way Dash's
// own links are (history + the event its router listens to), so the page does not reload.
(function () {
  var PAGES = /^\/(?!api\/|assets\/|_dash|logout|login|screen\/login)/;
  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    var month = new URLSearchParams(window.location.search).get("month");
    if (!link || !month || link.target || link.hasAttribute("download")) {
      return;
    }
    var url = new URL(link.getAttribute("href"), window.location.href);
    if (url.origin !== window.location.origin || !PAGES.test(url.pathname) || url.searchParams.has("month")) {
      return;
    }
    url.searchParams.set("month", month);
    event.preventDefault();
    event.stopPropagation();
    window.history.pushState({}, "", url.pathname + url.search + url.hash);
    window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
    window.scrollTo(0, 0);
  }, true);
})();
