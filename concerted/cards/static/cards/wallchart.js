/* The named wall chart, opened in the organizer's browser. The private key is read
   from a file or a paste into this page's memory only and never sent. Every record's
   sealed envelope must name this campaign, this unit and its own row (and, for a
   note, its person), or it is refused: a server can't move or swap records. */
(function () {
  "use strict";
  var sealed = window.ConcertedSealed;  // sealed.js: key loading and envelope checks
  var root = document.getElementById("wallchart");
  if (!root) { return; }
  var statusEl = document.getElementById("reveal-status");
  var chart = document.getElementById("chart");
  var ASSESS = {1: "1 · Leader", 2: "2 · Supporter", 3: "3 · Undecided", 4: "4 · Leaning against", 5: "5 · Opposed"};
  var LABELS = {department: "Department", shift: "Shift", site: "Site", classification: "Job classification"};

  function say(text) { statusEl.textContent = text; }

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
    Promise.all([sodium.ready, sealed.readKeyText(), sealed.fetchExport(root.dataset.rosterUrl),
                 sealed.fetchExport(root.dataset.notesUrl), sealed.fetchExport(root.dataset.cardsUrl)])
      .then(function (r) {
        var keys = sealed.parseKey(sodium, r[1]);
        var roster = sealed.openAll(sodium, r[2], keys, [], "cards.roster");
        var notes = sealed.openAll(sodium, r[3], keys, ["person"], "cards.note");
        var cards = sealed.openAll(sodium, r[4], keys, [], "cards.card");
        sealed.forget(keys);
        var notesByPerson = {};
        notes.rows.forEach(function (n) { (notesByPerson[n.person] = notesByPerson[n.person] || []).push(n); });
        render(roster.rows, notesByPerson, cards.rows, document.getElementById("groupby").value);
        var failed = roster.failed + notes.failed + cards.failed;
        var repeated = roster.repeated + notes.repeated + cards.repeated;
        say("Opened " + roster.rows.length + " people, " + notes.rows.length + " notes and " + cards.rows.length + " cards." +
            (failed ? " " + failed + " record(s) could not be opened with this key or did not belong to this unit." : "") +
            (repeated ? " " + repeated + " duplicated or replayed record(s) were counted once." : ""));
      })
      .catch(function (err) { say(err.message || String(err)); });
  }

  document.getElementById("open-chart").addEventListener("click", openChart);
})();
