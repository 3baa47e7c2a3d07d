/* The voting page with JavaScript: encrypt on this phone, show the tracker, then
   cast it or spoil it to check the encryption (Benaloh challenge) and encrypt again.
   Only the encrypted, signed ballot is posted; the code and choice fields are
   disabled before the form is sent, so the browser does not submit them. */
(function () {
  "use strict";
  var form = document.getElementById("vote-form");
  if (!form) { return; }
  var B = window.ConcertedBallot;
  // Strings come from Django's JavaScript catalog (/<lang>/jsi18n/, a script the app
  // serves); without it they stay in English.
  var gettext = window.gettext || function (s) { return s; };
  var interpolate = window.interpolate || function (f, o) { return f.replace(/%\((\w+)\)s/g, function (m, k) { return String(o[k]); }); };
  var encrypted = document.getElementById("encrypted");
  var audit = document.getElementById("audit");
  var trackerEl = document.getElementById("pending-tracker");
  var manifest = null;
  var pending = null;

  function choices() {
    var boxes = form.querySelectorAll("input[name=choice]");
    return [Array.prototype.map.call(boxes, function (b) { return b.checked ? 1 : 0; })];
  }

  function showError(text) {
    var box = form.querySelector(".error-box.js");
    if (!box) {
      box = document.createElement("div");
      box.className = "error-box js";
      box.setAttribute("role", "alert");
      form.insertBefore(box, form.firstChild);
    }
    box.textContent = text;
  }

  function encryptNow() {
    var code = form.querySelector("input[name=code]").value;
    try {
      pending = B.encryptBallot(manifest, code, choices());
    } catch (e) {
      showError(e.message === "not a voting code" ? gettext("That is not a voting code: 20 letters and digits in four groups.") :
        gettext("Please choose as many options as the question allows."));
      return;
    }
    trackerEl.textContent = pending.tracker;
    audit.hidden = true;
    encrypted.hidden = false;
    document.getElementById("vote-submit").hidden = true;
  }

  var loading = Promise.all([B.ready(), fetch(form.dataset.manifestUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); })])
    .then(function (results) { manifest = results[1].manifest; });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    loading.then(encryptNow);
  });

  document.getElementById("cast-button").addEventListener("click", function () {
    if (!pending) { return; }
    document.getElementById("ballot-field").value = JSON.stringify(pending.ballot);
    form.querySelectorAll("input[name=code], input[name=choice]").forEach(function (el) { el.disabled = true; });
    form.submit();
  });

  document.getElementById("audit-button").addEventListener("click", function () {
    if (!pending) { return; }
    var ok = B.auditSpoiled(manifest, pending.ballot, pending.secrets);
    var spec = manifest.questions[0];
    var chosen = spec.options.filter(function (o, i) { return pending.secrets.choices[0][i]; });
    document.getElementById("audit-result").textContent = ok ?
      interpolate(gettext("This encrypted ballot (tracker %(tracker)s…) holds exactly: %(choices)s. It is spoiled and will not be cast."),
        {tracker: pending.tracker.slice(0, 12), choices: chosen.join(", ") || gettext("no choice")}, true) :
      gettext("WARNING: this encrypted ballot does not hold your choice. Do not vote on this device; tell the committee.");
    document.getElementById("audit-json").value = JSON.stringify({
      manifest: manifest, ballot: pending.ballot, choices: pending.secrets.choices, randomness: pending.secrets.randomness
    });
    pending = null;
    encrypted.hidden = true;
    audit.hidden = false;
  });

  document.getElementById("again-button").addEventListener("click", function () {
    loading.then(encryptNow);
  });
}());
