// Keyboard shortcuts of the suggestion page (progressive enhancement: the form works without).
//   M / D / I   choose "même personne" / "personnes différentes" / "incertain" and move to the reason
//   Ctrl+Enter  (or Cmd+Enter) submit the decision; the next suggestion opens at once
//   Escape      leave the reason field, so that the letter shortcuts work again
(function () {
  "use strict";

  function isTyping(target) {
    if (!target) return false;
    var tag = target.tagName;
    return tag === "TEXTAREA" || tag === "SELECT" ||
      (tag === "INPUT" && target.type !== "radio" && target.type !== "checkbox") ||
      target.isContentEditable;
  }

  function announce(text) {
    var region = document.getElementById("annonces");
    if (!region) return;
    var p = document.createElement("p");
    p.className = "visually-hidden";
    p.textContent = text;
    region.appendChild(p);
    window.setTimeout(function () { if (p.parentNode) p.parentNode.removeChild(p); }, 4000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("decision-form");
    var alert = document.getElementById("alerte");
    if (alert && alert.closest(".alert-error")) {
      // A refused decision (409 stale, missing reason): read the explanation first.
      alert.setAttribute("tabindex", "-1");
      alert.focus();
    }
    if (!form) return;
    var reason = document.getElementById("reason");
    var radios = form.querySelectorAll("input[name=decision]");
    var byKey = {};
    radios.forEach(function (radio) { byKey[radio.getAttribute("data-key")] = radio; });

    function submit() {
      if (typeof form.requestSubmit === "function") form.requestSubmit();
      else form.submit();
    }

    document.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        submit();
        return;
      }
      if (event.key === "Escape" && event.target === reason) {
        reason.blur();
        var checked = form.querySelector("input[name=decision]:checked");
        (checked || radios[0]).focus();
        return;
      }
      if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      var radio = byKey[event.key.toLowerCase()];
      if (!radio) return;
      event.preventDefault();
      radio.checked = true;
      announce("Décision choisie : " + radio.labels[0].textContent.trim());
      reason.focus();
    });

    form.addEventListener("submit", function (event) {
      var chosen = form.querySelector("input[name=decision]:checked");
      if (!chosen) {
        event.preventDefault();
        announce("Choisissez d'abord une décision (M, D ou I).");
        radios[0].focus();
        return;
      }
      if (chosen.value === "different" && !reason.value.trim()) {
        event.preventDefault();
        reason.setAttribute("aria-invalid", "true");
        announce("Un motif est obligatoire pour « personnes différentes ».");
        reason.focus();
      }
    });
  });
})();
