/* Opens a sealed export in the organizer's browser. The private key is read from a
   file or a paste into this page's memory only: it is never sent anywhere. Each
   record's sealed envelope must name the campaign, parent and row it was exported
   under, or it is refused (a server can't move or swap records). */
(function () {
  "use strict";
  var PREFIX = "concerted-PRIVATE-key-1:";
  var root = document.getElementById("reveal");
  if (!root) { return; }
  var statusEl = document.getElementById("reveal-status");
  var table = document.getElementById("signer-table");

  function say(text) { statusEl.textContent = text; }

  function unpad(bytes) {
    var end = bytes.length;
    while (end > 0 && bytes[end - 1] === 0) { end--; }
    if (end === 0 || bytes[end - 1] !== 0x80) { throw new Error("bad padding"); }
    return bytes.subarray(0, end - 1);
  }

  function readKeyText() {
    var pasted = document.getElementById("keytext").value.trim();
    var file = document.getElementById("keyfile").files[0];
    if (pasted) { return Promise.resolve(pasted); }
    if (file) { return file.text().then(function (t) { return t.trim(); }); }
    return Promise.reject(new Error("Load the private key file or paste the key first."));
  }

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
  }

  function openList() {
    var sodium = window.sodium;
    say("Opening…");
    Promise.all([sodium.ready, readKeyText(), fetch(root.dataset.exportUrl, {credentials: "same-origin"})])
      .then(function (results) {
        var keyText = results[1];
        var response = results[2];
        if (!keyText.startsWith(PREFIX)) { throw new Error("That is not a Concerted private key."); }
        var secretKey = sodium.from_base64(keyText.slice(PREFIX.length), sodium.base64_variants.ORIGINAL);
        if (secretKey.length !== 32) { throw new Error("That key has the wrong length."); }
        var publicKey = sodium.crypto_scalarmult_base(secretKey);
        if (!response.ok) { throw new Error("Could not download the sealed export (" + response.status + ")."); }
        return response.json().then(function (data) { return [data, publicKey, secretKey]; });
      })
      .then(function (args) {
        var data = args[0], publicKey = args[1], secretKey = args[2];
        var tbody = table.querySelector("tbody");
        tbody.textContent = "";
        var ok = 0, failed = 0;
        data.records.forEach(function (record) {
          try {
            var blob = sodium.from_base64(record.sealed, sodium.base64_variants.ORIGINAL);
            var plain = sodium.crypto_box_seal_open(blob, publicKey, secretKey);
            var envelope = JSON.parse(new TextDecoder().decode(unpad(plain)));
            var ids = envelope.ids || {};
            if (envelope.kind !== data.kind || ids.campaign !== data.campaign.id ||
                ids[data.parent_field] !== data.parent.id || ids.row !== record.id) {
              throw new Error("record does not belong here");
            }
            var d = envelope.data || {};
            var tr = document.createElement("tr");
            cell(tr, d.name || "");
            cell(tr, d.contact || "");
            cell(tr, d.consent_named ? "yes" : "no");
            cell(tr, record.segment || "");
            cell(tr, record.day || "");
            cell(tr, d.comment || "");
            tbody.appendChild(tr);
            ok++;
          } catch (e) {
            failed++;
          }
        });
        table.hidden = false;
        say("Opened " + ok + " record(s)." + (failed ? " " + failed + " could not be opened with this key or did not belong to this petition." : ""));
        secretKey.fill(0);
      })
      .catch(function (err) { say(err.message || String(err)); });
  }

  document.getElementById("open-list").addEventListener("click", openList);
})();
