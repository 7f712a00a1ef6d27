// The article funnel's counts, without cookies: this page reports its own view, a read (the
// end of the body reached, or 30 seconds on the page) and clicks on its product cards to
// /beacon. Pages are cached, so the server cannot count them itself. Nothing personal is sent.
(function () {
  "use strict";
  var article = document.querySelector("[data-beacon]");
  if (!article || !navigator.sendBeacon) return;
  var url = article.getAttribute("data-beacon");
  var slug = article.getAttribute("data-beacon-post");
  var signature = article.getAttribute("data-beacon-sig");
  function send(kind) {
    navigator.sendBeacon(url, JSON.stringify({k: kind, p: slug, s: signature}));
  }
  function start() {
    send("view");
    var read = false;
    function markRead() {
      if (read) return;
      read = true;
      send("read");
    }
    setTimeout(markRead, 30000);
    // The body's last block on screen means the reader reached the end.
    var end = article.querySelector(".prose > :last-child");
    if (end && "IntersectionObserver" in window) {
      new IntersectionObserver(function (entries, observer) {
        if (entries.some(function (entry) { return entry.isIntersecting; })) {
          observer.disconnect();
          markRead();
        }
      }).observe(end);
    }
    article.addEventListener("click", function (event) {
      if (event.target.closest(".product-card a[href]")) send("card_click");
    });
  }
  // A prerendered page counts when the reader actually opens it.
  if (document.prerendering) {
    document.addEventListener("prerenderingchange", start, {once: true});
  } else {
    start();
  }
})();
