/* Opening sealed exports in the organizer's browser, shared by every page that does
   it (signer list, named wall chart, survey free text). The private key is read from
   a file or a paste into page memory only and never sent anywhere. Every record's
   sealed envelope must name the export's kind, campaign, parent and the record's own
   row (plus any extra ids the page names), or it is refused: a server can't move or
   swap records. Needs libsodium-wrappers (window.sodium), served by this app. */
(function () {
  "use strict";
  var PREFIX = "concerted-PRIVATE-key-1:";
  // The sealed export's older formats (core/export.py): 1 had the columns in the clear,
  // 2 sealed them in a box per record; any other is read as format 3, one box for all.
  var FORMAT_CLEAR_COLUMNS = "concerted-export/1";
  var FORMAT_RECORD_COLUMNS = "concerted-export/2";
  // Strings come from Django's JavaScript catalog (/<lang>/jsi18n/, a script the app
  // serves); without it they stay in English.
  var gettext = window.gettext || function (s) { return s; };
  var interpolate = window.interpolate || function (f, o) { return f.replace(/%\((\w+)\)s/g, function (m, k) { return String(o[k]); }); };

  function unpad(bytes) {
    var end = bytes.length;
    while (end > 0 && bytes[end - 1] === 0) { end--; }
    if (end === 0 || bytes[end - 1] !== 0x80) { throw new Error("bad padding"); }
    return bytes.subarray(0, end - 1);
  }

  // The key text from the #keytext paste box or the #keyfile input.
  function readKeyText(noKeyMessage) {
    var pasted = document.getElementById("keytext").value.trim();
    var file = document.getElementById("keyfile").files[0];
    if (pasted) { return Promise.resolve(pasted); }
    if (file) { return file.text().then(function (t) { return t.trim(); }); }
    return Promise.reject(new Error(noKeyMessage || gettext("Load the private key file or paste the key first.")));
  }

  // {publicKey, secretKey} from the key text; call forget(keys) when done.
  function parseKey(sodium, text, notKeyMessage) {
    var message = notKeyMessage || gettext("That is not a Concerted private key.");
    if (!text.startsWith(PREFIX)) { throw new Error(message); }
    var secretKey = sodium.from_base64(text.slice(PREFIX.length), sodium.base64_variants.ORIGINAL);
    if (secretKey.length !== 32) { throw new Error(message); }
    return {publicKey: sodium.crypto_scalarmult_base(secretKey), secretKey: secretKey};
  }

  function forget(keys) { keys.secretKey.fill(0); }

  function fetchExport(url) {
    return fetch(url, {credentials: "same-origin"}).then(function (response) {
      if (!response.ok) { throw new Error(interpolate(gettext("Could not download the sealed export (%(status)s)."), {status: response.status}, true)); }
      return response.json();
    });
  }

  // The ids the export's columns box names; a record's envelope names its row too.
  function exportIds(data) {
    var ids = {campaign: data.campaign.id};
    ids[data.parent_field] = data.parent.id;
    return ids;
  }

  function recordIds(data, record) {
    return Object.assign(exportIds(data), {row: String(record.id)});
  }

  // One sealed envelope, opened and checked against where it came in (its kind and
  // every id in `expected`); returns its ids and data. Sets state.wrongKind on a kind mismatch.
  function openEnvelope(sodium, keys, text, kind, expected, state) {
    var blob = sodium.from_base64(text, sodium.base64_variants.ORIGINAL);
    var plain = sodium.crypto_box_seal_open(blob, keys.publicKey, keys.secretKey);
    var envelope = JSON.parse(new TextDecoder().decode(unpad(plain)));
    var ids = envelope.ids || {};
    if (envelope.kind !== kind) { state.wrongKind = envelope.kind; }
    if (envelope.kind !== kind || Object.keys(expected).some(function (name) { return ids[name] !== expected[name]; })) {
      throw new Error("record does not belong here");
    }
    return {ids: ids, data: envelope.data || {}};
  }

  function isObject(value) { return typeof value === "object" && value !== null && !Array.isArray(value); }

  function unpadded(columns) {
    if (!isObject(columns)) { throw new Error("not a record"); }
    delete columns._pad;
    return columns;
  }

  // How the records get what the server keeps beside their blobs (day, group, ...), by
  // format: from the export's one sealed `columns` box, opened here once (format 3; it
  // names the export's campaign and parent), from a box per record naming its row too
  // (format 2), or in the clear (format 1). A record missing from them has none; a box
  // that can't be opened fails every record.
  function columnsReader(sodium, data, keys, state) {
    var kind = data.kind + "/columns";
    if (data.format === FORMAT_CLEAR_COLUMNS) {
      return function (record) {
        var clear = Object.assign({}, record);
        delete clear.id;
        delete clear.sealed;
        return clear;
      };
    }
    if (data.format === FORMAT_RECORD_COLUMNS) {
      return function (record) {
        if (record.columns === undefined) { return {}; }
        return unpadded(openEnvelope(sodium, keys, record.columns, kind, recordIds(data, record), state).data);
      };
    }
    if (data.columns === undefined) { return function () { return {}; }; }
    var table;
    try {
      table = openEnvelope(sodium, keys, data.columns, kind, exportIds(data), state).data.records;
      if (!isObject(table)) { throw new Error("not a record"); }
    } catch (e) {
      return function () { throw e; };
    }
    return function (record) {
      var id = String(record.id);
      return Object.prototype.hasOwnProperty.call(table, id) ? unpadded(table[id]) : {};
    };
  }

  // Opens every record: {rows: [record's id + its columns + sealed data], failed: n,
  // repeated: n}, in day order. A record repeating an earlier one (same id, or the same
  // sealed blob replayed) is counted once and reported in `repeated`. An export that
  // isn't the expected kind, or holds a record sealed as another kind, is refused as a whole.
  function openAll(sodium, data, keys, extraIds, expectedKind) {
    var rows = [], failed = 0, repeated = 0, state = {wrongKind: null};
    var seenIds = Object.create(null), seenBlobs = Object.create(null);
    if (expectedKind && data.kind !== expectedKind) {
      throw new Error(interpolate(gettext("Refused: this export does not hold %(kind)s records."), {kind: expectedKind}, true));
    }
    var columnsOf = columnsReader(sodium, data, keys, state);
    data.records.forEach(function (record) {
      var id = String(record.id), blobText = String(record.sealed);
      if (seenIds[id] || seenBlobs[blobText]) { repeated++; return; }
      seenIds[id] = true;
      seenBlobs[blobText] = true;
      try {
        var columns = columnsOf(record);
        var opened = openEnvelope(sodium, keys, record.sealed, data.kind, recordIds(data, record), state);
        (extraIds || []).forEach(function (name) {
          if (opened.ids[name] !== columns[name]) { throw new Error("record does not belong here"); }
        });
        rows.push(Object.assign({id: record.id}, columns, opened.data));
      } catch (e) {
        failed++;
      }
    });
    if (state.wrongKind !== null) {
      throw new Error(interpolate(gettext("Refused: this export says it holds %(kind)s records, but holds %(other)s records."),
        {kind: data.kind, other: String(state.wrongKind)}, true));
    }
    // Day order, as the committee reads a list (the export itself comes in id order).
    rows.sort(function (a, b) {
      var ad = String(a.day || ""), bd = String(b.day || ""), ai = String(a.id), bi = String(b.id);
      return ad < bd ? -1 : ad > bd ? 1 : ai < bi ? -1 : ai > bi ? 1 : 0;
    });
    return {rows: rows, failed: failed, repeated: repeated};
  }

  window.ConcertedSealed = {
    readKeyText: readKeyText, parseKey: parseKey, forget: forget, fetchExport: fetchExport, openAll: openAll
  };
})();
