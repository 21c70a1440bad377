// Print buttons: hidden without JavaScript (the browser's own print works
// the same), shown and wired up with it.
document.querySelectorAll("[data-print]").forEach(function (b) {
  b.hidden = false;
  b.addEventListener("click", function () { window.print(); });
});
