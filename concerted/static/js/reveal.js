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
    var text = contact.normalize("NFKC").trim().toLowerCase();
    if (text.indexOf("@") !== -1) { return text.replace(/\s+/g, ""); }
    var digits = text.replace(/[^0-9]/g, "");
    return digits ? (text.charAt(0) === "+" ? "+" : "") + digits : text;
  }

  function namedPeople(rows) {
    var ordered = rows.slice().sort(function (a, b) {
      var ad = String(a.day || ""), bd = String(b.day || ""), ai = String(a.id), bi = String(b.id);
      return ad < bd ? -1 : ad > bd ? 1 : ai < bi ? -1 : ai > bi ? 1 : 0;
    });
    var seen = Object.create(null), count = 0;
    ordered.forEach(function (r) {
      if (typeof r.contact === "string" && r.contact.trim()) {
        var key = normalizeContact(r.contact);
        if (seen[key]) { return; }
        seen[key] = true;
      }
      if (r.consent_named === true && typeof r.name === "string" && r.name.trim()) { count++; }
    });
    return count;
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
        var opened = sealed.openAll(sodium, results[2], keys, [], root.dataset.kind);
        sealed.forget(keys);
        var tbody = table.querySelector("tbody");
        tbody.textContent = "";
        opened.rows.forEach(function (d) {
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
        sayNamed(opened.rows);
        var n = opened.rows.length;
        say(interpolate(ngettext("Opened %(n)s record.", "Opened %(n)s records.", n), {n: n}, true) +
          (opened.failed ? " " + interpolate(ngettext(
            "%(n)s could not be opened with this key or did not belong to this petition.",
            "%(n)s could not be opened with this key or did not belong to this petition.",
            opened.failed), {n: opened.failed}, true) : "") +
          (opened.repeated ? " " + interpolate(ngettext(
            "%(n)s duplicated or replayed record was counted once: the server sent the same record more than once.",
            "%(n)s duplicated or replayed records were counted once: the server sent the same record more than once.",
            opened.repeated), {n: opened.repeated}, true) : ""));
      })
      .catch(function (err) { say(err.message || String(err)); });
  }

  document.getElementById("open-list").addEventListener("click", openList);
})();
