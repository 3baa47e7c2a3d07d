/* The roster opened in the organizer's browser: the wall chart (#wallchart) and one
   person's record (#person). The server holds every person, their groups, assessment
   and log sealed; this builds the current state here, like cards/roster.py does for
   the command line (keep the two in step). The private key is read into this page's
   memory only and never sent. Every record's envelope must name this campaign, unit
   and row (and, for a log entry, its person), or it is refused (sealed.js). Words come
   translated from the server in the #roster-labels JSON block. */
(function () {
  "use strict";
  var sealed = window.ConcertedSealed;
  var GROUPS = ["department", "shift", "site", "classification"];

  function order(a, b) {
    var ka = [String(a.date || ""), String(a.saved || "")], kb = [String(b.date || ""), String(b.saved || "")];
    return ka[0] < kb[0] ? -1 : ka[0] > kb[0] ? 1 : ka[1] < kb[1] ? -1 : ka[1] > kb[1] ? 1 : 0;
  }

  // A person's record with their log applied in date order (cards/roster.py: current).
  // The latest assessment by date wins, the record's own (its assessed_on day) included;
  // on the same day the later-recorded, and the record came before its log.
  function current(person, log) {
    var state = Object.assign({assessment: null}, person), last = null;
    if (!state.assessment) { state.assessed_on = ""; }
    log.slice().sort(order).forEach(function (entry) {
      if (entry.assessment && String(entry.date || "") >= String(state.assessed_on || "")) {
        state.assessment = entry.assessment; state.assessed_on = entry.date || "";
      }
      var groups = entry.groups || {};
      GROUPS.forEach(function (g) { if (groups[g]) { state[g] = groups[g]; } });
      if (entry.added) { state.added = entry.added; }
      if (entry.event === "consent" && entry.may_message === true && entry.stop) {
        state.may_message = true; state.stop = entry.stop;
        if (entry.contact) { state.contact = entry.contact; }  // typed with the consent
      }
      if (entry.note) { last = entry; }
    });
    state.last_one_on_one = last ? last.date + " (" + (last.who || "") + "): " + last.note : "";
    state.next_step = last ? last.next_step || "" : "";
    state.log = log.slice().sort(order);
    return state;
  }

  // Sentences with a count come from Django's JavaScript catalog (/<lang>/jsi18n/, loaded
  // before this script): its ngettext picks the language's plural form for each count,
  // which one template per sentence in the JSON labels can't. Without the catalog they
  // stay in English.
  var gettext = window.gettext || function (s) { return s; };
  var ngettext = window.ngettext || function (s, p, n) { return n === 1 ? s : p; };
  var interpolate = window.interpolate || function (f, o) { return f.replace(/%\((\w+)\)s/g, function (m, k) { return String(o[k]); }); };

  function personCount(n) { return interpolate(ngettext("%(n)s person", "%(n)s people", n), {n: n}, true); }
  function cardCount(n) { return interpolate(ngettext("%(n)s card", "%(n)s cards", n), {n: n}, true); }

  // The status line once the three exports are open: each count keeps its own plural.
  function openedSummary(nPeople, nNotes, nCards, failed, repeated) {
    // Translators: each part is a count with its noun, e.g. "Opened 1 person, 3 log entries and 2 cards."
    return interpolate(gettext("Opened %(people)s, %(notes)s and %(cards)s."), {
      people: personCount(nPeople),
      notes: interpolate(ngettext("%(n)s log entry", "%(n)s log entries", nNotes), {n: nNotes}, true),
      cards: cardCount(nCards)
    }, true) +
      (failed ? " " + interpolate(ngettext(
        "%(n)s record could not be opened with this key or did not belong here.",
        "%(n)s records could not be opened with this key or did not belong here.", failed), {n: failed}, true) : "") +
      (repeated ? " " + interpolate(ngettext(
        "%(n)s duplicated or replayed record was counted once.",
        "%(n)s duplicated or replayed records were counted once.", repeated), {n: repeated}, true) : "");
  }

  // A wall chart group's heading: "Department: Support — 2 people, 1 card". People with
  // nothing recorded for the group get `none` ("No department recorded") instead.
  function groupHeading(kind, label, none, nPeople, nSigned) {
    // Translators: a wall chart group, e.g. "Department: Support".
    var name = label ? interpolate(gettext("%(group)s: %(label)s"), {group: kind, label: label}, true) : none;
    // Translators: e.g. "Department: Support — 2 people, 1 card" (cards signed in the group).
    return interpolate(gettext("%(heading)s — %(people)s, %(cards)s"),
      {heading: name, people: personCount(nPeople), cards: cardCount(nSigned)}, true);
  }

  function shownSummary(n, total) {
    return interpolate(ngettext("%(n)s of %(total)s person shown.", "%(n)s of %(total)s people shown.", total),
      {n: n, total: total}, true);
  }

  // For tests/browser/test_roster_agrees.py (the same data through both builders) and
  // test_roster_in_browser.py (the sentences for one and for many).
  window.ConcertedRoster = {current: current, openedSummary: openedSummary, groupHeading: groupHeading,
                            shownSummary: shownSummary};

  var labelsNode = document.getElementById("roster-labels");
  if (!labelsNode) { return; }
  var L = JSON.parse(labelsNode.textContent);
  var statusEl = document.getElementById("reveal-status");

  function say(text) { statusEl.textContent = text; }

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, name) { return String(values[name]); });
  }

  function norm(text) {
    return String(text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();
  }

  function digits(text) { return String(text || "").replace(/\D+/g, ""); }

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (cls) { node.className = cls; }
    return node;
  }

  // Sets person.card: signed by phone or email, or only the same name (maybe a namesake).
  function matchCards(people, cards) {
    var byPhone = {}, byEmail = {}, byName = {}, matched = {};
    cards.forEach(function (c, i) {
      if (digits(c.phone)) { byPhone[digits(c.phone)] = i; }
      if (c.email) { byEmail[String(c.email).toLowerCase()] = i; }
      byName[norm(c.full_name)] = i;
    });
    people.forEach(function (p) {
      var contact = String(p.contact || "");
      var i = contact.indexOf("@") >= 0 ? byEmail[contact.toLowerCase()] : byPhone[digits(contact)];
      p.card = contact && i !== undefined ? L.signed : "";
      if (!p.card) {
        i = byName[norm(p.name)];
        p.card = i !== undefined ? L.same_name : "";
      }
      if (p.card) { matched[i] = true; }
    });
    return cards.filter(function (_c, i) { return !matched[i]; });
  }

  function assessmentLabel(value) { return value ? L.assessments[String(value)] || String(value) : L.not_assessed; }

  function openRecords(root, ids) {
    var sodium = window.sodium;
    say(L.opening);
    return Promise.all([sodium.ready, sealed.readKeyText(), sealed.fetchExport(root.dataset.rosterUrl),
                        sealed.fetchExport(root.dataset.notesUrl), sealed.fetchExport(root.dataset.cardsUrl)])
      .then(function (r) {
        var keys = sealed.parseKey(sodium, r[1]);
        try {
          var roster = sealed.openAll(sodium, r[2], keys, [], "cards.roster");
          var notes = sealed.openAll(sodium, r[3], keys, ["person"], "cards.note");
          var cards = sealed.openAll(sodium, r[4], keys, [], "cards.card");
        } finally {
          sealed.forget(keys);
        }
        var logs = {};
        notes.rows.forEach(function (n) { (logs[n.person] = logs[n.person] || []).push(n); });
        var people = roster.rows.map(function (p) { return current(p, logs[p.id] || []); });
        var unmatched = matchCards(people, cards.rows);
        var failed = roster.failed + notes.failed + cards.failed;
        var repeated = roster.repeated + notes.repeated + cards.repeated;
        say(openedSummary(people.length, notes.rows.length, cards.rows.length, failed, repeated));
        return {people: people, unmatched: unmatched};
      });
  }

  function personRow(p, personUrl) {
    var tr = el("tr");
    var nameCell = el("td");
    var link = el("a", p.name || "?");
    link.href = personUrl.replace("00000000-0000-0000-0000-000000000000", p.id);
    nameCell.appendChild(link);
    tr.appendChild(nameCell);
    [p.contact].concat(GROUPS.map(function (g) { return p[g]; }),
      [assessmentLabel(p.assessment), p.assessed_on, p.card, p.last_one_on_one, p.next_step])
      .forEach(function (text, col) { tr.appendChild(el("td", text || "", col === 7 && p.card === L.signed ? "signed" : "")); });
    return tr;
  }

  function table(rows) {
    var t = el("table", undefined, "roster-chart");
    var head = el("tr");
    L.columns.forEach(function (h) { var th = el("th", h); th.scope = "col"; head.appendChild(th); });
    t.appendChild(el("thead")).appendChild(head);
    var body = t.appendChild(el("tbody"));
    rows.forEach(function (tr) { body.appendChild(tr); });
    return t;
  }

  function wallChart(root) {
    var chart = document.getElementById("chart");
    var opened = null;

    function render() {
      var groupBy = document.getElementById("groupby").value;
      var only = document.getElementById("assessment-filter").value;
      chart.textContent = "";
      var shown = opened.people.filter(function (p) {
        return !only || (only === "none" ? !p.assessment : String(p.assessment) === only);
      });
      // People with nothing recorded for the group go under "" (never a group's name),
      // last.
      var groups = {};
      shown.forEach(function (p) { var key = p[groupBy] || ""; (groups[key] = groups[key] || []).push(p); });
      Object.keys(groups).sort(function (a, b) {
        return (a === "") - (b === "") || (a < b ? -1 : a > b ? 1 : 0);
      }).forEach(function (key) {
        var list = groups[key].sort(function (a, b) {
          return (a.assessment || 9) - (b.assessment || 9) || norm(a.name).localeCompare(norm(b.name));
        });
        var signed = list.filter(function (p) { return p.card === L.signed; }).length;
        var section = el("section", undefined, "chart-group");
        var heading = groupHeading(L.groups[groupBy], key, L.no_group[groupBy], list.length, signed);
        section.appendChild(el("h2", heading));
        // The 11 columns scroll in a box of their own, as the server-drawn tables do: a
        // labelled region in the Tab order, so a keyboard scrolls it in every browser.
        var wrap = el("div", undefined, "table-wrap");
        wrap.setAttribute("role", "region");
        wrap.tabIndex = 0;
        wrap.setAttribute("aria-label", heading);
        wrap.appendChild(table(list.map(function (p) { return personRow(p, root.dataset.personUrl); })));
        section.appendChild(wrap);
        chart.appendChild(section);
      });
      chart.insertBefore(el("p", shownSummary(shown.length, opened.people.length)), chart.firstChild);
      if (opened.unmatched.length && !only) {
        var section = el("section", undefined, "chart-group");
        section.appendChild(el("h2", fmt(L.unmatched, {n: opened.unmatched.length})));
        var ul = section.appendChild(el("ul"));
        opened.unmatched.forEach(function (c) {
          ul.appendChild(el("li", c.full_name + " — " + (c.job_classification || "") + " — " + (c.signed_on || "")));
        });
        chart.appendChild(section);
      }
    }

    document.getElementById("open-chart").addEventListener("click", function () {
      openRecords(root).then(function (result) { opened = result; render(); })
        .catch(function (err) { say(err.message || String(err)); });
    });
    ["groupby", "assessment-filter"].forEach(function (id) {
      document.getElementById(id).addEventListener("change", function () { if (opened) { render(); } });
    });
  }

  function personRecord(root) {
    var record = document.getElementById("record");
    document.getElementById("open-person").addEventListener("click", function () {
      openRecords(root).then(function (result) {
        record.textContent = "";
        var p = result.people.filter(function (q) { return q.id === root.dataset.person; })[0];
        if (!p) { return; }
        var dl = record.appendChild(el("dl", undefined, "record"));
        var cols = L.columns;
        [p.name, p.contact].concat(GROUPS.map(function (g) { return p[g]; }),
          [assessmentLabel(p.assessment), p.assessed_on, p.card, p.last_one_on_one, p.next_step])
          .forEach(function (value, i) { dl.appendChild(el("dt", cols[i])); dl.appendChild(el("dd", value || L.nothing)); });
        record.appendChild(el("h2", L.history));
        var ul = record.appendChild(el("ul"));
        p.log.slice().reverse().forEach(function (entry) {
          var parts = [entry.date];
          if (entry.who) { parts.push(entry.who); }
          if (entry.note) { parts.push(entry.note); }
          if (entry.next_step) { parts.push("→ " + entry.next_step); }
          if (entry.assessment) { parts.push(assessmentLabel(entry.assessment)); }
          GROUPS.forEach(function (g) { if ((entry.groups || {})[g]) { parts.push(L.groups[g] + ": " + entry.groups[g]); } });
          ul.appendChild(el("li", parts.join(" · ")));
        });
      }).catch(function (err) { say(err.message || String(err)); });
    });
  }

  var chartRoot = document.getElementById("wallchart");
  if (chartRoot) { wallChart(chartRoot); }
  var personRoot = document.getElementById("person");
  if (personRoot) { personRecord(personRoot); }
})();
