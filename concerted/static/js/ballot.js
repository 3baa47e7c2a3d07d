/* Ballot encryption on the voter's device: the JavaScript twin of
   concerted/elections/evcrypto.py (same hashes, same proofs, same JSON), on
   libsodium's sumo build (ristretto255), served by this app. Exposes
   window.ConcertedBallot. The voting code and the choices never leave this page. */
(function () {
  "use strict";
  var L = (1n << 252n) + 27742317777372353535851937790883648493n;
  var sodium = null;

  function toBytes(k) {
    var out = new Uint8Array(32);
    var v = ((k % L) + L) % L;
    for (var i = 0; i < 32; i++) { out[i] = Number(v & 255n); v >>= 8n; }
    return out;
  }
  function fromBytes(b) {
    var v = 0n;
    for (var i = b.length - 1; i >= 0; i--) { v = (v << 8n) | BigInt(b[i]); }
    return v;
  }
  function hex(x) { return sodium.to_hex(x instanceof Uint8Array ? x : toBytes(x)); }
  function unhex(s) { return sodium.from_hex(s); }
  var IDENTITY = new Uint8Array(32);

  function isZero(k) { return ((k % L) + L) % L === 0n; }
  function base(k) { return isZero(k) ? IDENTITY : sodium.crypto_scalarmult_ristretto255_base(toBytes(k)); }
  function mul(k, p) { return isZero(k) || isIdentity(p) ? IDENTITY : sodium.crypto_scalarmult_ristretto255(toBytes(k), p); }
  function isIdentity(p) { for (var i = 0; i < 32; i++) { if (p[i]) { return false; } } return true; }
  function add(p, q) { return sodium.crypto_core_ristretto255_add(p, q); }
  function sub(p, q) { return sodium.crypto_core_ristretto255_sub(p, q); }
  function randomScalar() { return fromBytes(sodium.crypto_core_ristretto255_scalar_random()); }

  function partBytes(part) {
    if (part instanceof Uint8Array) { return part; }
    return sodium.from_string(String(part));
  }
  /* SHA-512 over length-prefixed parts, then reduced mod L: evcrypto.hash_to_scalar. */
  function hashToScalar(domain, parts) {
    var chunks = [domain].concat(parts).map(partBytes);
    var total = chunks.reduce(function (n, c) { return n + 4 + c.length; }, 0);
    var buf = new Uint8Array(total);
    var at = 0;
    chunks.forEach(function (c) {
      var n = c.length;
      buf[at] = (n >>> 24) & 255; buf[at + 1] = (n >>> 16) & 255; buf[at + 2] = (n >>> 8) & 255; buf[at + 3] = n & 255;
      buf.set(c, at + 4);
      at += 4 + n;
    });
    return fromBytes(sodium.crypto_core_ristretto255_scalar_reduce(sodium.crypto_hash_sha512(buf)));
  }

  /* Canonical JSON: sorted keys, no spaces, every character past ASCII written as \uXXXX
     (evcrypto.canon: Python's ensure_ascii). Without the escapes a title such as
     "Autorización" hashed to another fingerprint here than on the server, and every
     ballot made on the phone was refused. Astral characters come out as their two
     UTF-16 halves, as in Python. Values are strings, numbers, lists, objects, null. */
  function asciiJSON(v) {
    return JSON.stringify(v).replace(/[\u0080-\uffff]/g, function (ch) {
      return "\\u" + ("0000" + ch.charCodeAt(0).toString(16)).slice(-4);
    });
  }
  function canon(v) {
    if (Array.isArray(v)) { return "[" + v.map(canon).join(",") + "]"; }
    if (v !== null && typeof v === "object") {
      return "{" + Object.keys(v).sort().map(function (k) { return asciiJSON(k) + ":" + canon(v[k]); }).join(",") + "}";
    }
    return asciiJSON(v);
  }
  function sha256Hex(text) { return sodium.to_hex(sodium.crypto_hash_sha256(sodium.from_string(text))); }

  var smallCache = {};
  function small(v) {
    if (!smallCache[v]) { smallCache[v] = base(BigInt(v)); }
    return smallCache[v];
  }
  function shifted(beta, v) { return v === 0 ? beta : sub(beta, small(v)); }

  function encrypt(pk, m, r) {
    var beta = mul(r, pk);
    return [base(r), m ? add(beta, small(m)) : beta];
  }

  function proveMember(pk, alpha, beta, r, m, values, ctx) {
    var commits = [];
    var sims = {};
    var w = randomScalar();
    values.forEach(function (v) {
      if (v === m) {
        commits.push(base(w), mul(w, pk));
      } else {
        var c = randomScalar(), z = randomScalar();
        sims[v] = [c, z];
        commits.push(sub(base(z), mul(c, alpha)), sub(mul(z, pk), mul(c, shifted(beta, v))));
      }
    });
    var cAll = hashToScalar("concerted/member", ctx.concat([pk, alpha, beta], commits));
    var cReal = cAll;
    Object.keys(sims).forEach(function (v) { cReal -= sims[v][0]; });
    cReal = ((cReal % L) + L) % L;
    return values.map(function (v) {
      var pair = v === m ? [cReal, (w + cReal * r) % L] : sims[v];
      return [hex(pair[0]), hex(pair[1])];
    });
  }

  function normalizeCode(code) {
    var raw = code.toUpperCase().replace(/[^A-Z0-9]/g, "").replace(/O/g, "0").replace(/I/g, "1");
    if (!/^[2-9A-HJ-NP-Z]{20}$/.test(raw)) { throw new Error("not a voting code"); }
    return raw.slice(0, 5) + "-" + raw.slice(5, 10) + "-" + raw.slice(10, 15) + "-" + raw.slice(15, 20);
  }

  function fingerprint(manifest) { return sha256Hex(canon(manifest)); }

  /* choices: per question, a 0/1 per option. Returns {ballot, tracker, secrets}. */
  function encryptBallot(manifest, code, choices) {
    var fp = fingerprint(manifest);
    var pk = unhex(manifest.public_key);
    var x = hashToScalar("concerted/credential", [manifest.id, normalizeCode(code)]);
    var cred = hex(base(x));
    var answers = [], rand = [];
    manifest.questions.forEach(function (q, qi) {
      var picks = choices[qi];
      var total = picks.reduce(function (a, b) { return a + b; }, 0);
      if (picks.length !== q.options.length || total < q.min || total > q.max) { throw new Error("too many or too few choices"); }
      var cts = [], rs = [];
      var sumA = IDENTITY, sumB = IDENTITY, sumR = 0n;
      picks.forEach(function (m, oi) {
        var r = randomScalar();
        var ct = encrypt(pk, m, r);
        cts.push({ alpha: hex(ct[0]), beta: hex(ct[1]), proof: proveMember(pk, ct[0], ct[1], r, m, [0, 1], [fp, cred, String(qi), String(oi)]) });
        rs.push(hex(r));
        sumA = add(sumA, ct[0]); sumB = add(sumB, ct[1]); sumR = (sumR + r) % L;
      });
      var values = [];
      for (var v = q.min; v <= q.max; v++) { values.push(v); }
      answers.push({ choices: cts, sum_proof: proveMember(pk, sumA, sumB, sumR, total, values, [fp, cred, String(qi), "sum"]) });
      rand.push(rs);
    });
    var k = randomScalar();
    var c = hashToScalar("concerted/ballot-signature", [fp, cred, sha256Hex(canon(answers)), base(x), base(k)]);
    var ballot = { election: fp, credential: cred, answers: answers, signature: [hex(c), hex((k + c * x) % L)] };
    return { ballot: ballot, tracker: sha256Hex(canon(ballot)), secrets: { choices: choices, randomness: rand } };
  }

  /* Benaloh check in the page: the spoiled ballot's ciphertexts are these choices under this randomness. */
  function auditSpoiled(manifest, ballot, secrets) {
    var pk = unhex(manifest.public_key);
    return ballot.answers.every(function (ans, qi) {
      return ans.choices.every(function (ct, oi) {
        var again = encrypt(pk, secrets.choices[qi][oi], fromBytes(unhex(secrets.randomness[qi][oi])));
        return hex(again[0]) === ct.alpha && hex(again[1]) === ct.beta;
      });
    });
  }

  window.ConcertedBallot = {
    ready: function () {
      return window.sodium.ready.then(function () { sodium = window.sodium; });
    },
    encryptBallot: encryptBallot,
    auditSpoiled: auditSpoiled,
    canon: canon,
    hashToScalar: function (domain, parts) { return hex(hashToScalar(domain, parts)); },
    baseHex: function (k) { return hex(base(BigInt(k))); },
    isValidPoint: function (h) { return sodium.crypto_core_ristretto255_is_valid_point(unhex(h)); },
    fromHash: function (text) { return hex(sodium.crypto_core_ristretto255_from_hash(sodium.crypto_hash_sha512(sodium.from_string(text)))); }
  };
}());
