// "Copy full value" buttons (portal/includes/hash.html). Loaded once per
// hash on the page, so it registers its one listener only the first time.
(function () {
  if (window.atriumCopy) return;
  window.atriumCopy = true;
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button || !navigator.clipboard) return;
    navigator.clipboard.writeText(button.dataset.copy).then(function () {
      button.textContent = button.dataset.done;
    });
  });
})();
