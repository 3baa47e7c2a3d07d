/* The petition signer list, opened in the organizer's browser (see sealed.js). */
(function () {
  "use strict";
  var root = document.getElementById("reveal");
  if (!root) { return; }
  var sealed = window.ConcertedSealed;
  var statusEl = document.getElementById("reveal-status");
  var table = document.getElementById("signer-table");
  // Strings come from Django's JavaScript catalog (/<lang>/jsi18n/, a script the app
  // serves); without it they stay in English.
  var gettext = window.gettext || function (s) { return s; };
  var ngettext = window.ngettext || function (s, p, n) { return n === 1 ? s : p; };
  var interpolate = window.interpolate || function (f, o) { return f.replace(/%\((\w+)\)s/g, function (m, k) { return String(o[k]); }); };

  function say(text) { statusEl.textContent = text; }

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
  }

  // The rule `concerted reveal` applies to the deliverable PDF (core/reveal.py:
  // deliverable_names): names are printed only when at least data-min-named people
  // agreed to be named, counting each person once as core/dedup.py does (the earliest
  // record of a contact stays). This page is the committee's own list; it says what the
  // deliverable will hold.
  function normalizeContact(contact) {
    // casefold() as Python's, for what lowercasing leaves apart (ß and ss).
    var text = contact.normalize("NFKC").trim().toLowerCase().replace(/ß/g, "ss");
    if (text.indexOf("@") !== -1) { return text.replace(/\s+/g, ""); }
    var digits = text.replace(/[^0-9]/g, "");
    return digits ? (text.charAt(0) === "+" ? "+" : "") + digits : text;
  }

  // Repeats, as core/dedup.py collapse() finds them: records sharing a normalized
  // contact (transitively) are one person, the earliest (day, then id) stays; each other
  // record gets repeat_of = the id of the one that stays. {unique: [...], repeats: [...]}
  var CONTACT_FIELDS = ["contact", "phone", "email"];

  function collapse(rows) {
    var ordered = rows.map(function (r) { return Object.assign({}, r); }).sort(function (a, b) {
      var ad = String(a.day || ""), bd = String(b.day || ""), ai = String(a.id), bi = String(b.id);
      return ad < bd ? -1 : ad > bd ? 1 : ai < bi ? -1 : ai > bi ? 1 : 0;
    });
    var parent = [], owner = Object.create(null), unique = [], repeats = [];
    function find(i) {
      while (parent[i] !== i) { parent[i] = parent[parent[i]]; i = parent[i]; }
      return i;
    }
    ordered.forEach(function (row, i) {
      parent[i] = i;
      CONTACT_FIELDS.forEach(function (name) {
        var value = row[name];
        if (typeof value !== "string" || !value.trim()) { return; }
        var key = normalizeContact(value);
        if (key in owner) {
          var a = find(owner[key]), b = find(i);
          if (a !== b) { parent[Math.max(a, b)] = Math.min(a, b); }
        } else {
          owner[key] = i;
        }
      });
    });
    ordered.forEach(function (row, i) {
      var root = find(i);
      if (root === i) {
        delete row.repeat_of;
        unique.push(row);
      } else {
        row.repeat_of = String(ordered[root].id === undefined ? "" : ordered[root].id);
        repeats.push(row);
      }
    });
    return {unique: unique, repeats: repeats};
  }

  function namedPeople(rows) {
    return collapse(rows).unique.filter(function (r) {
      return r.consent_named === true && typeof r.name === "string" && r.name.trim();
    }).length;
  }

  // The CSV `concerted reveal` writes (core/reveal.py: to_csv, safe_cell): every record,
  // each person's first record then the repeats; the columns of every row in the order
  // they first appear, id, day and group first; a cell a spreadsheet would run as a
  // formula is neutralized, column names too.
  var FORMULA_START = ["=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20"];

  // JSON as Python's json.dumps(ensure_ascii=False) writes it: ", " and ": " between items.
  function pyJson(value) {
    if (Array.isArray(value)) { return "[" + value.map(pyJson).join(", ") + "]"; }
    if (value !== null && typeof value === "object") {
      return "{" + Object.keys(value).map(function (k) { return JSON.stringify(k) + ": " + pyJson(value[k]); }).join(", ") + "}";
    }
    return value === undefined ? "null" : JSON.stringify(value);
  }

  function safeCell(value) {
    if (value === null || value === undefined) { return ""; }
    if (typeof value === "boolean") { return value ? "True" : "False"; }
    if (typeof value === "number") { return String(value); }
    var text = typeof value === "string" ? value : pyJson(value);  // nested data from a forged export
    var start = text.replace(/^ +/, "").charAt(0);
    return FORMULA_START.indexOf(start) !== -1 ? "'" + text : text;
  }

  function csvField(text) {
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function toCsv(rows) {
    var found = collapse(rows);
    var all = found.unique.concat(found.repeats).map(function (r) {
      return Object.assign({id: r.id, day: "", segment: ""}, r);
    });
    var columns = [];
    all.forEach(function (row) {
      Object.keys(row).forEach(function (key) { if (columns.indexOf(key) === -1) { columns.push(key); } });
    });
    var lines = [columns.map(function (c) { return csvField(safeCell(String(c))); }).join(",")];
    all.forEach(function (row) {
      lines.push(columns.map(function (c) { return csvField(safeCell(Object.prototype.hasOwnProperty.call(row, c) ? row[c] : "")); }).join(","));
    });
    return lines.join("\r\n") + "\r\n";
  }

  // "<app>-<petition slug>.csv", reduced to a-z, 0-9 and hyphens as core/reveal.py:
  // output_stem does.
  function csvName(data) {
    function safe(text) { return String(text || "").toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, ""); }
    var parent = data.parent || {};
    var name = safe(parent.slug || parent.id).slice(0, 80) || "export";
    return (safe(String(data.kind).split(".")[0]) || "export") + "-" + name + ".csv";
  }

  var opened = null;  // {rows, name} of the list on screen, for the CSV download

  function downloadCsv() {
    if (!opened) { return; }
    // Made here, from what is already open on this page: nothing goes to the server.
    var url = URL.createObjectURL(new Blob([toCsv(opened.rows)], {type: "text/csv;charset=utf-8"}));
    var link = document.createElement("a");
    link.href = url;
    link.download = opened.name;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  function sayNamed(rows) {
    var note = document.getElementById("named-note");
    if (!note) { return; }
    var minimum = parseInt(root.dataset.minNamed, 10) || 5;
    var n = namedPeople(rows);
    if (n > 0 && n < minimum) {
      note.textContent = interpolate(ngettext(
        "Only %(n)s signer agreed to be named; names are printed once at least %(min)s have, so nobody stands alone. The deliverable shows only the count of everyone who signed.",
        "Only %(n)s signers agreed to be named; names are printed once at least %(min)s have, so nobody stands alone. The deliverable shows only the count of everyone who signed.",
        n), {n: n, min: minimum}, true);
    } else if (n >= minimum) {
      note.textContent = interpolate(ngettext(
        "%(n)s signer agreed to be named: the deliverable lists them alphabetically, without the day anyone signed.",
        "%(n)s signers agreed to be named: the deliverable lists them alphabetically, without the day anyone signed.",
        n), {n: n}, true);
    } else {
      note.textContent = "";
    }
    note.hidden = !note.textContent;
  }

  function openList() {
    var sodium = window.sodium;
    say(gettext("Opening…"));
    Promise.all([sodium.ready, sealed.readKeyText(), sealed.fetchExport(root.dataset.exportUrl)])
      .then(function (results) {
        var keys = sealed.parseKey(sodium, results[1]);
        var result = sealed.openAll(sodium, results[2], keys, [], root.dataset.kind);
        sealed.forget(keys);
        opened = {rows: result.rows, name: csvName(results[2])};
        var tbody = table.querySelector("tbody");
        tbody.textContent = "";
        result.rows.forEach(function (d) {
          var tr = document.createElement("tr");
          cell(tr, d.name || "");
          cell(tr, d.contact || "");
          cell(tr, d.consent_named ? gettext("yes") : gettext("no"));
          cell(tr, d.segment || "");
          cell(tr, d.day || "");
          cell(tr, d.comment || "");
          tbody.appendChild(tr);
        });
        table.hidden = false;
        document.getElementById("signer-list").hidden = false;
        sayNamed(result.rows);
        var n = result.rows.length;
        say(interpolate(ngettext("Opened %(n)s record.", "Opened %(n)s records.", n), {n: n}, true) +
          (result.failed ? " " + interpolate(ngettext(
            "%(n)s could not be opened with this key or did not belong to this petition.",
            "%(n)s could not be opened with this key or did not belong to this petition.",
            result.failed), {n: result.failed}, true) : "") +
          (result.repeated ? " " + interpolate(ngettext(
            "%(n)s duplicated or replayed record was counted once: the server sent the same record more than once.",
            "%(n)s duplicated or replayed records were counted once: the server sent the same record more than once.",
            result.repeated), {n: result.repeated}, true) : ""));
      })
      .catch(function (err) { say(err.message || String(err)); });
  }

  document.getElementById("open-list").addEventListener("click", openList);
  document.getElementById("download-csv").addEventListener("click", downloadCsv);
})();
