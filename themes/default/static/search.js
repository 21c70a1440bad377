// Client-side search over search-index.json. Folding matches the server's:
// NFD, combining marks dropped, đ as d, lower case. So "dao tao" finds
// "Đào tạo" and "ha tang" finds "Hạ tầng".
(function () {
  var form = document.querySelector("[data-search]");
  var out = document.querySelector("[data-results]");
  if (!form || !out) return;
  var input = form.querySelector("input");
  var docs = null;
  form.hidden = false;
  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
  }
  function load() {
    if (docs) return Promise.resolve(docs);
    return fetch(input.getAttribute("data-index")).then(function (r) { return r.json(); }).then(function (d) { docs = d; return d; });
  }
  function render(q) {
    var terms = fold(q).split(/\s+/).filter(Boolean);
    out.textContent = "";
    if (q.trim().length < 2) { out.textContent = input.getAttribute("data-hint"); return; }
    load().then(function (all) {
      var hits = all.filter(function (d) { return terms.every(function (t) { return d.k.indexOf(t) !== -1; }); }).slice(0, 50);
      out.textContent = "";
      if (!hits.length) { out.textContent = input.getAttribute("data-none"); return; }
      var ol = document.createElement("ol");
      var base = input.getAttribute("data-index").replace(/search-index\.json$/, "");
      hits.forEach(function (h) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = base + h.u;
        a.textContent = h.t;
        var p = document.createElement("p");
        p.textContent = h.s;
        li.appendChild(a);
        li.appendChild(p);
        ol.appendChild(li);
      });
      out.appendChild(ol);
    });
  }
  var timer = null;
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(function () { render(input.value); }, 120); });
  form.addEventListener("submit", function (e) { e.preventDefault(); render(input.value); });
  var q = new URLSearchParams(location.search).get("q");
  if (q) { input.value = q; render(q); }
})();
