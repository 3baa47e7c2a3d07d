/* Reads a survey's sealed free text in the organizer's browser. The private key is
   read from a file or a paste into this page's memory only and never sent anywhere.
   Each record's envelope must name this campaign, this survey and its own row id. */
(function () {
  "use strict";
  var sealed = window.ConcertedSealed;  // sealed.js: key loading and envelope checks
  // The page loads Django's JavaScript catalog; each count gets its language's own plural.
  var ngettext = window.ngettext || function (s, p, n) { return n === 1 ? s : p; };
  var interpolate = window.interpolate || function (f, o) { return f.replace(/%\((\w+)\)s/g, function (m, k) { return String(o[k]); }); };
  var root = document.getElementById("freetext");
  if (!root) { return; }
  var statusEl = document.getElementById("freetext-status");
  var list = document.getElementById("freetext-list");

  function say(text) { statusEl.textContent = text; }

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
    Promise.all([sodium.ready, sealed.readKeyText(root.dataset.noKey), sealed.fetchExport(root.dataset.exportUrl)])
      .then(function (r) {
        var keys = sealed.parseKey(sodium, r[1], root.dataset.notKey);
        var opened = sealed.openAll(sodium, r[2], keys, [], "surveys.freetext");
        sealed.forget(keys);
        show(opened.rows);
        var n = opened.rows.length;
        var failed = opened.failed + opened.repeated;
        say(interpolate(ngettext("Opened %(n)s answer.", "Opened %(n)s answers.", n), {n: n}, true) +
          (failed ? " " + interpolate(ngettext(
            "%(n)s could not be opened with this key or did not belong to this survey.",
            "%(n)s could not be opened with this key or did not belong to this survey.",
            failed), {n: failed}, true) : ""));
      })
      .catch(function (err) { say(err.message || String(err)); });
  }

  document.getElementById("open-freetext").addEventListener("click", openAll);
})();
