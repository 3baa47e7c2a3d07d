/* The named wall chart, opened in the organizer's browser. The private key is read
   from a file or a paste into this page's memory only and never sent. Every record's
   sealed envelope must name this campaign, this unit and its own row (and, for a
   note, its person), or it is refused: a server can't move or swap records. */
(function () {
  "use strict";
  var PREFIX = "concerted-PRIVATE-key-1:";
  var root = document.getElementById("wallchart");
  if (!root) { return; }
  var statusEl = document.getElementById("reveal-status");
  var chart = document.getElementById("chart");
  var ASSESS = {1: "1 · Leader", 2: "2 · Supporter", 3: "3 · Undecided", 4: "4 · Leaning against", 5: "5 · Opposed"};
  var LABELS = {department: "Department", shift: "Shift", site: "Site", classification: "Job classification"};

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

  function fetchExport(url) {
    return fetch(url, {credentials: "same-origin"}).then(function (response) {
      if (!response.ok) { throw new Error("Could not download the sealed export (" + response.status + ")."); }
      return response.json();
    });
  }

  // Opens every record; returns {rows: [...], failed: n}. extraIds: record fields the envelope must match.
  function openAll(sodium, data, publicKey, secretKey, extraIds) {
    var rows = [], failed = 0;
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
        extraIds.forEach(function (name) {
          if (ids[name] !== record[name]) { throw new Error("record does not belong here"); }
        });
        var row = Object.assign({}, record, envelope.data || {});
        delete row.sealed;
        rows.push(row);
      } catch (e) {
        failed++;
      }
    });
    return {rows: rows, failed: failed};
  }

  function norm(text) {
    return String(text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();
  }

  function digits(text) { return String(text || "").replace(/\D+/g, ""); }

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }

  function render(people, notesByPerson, cards, groupBy) {
    chart.textContent = "";
    var cardPhones = {}, cardNames = {}, matched = {};
    cards.forEach(function (c, i) {
      if (digits(c.phone)) { cardPhones[digits(c.phone)] = i; }
      cardNames[norm(c.full_name)] = i;
    });
    var groups = {};
    people.forEach(function (p) {
      // A card matches by phone; a name alone may be a namesake, so it is shown as a question.
      var i = digits(p.contact) ? cardPhones[digits(p.contact)] : undefined;
      p.card = i !== undefined ? "signed" : "";
      if (i === undefined) {
        i = cardNames[norm(p.name)];
        if (i !== undefined) { p.card = "same name signed?"; }
      }
      if (i !== undefined) { matched[i] = true; }
      var key = p[groupBy] || "—";
      (groups[key] = groups[key] || []).push(p);
    });
    Object.keys(groups).sort().forEach(function (key) {
      var list = groups[key].sort(function (a, b) { return (a.assessment || 9) - (b.assessment || 9) || norm(a.name).localeCompare(norm(b.name)); });
      var signed = list.filter(function (p) { return p.card === "signed"; }).length;
      var section = el("section", undefined, "chart-group");
      section.appendChild(el("h2", (LABELS[groupBy] || "") + ": " + key + " — " + list.length + " people, " + signed + " cards"));
      var table = el("table");
      var head = el("tr");
      ["Name", "Contact", "Shift", "Site", "Job classification", "Assessment", "Card", "Last one-on-one", "Next step"].forEach(function (h) {
        var th = el("th", h); th.scope = "col"; head.appendChild(th);
      });
      table.appendChild(el("thead")).appendChild(head);
      var body = table.appendChild(el("tbody"));
      list.forEach(function (p) {
        var notes = (notesByPerson[p.id] || []).sort(function (a, b) { return a.day < b.day ? 1 : -1; });
        var last = notes[0];
        var tr = el("tr");
        [p.name, p.contact, p.shift, p.site, p.classification, ASSESS[p.assessment] || "—",
         p.card, last ? last.day + " (" + last.who + "): " + last.note : "", last ? last.next_step : ""]
          .forEach(function (text, col) { tr.appendChild(el("td", text || "", col === 6 && p.card === "signed" ? "signed" : "")); });
        body.appendChild(tr);
      });
      section.appendChild(table);
      chart.appendChild(section);
    });
    var unmatched = cards.filter(function (c, i) { return !matched[i]; });
    if (unmatched.length) {
      var section = el("section", undefined, "chart-group");
      section.appendChild(el("h2", "Cards from people not matched to the roster: " + unmatched.length));
      var ul = section.appendChild(el("ul"));
      unmatched.forEach(function (c) { ul.appendChild(el("li", c.full_name + " — " + (c.job_classification || "") + " — " + (c.signed_on || ""))); });
      chart.appendChild(section);
    }
  }

  function openChart() {
    var sodium = window.sodium;
    say("Opening…");
    Promise.all([sodium.ready, readKeyText(), fetchExport(root.dataset.rosterUrl), fetchExport(root.dataset.notesUrl), fetchExport(root.dataset.cardsUrl)])
      .then(function (r) {
        var keyText = r[1];
        if (!keyText.startsWith(PREFIX)) { throw new Error("That is not a Concerted private key."); }
        var secretKey = sodium.from_base64(keyText.slice(PREFIX.length), sodium.base64_variants.ORIGINAL);
        if (secretKey.length !== 32) { throw new Error("That key has the wrong length."); }
        var publicKey = sodium.crypto_scalarmult_base(secretKey);
        var roster = openAll(sodium, r[2], publicKey, secretKey, []);
        var notes = openAll(sodium, r[3], publicKey, secretKey, ["person"]);
        var cards = openAll(sodium, r[4], publicKey, secretKey, []);
        secretKey.fill(0);
        var notesByPerson = {};
        notes.rows.forEach(function (n) { (notesByPerson[n.person] = notesByPerson[n.person] || []).push(n); });
        render(roster.rows, notesByPerson, cards.rows, document.getElementById("groupby").value);
        var failed = roster.failed + notes.failed + cards.failed;
        say("Opened " + roster.rows.length + " people, " + notes.rows.length + " notes and " + cards.rows.length + " cards." +
            (failed ? " " + failed + " record(s) could not be opened with this key or did not belong to this unit." : ""));
      })
      .catch(function (err) { say(err.message || String(err)); });
  }

  document.getElementById("open-chart").addEventListener("click", openChart);
})();
