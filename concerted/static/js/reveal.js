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
