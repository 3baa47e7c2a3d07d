/* The petition signer list, opened in the organizer's browser (see sealed.js). */
(function () {
  "use strict";
  var root = document.getElementById("reveal");
  if (!root) { return; }
  var sealed = window.ConcertedSealed;
  var statusEl = document.getElementById("reveal-status");
  var table = document.getElementById("signer-table");

  function say(text) { statusEl.textContent = text; }

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
  }

  function openList() {
    var sodium = window.sodium;
    say("Opening…");
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
          cell(tr, d.consent_named ? "yes" : "no");
          cell(tr, d.segment || "");
          cell(tr, d.day || "");
          cell(tr, d.comment || "");
          tbody.appendChild(tr);
        });
        table.hidden = false;
        say("Opened " + opened.rows.length + " record(s)." + (opened.failed ? " " + opened.failed +
          " could not be opened with this key or did not belong to this petition." : "") +
          (opened.repeated ? " " + opened.repeated + " duplicated or replayed record(s) were counted once:" +
          " the server sent the same record more than once." : ""));
      })
      .catch(function (err) { say(err.message || String(err)); });
  }

  document.getElementById("open-list").addEventListener("click", openList);
})();
