// The letter form's recipients: show only the fields of the chosen mode, a
// search box over the named-tenant list, and a live count of the recipients.
// Without this script every field shows, each with its own label and help.
(function () {
  "use strict";
  var FIELDS = {
    tier: "recipient_tiers", floor: "recipient_floors", units: "recipient_units",
    category: "recipient_categories", named: "recipient_tenants",
  };

  function wrapperOf(form, name) {
    var input = form.querySelector('[name="' + name + '"]');
    return input && (input.closest(".w-panel__wrapper") || input.closest(".w-field__wrapper"));
  }

  function showMode(form, mode) {
    Object.keys(FIELDS).forEach(function (key) {
      var wrapper = wrapperOf(form, FIELDS[key]);
      if (wrapper) wrapper.style.display = key === mode ? "" : "none";
    });
  }

  function addTenantSearch(form) {
    var wrapper = wrapperOf(form, "recipient_tenants");
    if (!wrapper || wrapper.querySelector("[data-tenant-search]")) return;
    var box = document.createElement("input");
    box.type = "search";
    box.setAttribute("data-tenant-search", "");
    box.placeholder = form.querySelector("[data-recipient-count-url]").dataset.searchPlaceholder || "";
    box.setAttribute("aria-label", box.placeholder);
    var list = form.querySelector('[name="recipient_tenants"]').closest("div[id]");
    list.parentNode.insertBefore(box, list);
    box.addEventListener("input", function () {
      var words = box.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      form.querySelectorAll('[name="recipient_tenants"]').forEach(function (input) {
        var row = input.closest("label") || input.parentNode;
        var text = row.textContent.toLowerCase();
        var match = words.every(function (w) { return text.indexOf(w) !== -1; });
        (row.closest("div:not([id])") || row).style.display = match || input.checked ? "" : "none";
      });
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

  function init() {
    var select = document.querySelector("select[data-recipient-count-url]");
    if (!select) return;
    var form = select.form;
    var output = document.createElement("p");
    output.setAttribute("data-recipient-count", "");
    output.setAttribute("aria-live", "polite");
    select.parentNode.appendChild(output);
    addTenantSearch(form);
    var timer = null;
    function refresh() {
      showMode(form, select.value);
      clearTimeout(timer);
      timer = setTimeout(function () { countRecipients(form, select, output); }, 250);
    }
    form.addEventListener("change", function (e) {
      if (e.target.name && (e.target.name === "centre" || e.target.name.indexOf("recipient_") === 0)) refresh();
    });
    form.addEventListener("input", function (e) {
      if (e.target.name === "recipient_units") refresh();
    });
    refresh();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
