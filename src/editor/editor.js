// planpress editor: progressive enhancement of the plan form. Without this
// file every page still reads; with it the form saves through the JSON API,
// checks as you type, shows what amounts mean and sums splits. Amounts are
// handled as decimal strings and BigInt, never as floating point numbers.
"use strict";
(function () {
  var vi = document.documentElement.lang !== "en";
  function t(v, e) { return vi ? v : e; }
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.content : "";
  var form = document.getElementById("plan");
  if (!form) return;
  // The spare empty rows and the hint about them are for browsers without
  // this script; here rows are added with the buttons.
  form.querySelectorAll(".spare, .no-script").forEach(function (e) { e.remove(); });

  // ---- amounts ------------------------------------------------------------
  // What people type: "1.200.000", "127,5", "1 250,5", "1200000", "12.5".
  // Returns a canonical decimal string ("1200000", "127.5"), "" when empty,
  // or null when it is not a number.
  function parseAmount(raw) {
    var s = raw.replace(/[\s\u00a0\u202f]/g, "");
    if (s === "") return "";
    var neg = false;
    if (s[0] === "-") { neg = true; s = s.slice(1); }
    var dec;
    if (s.indexOf(",") >= 0) {
      // Vietnamese: dots group thousands, one comma before the decimals.
      if (s.split(",").length > 2) return null;
      var parts = s.split(",");
      if (!/^\d{1,3}(\.\d{3})*$|^\d+$/.test(parts[0]) || !/^\d+$/.test(parts[1])) return null;
      dec = parts[0].replace(/\./g, "") + "." + parts[1];
    } else if ((s.match(/\./g) || []).length > 1) {
      if (!/^\d{1,3}(\.\d{3})+$/.test(s)) return null;
      dec = s.replace(/\./g, "");
    } else if (/^\d{1,3}\.\d{3}$/.test(s)) {
      dec = s.replace(".", ""); // "1.200" is one thousand two hundred
    } else if (/^\d+(\.\d+)?$/.test(s)) {
      dec = s;
    } else {
      return null;
    }
    dec = dec.replace(/^0+(?=\d)/, "");
    if (dec.indexOf(".") >= 0) dec = dec.replace(/0+$/, "").replace(/\.$/, "");
    return (neg && dec !== "0" ? "-" : "") + dec;
  }
  function split2(d) { var p = d.replace("-", "").split("."); return [p[0], p[1] || ""]; }
  function toScaled(d, scale) {
    var p = split2(d), frac = (p[1] + "0".repeat(scale)).slice(0, scale);
    var v = BigInt(p[0] + frac);
    return d[0] === "-" ? -v : v;
  }
  function fromScaled(v, scale) {
    var neg = v < 0n; if (neg) v = -v;
    var s = v.toString().padStart(scale + 1, "0");
    var i = s.slice(0, s.length - scale), f = s.slice(s.length - scale).replace(/0+$/, "");
    return (neg ? "-" : "") + i + (f ? "." + f : "");
  }
  function scaleOf(list) { return list.reduce(function (m, d) { return Math.max(m, split2(d)[1].length); }, 0); }
  function sum(list) {
    var sc = scaleOf(list);
    return fromScaled(list.reduce(function (a, d) { return a + toScaled(d, sc); }, 0n), sc);
  }
  function sub(a, b) { var sc = scaleOf([a, b]); return fromScaled(toScaled(a, sc) - toScaled(b, sc), sc); }
  function cmp(a, b) { var sc = scaleOf([a, b]); var x = toScaled(a, sc), y = toScaled(b, sc); return x < y ? -1 : x > y ? 1 : 0; }
  // Vietnamese display: 1.234.567,5
  function show(d) {
    var neg = d[0] === "-", p = split2(d);
    var i = p[0].replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    return (neg ? "-" : "") + i + (p[1] ? "," + p[1] : "");
  }
  function shift(d, places) { // divide by 10^places
    var p = split2(d), all = p[0] + p[1], point = p[0].length - places;
    while (point <= 0) { all = "0" + all; point++; }
    var r = all.slice(0, point).replace(/^0+(?=\d)/, "") + "." + all.slice(point);
    r = r.replace(/0+$/, "").replace(/\.$/, "");
    return (d[0] === "-" ? "-" : "") + r;
  }
  var unit = form.dataset.unit;
  var units = {
    "dong": [t("đồng", "VND"), 9, t("tỷ đồng", "billion VND")],
    "nghin-dong": [t("nghìn đồng", "thousand VND"), 6, t("tỷ đồng", "billion VND")],
    "trieu-dong": [t("triệu đồng", "million VND"), 3, t("tỷ đồng", "billion VND")],
    "ty-dong": [t("tỷ đồng", "billion VND"), 0, ""]
  }[unit] || ["", 0, ""];
  function meaning(input) {
    var out = document.getElementById(input.id + "-m");
    if (!out) return;
    var d = parseAmount(input.value);
    input.removeAttribute("aria-invalid");
    if (d === "") { out.textContent = ""; return; }
    if (d === null) {
      out.textContent = t("Không phải số: viết như 1.200.000 hoặc 127,5", "Not a number: write it like 1.200.000 or 127,5");
      out.className = "meaning bad";
      input.setAttribute("aria-invalid", "true");
      return;
    }
    out.className = "meaning";
    var text = "= " + show(d) + " " + units[0];
    if (units[1] > 0 && cmp(d.replace("-", ""), "1" + "0".repeat(units[1])) >= 0) {
      text += " = " + show(shift(d, units[1])) + " " + units[2];
    }
    out.textContent = text;
  }

  // ---- splits ---------------------------------------------------------------
  function splitWhole(fs) {
    var row = fs.closest("[data-row]");
    if (!row) return null;
    var f = row.dataset.row === "projects" ? "cost.planned" : "total";
    var input = row.querySelector('[data-field="' + f + '"]');
    return input;
  }
  function splitSum(fs) {
    var amounts = [];
    fs.querySelectorAll('.split-row [data-field="amount"]').forEach(function (i) {
      var d = parseAmount(i.value); if (d) amounts.push(d);
    });
    var total = amounts.length ? sum(amounts) : "0";
    var wholeInput = splitWhole(fs), whole = wholeInput ? parseAmount(wholeInput.value) : "";
    var out = fs.querySelector(".split-sum");
    if (!whole) { out.textContent = t("Cộng: ", "Sum: ") + show(total); out.className = "split-sum"; return; }
    var diff = sub(whole, total);
    if (cmp(diff, "0") === 0) {
      out.textContent = t("Cộng: " + show(total) + " — khớp với tổng " + show(whole), "Sum: " + show(total) + " — matches the total " + show(whole));
      out.className = "split-sum ok";
    } else {
      out.textContent = t("Cộng: " + show(total) + " / tổng " + show(whole) + (cmp(diff, "0") > 0 ? " — còn thiếu " + show(diff) : " — thừa " + show(diff.replace("-", ""))),
        "Sum: " + show(total) + " / total " + show(whole) + (cmp(diff, "0") > 0 ? " — " + show(diff) + " missing" : " — " + show(diff.replace("-", "")) + " too much"));
      out.className = "split-sum bad";
    }
  }
  function refreshAll() {
    form.querySelectorAll("input.amount").forEach(meaning);
    form.querySelectorAll("fieldset.split").forEach(splitSum);
  }

  // ---- rows, reordering -------------------------------------------------------
  var uid = 0;
  // Row templates hold "__R__" and split templates "__S__" where an id
  // goes: a split template inside a new row keeps its own placeholder, so
  // every field added gets an id of its own (labels point at one field).
  function instantiate(tpl, token) {
    uid++;
    var html = tpl.innerHTML.split(token).join("n" + uid + "x");
    var box = document.createElement("div");
    box.innerHTML = html;
    return box.firstElementChild;
  }
  function renumber() {
    form.querySelectorAll('[data-list="projects"] [data-row="projects"]').forEach(function (row, i) {
      row.querySelector('[data-field="priority"]').value = String(i + 1);
      row.querySelector(".priority-label").textContent = t("(ưu tiên " + (i + 1) + ")", "(priority " + (i + 1) + ")");
    });
  }
  form.addEventListener("click", function (ev) {
    var b = ev.target.closest("button");
    if (!b) return;
    // Row buttons are submit buttons for pages without JavaScript (the
    // server moves or removes the row); here the page does it in place.
    if (b.matches(".remove-row, .move-up, .move-down")) ev.preventDefault();
    if (b.classList.contains("add-row")) {
      var section = b.closest("[data-list]");
      var row = instantiate(section.querySelector(":scope > template.row-template"), "__R__");
      var rows = section.querySelector(":scope > .rows");
      (rows || section).insertBefore(row, rows ? null : b.previousElementSibling);
      renumber(); refreshAll(); changed();
      var first = row.querySelector("input, select, textarea"); if (first) first.focus();
    } else if (b.classList.contains("remove-row")) {
      var r = b.closest("[data-row]"); var list = r.closest("[data-list]");
      r.remove(); renumber(); changed();
      var add = list.querySelector(".add-row"); if (add) add.focus();
    } else if (b.classList.contains("add-split")) {
      var fs = b.closest("fieldset.split");
      var srow = instantiate(fs.querySelector("template.split-template"), "__S__");
      fs.querySelector(".split-rows").appendChild(srow);
      srow.querySelector("select").focus(); changed();
    } else if (b.classList.contains("remove-split")) {
      var sfs = b.closest("fieldset.split"); b.closest(".split-row").remove();
      splitSum(sfs); changed(); sfs.querySelector(".add-split").focus();
    } else if (b.classList.contains("move-up") || b.classList.contains("move-down")) {
      var pr = b.closest("[data-row]"), up = b.classList.contains("move-up");
      var other = up ? pr.previousElementSibling : pr.nextElementSibling;
      if (!other || !other.matches("[data-row]")) return;
      if (up) pr.parentNode.insertBefore(pr, other); else pr.parentNode.insertBefore(other, pr);
      renumber(); b.focus(); changed();
      say(t("Đã chuyển dự án; thứ tự ưu tiên được đánh lại.", "Project moved; priorities renumbered."));
    }
  });

  // ---- collecting the form as the API's JSON -----------------------------------
  function setPath(el, path) { el.dataset.path = path; }
  function val(el) { return el.value.trim(); }
  function collectFields(box, base, skip) {
    var obj = {};
    box.querySelectorAll("[data-field]").forEach(function (el) {
      if (skip && skip(el)) return;
      var f = el.dataset.field, path = base + "." + f;
      setPath(el, path);
      var v;
      if (el.multiple) {
        v = Array.prototype.filter.call(el.options, function (o) { return o.selected; }).map(function (o) { return o.value; });
      } else if (el.classList.contains("amount")) {
        var d = parseAmount(el.value); v = d === "" || d === null ? undefined : d;
        if (d === null) v = el.value; // sent as typed: the server names the field
      } else {
        v = val(el); if (v === "") v = undefined;
      }
      if (v === undefined) return;
      var keys = f.split("."), o = obj;
      for (var i = 0; i < keys.length - 1; i++) { o[keys[i]] = o[keys[i]] || {}; o = o[keys[i]]; }
      o[keys[keys.length - 1]] = v;
    });
    return obj;
  }
  function inSplit(el) { return !!el.closest("fieldset.split"); }
  function splitOf(fs, base) {
    var out = {};
    fs.querySelectorAll(".split-row").forEach(function (r) {
      var c = r.querySelector('[data-field="code"]'), a = r.querySelector('[data-field="amount"]');
      var code = c.value, d = parseAmount(a.value);
      setPath(a, base + "." + code); setPath(c, base + "." + code);
      if (code && d) out[code] = d;
    });
    return out;
  }
  function collect() {
    var plan = { agency: form.dataset.agency, year: Number(form.dataset.year), status: "draft" };
    var contact = collectFields(form.querySelector('[data-object="contact"]'), "plan.contact");
    if (Object.keys(contact).length) plan.contact = contact;
    var legal = form.querySelector('[data-field="legal_bases"]');
    setPath(legal, "plan.legal_bases");
    plan.legal_bases = legal.value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
    ["indicators", "spending", "projects"].forEach(function (list) {
      plan[list] = [];
      form.querySelectorAll('[data-list="' + list + '"] [data-row="' + list + '"]').forEach(function (row) {
        var base = "plan." + list + "[" + plan[list].length + "]";
        var o = collectFields(row, base, inSplit);
        row.querySelectorAll("fieldset.split").forEach(function (fs) {
          o[fs.dataset.split] = splitOf(fs, base + "." + fs.dataset.split);
        });
        if (list === "indicators") {
          var has = ["target", "actual", "goal", "value", "note", "name"].some(function (k) { return o[k] !== undefined; });
          if (!has && !row.classList.contains("other")) return;
        }
        if (o.priority !== undefined) o.priority = Number(o.priority);
        if (o.period) {
          ["from", "to"].forEach(function (k) { if (o.period[k] !== undefined) o.period[k] = /^\d+$/.test(o.period[k]) ? Number(o.period[k]) : o.period[k]; });
        }
        if (list === "projects") { o.id = o.id || ""; o.name = o.name || ""; o.category = o.category || ""; o.lead = o.lead || ""; o.cost = o.cost || {}; }
        if (list === "spending") { o.category = o.category || ""; o.task = o.task || ""; }
        if (list === "indicators") { o.id = o.id || ""; }
        plan[list].push(o);
      });
    });
    var sections = collectFields(form.querySelector('[data-object="sections"]'), "sections");
    return { plan: plan, sections: sections };
  }

  // ---- talking to the API ----------------------------------------------------------
  var message = document.getElementById("message");
  var summary = document.getElementById("summary");
  function say(text, bad) {
    message.textContent = text;
    message.className = bad ? "message bad" : "message";
  }
  function api(method, url, body, extra) {
    var h = { "X-CSRF-Token": csrf, "Content-Type": "application/json" };
    for (var k in extra || {}) h[k] = extra[k];
    return fetch(url, { method: method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" })
      .then(function (r) { return r.text().then(function (text) { var j = null; try { j = text ? JSON.parse(text) : null; } catch (e) { j = null; } return { status: r.status, json: j }; }); });
  }
  var base = "/api/plans/" + form.dataset.year + "/" + form.dataset.agency;

  function fieldFor(d) {
    if (d.path) { var el = form.querySelector('[data-path="' + CSS.escape(d.path) + '"]'); if (el) return el; }
    return null;
  }
  function showDiagnostics(list) {
    form.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
    form.querySelectorAll("[data-described]").forEach(function (el) {
      el.setAttribute("aria-describedby", el.dataset.described); el.removeAttribute("data-described");
      el.removeAttribute("aria-invalid");
    });
    summary.innerHTML = "";
    if (!list || !list.length) return;
    var errors = list.filter(function (d) { return d.severity === "error"; }).length;
    var box = document.createElement("div");
    box.className = "error-summary"; box.setAttribute("role", "region"); box.setAttribute("aria-labelledby", "sum-h");
    var h = document.createElement("h2"); h.id = "sum-h";
    h.textContent = t(errors + " lỗi, " + (list.length - errors) + " cảnh báo", errors + " errors, " + (list.length - errors) + " warnings");
    box.appendChild(h);
    var ul = document.createElement("ul");
    list.forEach(function (d, i) {
      var li = document.createElement("li"); li.className = d.severity;
      var el = fieldFor(d);
      var text = (d.code ? d.code + " " : "") + d.message;
      if (el) {
        if (!el.id) el.id = "f-" + i;
        var a = document.createElement("a"); a.href = "#" + el.id; a.textContent = text; li.appendChild(a);
        var p = document.createElement("p"); p.className = "field-error " + d.severity; p.id = "err-" + i; p.textContent = text;
        var holder = el.closest(".field") || el.parentNode;
        holder.appendChild(p);
        var was = el.getAttribute("aria-describedby") || "";
        if (!el.dataset.described) el.dataset.described = was;
        el.setAttribute("aria-describedby", (was + " err-" + i).trim());
      } else {
        li.textContent = text;
      }
      ul.appendChild(li);
    });
    box.appendChild(ul); summary.appendChild(box);
  }

  var timer = null, dirty = false;
  function changed() {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(check, 500);
  }
  function check() {
    return api("POST", base + "/check", collect()).then(function (r) {
      if (r.status === 200) showDiagnostics(r.json.diagnostics);
      else if (r.json && r.json.diagnostics) showDiagnostics(r.json.diagnostics);
      else if (r.status === 401) say(t("Phiên đăng nhập đã hết: hãy đăng nhập lại ở thẻ khác; những gì đã gõ vẫn còn ở đây.", "Your session has ended: log in again in another tab; what you typed stays here."), true);
    });
  }
  form.addEventListener("input", function (ev) {
    if (ev.target.classList.contains("amount")) {
      meaning(ev.target);
      var fs = ev.target.closest("fieldset.split"); if (fs) splitSum(fs);
      var row = ev.target.closest("[data-row]");
      if (row) row.querySelectorAll("fieldset.split").forEach(splitSum);
    }
    changed();
  });
  form.addEventListener("change", changed);

  function save() {
    clearTimeout(timer);
    var v = form.dataset.version;
    var headers = v ? { "If-Match": v } : { "If-None-Match": "*" };
    say(t("Đang lưu…", "Saving…"));
    return api("PUT", base, collect(), headers).then(function (r) {
      if (r.status === 200) {
        form.dataset.version = r.json.version; dirty = false;
        showDiagnostics(r.json.diagnostics);
        var n = (r.json.diagnostics || []).filter(function (d) { return d.severity === "error"; }).length;
        say(n ? t("Đã lưu bản nháp (còn " + n + " lỗi cần sửa trước khi nộp).", "Draft saved (" + n + " errors to fix before submitting).")
              : t("Đã lưu bản nháp.", "Draft saved."));
        return true;
      }
      if (r.status === 412) {
        say(t("Không lưu: kế hoạch vừa được người khác thay đổi. Những gì bạn gõ vẫn còn trên trang. Hãy mở kế hoạch ở thẻ mới để xem bản mới, chép phần của bạn sang, rồi lưu ở đó.",
              "Not saved: someone else has just changed the plan. What you typed is still on this page. Open the plan in a new tab to see the new version, copy your part over, and save there."), true);
        var a = document.createElement("a"); a.href = location.pathname; a.target = "_blank"; a.rel = "noopener";
        a.textContent = t("Mở bản mới ở thẻ khác", "Open the new version in another tab");
        message.appendChild(document.createTextNode(" ")); message.appendChild(a);
        return false;
      }
      say((r.json && r.json.error ? r.json.error.message : t("Không lưu được.", "Could not save.")), true);
      if (r.json && r.json.diagnostics) showDiagnostics(r.json.diagnostics);
      return false;
    }, function () {
      say(t("Không kết nối được máy chủ; chưa lưu. Những gì bạn gõ vẫn còn; hãy thử lại.", "Cannot reach the server; not saved. What you typed is still here; try again."), true);
      return false;
    });
  }
  function act(what, body) {
    return api("POST", base + "/" + what, body).then(function (r) {
      if (r.status === 200) { location.reload(); return; }
      say(r.json && r.json.error ? r.json.error.message : String(r.status), true);
      if (r.json && r.json.diagnostics) { showDiagnostics(r.json.diagnostics); summary.focus(); }
    });
  }
  // Save and submit are the form's submit buttons (so that the form posts
  // without this script); here they go through the API instead.
  function on(id, f) {
    var b = document.getElementById(id);
    if (b) b.addEventListener("click", function (ev) { ev.preventDefault(); f(ev); });
  }
  form.addEventListener("submit", function (ev) { ev.preventDefault(); save(); });
  on("save", save);
  on("submit", function () {
    (dirty || !form.dataset.version ? save() : Promise.resolve(true)).then(function (ok) { if (ok) act("submit"); });
  });
  on("approve", function () { act("approve"); });
  on("return", function () {
    var c = document.getElementById("return-comment");
    act("return", { comment: c.value });
  });
  window.addEventListener("beforeunload", function (e) { if (dirty) { e.preventDefault(); e.returnValue = ""; } });
  refreshAll();
  window.planpressEditor = { parseAmount: parseAmount, sum: sum, show: show };
})();
