// A card's size choice and the article it sits in go with the reader to the product page.
// The article rides in the link's fragment (#from=<article>), never sent to the server, so
// the product page stays one cached page per size; here it joins the add-to-cart forms.
(function () {
  "use strict";
  document.querySelectorAll(".product-card form.add-to-cart").forEach(function (form) {
    form.addEventListener("change", function (event) {
      var input = event.target;
      if (input.name !== "variant_id") return;
      var sku = input.getAttribute("data-sku");
      form.closest(".product-card").querySelectorAll("a[href*='size=']").forEach(function (link) {
        var url = new URL(link.href);
        url.searchParams.set("size", sku);
        link.href = url.href;
      });
    });
  });
  var match = location.hash.match(/^#from=([a-z0-9][a-z0-9-]{0,159})$/);
  if (!match) return;
  document.querySelectorAll("form.add-to-cart").forEach(function (form) {
    if (form.querySelector("input[name=from_post]")) return;
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "from_post";
    input.value = match[1];
    form.append(input);
  });
})();

// The visitor's own bits on shared, cached pages: the cart badge and "in your cart" notes.
// Pages carry nothing personal (so a CDN can serve them to everyone); the non-secret
// cart_count cookie says whether there is anything to ask /cart.json about.
(function () {
  "use strict";
  var match = document.cookie.match(/(?:^|; )cart_count=(\d+)/);
  var cartLink = document.querySelector(".cart-link");
  if (!match || match[1] === "0" || !cartLink) return;
  fetch(cartLink.getAttribute("href") + ".json", {credentials: "same-origin", headers: {Accept: "application/json"}})
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (cart) {
      if (!cart || !cart.count) return;
      document.querySelectorAll(".cart-link").forEach(function (link) {
        // The count is read out with its unit from hidden text: aria-label is not allowed
        // on a plain span, and screen readers would skip it.
        var badge = document.createElement("span");
        badge.className = "badge";
        badge.textContent = cart.count;
        var unit = document.createElement("span");
        unit.className = "visually-hidden";
        unit.textContent = cart.count === 1 ? " item" : " items";
        badge.append(unit);
        link.append(" ", badge);
      });
      document.querySelectorAll("form.add-to-cart input[name=variant_id]").forEach(function (input) {
        var quantity = cart.items[input.value];
        if (!quantity) return;
        var note = document.createElement("span");
        note.className = "in-cart";
        note.textContent = " (" + quantity + " in your cart)";
        input.parentElement.append(note);
      });
    })
    .catch(function () { /* the Cart link still works without the badge */ });
})();
