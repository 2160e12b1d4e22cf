/* scopekb client finder: finds a client by name, alias, slug, asset id or model as you type.
 *
 * The index (assets/scopekb/finder-index.json, written by scopekb.render.finder_index) holds per client
 * [name, slug, "term|term|…", [model numbers]]; terms and models come with their normal form
 * already computed the way scopekb.model.normal_form does it, so only the query is normalised here.
 * Loaded on every page; does nothing where the page has no finder.
 */
(function () {
  "use strict";

  var MAX_SHOWN = 12;

  function normalForm(text) {
    return text.toLowerCase().normalize("NFD").replace(/\p{M}/gu, "")
      .replace(/[^a-z0-9]+/g, " ").trim();
  }

  // How well a term in normal form (and its words) answers the query: 0 is best, -1 is no match.
  function score(term, words, query, queryWords) {
    var at = term.indexOf(query);
    if (at === 0) return term.length === query.length ? 0 : 1;
    if (at > 0) return term.charAt(at - 1) === " " ? 2 : 3;
    if (queryWords.length < 2) return -1;
    // Several words: each must begin a word of the term, in any order.
    for (var k = 0; k < queryWords.length; k++) if (term.indexOf(queryWords[k]) < 0) return -1;  // most terms
    for (var i = 0; i < queryWords.length; i++) {
      var found = false;
      for (var j = 0; j < words.length && !found; j++) found = words[j].lastIndexOf(queryWords[i], 0) === 0;
      if (!found) return -1;
    }
    return 4;
  }

  function prepare(index) {
    // Each term's words are split once here rather than at every keystroke.
    function words(term) { return term.split(" "); }
    var models = index.models.map(function (m) { return { text: m[0], norm: m[1], words: words(m[1]) }; });
    var clients = index.clients.map(function (c) {
      var terms = c[2].split("|");
      // An empty slug is the name's normal form (the first term) with "-" for spaces.
      return { name: c[0], slug: c[1] || terms[0].replace(/ /g, "-"), terms: terms, termWords: terms.map(words),
               models: c[3] };
    });
    return { models: models, clients: clients };
  }

  // The `limit` best clients for the query, best first, each with the text that matched, and how many
  // match in all. Only the best are kept as they come: a one-letter query matches thousands of clients,
  // and sorting them all would take most of a keystroke's time.
  function search(data, query, limit) {
    var queryWords = query.split(" ");
    var modelScores = data.models.map(function (m) { return score(m.norm, m.words, query, queryWords); });
    var hits = [], count = 0, clients = data.clients;
    // Plain loops: a keystroke runs these for every client, and closures would be garbage to collect.
    for (var order = 0; order < clients.length; order++) {
      var client = clients[order], best = -1, via = null, n, s;
      for (n = 0; n < client.terms.length; n++) {
        s = score(client.terms[n], client.termWords[n], query, queryWords);
        if (s >= 0 && (best < 0 || s < best)) { best = s; via = n === 0 ? null : client.terms[n]; }
      }
      for (n = 0; n < client.models.length; n++) {
        s = modelScores[client.models[n]];
        if (s >= 0 && (best < 0 || s < best)) { best = s; via = data.models[client.models[n]].text; }
      }
      if (best < 0) continue;
      count++;
      // Clients come in order: one goes after those of the same score already kept.
      if (hits.length === limit && best >= hits[limit - 1].score) continue;
      var at = hits.length;
      while (at > 0 && hits[at - 1].score > best) at--;
      hits.splice(at, 0, { client: client, score: best, via: via });
      if (hits.length > limit) hits.pop();
    }
    return { hits: hits, count: count };
  }

  function setUp(root) {
    var input = root.querySelector(".scopekb-finder__input");
    var list = root.querySelector(".scopekb-finder__results");
    var status = root.querySelector(".scopekb-finder__status");
    var urlPattern = root.getAttribute("data-client-url");
    var data = null, shown = [], active = -1;

    function say(key, n) { return root.getAttribute("data-" + key).replace("{n}", String(n)); }

    function urlOf(client) { return urlPattern.replace("{slug}", encodeURIComponent(client.slug)); }

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
      if (!data) { status.textContent = say("loading", 0); return; }
      var found = search(data, query, MAX_SHOWN);
      shown = found.hits;
      shown.forEach(function (hit, n) {
        var item = document.createElement("li");
        item.id = "scopekb-finder-option-" + n;
        item.className = "scopekb-finder__result";
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        var link = document.createElement("a");
        link.href = urlOf(hit.client);
        link.textContent = hit.client.name;
        link.tabIndex = -1;
        item.appendChild(link);
        if (hit.via) {
          var via = document.createElement("span");
          via.className = "scopekb-finder__via";
          via.textContent = say("via", 0) + " " + hit.via;
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
      var hit = shown[n < 0 ? 0 : n];
      if (hit) window.location.href = urlOf(hit.client);
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

    var request = new XMLHttpRequest();
    request.open("GET", root.getAttribute("data-index"));
    request.responseType = "json";
    request.onload = function () {
      if (request.status === 200 && request.response) {
        data = prepare(request.response);
        // Once now, while the page is idle, so that the first keystroke does not pay for compiling these.
        normalForm("\u00c9 e");
        search(data, "e", MAX_SHOWN);
        search(data, "e a", MAX_SHOWN);
        show();
      }
    };
    request.send();
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
  window.scopekbFinder = { normalForm: normalForm, prepare: prepare, search: search };
})();
