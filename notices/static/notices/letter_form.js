// The letter form's recipients: show only the fields of the chosen mode, and
// a live count with a preview of the recipients (the first shop names and
// how many more). Named tenants and units are chosen in searchable chooser
// modals (multiple_chooser.js). Without this script every field shows.
(function () {
  "use strict";
  var FIELDS = {
    tier: "recipient_tiers", floor: "recipient_floors", units: "recipient_units",
    category: "recipient_categories", named: "recipient_tenants",
  };

  function wrapperOf(form, name) {
    var input = form.querySelector('[data-field-name="' + name + '"], [name="' + name + '"]');
    return input && (input.closest(".w-panel__wrapper") || input.closest(".w-field__wrapper"));
  }

  function showMode(form, mode) {
    Object.keys(FIELDS).forEach(function (key) {
      var wrapper = wrapperOf(form, FIELDS[key]);
      if (wrapper) wrapper.style.display = key === mode ? "" : "none";
    });
  }

  function countRecipients(form, select, output) {
    var centre = form.querySelector('[name="centre"]');
    if (!centre || !centre.value) { output.textContent = ""; return; }
    var url = select.dataset.recipientCountUrl.replace("/0/", "/" + encodeURIComponent(centre.value) + "/");
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (key.indexOf("recipient_") === 0 && typeof value === "string") params.append(key, value);
    });
    fetch(url + "?" + params.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { output.textContent = data ? data.text : ""; })
      .catch(function () { output.textContent = ""; });
  }

  function fieldName(target) {
    return target.name || (target.dataset && target.dataset.fieldName) || "";
  }

  function init() {
    var select = document.querySelector("select[data-recipient-count-url]");
    if (!select) return;
    var form = select.form;
    var output = document.createElement("p");
    output.setAttribute("data-recipient-count", "");
    output.setAttribute("aria-live", "polite");
    select.parentNode.appendChild(output);
    var timer = null;
    function refresh() {
      showMode(form, select.value);
      clearTimeout(timer);
      timer = setTimeout(function () { countRecipients(form, select, output); }, 250);
    }
    form.addEventListener("change", function (e) {
      var name = fieldName(e.target);
      if (name === "centre" || name.indexOf("recipient_") === 0) refresh();
    });
    refresh();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
