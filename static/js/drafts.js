// Editors' drafts: what is typed into an article, product or size form is kept in this
// browser until the server has it, so a lost session, an expired CSRF token, a 413, a 500 or
// a closed tab never loses text. Progressive enhancement: without it the forms work as before.
//
// A form opts in with data-draft="<kind>:<id or new>" and data-draft-state: "saved" when it
// shows what the database holds (a plain GET), "typed" when it re-shows what was just sent
// (a validation error or a stale save). On a "saved" page a draft equal to the form is
// dropped (the server has it); a different one is offered back with a notice.
(function () {
  "use strict";
  var PREFIX = "storefront-draft:";
  var SUBMITTED = "storefront-draft-submitted";
  var SKIP = {csrf_token: true, revision: true};

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !SKIP[el.name] && !el.readOnly && !el.disabled && !("draftSkip" in el.dataset) &&
        (el.tagName === "TEXTAREA" || el.tagName === "SELECT" ||
         ["text", "email", "number", "checkbox", "datetime-local", "url", "search"].indexOf(el.type) >= 0);
    });
  }

  function valuesOf(form) {
    var values = {};
    fields(form).forEach(function (el) {
      values[el.name] = el.type === "checkbox" ? el.checked : el.value.replace(/\r\n/g, "\n");
    });
    return values;
  }

  function same(a, b) {
    return Object.keys(a).concat(Object.keys(b)).every(function (name) { return a[name] === b[name]; });
  }

  function read(key) {
    try { return JSON.parse(window.localStorage.getItem(PREFIX + key)); } catch (e) { return null; }
  }

  function write(key, form) {
    try {
      window.localStorage.setItem(PREFIX + key, JSON.stringify({at: Date.now(), values: valuesOf(form)}));
    } catch (e) { /* storage full or refused: the form still works */ }
  }

  function drop(key) {
    try { window.localStorage.removeItem(PREFIX + key); } catch (e) { /* nothing kept */ }
  }

  function restore(form, values) {
    fields(form).forEach(function (el) {
      if (!(el.name in values)) return;
      if (el.type === "checkbox") el.checked = values[el.name]; else el.value = values[el.name];
    });
  }

  function offer(form, key, draft) {
    var notice = document.createElement("div");
    notice.className = "flash flash-warning draft-notice";
    notice.setAttribute("role", "alert");
    var text = document.createElement("p");
    text.textContent = "Text you typed on " + new Date(draft.at).toLocaleString() +
      " was not saved (the save may have failed, the page expired, or the tab was closed). " +
      "Restore it into the form, then press Save.";
    var restoreButton = document.createElement("button");
    restoreButton.type = "button";
    restoreButton.className = "primary";
    restoreButton.textContent = "Restore my text";
    var discardButton = document.createElement("button");
    discardButton.type = "button";
    discardButton.textContent = "Discard it";
    restoreButton.addEventListener("click", function () {
      restore(form, draft.values);
      notice.remove();
    });
    discardButton.addEventListener("click", function () {
      drop(key);
      notice.remove();
    });
    notice.append(text, restoreButton, " ", discardButton);
    form.prepend(notice);
  }

  function holds(values, draft) {
    // Everything typed into the draft is in these values (empty fields were filled in by
    // the server, like a slug made from the title).
    return Object.keys(draft).every(function (name) {
      return draft[name] === "" || draft[name] === false || draft[name] === values[name];
    });
  }

  function forgetSubmitted(form) {
    // A new article or product was just saved and this is its editor now: the draft kept
    // under "<kind>:new" holds the text the server stored.
    var submitted = window.sessionStorage.getItem(SUBMITTED);
    if (!submitted) return;
    window.sessionStorage.removeItem(SUBMITTED);
    var draft = read(submitted);
    if (draft && submitted !== form.dataset.draft && form.dataset.draftState === "saved" &&
        holds(valuesOf(form), draft.values)) drop(submitted);
  }

  document.querySelectorAll("form[data-draft]").forEach(function (form) {
    var key = form.dataset.draft;
    forgetSubmitted(form);
    var draft = read(key);
    if (form.dataset.draftState === "typed") {
      write(key, form);  // the form shows what was typed; keep it until a save goes through
    } else if (draft && same(draft.values, valuesOf(form))) {
      drop(key);
    } else if (draft) {
      offer(form, key, draft);
    }
    var timer = null;
    function keep() {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { write(key, form); }, 300);
    }
    form.addEventListener("input", keep);
    form.addEventListener("change", keep);
    form.addEventListener("submit", function () {
      window.clearTimeout(timer);
      write(key, form);
      window.sessionStorage.setItem(SUBMITTED, key);
    });
  });
})();
