// A chooser of several records (notices.admin.recipient_choosers.MultipleChooser):
// "choose" opens Wagtail's chooser modal in multiple-choice mode, narrowed to
// the form's linked field (the letter's centre); each chosen record becomes
// a row with a hidden input and a remove button. Changing the centre empties
// the list: another centre's tenants and units cannot be recipients.
(function () {
  "use strict";

  function changed(widget) {
    widget.querySelector("[data-chosen-empty]").hidden = !!widget.querySelector("[data-chosen-id]");
    widget.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function addItem(widget, id, title) {
    var list = widget.querySelector("[data-chosen-list]");
    if (list.querySelector('[data-chosen-id="' + CSS.escape(String(id)) + '"]')) return;
    var row = document.createElement("li");
    row.setAttribute("data-chosen-id", id);
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = widget.dataset.fieldName;
    input.value = id;
    var label = document.createElement("span");
    label.textContent = title;
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "button button-small button-secondary";
    remove.setAttribute("data-remove", "");
    remove.setAttribute("aria-label", widget.dataset.removeLabel + " " + title);
    remove.textContent = widget.dataset.removeLabel;
    row.append(input, label, " ", remove);
    list.appendChild(row);
  }

  function linkedField(widget) {
    var form = widget.closest("form");
    return form && form.querySelector('[name="' + widget.dataset.linkedField + '"]');
  }

  function open(widget, trigger) {
    var params = { multiple: 1 };
    var linked = linkedField(widget);
    if (linked && linked.value) params[widget.dataset.linkedField] = linked.value;
    window.ModalWorkflow({
      url: widget.dataset.chooserUrl,
      urlParams: params,
      triggerElement: trigger,
      onload: window.CHOOSER_MODAL_ONLOAD_HANDLERS,
      responses: {
        chosen: function (result) {
          [].concat(result).forEach(function (item) { addItem(widget, item.id, item.string || item.title); });
          changed(widget);
        },
      },
    });
  }

  document.addEventListener("click", function (e) {
    var widget = e.target.closest("[data-multiple-chooser]");
    if (!widget) return;
    if (e.target.closest("[data-choose]")) {
      e.preventDefault();
      open(widget, e.target.closest("[data-choose]"));
    } else if (e.target.closest("[data-remove]")) {
      e.preventDefault();
      e.target.closest("[data-chosen-id]").remove();
      changed(widget);
    }
  });

  document.addEventListener("change", function (e) {
    if (!e.target.name) return;
    document.querySelectorAll("[data-multiple-chooser]").forEach(function (widget) {
      if (widget.dataset.linkedField !== e.target.name || linkedField(widget) !== e.target) return;
      var rows = widget.querySelectorAll("[data-chosen-id]");
      if (!rows.length) return;
      rows.forEach(function (row) { row.remove(); });
      changed(widget);
    });
  });
})();
