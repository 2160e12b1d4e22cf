/* scopekb client finder: finds a client by name, alias, slug, asset id or model as you type.
 *
 * The index (assets/scopekb/finder-index.js, written by scopekb.site.pages.finder_script) is a script
 * that sets window.scopekbFinderIndex: a script, not a JSON file fetched by XHR, so that the finder works
 * on a site opened from disk (file://) too. This script adds it to the page once the page is up.
 * Per client it holds [name, slug, "name|alias|…|slug", "asset id|…", [model number per asset]]; the
 * names and models come with their normal form already computed the way scopekb.kb.model.normal_form
 * does it.
 *
 * Which clients a text finds, best first (the rank of a hit, lower is better):
 *   0     exact: the text is a name, alias or slug of the client (`scopekb check` then answers for
 *         it), or one of its asset ids;
 *   1xxx  the text may mean the client, as `scopekb check` says it (spec v2, "A client not named
 *         exactly", scopekb.coverage.match.may_mean): every word of the text begins a word of one of
 *         its names, or is one edit away from one when it has 4 characters or more; then by the number
 *         of edits (as the candidates of `check`), then the text at the start of a name, at the start
 *         of one of its words, anywhere;
 *   2xxx  the words of the text begin words of one of its asset ids or models;
 *   3xxx  the text is inside a word of a name, asset id or model.
 * So every client `check` offers as a candidate for a text is found, ahead of what check would not offer.
 *
 * Enter (or a click) opens the client's page; when the text names one of its assets (its id, or a
 * model only that asset has), at the checker with that asset chosen: clients/SLUG.html#asset=ID; a model
 * several of its assets share: #item=MODEL; otherwise: #check, the checker ready for the subject
 * (checker.js reads these).
 * Loaded on every page; does nothing where the page has no finder.
 */
