/* Reads a survey's sealed free text in the organizer's browser. The private key is
   read from a file or a paste into this page's memory only and never sent anywhere.
   Each record's envelope must name this campaign, this survey and its own row id. */
(function () {
  "use strict";
  var PREFIX = "concerted-PRIVATE-key-1:";
  var root = document.getElementById("freetext");
  if (!root) { return; }
  var statusEl = document.getElementById("freetext-status");
  var list = document.getElementById("freetext-list");

  function say(text) { statusEl.textContent = text; }

  function unpad(bytes) {
    var end = bytes.length;
    while (end > 0 && bytes[end - 1] === 0) { end--; }
    if (end === 0 || bytes[end - 1] !== 0x80) { throw new Error("bad padding"); }
    return bytes.subarray(0, end - 1);
  }

  function keyText() {
    var pasted = document.getElementById("keytext").value.trim();
    var file = document.getElementById("keyfile").files[0];
    if (pasted) { return Promise.resolve(pasted); }
    if (file) { return file.text().then(function (t) { return t.trim(); }); }
    return Promise.reject(new Error(root.dataset.noKey));
  }

  function openRecord(data, record, publicKey, secretKey) {
    var blob = window.sodium.from_base64(record.sealed, window.sodium.base64_variants.ORIGINAL);
    var plain = window.sodium.crypto_box_seal_open(blob, publicKey, secretKey);
    var envelope = JSON.parse(new TextDecoder().decode(unpad(plain)));
    var ids = envelope.ids || {};
    if (envelope.kind !== data.kind || ids.campaign !== data.campaign.id ||
        ids.survey !== data.parent.id || ids.row !== record.id) {
      throw new Error("record does not belong here");
    }
    return envelope.data || {};
  }

  function show(answers) {
    var byQuestion = {};
    var order = [];
    answers.forEach(function (d) {
      if (!(d.question in byQuestion)) { byQuestion[d.question] = []; order.push(d.question); }
      byQuestion[d.question].push(d.answer || "");
    });
    list.textContent = "";
    order.forEach(function (question) {
      var h = document.createElement("h2");
      h.textContent = question;
      var ul = document.createElement("ul");
      byQuestion[question].forEach(function (text) {
        var li = document.createElement("li");
        li.textContent = text;
        ul.appendChild(li);
      });
      list.appendChild(h);
      list.appendChild(ul);
    });
  }

  function openAll() {
    var sodium = window.sodium;
    say(root.dataset.opening);
    Promise.all([sodium.ready, keyText(), fetch(root.dataset.exportUrl, {credentials: "same-origin"})])
      .then(function (r) {
        if (!r[1].startsWith(PREFIX)) { throw new Error(root.dataset.notKey); }
        var secretKey = sodium.from_base64(r[1].slice(PREFIX.length), sodium.base64_variants.ORIGINAL);
        if (secretKey.length !== 32) { throw new Error(root.dataset.notKey); }
        if (!r[2].ok) { throw new Error("HTTP " + r[2].status); }
        return r[2].json().then(function (data) { return [data, sodium.crypto_scalarmult_base(secretKey), secretKey]; });
      })
      .then(function (a) {
        var data = a[0], answers = [], failed = 0;
        data.records.forEach(function (record) {
          try { answers.push(openRecord(data, record, a[1], a[2])); } catch (e) { failed++; }
        });
        a[2].fill(0);
        show(answers);
        say(root.dataset.opened.replace("%(ok)s", answers.length).replace("%(failed)s", failed));
      })
      .catch(function (err) { say(err.message || String(err)); });
  }

  document.getElementById("open-freetext").addEventListener("click", openAll);
})();
