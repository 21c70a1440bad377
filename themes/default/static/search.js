// Client-side search over the sharded index under search/ (see
// src/render/search.rs). A query fetches the small manifest, the shards of
// the dictionary its words fall in, and the metadata chunks of the results
// it shows; nothing else, however large the site.
// Folding matches the server's: NFD, combining marks dropped, đ as d, lower
// case. So "dao tao" finds "Đào tạo" and "ha tang" finds "Hạ tầng".
(function () {
  var form = document.querySelector("[data-search]");
  var out = document.querySelector("[data-results]");
  if (!form || !out) return;
  var input = form.querySelector("input");
  var indexUrl = input.getAttribute("data-index");
  var base = indexUrl.replace(/index\.json$/, "");
  var SHOWN = 20;
  // Words whose prefix is typed expand to at most this many terms.
  var EXPAND = 40;
  var cache = {};
  form.hidden = false;

  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
  }
  function words(s) {
    return fold(s).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  }
  function get(url) {
    if (!cache[url]) {
      cache[url] = fetch(url).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      });
    }
    return cache[url];
  }
  // Compares as Rust's str::cmp does for the terms of the index: by UTF-16
  // code units, which orders the folded (mostly ASCII) terms the same way.
  function shardOf(manifest, term) {
    var lo = 0, hi = manifest.shards.length - 1, at = 0;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (manifest.shards[mid] <= term) { at = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return at;
  }
  // The postings of `term`: exact, or, for the word being typed, of every
  // term it starts (the shards that range can span).
  function postings(manifest, term, prefix) {
    var first = shardOf(manifest, term);
    var last = first;
    if (prefix) {
      while (last + 1 < manifest.shards.length && manifest.shards[last + 1].lastIndexOf(term, 0) === 0) last++;
    }
    var loads = [];
    for (var i = first; i <= last; i++) loads.push(get(base + "t/" + i + ".json"));
    return Promise.all(loads).then(function (shards) {
      var found = {};
      var n = 0;
      shards.forEach(function (shard) {
        Object.keys(shard).forEach(function (t) {
          if (t === term || (prefix && n < EXPAND && t.lastIndexOf(term, 0) === 0)) {
            if (t !== term) n++;
            var list = shard[t];
            for (var j = 0; j < list.length; j += 2) {
              found[list[j]] = Math.max(found[list[j]] || 0, list[j + 1]);
            }
          }
        });
      });
      return found;
    });
  }
  function show(hits, manifest, q) {
    out.textContent = "";
    if (!hits.length) { out.textContent = input.getAttribute("data-none"); return; }
    var chunks = {};
    hits.forEach(function (h) { chunks[Math.floor(h.doc / manifest.chunk)] = true; });
    var ids = Object.keys(chunks);
    return Promise.all(ids.map(function (c) { return get(base + "d/" + c + ".json"); })).then(function (loaded) {
      var byChunk = {};
      ids.forEach(function (c, i) { byChunk[c] = loaded[i]; });
      var phrase = words(q).join(" ");
      var rows = hits.map(function (h) {
        var row = byChunk[Math.floor(h.doc / manifest.chunk)][h.doc % manifest.chunk];
        var title = words(row[1]).join(" ");
        var text = words(row[2]).join(" ");
        // The exact phrase in the title first, then in the text, then by score.
        var rank = (title.indexOf(phrase) !== -1 ? 2 : 0) + (text.indexOf(phrase) !== -1 ? 1 : 0);
        return { row: row, rank: rank, matched: h.matched, score: h.score, doc: h.doc };
      });
      rows.sort(function (a, b) { return b.rank - a.rank || b.matched - a.matched || b.score - a.score || a.doc - b.doc; });
      var ol = document.createElement("ol");
      rows.forEach(function (r) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = base.replace(/search\/$/, "") + r.row[0];
        a.textContent = r.row[1];
        var p = document.createElement("p");
        p.textContent = r.row[2];
        li.appendChild(a);
        li.appendChild(p);
        ol.appendChild(li);
      });
      out.textContent = "";
      out.appendChild(ol);
    });
  }
  var latest = 0;
  function render(q) {
    var terms = words(q);
    var ticket = ++latest;
    out.textContent = "";
    if (q.trim().length < 2 || !terms.length) { out.textContent = input.getAttribute("data-hint"); return; }
    get(indexUrl).then(function (manifest) {
      if (!manifest.shards.length) return show([], manifest, q);
      // The last word may still be being typed: it matches as a prefix.
      return Promise.all(terms.map(function (t, i) {
        return postings(manifest, t, i === terms.length - 1);
      })).then(function (lists) {
        if (ticket !== latest) return;
        // Each word's postings are its best few hundred documents only, so
        // on a large site the lists of common words ("an toan thong tin")
        // can miss each other entirely. Documents with every word come
        // first; when they are fewer than a page, those with at least half
        // of the words fill it, most words first.
        var docs = {};
        lists.forEach(function (list) { Object.keys(list).forEach(function (d) { docs[d] = true; }); });
        var hits = [];
        var need = Math.ceil(lists.length / 2);
        Object.keys(docs).forEach(function (doc) {
          var score = 0, matched = 0;
          for (var i = 0; i < lists.length; i++) {
            var s = lists[i][doc];
            if (s !== undefined) { score += s; matched++; }
          }
          hits.push({ doc: +doc, score: score, matched: matched });
        });
        hits.sort(function (a, b) { return b.matched - a.matched || b.score - a.score || a.doc - b.doc; });
        var full = hits.filter(function (h) { return h.matched === lists.length; });
        var shown = full.length >= SHOWN || lists.length < 2 ? full : hits.filter(function (h) { return h.matched >= need; });
        return show(shown.slice(0, SHOWN), manifest, q);
      });
    }).catch(function () { out.textContent = input.getAttribute("data-none"); });
  }
  var timer = null;
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(function () { render(input.value); }, 120); });
  form.addEventListener("submit", function (e) { e.preventDefault(); render(input.value); });
  var q = new URLSearchParams(location.search).get("q");
  if (q) { input.value = q; render(q); }
})();