(function () {
  "use strict";

  var MAX_SHOWN = 12;
  var NONE = 255;  // a word of the text that matches no word of the index
  var NAME = 1000, EQUIPMENT = 2000, INSIDE = 3000;

  function normalForm(text) {
    return text.toLowerCase().normalize("NFD").replace(/\p{M}/gu, "")
      .replace(/[^a-z0-9]+/g, " ").trim();
  }

  /* One edit turns `word` into `other`: a character inserted, deleted or replaced, or two adjacent
     characters swapped (scopekb.coverage.match.one_edit). */
  function oneEdit(word, other) {
    var a = word.length, b = other.length;
    if (word === other || a - b > 1 || b - a > 1) return false;
    var start = 0, shortest = a < b ? a : b;
    while (start < shortest && word.charCodeAt(start) === other.charCodeAt(start)) start++;
    if (a === b) {
      if (word.slice(start + 1) === other.slice(start + 1)) return true;  // replaced
      return start + 1 < a && word.charAt(start) === other.charAt(start + 1) &&
        word.charAt(start + 1) === other.charAt(start) && word.slice(start + 2) === other.slice(start + 2);
    }
    if (a < b) return word.slice(start) === other.slice(start + 1);
    return word.slice(start + 1) === other.slice(start);
  }

  /* Edits a word of the text needs to match a word (scopekb.coverage.match.word_edits): 0 when the word
     begins with it, 1 when one edit turns it into the word (for a text word of 4 characters or more). */
  function wordEdits(word, other) {
    if (other.lastIndexOf(word, 0) === 0) return 0;
    return word.length >= 4 && oneEdit(word, other) ? 1 : NONE;
  }

  // How the query stands in a term of its words (prefix, at a word's start, or neither): 1, 2 or 4.
  // `spaced` is " " + query, made once per keystroke rather than once per client.
  function place(term, query, spaced) {
    if (term.lastIndexOf(query, 0) === 0) return 1;
    return term.indexOf(spaced) >= 0 ? 2 : 4;
  }

  // Asset ids and models: 0 the term itself, 1 its start, 2 a word's start, 3 inside a word, 4 every
  // word of the query begins a word of it, in any order; -1 no match.
  function score(term, words, query, queryWords) {
    var at = term.indexOf(query);
    if (at === 0) return term.length === query.length ? 0 : 1;
    if (at > 0) return term.charAt(at - 1) === " " ? 2 : 3;
    if (queryWords.length < 2) return -1;
    for (var k = 0; k < queryWords.length; k++) if (term.indexOf(queryWords[k]) < 0) return -1;  // most terms
    for (var i = 0; i < queryWords.length; i++) {
      var found = false;
      for (var j = 0; j < words.length && !found; j++) found = words[j].lastIndexOf(queryWords[i], 0) === 0;
      if (!found) return -1;
    }
    return 4;
  }

  // An asset id typed whole is exact (rank 0); a model typed whole is not: many clients may have it.
  function equipmentRank(s, isId) {
    return s === 0 && isId ? 0 : s === 3 ? INSIDE + 3 : EQUIPMENT + s;
  }

  function prepare(index) {
    // The words of the names, each once: a keystroke measures each against the text's words once, and
    // the names then add up numbers (Uint32Array of word numbers per name).
    var vocabulary = new Map(), words = [];
    function numbers(term) {
      var parts = term.split(" "), out = new Uint32Array(parts.length);
      for (var i = 0; i < parts.length; i++) {
        var n = vocabulary.get(parts[i]);
        if (n === undefined) { n = words.length; vocabulary.set(parts[i], n); words.push(parts[i]); }
        out[i] = n;
      }
      return out;
    }
    function split(term) { return term.split(" "); }
    var models = index.models.map(function (m) { return { text: m[0], norm: m[1], words: split(m[1]) }; });
    var clients = index.clients.map(function (c) {
      var names = c[2].split("|");
      var ids = c[3] ? c[3].split("|") : [];
      var assets = ids.map(function (id, n) {
        var norm = normalForm(id);
        return { id: id, norm: norm, words: split(norm), model: c[4][n] };
      });
      // An empty slug is the name's normal form (the first name) with "-" for spaces.
      return { name: c[0], slug: c[1] || names[0].replace(/ /g, "-"), names: names, nameWords: names.map(numbers),
               assets: assets };
    });
    return { models: models, clients: clients, words: words, edits: new Map() };
  }

  // For each word of the index's names, the edits `word` needs to match it (wordEdits); kept for the
  // next keystrokes, which mostly repeat the words before the last one.
  function editsFor(data, word) {
    var found = data.edits.get(word);
    if (found) return found;
    var words = data.words, edits = new Uint8Array(words.length), any = false;
    for (var n = 0; n < words.length; n++) {
      edits[n] = wordEdits(word, words[n]);
      if (edits[n] !== NONE) any = true;
    }
    found = { edits: edits, any: any };
    if (data.edits.size > 64) data.edits.clear();
    data.edits.set(word, found);
    return found;
  }

  // The edits a name needs for every word of the query, or -1 when a word matches none of its words.
  function distance(nameWords, perWord) {
    var total = 0;
    for (var q = 0; q < perWord.length; q++) {
      var edits = perWord[q], fewest = NONE;
      for (var w = 0; w < nameWords.length && fewest > 0; w++) {
        var e = edits[nameWords[w]];
        if (e < fewest) fewest = e;
      }
      if (fewest === NONE) return -1;
      total += fewest;
    }
    return total;
  }

  // The `limit` best clients for the query (in normal form), best first, and how many match in all.
  // Each hit: {client, score (its rank), distance (edits, as `check` counts them; -1 when found other
  // than by a name), via (the alias, asset id or model that matched, null for the name)}.
  // Only the best are kept as they come: a one-letter query matches thousands of clients, and sorting
  // them all would take most of a keystroke's time.
  function search(data, query, limit) {
    var queryWords = query.split(" "), spaced = " " + query;
    var perWord = [], byName = true;
    for (var q = 0; q < queryWords.length; q++) {
      var found = editsFor(data, queryWords[q]);
      byName = byName && found.any;
      perWord.push(found.edits);
    }
    var modelScores = data.models.map(function (m) { return score(m.norm, m.words, query, queryWords); });
    var hits = [], count = 0, clients = data.clients;
    // Plain loops: a keystroke runs these for every client, and closures would be garbage to collect.
    for (var order = 0; order < clients.length; order++) {
      var client = clients[order], best = -1, via = null, edits = -1, n, s, r, term;
      for (n = 0; n < client.names.length; n++) {
        term = client.names[n];
        if (term === query) { r = 0; s = 0; }
        else if (byName && (s = distance(client.nameWords[n], perWord)) >= 0) r = NAME + s * 10 + place(term, query, spaced);
        else if (term.indexOf(query) > 0) { r = INSIDE + 3; s = -1; }
        else continue;
        if (best < 0 || r < best) { best = r; edits = s; via = n === 0 ? null : term; }
      }
      for (n = 0; n < client.assets.length; n++) {
        var asset = client.assets[n];
        s = score(asset.norm, asset.words, query, queryWords);
        if (s >= 0 && (r = equipmentRank(s, true), best < 0 || r < best)) { best = r; edits = -1; via = asset.id; }
        s = asset.model >= 0 ? modelScores[asset.model] : -1;
        if (s >= 0 && (r = equipmentRank(s, false), best < 0 || r < best)) {
          best = r; edits = -1; via = data.models[asset.model].text;
        }
      }
      if (best < 0) continue;
      count++;
      // Clients come in order: one goes after those of the same rank already kept.
      if (hits.length === limit && best >= hits[limit - 1].score) continue;
      var at = hits.length;
      while (at > 0 && hits[at - 1].score > best) at--;
      hits.splice(at, 0, { client: client, score: best, distance: edits, via: via });
      if (hits.length > limit) hits.pop();
    }
    return { hits: hits, count: count };
  }

  /* Where a hit opens the client's page: at the checker, with the asset the query names chosen when it
     names one of the client's assets (its id, or a model that asset alone has), or with the model as the
     subject when it names a model several share. */
  function target(data, hit, query) {
    var assets = hit.client.assets, queryWords = query.split(" "), named = [], n;
    for (n = 0; n < assets.length; n++) if (assets[n].norm === query) return "asset=" + encodeURIComponent(assets[n].id);
    if (hit.distance >= 0 || hit.score === 0) return "check";  // found by a name
    var models = {};
    for (n = 0; n < assets.length; n++) {
      var asset = assets[n], model = asset.model >= 0 ? data.models[asset.model] : null;
      var byModel = model !== null && score(model.norm, model.words, query, queryWords) >= 0;
      if (byModel || score(asset.norm, asset.words, query, queryWords) >= 0) {
        named.push(asset);
        models[byModel ? model.text : "\u0000" + asset.id] = true;
      }
    }
    if (named.length === 1) return "asset=" + encodeURIComponent(named[0].id);
    var keys = Object.keys(models);
    if (keys.length === 1 && keys[0].charAt(0) !== "\u0000") return "item=" + encodeURIComponent(keys[0]);
    return "check";
  }

  function setUp(root) {
    var input = root.querySelector(".scopekb-finder__input");
    var list = root.querySelector(".scopekb-finder__results");
    var status = root.querySelector(".scopekb-finder__status");
    var urlPattern = root.getAttribute("data-client-url");
    var data = null, failed = false, shown = [], active = -1;

    function say(key, n) { return root.getAttribute("data-" + key).replace("{n}", String(n)); }

    function urlOf(hit, query) {
      return urlPattern.replace("{slug}", encodeURIComponent(hit.client.slug)) + "#" + target(data, hit, query);
    }

    function highlight(n) {
      var options = list.children;
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

    function show() {
      var query = normalForm(input.value);
      list.textContent = "";
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (!query) {
        shown = [];
        status.textContent = "";
        input.setAttribute("aria-expanded", "false");
        return;
      }
      if (!data) { status.textContent = say(failed ? "failed" : "loading", 0); return; }
      var found = search(data, query, MAX_SHOWN);
      root.setAttribute("data-searched", "true");
      shown = found.hits;
      shown.forEach(function (hit, n) {
        var item = document.createElement("li");
        item.id = "scopekb-finder-option-" + n;
        item.className = "scopekb-finder__result";
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        var link = document.createElement("a");
        link.href = urlOf(hit, query);
        link.textContent = hit.client.name;
        link.tabIndex = -1;
        item.appendChild(link);
        if (hit.via || hit.distance > 0) {
          var via = document.createElement("span");
          via.className = "scopekb-finder__via";
          via.textContent = hit.via ? say("via", 0) + " " + hit.via : say("near", 0);
          item.appendChild(via);
        }
        item.addEventListener("mousemove", function () { if (active !== n) highlight(n); });
        list.appendChild(item);
      });
      input.setAttribute("aria-expanded", shown.length ? "true" : "false");
      var message = found.count === 0 ? say("none", 0) : found.count === 1 ? say("one", 1) : say("many", found.count);
      if (found.count > shown.length) message += " " + say("more", found.count - shown.length);
      status.textContent = message;
    }

    function open(n) {
      var option = list.children[n < 0 ? 0 : n];
      if (option && shown.length) window.location.href = option.querySelector("a").href;
    }

    function loaded() {
      if (data || !window.scopekbFinderIndex) return;
      data = prepare(window.scopekbFinderIndex);
      // Once now, while the page is idle, so that the first keystroke does not pay for compiling these.
      normalForm("\u00c9 e");
      search(data, "e", MAX_SHOWN);
      search(data, "e a", MAX_SHOWN);
      data.edits.clear();
      root.setAttribute("data-ready", "true");
      show();
    }

    input.addEventListener("input", show);
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && shown.length) {
        highlight(active + 1 >= shown.length ? 0 : active + 1);
        event.preventDefault();
      } else if (event.key === "ArrowUp" && shown.length) {
        highlight(active <= 0 ? shown.length - 1 : active - 1);
        event.preventDefault();
      } else if (event.key === "Enter") {
        if (!data) show();
        open(active);
        event.preventDefault();
      } else if (event.key === "Escape" && input.value) {
        input.value = "";
        show();
        event.preventDefault();
      }
      // Material binds some keys to its own search; typing here is for the finder only.
      event.stopPropagation();
    });

    if (window.scopekbFinderIndex) {
      loaded();
    } else {
      var script = document.createElement("script");
      script.src = root.getAttribute("data-index");
      script.async = true;
      script.addEventListener("load", loaded);
      script.addEventListener("error", function () { failed = true; show(); });
      document.head.appendChild(script);
    }
    if (document.activeElement === document.body || !document.activeElement) input.focus();
    if (input.value) show();
  }

  function start() {
    var finder = document.getElementById("scopekb-finder");
    if (finder) setUp(finder);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();

  // For tests and benchmarks: the same matching, without the page.
  window.scopekbFinder = { normalForm: normalForm, prepare: prepare, search: search, target: target,
                           oneEdit: oneEdit };
})();
