// Keyboard shortcuts and form checks of the suggestion page (progressive enhancement: the form
// works without, and the server writes the same errors next to the same fields).
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

  // An error written next to its field, and kept there until the reviewer fixes it (RGAA 11.10:
  // not only announced to screen readers for a few seconds).
  function showError(group, messages, id, text) {
    clearError(group, messages, id);
    var p = document.createElement("p");
    p.className = "fr-message fr-message--error";
    p.id = id;
    p.textContent = text;
    messages.appendChild(p);
    group.classList.add(group.tagName === "FIELDSET" ? "fr-fieldset--error" : "fr-input-group--error");
  }

  function clearError(group, messages, id) {
    var old = document.getElementById(id);
    if (old && old.parentNode) old.parentNode.removeChild(old);
    group.classList.remove("fr-fieldset--error", "fr-input-group--error");
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("decision-form");
    var alert = document.getElementById("alerte");
    if (alert && alert.classList.contains("fr-alert--error")) {
      // A refused decision (409 stale, missing reason): read the explanation first.
      alert.setAttribute("tabindex", "-1");
      alert.focus();
    }
    if (!form) return;
    var reason = document.getElementById("reason");
    var choice = document.getElementById("choix-decision");
    var choiceMessages = document.getElementById("choix-messages");
    var reasonGroup = document.getElementById("motif-groupe");
    var reasonMessages = document.getElementById("reason-messages");
    var radios = form.querySelectorAll("input[name=decision]");
    var byKey = {};
    radios.forEach(function (radio) {
      byKey[radio.getAttribute("data-key")] = radio;
      radio.addEventListener("change", function () { clearError(choice, choiceMessages, "choix-erreur"); });
    });
    reason.addEventListener("input", function () {
      if (reason.value.trim()) {
        clearError(reasonGroup, reasonMessages, "reason-erreur");
        reason.classList.remove("fr-input--error");
        reason.removeAttribute("aria-invalid");
      }
    });

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
      clearError(choice, choiceMessages, "choix-erreur");
      reason.focus();
    });

    form.addEventListener("submit", function (event) {
      var chosen = form.querySelector("input[name=decision]:checked");
      if (!chosen) {
        event.preventDefault();
        showError(choice, choiceMessages, "choix-erreur",
          "Choisissez une décision : même personne (M), personnes différentes (D) ou incertain (I).");
        radios[0].focus();
        return;
      }
      if (chosen.value === "different" && !reason.value.trim()) {
        event.preventDefault();
        showError(reasonGroup, reasonMessages, "reason-erreur",
          "Un motif est obligatoire pour « personnes différentes » : écrivez ce qui fonde votre décision.");
        reason.classList.add("fr-input--error");
        reason.setAttribute("aria-invalid", "true");
        reason.focus();
      }
    });
  });
})();
