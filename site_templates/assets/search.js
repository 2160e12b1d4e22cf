/* scopekb search: the site's full-text search box, in the theme's header or at the top of the page.
 *
 * The index is two plain scripts written by scopekb.search_index: search-index.js sets
 * window.scopekbSearchIndex (documents, word forms, stems, postings), search-snippets.js sets
 * window.scopekbSearchSnippets (the text shown under each hit). Scripts rather than JSON, so that the
 * site works from file:// as over HTTP; loaded when the box is first used (data-load="focus", the
 * default) or once the page is idle (data-load="idle").
 *
 * The words of the box come from this script's tag, else from window.scopekbSearchStrings (a script
 * loaded before this one, for pages whose script tags cannot carry attributes), else from the index.
 * Attributes of this script's tag, all optional:
 *   data-base      the site's root relative to the page ("../"); else Material's, else two folders up
 *                  from this script (it lives in assets/scopekb/)
 *   data-index, data-snippets   the index's files; else beside this script
 *   data-load      "focus" or "idle"
 *   data-label, data-placeholder, data-loading, data-none, data-kind-client, ...   the words of the box
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var MAX_SHOWN = 10;
  var FORMAT_VERSION = 2;  // scopekb.search_index.FORMAT_VERSION: an index of another format is not read
  var TITLE_FLAG = 8, KEYWORD_FLAG = 4, TEXT_MASK = 3;
  var TEXT_SCORE = [0, 1, 1.4, 1.7];
  // How much a stem counts for a query word: the word's own form (or another form of its stem), a word
  // it begins (typing goes on), the stem of a form the site never uses.
  var EXACT = 1, PREFIX = 0.6, UNSEEN_FORM = 0.9;
  // Words a query word of fewer letters begins are looked for in titles and keywords only: as the first
  // letters are typed, texts would match nearly every page, at the cost of decoding all their postings.
  var MIN_TEXT_PREFIX = 3;
  // An unseen form is cut back to a known stem by at most this many letters (French endings:
  // "-issements", "-atrices"), and never to fewer than MIN_STEM.
  var MAX_ENDING = 6, MIN_STEM = 3;
  var EXACT_TITLE = 1000, TITLE_START = 200, ALL_IN_TITLE = 40;
  var ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
  var DIGIT = new Int8Array(128).fill(-1);
  for (var a = 0; a < ALPHABET.length; a++) DIGIT[ALPHABET.charCodeAt(a)] = a;

  // --- matching (no page here: tests and benchmarks call it through window.scopekbSearch) ----------

  function normalize(text) {
    return text.toLowerCase().normalize("NFD").replace(/\p{M}/gu, "").replace(/œ/g, "oe").replace(/æ/g, "ae");
  }

  function words(text) { return normalize(text).match(/[a-z0-9]+/g) || []; }

  function decodeVarints(text) {
    var values = [], current = 0;
    for (var i = 0; i < text.length; i++) {
      var digit = DIGIT[text.charCodeAt(i)];
      current = current * 32 + (digit & 31);
      if (digit >= 32) { values.push(current); current = 0; }
    }
    return values;
  }

  function prepare(raw) {
    var docs = (raw.docs ? raw.docs.split("\n") : []).map(function (record) {  // a site may have no page
      var f = record.split("\t");
      return { kind: raw.kinds[+f[0]], kindNumber: +f[0], url: f[1], title: f[2], boost: f.length > 3 ? +f[3] : 1,
               normalTitle: null };
    });
    return {
      id: raw.id, strings: raw.strings, kinds: raw.kinds, kindBoost: raw.kindBoost, docs: docs,
      stop: new Set(raw.stopWords), forms: raw.forms.split("\n"), formStems: decodeVarints(raw.formStems),
      stems: raw.stems.split("\n"), postings: raw.postings.split("\n"), decoded: new Map(),
      snippets: raw.snippets ? raw.snippets.split("\n") : null
    };
  }

  // The first position in the sorted `list` whose entry is not before `key`.
  function lowerBound(list, key) {
    var low = 0, high = list.length;
    while (low < high) {
      var middle = (low + high) >>> 1;
      if (list[middle] < key) low = middle + 1; else high = middle;
    }
    return low;
  }

  // A stem's postings as {entries: [document, flags, document, flags, ...], count}, decoded once, straight
  // into a typed array. A line holds the documents that name the stem (title, keywords), ".", then those
  // that only have it in their text; `named` decodes the first part only (count is of both).
  function postingsOf(data, stem, named) {
    var key = named ? -1 - stem : stem, found = data.decoded.get(key);
    if (found) return found;
    var text = data.postings[stem], dot = text.indexOf("."), end = named ? dot : text.length;
    var count = 0, all = 0, i;
    for (i = 0; i < text.length; i++) {
      if (DIGIT[text.charCodeAt(i)] >= 32) { all++; if (i < end) count++; }
    }
    var entries = new Int32Array(count * 2), doc = 0, current = 0, at = 0;
    for (i = 0; i < end; i++) {
      if (i === dot) { doc = 0; continue; }
      var digit = DIGIT[text.charCodeAt(i)];
      current = current * 32 + (digit & 31);
      if (digit >= 32) {
        doc += current >>> 4;
        entries[at++] = doc;
        entries[at++] = current & 15;
        current = 0;
      }
    }
    found = { entries: entries, count: all };
    data.decoded.set(key, found);
    return found;
  }

  // The stems a query word stands for, each with how much it counts (Map stem -> weight).
  function stemsOf(data, word, isPrefix) {
    var found = new Map(), forms = data.forms, at = lowerBound(forms, word);
    if (forms[at] === word) found.set(data.formStems[at], EXACT);
    if (isPrefix) {
      var end = lowerBound(forms, word + "\uffff");
      for (var n = at; n < end; n++) if (!found.has(data.formStems[n])) found.set(data.formStems[n], PREFIX);
    }
    if (found.size === 0 && !/[0-9]/.test(word)) {
      // A form no page uses ("écrans" where pages say "écran"): the longest stem that begins it.
      for (var length = word.length - 1; length >= Math.max(MIN_STEM, word.length - MAX_ENDING); length--) {
        var stem = word.slice(0, length), s = lowerBound(data.stems, stem);
        if (data.stems[s] === stem) { found.set(s, UNSEEN_FORM); break; }
      }
    }
    return found;
  }

  function normalTitle(doc) {
    if (doc.normalTitle === null) doc.normalTitle = words(doc.title).join(" ");
    return doc.normalTitle;
  }

  // The `limit` best documents for `query`, best first, and how many match. Every word must match
  // (stop words need not); the last is a prefix unless a space follows it.
  function search(data, query, limit) {
    var queryWords = words(query), parts = [], required = 0;
    var lastIsPrefix = /[a-z0-9]$/.test(normalize(query));
    for (var w = 0; w < queryWords.length; w++) {
      var stems = stemsOf(data, queryWords[w], w === queryWords.length - 1 && lastIsPrefix);
      var optional = data.stop.has(queryWords[w]);
      if (stems.size === 0 && optional) continue;
      if (stems.size === 0) return { hits: [], count: 0 };
      parts.push({ stems: stems, optional: optional, short: queryWords[w].length < MIN_TEXT_PREFIX });
      if (!optional) required++;
    }
    if (!parts.length) return { hits: [], count: 0 };
    var count = data.docs.length;
    var total = new Float64Array(count), matched = new Uint8Array(count), inTitle = new Uint8Array(count);
    var best = new Float64Array(count), title = new Uint8Array(count);
    parts.forEach(function (part) {
      best.fill(0);
      title.fill(0);
      part.stems.forEach(function (weight, stem) {
        var found = postingsOf(data, stem, part.short && weight === PREFIX);
        var postings = found.entries, idf = Math.log(1 + count / found.count);
        for (var i = 0; i < postings.length; i += 2) {
          var doc = postings[i], flags = postings[i + 1];
          var score = weight * idf * ((flags & TITLE_FLAG ? 5 : 0) + (flags & KEYWORD_FLAG ? 3 : 0) +
                                      TEXT_SCORE[flags & TEXT_MASK]);
          if (score > best[doc]) best[doc] = score;
          if (flags & TITLE_FLAG) title[doc] = 1;
        }
      });
      for (var d = 0; d < count; d++) {
        if (best[d] === 0) continue;
        total[d] += best[d];
        if (!part.optional) matched[d]++;
        inTitle[d] += title[d];
      }
    });
    var wanted = queryWords.join(" "), hits = [], found = 0;
    for (var doc = 0; doc < count; doc++) {
      if (total[doc] === 0 || matched[doc] < required) continue;
      found++;
      var entry = data.docs[doc], score = total[doc] * data.kindBoost[entry.kindNumber] * entry.boost;
      if (inTitle[doc] === parts.length) {
        // Every word in the title: a client named exactly as typed comes first, then titles that begin
        // with the query and are not much longer ("dupont" for "Dupont Transports", not for a long
        // article title that happens to begin with the word).
        var name = normalTitle(entry);
        if (name === wanted) score += EXACT_TITLE;
        else if (name.lastIndexOf(wanted, 0) === 0 && 2 * queryWords.length >= name.split(" ").length) {
          score += TITLE_START;
        } else score += ALL_IN_TITLE;
      }
      if (hits.length === limit && score <= hits[limit - 1].score) continue;
      var at = hits.length;
      while (at > 0 && hits[at - 1].score < score) at--;  // equal scores keep the documents' order
      hits.splice(at, 0, { doc: doc, score: score });
      if (hits.length > limit) hits.pop();
    }
    return { hits: hits, count: found };
  }

  // --- the box ------------------------------------------------------------------------------------

  function attribute(name) { return script && script.getAttribute("data-" + name); }

  function siteBase() {
    var given = attribute("base");
    if (given !== null) return new URL(given.replace(/\/?$/, "/"), location.href).href;
    var config = document.getElementById("__config");  // Material's page settings
    if (config) {
      try { return new URL(JSON.parse(config.textContent).base.replace(/\/?$/, "/"), location.href).href; }
      catch (error) { /* not Material's: fall through */ }
    }
    return new URL("../../", script ? script.src : location.href).href;
  }

  function besideScript(name, file) {
    var given = attribute(name);
    return given !== null ? new URL(given, location.href).href : new URL(file, script ? script.src : location.href).href;
  }

  function loadScript(url, done) {
    var element = document.createElement("script");
    element.src = url;
    element.async = true;
    element.onload = function () { done(null); };
    element.onerror = function () { done(new Error("could not load " + url)); };
    document.head.appendChild(element);
  }

  function build(container) {
    var box = document.createElement("div");
    box.className = "scopekb-search" + (container === document.body ? " scopekb-search--standalone" : "");
    box.setAttribute("role", "search");
    box.innerHTML =
      '<label class="scopekb-search__label" for="scopekb-search-input"></label>' +
      '<input class="scopekb-search__input" id="scopekb-search-input" type="search" role="combobox"' +
      ' aria-autocomplete="list" aria-expanded="false" aria-controls="scopekb-search-results"' +
      ' autocomplete="off" autocapitalize="off" spellcheck="false">' +
      '<div class="scopekb-search__panel" hidden>' +
      '<p class="scopekb-search__status" id="scopekb-search-status" role="status" aria-live="polite"></p>' +
      '<ul class="scopekb-search__results" id="scopekb-search-results" role="listbox"></ul></div>';
    if (container === document.body) container.insertBefore(box, container.firstChild);
    else container.insertBefore(box, container.querySelector(".md-header__source"));
    return box;
  }

  function setUp() {
    var header = document.querySelector(".md-header__inner");
    var box = build(header || document.body);
    var input = box.querySelector("input"), panel = box.querySelector(".scopekb-search__panel");
    var status = box.querySelector(".scopekb-search__status"), list = box.querySelector("ul");
    var base = siteBase(), data = null, loading = false, shown = [], active = -1;

    // A word of the box: from the script tag, else the strings script, else the index (once loaded).
    function say(key, n) {
      var text = attribute(key.replace(".", "-")), strings = window.scopekbSearchStrings;
      if (text === null && strings && strings[key] !== undefined) text = strings[key];
      if (text === null) text = data && data.strings[key] !== undefined ? data.strings[key] : "";
      return text.replace("{n}", String(n));
    }

    function label() {
      box.querySelector("label").textContent = say("label", 0);
      input.placeholder = say("placeholder", 0);
      list.setAttribute("aria-label", say("results", 0));
    }

    function urlOf(doc) {
      var url = base + doc.url;
      // From file:// a folder is not its index.html.
      return location.protocol === "file:" && /\/$/.test(url) ? url + "index.html" : url;
    }

    function highlight(n) {
      var options = list.querySelectorAll("[role=option]");
      if (active >= 0 && options[active]) options[active].setAttribute("aria-selected", "false");
      active = n;
      if (active >= 0 && options[active]) {
        options[active].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", options[active].id);
        options[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function close() {
      panel.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function option(hit, n) {
      // The link is the option (a link inside an option would nest two interactive controls).
      var doc = data.docs[hit.doc], item = document.createElement("li"), link = document.createElement("a");
      item.className = "scopekb-search__result";
      item.setAttribute("role", "none");
      link.id = "scopekb-search-option-" + n;
      link.setAttribute("role", "option");
      link.setAttribute("aria-selected", n === active ? "true" : "false");
      link.href = urlOf(doc);
      link.tabIndex = -1;
      var kind = document.createElement("span"), title = document.createElement("span");
      kind.className = "scopekb-search__kind scopekb-search__kind--" + doc.kind;
      kind.textContent = say("kind." + doc.kind, 0);
      title.className = "scopekb-search__title";
      title.textContent = doc.title;
      link.appendChild(kind);
      link.appendChild(title);
      var snippet = data.snippets && data.snippets[hit.doc];
      if (snippet) {
        var text = document.createElement("span");
        text.className = "scopekb-search__snippet";
        text.textContent = snippet;
        link.appendChild(text);
      }
      item.appendChild(link);
      item.addEventListener("mousemove", function () { if (active !== n) highlight(n); });
      return item;
    }

    // Shows the hits of what the box holds; `keep` keeps the highlighted hit (the snippets arrived).
    function show(keep) {
      var query = input.value;
      if (!keep) active = -1;
      if (!words(query).length) { shown = []; list.textContent = ""; status.textContent = ""; close(); return; }
      panel.hidden = false;
      if (!data) { status.textContent = say("loading", 0); load(); return; }
      var found = search(data, query, MAX_SHOWN);
      shown = found.hits;
      var items = document.createDocumentFragment();
      shown.forEach(function (hit, n) { items.appendChild(option(hit, n)); });
      list.textContent = "";
      list.appendChild(items);
      highlight(active < shown.length ? active : -1);
      input.setAttribute("aria-expanded", shown.length ? "true" : "false");
      var message = found.count === 0 ? say("none", 0) : found.count === 1 ? say("one", 1) : say("many", found.count);
      if (found.count > shown.length) message += " (" + say("more", shown.length) + ")";
      status.textContent = message;
      box.dispatchEvent(new CustomEvent("scopekb-search:results",
                                        { detail: { query: query, count: found.count, shown: shown.length } }));
    }

    function ready(raw) {
      data = prepare(raw);
      label();
      if (!panel.hidden || input.value) show(false);
      if (data.snippets) return;
      loadScript(besideScript("snippets", "search-snippets.js"), function () {
        var extra = window.scopekbSearchSnippets;
        if (extra && extra.id === data.id && extra.snippets) {
          data.snippets = extra.snippets.split("\n");
          if (!panel.hidden) show(true);
        }
      });
    }

    function load() {
      if (data || loading) return;
      loading = true;
      var given = window.scopekbSearchIndex;  // the page may load the index itself
      if (given && given.version === FORMAT_VERSION) { ready(given); return; }
      loadScript(besideScript("index", "search-index.js"), function (error) {
        var raw = window.scopekbSearchIndex;
        if (!error && raw && raw.version === FORMAT_VERSION) ready(raw);
        else loading = false;  // tried again at the next use
      });
    }

    function open(n) {
      var hit = shown[n < 0 ? 0 : n];
      if (hit) window.location.href = urlOf(data.docs[hit.doc]);
    }

    label();
    input.addEventListener("focus", function () { load(); if (words(input.value).length) show(false); });
    input.addEventListener("input", function () { show(false); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (panel.hidden && input.value) show(false);
        if (shown.length) {
          var down = event.key === "ArrowDown";
          highlight(down ? (active + 1) % shown.length : (active <= 0 ? shown.length : active) - 1);
        }
      } else if (event.key === "Enter") {
        if (!data) return;
        open(active);
      } else if (event.key === "Escape") {
        if (!panel.hidden) close(); else { input.value = ""; show(false); input.blur(); }
      } else {
        return;
      }
      event.preventDefault();
      event.stopPropagation();  // the theme's own shortcuts must not act on these keys
    });
    // A click on a hit must reach its link before the box loses focus and the list closes.
    panel.addEventListener("mousedown", function (event) { event.preventDefault(); });
    box.addEventListener("focusout", function (event) { if (!box.contains(event.relatedTarget)) close(); });
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || target === input) return;
      if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
      input.focus();
      event.preventDefault();
    });
    if (attribute("load") === "idle") {
      var idle = window.requestIdleCallback || function (callback) { setTimeout(callback, 200); };
      var later = function () { idle(load, { timeout: 3000 }); };
      if (document.readyState === "complete") later(); else window.addEventListener("load", later);
    }
  }

  window.scopekbSearch = { normalize: normalize, words: words, prepare: prepare, search: search, stemsOf: stemsOf,
                           decodeVarints: decodeVarints };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
