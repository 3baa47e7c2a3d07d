/* The voting page with JavaScript: encrypt on this phone, show the tracker, then
   cast it or spoil it to check the encryption (Benaloh challenge) and encrypt again.
   Only the encrypted, signed ballot is posted (to cast.json); the code and the choice
   never leave the phone, and stay in their fields when the server refuses a ballot.
   An encrypted ballot holds the choice made when it was encrypted: touching the code or
   the choices afterwards throws it away (the voter encrypts again), so "Cast" can never
   send an older choice than the one on screen. A spoiled ballot is reported to the
   server (ciphertexts only) before its secrets are shown, so nobody can cast it later.
   A tap before the encryption has loaded waits for it; if it never loads, the plain form
   goes only when the voter ticks the box that lets the server encrypt. */
(function () {
  "use strict";
  var form = document.getElementById("vote-form");
  if (!form) { return; }
  // Strings come from Django's JavaScript catalog (/<lang>/jsi18n/, a script the app
  // serves); without it they stay in English.
  var gettext = window.gettext || function (s) { return s; };
  var interpolate = window.interpolate || function (f, o) { return f.replace(/%\((\w+)\)s/g, function (m, k) { return String(o[k]); }); };
  var ngettext = window.ngettext || function (s, p, n) { return n === 1 ? s : p; };
  var encrypted = document.getElementById("encrypted");
  var audit = document.getElementById("audit");
  var trackerEl = document.getElementById("pending-tracker");
  var submitButton = document.getElementById("vote-submit");
  var buttonText = submitButton.textContent;
  var offer = document.getElementById("server-encrypt-offer");
  var offerBox = form.querySelector("input[name=server_encrypt]");
  var codeInput = form.querySelector("input[name=code]");
  var status = document.getElementById("vote-status");
  var castButton = document.getElementById("cast-button");
  var auditButton = document.getElementById("audit-button");
  // The safety box's "encrypted on this phone" is true from here on (without JavaScript
  // only its <noscript> sentence, "this server encrypts", shows).
  var phoneSentences = document.querySelectorAll(".ballot-js");
  Array.prototype.forEach.call(phoneSentences, function (el) { el.hidden = false; });
  var B = null;
  var manifest = null;
  var pending = null;
  // This script comes before libsodium (about 1.3 MB): until that has loaded and the
  // manifest has come, a tap waits here instead of posting the code and the choice.
  var state = "loading"; // then "ready" or "failed"
  var tapped = false;
  submitButton.textContent = gettext("Getting the encryption ready…");

  function choices() {
    var boxes = form.querySelectorAll("input[name=choice]");
    return [Array.prototype.map.call(boxes, function (b) { return b.checked ? 1 : 0; })];
  }

  function showError(text) {
    var box = form.querySelector(".error-box.js");
    if (!box) {
      box = document.createElement("div");
      box.className = "error-box js";
      box.id = "vote-js-error";
      box.setAttribute("role", "alert");
      form.insertBefore(box, form.firstChild);
    }
    box.textContent = text;
    return box;
  }

  // The box sits at the top of the form, out of sight at 200% zoom on a phone: the
  // keyboard focus goes there, so it is read out and seen (as after a refused cast).
  function focusError() {
    var box = form.querySelector(".error-box.js");
    if (box) { box.setAttribute("tabindex", "-1"); box.focus(); }
  }

  // A field at fault says so (aria-invalid) and names the error box next to its own help
  // text (aria-describedby), as the page does without JavaScript; both go when it is fixed.
  var choiceBoxes = form.querySelectorAll("input[name=choice]");
  var choiceGroup = choiceBoxes.length ? choiceBoxes[0].closest("fieldset") : null;
  var described = [[codeInput, codeInput.getAttribute("aria-describedby")]];
  if (choiceGroup) { described.push([choiceGroup, choiceGroup.getAttribute("aria-describedby")]); }
  var marked = [];

  function markInvalid(field, fields) {
    var box = form.querySelector(".error-box.js");
    described.forEach(function (pair) {
      if (pair[0] !== field) { return; }
      field.setAttribute("aria-describedby", ((pair[1] || "") + " " + box.id).trim());
    });
    Array.prototype.forEach.call(fields, function (el) {
      if (el.getAttribute("aria-invalid") !== "true") { el.setAttribute("aria-invalid", "true"); marked.push(el); }
    });
  }

  function unmarkInvalid() {
    described.forEach(function (pair) {
      if (pair[1] === null) { pair[0].removeAttribute("aria-describedby"); } else { pair[0].setAttribute("aria-describedby", pair[1]); }
    });
    marked.forEach(function (el) { el.removeAttribute("aria-invalid"); });
    marked = [];
  }

  function say(text) { status.textContent = text; }

  function clearError() {
    var box = form.querySelector(".error-box.js");
    if (box) { box.remove(); }
    unmarkInvalid();
  }

  // The question as this page shows it (the fieldset's legend, in its own language), put
  // into a translated sentence: what to fix is named, as the page without JavaScript does.
  function showChoiceError(picked) {
    var q = manifest.questions[0];
    var legend = choiceGroup ? choiceGroup.querySelector("legend strong") : null;
    var sentence = picked ? interpolate(ngettext(
      "Choose at most %(k)s answer to the question “%(question)s”.",
      "Choose at most %(k)s answers to the question “%(question)s”.", q.max), { k: q.max, question: "\u0001" }, true) :
      interpolate(gettext("Choose an answer to the question “%(question)s”: none is chosen yet."), { question: "\u0001" }, true);
    var pieces = sentence.split("\u0001");
    var box = showError(pieces[0]);
    var name = document.createElement("span");
    name.textContent = legend ? legend.textContent : String(q.text);
    if (legend && legend.getAttribute("lang")) { name.lang = legend.getAttribute("lang"); }
    box.appendChild(name);
    box.appendChild(document.createTextNode(pieces.slice(1).join("")));
  }

  // What the fields hold now, to compare with what an encrypted ballot was made from.
  function onScreen() { return JSON.stringify([codeInput.value, choices()]); }

  // The encrypted ballot is thrown away: the Encrypt button is back, nothing to cast.
  function discard(message) {
    pending = null;
    trackerEl.textContent = "";
    encrypted.hidden = true;
    submitButton.hidden = false;
    castButton.disabled = false;
    auditButton.disabled = false;
    say(message || "");
  }

  function changed() {
    if (!pending) { return; }
    discard(gettext("You changed your ballot, so the encrypted one was thrown away. Tap “Encrypt my ballot” again."));
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);

  // After a cast the form is emptied before the tracker page loads: Back (or a page
  // restored from the browser's memory) never shows the choice or the code.
  function emptyForm() {
    codeInput.value = "";
    form.querySelectorAll("input[name=choice], input[name=server_encrypt]").forEach(function (el) { el.checked = false; });
    discard("");
    audit.hidden = true;
    clearError();
  }
  window.addEventListener("pageshow", function (event) { if (event.persisted) { emptyForm(); } });

  // POST the ballot (never the code, the choice or the randomness) as JSON. Resolves to
  // {ok, body}; body.error is the server's reason when it refused the ballot, and body
  // is null when the answer was not the server's JSON (no connection, a proxy's page).
  function post(url, ballot) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(ballot)
    }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, status: r.status, body: body }; },
        function () { return { ok: false, status: r.status, body: null }; });
    }, function () { return { ok: false, status: 0, body: null }; });
  }

  function encryptNow() {
    var code = codeInput.value;
    clearError();
    say("");
    try {
      pending = B.encryptBallot(manifest, code, choices());
      pending.made = onScreen();
    } catch (e) {
      if (e.message === "not a voting code") {
        showError(gettext("That is not a voting code: 20 letters and digits in four groups."));
        markInvalid(codeInput, [codeInput]);
      } else {
        showChoiceError(choices()[0].reduce(function (a, b) { return a + b; }, 0));
        markInvalid(choiceGroup, choiceBoxes);
      }
      focusError();
      return;
    }
    trackerEl.textContent = pending.tracker;
    audit.hidden = true;
    encrypted.hidden = false;
    submitButton.hidden = true;
    // The button just pressed is gone (or hidden with the check): a keyboard or screen
    // reader user lands on the section that holds the Cast button, not at the page top.
    encrypted.querySelector("h2").focus();
  }

  // An option as this page names it (the radio's label: "Sí" on a Spanish page), not as
  // the manifest does (frozen in the language the vote was opened in), with the language
  // the label is marked in (the campaign's own option text), for screen readers.
  function optionShown(i) {
    var box = form.querySelector("input[name=choice][value='" + i + "']");
    var label = box ? box.closest("label") : null;
    var text = label ? label.textContent.replace(/\s+/g, " ").trim() : "";
    var marked = label ? label.querySelector("[lang]") : null;
    return { text: text || String(manifest.questions[0].options[i]), lang: marked ? marked.getAttribute("lang") : "" };
  }

  // A translated sentence with the chosen options put in as elements, each with its lang.
  function showChosen(el, sentence, tracker, chosen) {
    var mark = "\u0001";
    var pieces = interpolate(sentence, { tracker: tracker.slice(0, 12), choices: mark }, true).split(mark);
    el.textContent = pieces[0];
    if (!chosen.length) { el.appendChild(document.createTextNode(gettext("no choice"))); }
    chosen.forEach(function (option, k) {
      if (k) { el.appendChild(document.createTextNode(", ")); }
      var span = document.createElement("span");
      span.textContent = option.text;
      if (option.lang) { span.lang = option.lang; }
      el.appendChild(span);
    });
    el.appendChild(document.createTextNode(pieces.slice(1).join(mark)));
  }

  // `tap`: the voter just tapped "Encrypt my ballot" (or did before the failure came).
  function failed(tap) {
    var afterTap = tap === true || tapped;
    tapped = false;
    state = "failed";
    // The phone cannot encrypt: the server would, if the voter ticks the box.
    Array.prototype.forEach.call(phoneSentences, function (el) { el.hidden = true; });
    submitButton.textContent = buttonText;
    if (offer) { offer.hidden = false; }
    showError(gettext("This phone could not load the encryption. Reload the page to try again, or tick the box to let this server encrypt your ballot (it then sees your choice as it arrives)."));
    // Focused like every other error, so it is read out and seen at 200% zoom. Not while
    // the voter is typing in a field, unasked: their next keys would be lost; the box is
    // an alert, read out anyway, and the next tap on the button focuses it.
    var active = document.activeElement;
    var typing = active && active.form === form && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName);
    if (afterTap || !typing) { focusError(); }
  }

  function ready(results) {
    manifest = results[1].manifest;
    if (!manifest) { throw new Error("no manifest"); }
    state = "ready";
    submitButton.textContent = buttonText;
    // The phone encrypts from now on: the server's offer (shown after an early tap) is moot.
    if (offer) { offer.hidden = true; }
    if (offerBox) { offerBox.checked = false; }
    var waiting = document.getElementById("vote-waiting");
    if (waiting) { waiting.textContent = gettext("The encryption is ready: tap “Encrypt my ballot”."); }
    if (tapped) { tapped = false; encryptNow(); }
  }

  function start() {
    try {
      B = window.ConcertedBallot;
      Promise.all([B.ready(), fetch(form.dataset.manifestUrl, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) { throw new Error("manifest " + r.status); }
        return r.json();
      })]).then(ready).catch(function () { failed(false); });
    } catch (e) {
      failed(false);
    }
  }

  form.addEventListener("submit", function (event) {
    // Only a voter who ticked the box after the encryption failed to load sends the
    // plain form, for the server to encrypt.
    if (state === "failed" && offerBox && offerBox.checked) { return; }
    event.preventDefault();
    if (state === "ready") { encryptNow(); } else if (state === "loading") { tapped = true; } else { failed(true); }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }

  castButton.addEventListener("click", function () {
    if (!pending) { return; }
    if (pending.made !== onScreen()) { changed(); return; }  // belt and braces: never an older choice
    var sent = pending;
    castButton.disabled = true;
    auditButton.disabled = true;
    say(gettext("Sending your encrypted ballot…"));
    post(form.dataset.castUrl, sent.ballot).then(function (answer) {
      // A try whose answer was lost (a dropped connection) may still have reached the
      // server: this very ballot is then there, and the page goes to its tracker.
      var arrivedBefore = sent.triedUnanswered && answer.body && answer.body.code === "already_cast";
      if ((answer.ok && answer.body && answer.body.url) || arrivedBefore) {
        var url = arrivedBefore ? form.dataset.trackerUrl.replace("TRACKER", sent.tracker) : answer.body.url;
        emptyForm();
        window.location.assign(url);
        return;
      }
      if (answer.body && answer.body.error) {
        // Refused (a revoked card, voting closed, ...): this encrypted ballot is done
        // with, but the code and the choice stay, to fix or to try again.
        // 409: voting has closed, and the reason says so (and that nothing was cast).
        discard("");
        showError(answer.status === 409 ? answer.body.error :
          interpolate(gettext("Your ballot was not cast: %(reason)s"), { reason: answer.body.error }, true));
      } else {
        sent.triedUnanswered = true;
        castButton.disabled = false;
        auditButton.disabled = false;
        say("");
        showError(gettext("No answer came from the server, so this phone can't tell whether your ballot was cast. Check your connection and tap “Cast this ballot” again: it is never counted twice."));
      }
      focusError();
    });
  });

  auditButton.addEventListener("click", function () {
    if (!pending) { return; }
    var checked = pending;
    castButton.disabled = true;
    auditButton.disabled = true;
    // The server hears of the spoiled ballot before its secrets are on screen: from
    // then on it refuses to cast it, whoever holds the JSON below.
    post(form.dataset.spoilUrl, checked.ballot).then(function (answer) {
      castButton.disabled = false;
      auditButton.disabled = false;
      if (!answer.ok) {
        if (answer.body && answer.body.error) { discard(""); showError(answer.body.error); } else {
          showError(gettext("This phone could not tell the server that the ballot is spoiled, so its check is not shown yet. Check your connection and try again."));
        }
        focusError();
        return;
      }
      showAudit(checked);
    });
  });

  function showAudit(checked) {
    var ok = B.auditSpoiled(manifest, checked.ballot, checked.secrets);
    var result = document.getElementById("audit-result");
    if (ok) {
      var chosen = [];
      checked.secrets.choices[0].forEach(function (picked, i) { if (picked) { chosen.push(optionShown(i)); } });
      showChosen(result, gettext("This encrypted ballot (tracker %(tracker)s…) holds exactly: %(choices)s. It is spoiled and will not be cast."), checked.tracker, chosen);
    } else {
      result.textContent = gettext("WARNING: this encrypted ballot does not hold your choice. Do not vote on this device; tell the committee.");
    }
    document.getElementById("audit-json").value = JSON.stringify({
      manifest: manifest, ballot: checked.ballot, choices: checked.secrets.choices, randomness: checked.secrets.randomness
    });
    pending = null;
    encrypted.hidden = true;
    audit.hidden = false;
    audit.querySelector("h2").focus();  // the button pressed was in the section now hidden
  }

  document.getElementById("again-button").addEventListener("click", encryptNow);
}());
