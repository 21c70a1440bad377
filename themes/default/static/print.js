// Print buttons (Decree 42/2022/NĐ-CP asks portals for print): they print
// the page with the print stylesheet (the @media print part of style.css).
// Without JavaScript a <noscript> style in base.html hides them, and the
// browser's own print does the same. A site's older templates may still
// mark them `hidden`: show them.
document.querySelectorAll("[data-print]").forEach(function (b) {
  b.hidden = false;
  b.addEventListener("click", function () { window.print(); });
});
