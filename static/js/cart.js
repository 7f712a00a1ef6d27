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
