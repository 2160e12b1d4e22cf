/* scopekb coverage checker.
 *
 * A line-by-line port of generator/scopekb/decide.py (steps 1 to 7 of the
 * coverage spec), run on the data that generator/scopekb/embed.py writes: the
 * part every client shares (assets/scopekb/checker-shared.js, loaded before
 * this script) and the client's own part, embedded in its page. The browser
 * tests compare every answer with the Python engine, so keep the two in step:
 * change one, change the other.
 *
 * Plain ES2017, no library, no network.
 */
(function () {
  'use strict';

  // ---------------------------------------------------------------- model.py

  var NOT_ALNUM = /[^a-z0-9]+/g;

  /* Lower case, accents stripped, runs of other than a-z0-9 made one space, trimmed. */
  function normalForm(text) {
    return text.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '').replace(NOT_ALNUM, ' ').trim();
  }

  function slugify(text) {
    return normalForm(text).replace(/ /g, '-');
  }

  // Python's str.strip() removes exactly the characters str.isspace() accepts,
  // which differ a little from String.prototype.trim(): use the same set.
  var PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
  var PY_STRIP = new RegExp('^[' + PY_SPACE + ']+|[' + PY_SPACE + ']+$', 'g');

  function strip(text) {
    return text.replace(PY_STRIP, '');
  }

  /* Python's str.casefold(), closely enough for equality tests: upper then lower
   * folds ß to ss and the like, as casefold does. */
  function casefold(text) {
    return text.toUpperCase().toLowerCase();
  }

  function inForce(contract, on) {
    return contract.start <= on && (contract.end === null || on <= contract.end);
  }

  // ----------------------------------------------------------------- i18n.py

  /* str.format with named fields, as message() uses it. */
  function format(template, fields) {
    return template.replace(/\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}/g, function (whole, name) {
      if (whole === '{{') { return '{'; }
      if (whole === '}}') { return '}'; }
      if (!Object.prototype.hasOwnProperty.call(fields, name)) {
        throw new Error('scopekb checker: message field missing: ' + name);
      }
      return String(fields[name]);
    });
  }

  function message(data, key, fields) {
    var template = data.messages[key];
    if (template === undefined) {
      throw new Error('scopekb checker: no message ' + key);
    }
    return format(template, fields || {});
  }

  // --------------------------------------------------------------- decide.py

  function Candidate(words, length, category, asset, scopeItem) {
    this.words = words;
    this.length = length;
    this.category = category;
    this.asset = asset || null;
    this.scopeItem = !!scopeItem; /* a contract's scope item: it picks its entry at step 4 */
  }

  function catalogById(data) {
    var byId = {};
    data.catalog.forEach(function (category) { byId[category.id] = category; });
    return byId;
  }

  /* Spec v2, "A client not named exactly" (match.may_mean), for one client's names (normal forms): every
   * word of `text` begins a word of one of them, or is one edit from one when it has 4 characters or more. */
  function mayMean(names, text) {
    var wanted = normalForm(text);
    if (!wanted) { return false; }
    var words = wanted.split(' ');
    return names.some(function (form) {
      var theirs = form.split(' ');
      return words.every(function (word) {
        return theirs.some(function (other) {
          return other.lastIndexOf(word, 0) === 0 || (word.length >= 4 && oneEdit(word, other));
        });
      });
    });
  }

  /* Scope items, then equipment models, then catalogue labels, then keywords. */
  function candidates(data, contracts) {
    var found = [];

    function add(text, category, asset, scopeItem) {
      var norm = normalForm(text);
      if (norm) {
        found.push(new Candidate(norm.split(' '), norm.length, category, asset, scopeItem));
      }
    }

    contracts.forEach(function (contract) {
      contract.scope.forEach(function (entry) {
        entry.items.forEach(function (item) { add(item, entry.category, null, true); });
      });
    });
    contracts.forEach(function (contract) {
      contract.equipment.forEach(function (asset) {
        if (asset.model) { add(asset.model, asset.category, asset); }
      });
    });
    data.catalog.forEach(function (category) { add(category.label, category.id); });
    data.catalog.forEach(function (category) {
      category.keywords.forEach(function (keyword) { add(keyword, category.id); });
    });
    return found;
  }

  /* True when `words` appear in `textWords` consecutively. */
  function containsWords(textWords, words) {
    var n = words.length;
    for (var i = 0; i < textWords.length - n + 1; i++) {
      var same = true;
      for (var j = 0; j < n; j++) {
        if (textWords[i + j] !== words[j]) { same = false; break; }
      }
      if (same) { return true; }
    }
    return false;
  }

  /* The longest candidate found in `text`; a tie goes to the earlier one. */
  function bestMatch(text, pool) {
    var textWords = normalForm(text).split(' ');
    var best = null;
    pool.forEach(function (cand) {
      if ((best === null || cand.length > best.length) && containsWords(textWords, cand.words)) {
        best = cand;
      }
    });
    return best;
  }

  function findAsset(contracts, assetId) {
    var wanted = casefold(assetId);
    for (var c = 0; c < contracts.length; c++) {
      var equipment = contracts[c].equipment;
      for (var a = 0; a < equipment.length; a++) {
        if (casefold(equipment[a].id) === wanted) { return equipment[a]; }
      }
    }
    return null;
  }

  /* Of this contract's entries for `category`, the one whose item matched, else the first.
     An entry's item matched when it is the scope item step 3 matched (same normal form). */
  function pickEntry(contract, category, matchedItem) {
    var entries = contract.scope.filter(function (e) { return e.category === category; });
    if (matchedItem !== null) {
      for (var i = 0; i < entries.length; i++) {
        var hit = entries[i].items.some(function (item) { return normalForm(item) === matchedItem; });
        if (hit) { return entries[i]; }
      }
    }
    return entries.length ? entries[0] : null;
  }

  function Decision(verdict, client, contract, category, team, reasons, actions, question) {
    return {
      verdict: verdict,
      client: client,
      contract: contract,
      category: category,
      team: team,
      reasons: reasons.map(function (r) { return { code: r[0], text: r[1] }; }),
      actions: actions.slice(),
      question: question === undefined ? null : question,
      candidates: []  /* only step 1 lists candidates (Say.uncertainClient) */
    };
  }

  function assign(target, source) {
    Object.keys(source || {}).forEach(function (key) { target[key] = source[key]; });
    return target;
  }

  /* Builds decisions in one language for one client and request. */
  function Say(data, req, slug, clientName) {
    this.data = data;
    this.req = req;
    this.slug = slug;
    this.clientName = clientName;
    this.catalog = catalogById(data);
  }

  Say.prototype.text = function (key, fields) {
    return message(this.data, key, fields);
  };

  /* ' (phone)' when the team has one, as model.Team.phone_suffix. */
  function phoneSuffix(team) {
    return team.phone ? ' (' + team.phone + ')' : '';
  }

  Say.prototype.teamFields = function (teamId) {
    var team = this.data.teams[teamId];
    return { team: team.name, phone: phoneSuffix(team) };
  };

  Say.prototype.label = function (category) {
    return this.catalog[category].label;
  };

  Say.prototype.noContract = function (code, fields) {
    var team = this.data.defaults.escalation;
    var actions = [this.text('action.record'), this.text('action.follow-up'),
      this.text('action.escalate', this.teamFields(team))];
    return Decision('no-contract', this.slug, null, null, team,
      [[code, this.text('reason.' + code, fields)]], actions);
  };

  Say.prototype.outOfScope = function (contract, category, code, key, fields) {
    var self = this;
    var team = contract.escalate_to || this.data.defaults.escalation;
    var actions = [this.text('action.record'), this.text('action.follow-up'),
      this.text('action.escalate', this.teamFields(team))];
    contract.may_propose.forEach(function (p) { actions.push(self.text('action.propose.' + p)); });
    if (!contract.may_propose.length) {
      actions.push(this.text('action.propose.none', { team: this.data.teams[team].name }));
    }
    var reason = [code, this.text('reason.' + (key || code), assign({ contract: contract.id }, fields))];
    return Decision('out-of-scope', this.slug, contract.id, category, team, [reason], actions);
  };

  Say.prototype.ask = function (contract, category, code, questionKey, fields) {
    var question = this.text(questionKey, fields);
    var reason = [code, this.text('reason.' + code, assign({ contract: contract.id }, fields))];
    var actions = [this.text('action.record'), this.text('action.ask', { question: question }),
      this.text('action.recheck')];
    return Decision('ask', this.slug, contract.id, category, null, [reason], actions, question);
  };

  /* Step 1 when CLIENT names no client but may mean some: ask which. `candidates`: [slug, name] pairs. */
  Say.prototype.uncertainClient = function (candidates) {
    var self = this;
    var names = candidates.map(function (c) {
      return self.text('question.client-candidate', { name: c[1], slug: c[0] });
    }).join(this.text('word.list-sep'));
    var question = this.text('question.client', { candidates: names });
    var reason = ['client-uncertain', this.text('reason.client-uncertain', { client: this.req.client })];
    var actions = [this.text('action.record'), this.text('action.ask', { question: question }),
      this.text('action.recheck')];
    var decision = Decision('ask', this.slug, null, null, null, [reason], actions, question);
    decision.candidates = candidates.map(function (c) { return { client: c[0], name: c[1] }; });
    return decision;
  };

  Say.prototype.covered = function (contract, entry) {
    var self = this;
    var installing = this.req.kind === 'installation';
    var verdict, team, actions;
    if (entry.level === 'n2') {
      verdict = 'route'; team = entry.team; actions = ['action.route'];
    } else if (installing && !contract.remote_installation) {
      verdict = 'route'; team = this.data.defaults.installation; actions = ['action.route-install'];
    } else if (installing) {
      verdict = 'handle'; team = 'helpdesk'; actions = ['action.install-by-phone'];
    } else {
      verdict = 'handle'; team = 'helpdesk'; actions = ['action.diagnose'];
    }
    var texts = [this.text('action.record')].concat(actions.map(function (k) {
      return self.text(k, self.teamFields(team));
    }));
    var reason = ['in-scope', this.text('reason.in-scope', {
      category: this.label(entry.category), contract: contract.id, level: entry.level.toUpperCase()
    })];
    return Decision(verdict, this.slug, contract.id, entry.category, team, [reason], texts);
  };

  function localToday() {
    var now = new Date();
    function two(n) { return (n < 10 ? '0' : '') + n; }
    return now.getFullYear() + '-' + two(now.getMonth() + 1) + '-' + two(now.getDate());
  }

  /* The request with decide.py's defaults: kind incident, date today, the page's client. */
  function normalizeRequest(data, request) {
    request = request || {};
    return {
      client: request.client === undefined || request.client === null ? data.client.slug : request.client,
      date: request.date || localToday(),
      kind: request.kind || 'incident',
      item: request.item === undefined ? null : request.item,
      asset: request.asset === undefined ? null : request.asset,
      acquired: request.acquired || null
    };
  }

  /* The verdict for `request`, in the order of the spec: the first step that decides wins.
   * Returns the object `Decision.as_json()` gives in Python. */
  function decide(data, request) {
    var req = normalizeRequest(data, request);
    var known = data.client.names.indexOf(normalForm(req.client)) >= 0;
    // Step 1: no contract names this client. A page knows one client, its own: the only one CLIENT may
    // mean here (`scopekb check` looks at them all).
    if (!known) {
      var stranger = new Say(data, req, slugify(req.client), req.client);
      if (mayMean(data.client.names, req.client)) {
        return stranger.uncertainClient([[data.client.slug, data.client.name]]);
      }
      return stranger.noContract('no-contract', { client: req.client });
    }
    var client = data.client;
    var say = new Say(data, req, client.slug, client.name);
    // Step 2: none of its contracts is in force on the date.
    var active = data.contracts.filter(function (c) { return inForce(c, req.date); });
    if (!active.length) {
      return say.noContract('contract-inactive', { client: client.name, date: req.date });
    }
    // Step 3: what the request is about, reported against the first contract in force.
    var first = active[0];
    var subject;
    if (req.asset && strip(req.asset)) {
      var asset = findAsset(active, strip(req.asset));
      if (asset === null) {
        return say.outOfScope(first, null, 'asset-unknown', null,
          { asset: strip(req.asset), client: client.name });
      }
      subject = { category: asset.category, asset: asset, item: null };
    } else if (req.item && strip(req.item)) {
      var match = bestMatch(req.item, candidates(data, active));
      if (match === null) {
        return say.outOfScope(first, null, 'not-in-perimeter', 'no-match', { text: strip(req.item) });
      }
      subject = { category: match.category, asset: match.asset,
                  item: match.scopeItem ? match.words.join(' ') : null };
    } else {
      return say.ask(first, null, 'subject-unknown', 'question.subject', {});
    }
    // Steps 4 to 7, for each contract in force, in id order.
    var outcomes = active.map(function (contract) { return steps4to7(say, contract, subject); });
    var preferences = [['handle', 'route'], ['ask']];
    for (var p = 0; p < preferences.length; p++) {
      for (var o = 0; o < outcomes.length; o++) {
        if (preferences[p].indexOf(outcomes[o].verdict) >= 0) { return outcomes[o]; }
      }
    }
    return outcomes[0];
  }

  function steps4to7(say, contract, subject) {
    var data = say.data;
    var req = say.req;
    var category = subject.category;
    var entry = pickEntry(contract, category, subject.item);
    if (entry === null) {
      return say.outOfScope(contract, category, 'not-in-perimeter', null, { category: say.label(category) });
    }
    if (contract.services.indexOf(req.kind) < 0) {
      return say.outOfScope(contract, category, 'service-not-covered', null,
        { kind: say.text('kind.' + req.kind) });
    }
    if (say.catalog[category].kind === 'hardware') {
      var own = subject.asset ? findAsset([contract], subject.asset.id) : null;
      if (contract.policy === 'listed' && own === null) {
        return say.outOfScope(contract, category, 'not-listed', null, {});
      }
      if (contract.policy === 'acquired-before-signature') {
        var asset = own || subject.asset;
        var acquired = (asset ? asset.acquired : null) || req.acquired;
        if (!acquired) {
          return say.ask(contract, category, 'acquisition-date-unknown', 'question.acquired',
            { signed: contract.signed });
        }
        if (acquired > contract.signed) {
          return say.outOfScope(contract, category, 'acquired-after-signature', null,
            { acquired: acquired, signed: contract.signed });
        }
      }
    }
    return say.covered(contract, entry);
  }

  // ------------------------------------------------------------- the form

  var KINDS = ['incident', 'installation', 'information', 'change'];
  var uid = 0;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) { return; }
      if (name === 'text') { node.textContent = value; } else { node.setAttribute(name, value === true ? '' : value); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function field(id, labelText, control, hint) {
    var hintNode = null;
    if (hint) {
      hintNode = el('p', { id: id + '-hint', class: 'scopekb-checker__hint', text: hint });
      control.setAttribute('aria-describedby', id + '-hint');
    }
    return el('div', { class: 'scopekb-checker__field' }, [
      el('label', { for: id, text: labelText }), control, hintNode
    ]);
  }

  /* What the subject field offers as the technician types: every text the engine knows, and the
   * client's equipment. In this order: the client's own (scope items, then its assets, which their id,
   * model, category label or keywords find), then the catalogue's categories in its scope, then the
   * others'. Each: {text, norm (normal forms it is found by), category, asset or null, group}. */
  function suggestionPool(data) {
    var byId = catalogById(data);
    var inScope = {};
    var seen = {};
    var pool = [];
    function addText(text, category, group) {
      if (!text || seen[text]) { return; }
      seen[text] = true;
      pool.push({ text: text, terms: [normalForm(text)], category: category, asset: null, group: group });
    }
    data.contracts.forEach(function (c) {
      c.scope.forEach(function (e) {
        inScope[e.category] = true;
        e.items.forEach(function (item) { addText(item, e.category, 0); });
      });
    });
    assets(data).forEach(function (a) {
      var category = byId[a.category];
      var texts = [a.id, a.model].concat(category ? [category.label].concat(category.keywords) : []);
      pool.push({ text: a.model ? a.id + ' · ' + a.model : a.id, category: a.category, asset: a, group: 0,
        terms: texts.filter(Boolean).map(normalForm) });
    });
    [1, 2].forEach(function (group) {
      data.catalog.forEach(function (cat) {
        if ((group === 1) !== !!inScope[cat.id]) { return; }
        addText(cat.label, cat.id, group);
        cat.keywords.forEach(function (keyword) { addText(keyword, cat.id, group); });
      });
    });
    pool.forEach(function (entry, order) {
      entry.order = order;
      entry.words = entry.terms.map(function (term) { return term.split(' '); });
    });
    return pool;
  }

  /* One edit turns `word` into `other` (scopekb.coverage.match.one_edit). */
  function oneEdit(word, other) {
    var a = word.length;
    var b = other.length;
    if (word === other || Math.abs(a - b) > 1) { return false; }
    var start = 0;
    while (start < Math.min(a, b) && word[start] === other[start]) { start++; }
    if (a === b) {
      if (word.slice(start + 1) === other.slice(start + 1)) { return true; }
      return start + 1 < a && word[start] === other[start + 1] && word[start + 1] === other[start] &&
        word.slice(start + 2) === other.slice(start + 2);
    }
    return a < b ? word.slice(start) === other.slice(start + 1) : word.slice(start + 1) === other.slice(start);
  }

  /* How a term (in normal form, and its words) answers the typed text: 0 it begins with the text, 1 a word
   * of it does, 2 every word typed begins one of its words, 3 the same with one edit to a word of 4
   * characters or more (as `scopekb check` finds clients); -1 it does not. */
  function answers(term, words, query, queryWords) {
    if (term.lastIndexOf(query, 0) === 0) { return 0; }
    if (term.indexOf(' ' + query) >= 0) { return 1; }
    var worst = 2;
    for (var q = 0; q < queryWords.length; q++) {
      var how = -1;
      for (var w = 0; w < words.length && how !== 2; w++) {
        if (words[w].lastIndexOf(queryWords[q], 0) === 0) { how = 2; }
        else if (queryWords[q].length >= 4 && oneEdit(queryWords[q], words[w])) { how = 3; }
      }
      if (how < 0) { return -1; }
      if (how > worst) { worst = how; }
    }
    return worst;
  }

  // Texts: the shorter first (what is typed is most of it); assets: in the order of the contracts.
  function length(entry) { return entry.asset ? 0 : entry.text.length; }

  /* The `limit` suggestions for `text`, best first: by group (the client's own first), by how they
   * answer it, shorter first, then in the pool's order. Empty text: the first of the pool. */
  function suggest(pool, text, limit) {
    var query = normalForm(text);
    if (!query) { return pool.slice(0, limit); }
    var queryWords = query.split(' ');
    var found = [];
    pool.forEach(function (entry) {
      var best = -1;
      for (var t = 0; t < entry.terms.length && best !== 0; t++) {
        var how = answers(entry.terms[t], entry.words[t], query, queryWords);
        if (how >= 0 && (best < 0 || how < best)) { best = how; }
      }
      if (best >= 0) { found.push({ entry: entry, how: best }); }
    });
    found.sort(function (x, y) {
      return (x.entry.group - y.entry.group) || (x.how - y.how) ||
        (length(x.entry) - length(y.entry)) || (x.entry.order - y.entry.order);
    });
    return found.slice(0, limit).map(function (hit) { return hit.entry; });
  }

  function assets(data) {
    var seen = {};
    var list = [];
    data.contracts.forEach(function (c) {
      c.equipment.forEach(function (a) {
        if (!seen[a.id]) { seen[a.id] = true; list.push(a); }
      });
    });
    return list;
  }

  // The checker's own look, kept with its code; colours come from the theme's variables.
  var STYLE = [
    '.scopekb-checker__form{display:grid;grid-template-columns:minmax(0,1fr);gap:.8em;margin:1em 0}',
    '.scopekb-checker__field label,.scopekb-checker__subject legend{display:block;font-weight:700}',
    '.scopekb-checker__subject{border:1px solid var(--md-default-fg-color--lighter,#bbb);',
    'border-radius:.2rem;padding:.4em .8em .8em;display:grid;grid-template-columns:minmax(0,1fr);gap:.6em;min-width:0}',
    '.scopekb-checker__hint{margin:.2em 0 0;font-size:.85em;color:var(--md-default-fg-color--light,#555)}',
    '.scopekb-checker input,.scopekb-checker select{font:inherit;color:var(--md-default-fg-color,#000);',
    'background:var(--md-default-bg-color,#fff);border:1px solid var(--md-default-fg-color--light,#666);',
    'border-radius:.2rem;padding:.3em .5em;box-sizing:border-box;width:24em;max-width:100%}',
    '.scopekb-checker input:focus,.scopekb-checker select:focus{outline:2px solid ',
    'var(--md-accent-fg-color,#526cfe);outline-offset:1px}',
    '.scopekb-checker__result{border-left:.4rem solid #757575;padding:.2em 1em;margin:1em 0;',
    'background:var(--md-code-bg-color,#f5f5f5)}',
    '.scopekb-checker__verdict{font-size:1.25em;margin:.5em 0}',
    '.scopekb-checker__facts{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em;margin:.5em 0}',
    '.scopekb-checker__facts dt{font-weight:700}.scopekb-checker__facts dd{margin:0}',
    '.scopekb-checker__heading{font-weight:700;margin:.8em 0 .2em}',
    '.scopekb-verdict--handle{border-left-color:#2e7d32}.scopekb-verdict--route{border-left-color:#1565c0}',
    '.scopekb-verdict--out-of-scope{border-left-color:#c62828}',
    '.scopekb-verdict--no-contract{border-left-color:#4e342e}.scopekb-verdict--ask{border-left-color:#f9a825}',
    '.scopekb-checker__announce{position:absolute;width:1px;height:1px;margin:-1px;padding:0;',
    'overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}',
    '.scopekb-checker__combobox{position:relative}',
    '.md-typeset ul.scopekb-checker__suggestions,.scopekb-checker__suggestions{position:absolute;z-index:3;',
    'left:0;top:100%;width:28em;max-width:100%;max-height:18em;overflow-y:auto;margin:.1em 0 0;padding:0;',
    'list-style:none;',
    'background:var(--md-default-bg-color,#fff);border:1px solid var(--md-default-fg-color--light,#666);',
    'border-radius:.2rem;box-shadow:0 .2em .6em rgba(0,0,0,.25)}',
    '.md-typeset ul.scopekb-checker__suggestions>li,.scopekb-checker__suggestions>li{margin:0;',
    'padding:.3em .6em;cursor:pointer;list-style:none}',
    '.scopekb-checker__suggestion[aria-selected="true"]{background:var(--md-accent-fg-color--transparent,#e8eefc);',
    'outline:2px solid var(--md-accent-fg-color,#1a55c4);outline-offset:-2px}',
    '.scopekb-checker__suggestion-text{display:block}',
    '.scopekb-checker__suggestion-note{display:block;font-size:.85em;color:var(--md-default-fg-color--light,#555)}',
    '@media print{.scopekb-checker{display:none}}'
  ].join('');

  function addStyle() {
    if (document.getElementById('scopekb-checker-style')) { return; }
    var style = el('style', { id: 'scopekb-checker-style' });
    style.textContent = STYLE;
    document.head.appendChild(style);
  }

  var MAX_SUGGESTED = 8;

  /* What the page's address asks of the checker, after '#' (the client finder writes it): a subject
   * (asset=ID or item=TEXT) and optionally kind, date and acquired, as in a query string; or 'check'
   * alone: the checker, ready for the subject. Null when it asks nothing of the checker. Not the id of
   * an element: the browser, scrolling to one as the page loads, would take the focus from the form. */
  function preset(hash) {
    var text = (hash || '').replace(/^#/, '');
    if (text === 'check') { return {}; }
    if (text.indexOf('=') < 0) { return null; }
    var params = new URLSearchParams(text);
    var found = {};
    ['kind', 'item', 'asset', 'date', 'acquired'].forEach(function (key) {
      if (params.has(key)) { found[key] = params.get(key); }
    });
    return Object.keys(found).length ? found : null;
  }

  function build(root, data, wanted) {
    addStyle();
    var labels = data.labels;
    var catalog = catalogById(data);
    var prefix = 'scopekb-checker-' + (uid++);
    var kind = el('select', { id: prefix + '-kind', name: 'kind', 'data-field': 'kind' },
      KINDS.map(function (k) { return el('option', { value: k, text: message(data, 'kind.' + k) }); }));
    var listId = prefix + '-suggestions';
    // A combobox (ARIA 1.2) rather than a datalist: it offers the client's equipment as well as texts,
    // ranks what the client has first, and works the same in every browser, keyboard first.
    var item = el('input', {
      id: prefix + '-item', name: 'item', type: 'text', autocomplete: 'off', spellcheck: 'false',
      'data-field': 'item', role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false',
      'aria-controls': listId
    });
    var list = el('ul', { id: listId, class: 'scopekb-checker__suggestions', role: 'listbox',
      'aria-label': labels.suggestions, hidden: true });
    var pool = suggestionPool(data);
    var assetOptions = [el('option', { value: '', text: labels['asset.none'] })].concat(
      assets(data).map(function (a) {
        var described = [a.id, a.model, catalog[a.category] ? catalog[a.category].label : a.category]
          .filter(Boolean).join(' · ');
        return el('option', { value: a.id, text: described });
      }));
    var asset = el('select', { id: prefix + '-asset', name: 'asset', 'data-field': 'asset' }, assetOptions);
    if (assetOptions.length === 1) { asset.disabled = true; }
    var date = el('input', { id: prefix + '-date', name: 'date', type: 'date', required: true,
      value: localToday(), 'data-field': 'date' });
    var acquired = el('input', { id: prefix + '-acquired', name: 'acquired', type: 'date',
      'data-field': 'acquired' });

    var itemField = field(item.id, labels.item, item, labels['item.hint']);
    itemField.classList.add('scopekb-checker__combobox');
    itemField.appendChild(list);
    var subject = el('fieldset', { class: 'scopekb-checker__subject' }, [
      el('legend', { text: labels.subject }), itemField, field(asset.id, labels.asset, asset)
    ]);
    var form = el('form', { class: 'scopekb-checker__form', 'aria-label': labels.title, novalidate: true }, [
      field(kind.id, labels.kind, kind), subject,
      field(date.id, labels.date, date), field(acquired.id, labels.acquired, acquired)
    ]);
    var result = el('div', { class: 'scopekb-checker__result', 'data-scopekb-result': '',
      role: 'region', 'aria-label': labels.verdict });
    // Screen readers hear the verdict, team and reason as they change, not the whole answer
    // at every keystroke; the answer itself stays in the page to be read at will.
    var announce = el('p', { class: 'scopekb-checker__announce', role: 'status', 'aria-live': 'polite',
      'aria-atomic': 'true' });

    function request() {
      return {
        kind: kind.value,
        item: item.value,
        asset: asset.value || null,
        date: date.value || localToday(),
        acquired: acquired.value || null
      };
    }

    function update() {
      var decision = decide(data, request());
      show(result, data, decision, catalog);
      announce.textContent = [message(data, 'verdict.' + decision.verdict),
        decision.team ? result.querySelector('[data-part="team"]').textContent : decision.question,
        decision.reasons[0].text].join(' — ');
    }

    // --- the subject's suggestions
    var offered = [];
    var active = -1;

    function highlight(n) {
      var options = list.children;
      if (active >= 0 && options[active]) { options[active].setAttribute('aria-selected', 'false'); }
      active = n;
      if (active >= 0 && options[active]) {
        options[active].setAttribute('aria-selected', 'true');
        item.setAttribute('aria-activedescendant', options[active].id);
        options[active].scrollIntoView({ block: 'nearest' });
      } else {
        item.removeAttribute('aria-activedescendant');
      }
    }

    function close() {
      offered = [];
      active = -1;
      list.textContent = '';
      list.hidden = true;
      item.setAttribute('aria-expanded', 'false');
      item.removeAttribute('aria-activedescendant');
    }

    function offer() {
      close();
      offered = suggest(pool, item.value, MAX_SUGGESTED);
      offered.forEach(function (entry, n) {
        var category = catalog[entry.category];
        var note = category ? category.label : '';
        if (entry.asset) {
          note = [labels['suggest.asset'], note, entry.asset.acquired ?
            labels['suggest.acquired'].replace('{date}', entry.asset.acquired) : ''].filter(Boolean).join(' · ');
        }
        var option = el('li', { id: listId + '-' + n, class: 'scopekb-checker__suggestion', role: 'option',
          'aria-selected': 'false', 'data-asset': entry.asset ? entry.asset.id : null }, [
          el('span', { class: 'scopekb-checker__suggestion-text', text: entry.text }),
          note ? el('span', { class: 'scopekb-checker__suggestion-note', text: note }) : null
        ]);
        // mousedown would take the focus from the field before the click chooses.
        option.addEventListener('mousedown', function (event) { event.preventDefault(); });
        option.addEventListener('click', function () { choose(n); });
        option.addEventListener('mousemove', function () { if (active !== n) { highlight(n); } });
        list.appendChild(option);
      });
      list.hidden = !offered.length;
      item.setAttribute('aria-expanded', offered.length ? 'true' : 'false');
    }

    // An asset chosen is the subject as --asset ID; a text, as --item TEXT.
    function choose(n) {
      var entry = offered[n < 0 ? 0 : n];
      if (!entry) { return; }
      if (entry.asset) {
        asset.value = entry.asset.id;
        item.value = '';
      } else {
        item.value = entry.text;
        asset.value = '';
      }
      close();
      update();
    }

    // The subject is an item or an asset, never both: picking one clears the other.
    item.addEventListener('input', function () {
      if (item.value) { asset.value = ''; }
      update();
      if (item.value) { offer(); } else { close(); }
    });
    item.addEventListener('keydown', function (event) {
      var open = !list.hidden;
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        if (!open) { offer(); }
        if (offered.length) {
          var last = offered.length - 1;
          highlight(event.key === 'ArrowDown' ? (active >= last ? 0 : active + 1) : (active <= 0 ? last : active - 1));
        }
      } else if (event.key === 'Enter' && open) {
        choose(active);
      } else if (event.key === 'Escape' && open) {
        close();
      } else {
        return;
      }
      event.preventDefault();
      // Material binds some keys to its own search; these are for the suggestions.
      event.stopPropagation();
    });
    item.addEventListener('blur', close);
    asset.addEventListener('change', function () { if (asset.value) { item.value = ''; } update(); });
    [kind, date, acquired].forEach(function (control) {
      control.addEventListener('input', update);
      control.addEventListener('change', update);
    });
    form.addEventListener('submit', function (event) { event.preventDefault(); update(); });

    // What the address asks for (the client finder's link): the form filled in, the verdict shown.
    var focus = null;
    if (wanted) {
      if (wanted.kind && KINDS.indexOf(wanted.kind) >= 0) { kind.value = wanted.kind; }
      if (wanted.date) { date.value = wanted.date; }
      if (wanted.acquired) { acquired.value = wanted.acquired; }
      var chosen = wanted.asset ? assets(data).filter(function (a) {
        return casefold(a.id) === casefold(strip(wanted.asset));
      })[0] : null;
      if (chosen) {
        asset.value = chosen.id;
        focus = asset;
      } else {
        item.value = wanted.item || '';
        focus = item;
      }
    }

    root.textContent = '';
    root.appendChild(form);
    root.appendChild(result);
    root.appendChild(announce);
    update();
    root.setAttribute('data-ready', 'true');
    if (focus) {
      // The checker's heading at the top of the window, below Material's header, which stays in view.
      var heading = document.getElementById('scopekb-check');
      var header = document.querySelector('.md-header');
      if (heading) {
        window.scrollTo(0, heading.getBoundingClientRect().top + window.pageYOffset -
          (header ? header.offsetHeight : 0) - 8);
      }
      focus.focus({ preventScroll: !!heading });
    }
  }

  function show(result, data, decision, catalog) {
    var labels = data.labels;
    var team = decision.team ? data.teams[decision.team] : null;
    result.setAttribute('data-verdict', decision.verdict);
    result.setAttribute('data-team', decision.team || '');
    result.setAttribute('data-contract', decision.contract || '');
    result.setAttribute('data-category', decision.category || '');
    result.setAttribute('data-reasons', decision.reasons.map(function (r) { return r.code; }).join(' '));
    result.className = 'scopekb-checker__result scopekb-verdict--' + decision.verdict;

    function row(name, key, value) {
      return [el('dt', { text: labels[key] }), el('dd', { 'data-part': name, text: value })];
    }
    var teamText = team ? team.name + phoneSuffix(team) : labels.none;
    var categoryText = decision.category && catalog[decision.category]
      ? catalog[decision.category].label : labels.none;
    var rows = [].concat(row('team', 'team', teamText),
      row('contract', 'contract', decision.contract || labels.none), row('category', 'category', categoryText));
    if (decision.question) { rows = rows.concat(row('question', 'question', decision.question)); }
    var facts = el('dl', { class: 'scopekb-checker__facts' }, rows);
    var parts = [
      el('p', { class: 'scopekb-checker__verdict', 'data-part': 'verdict' }, [
        el('strong', { text: message(data, 'verdict.' + decision.verdict) })
      ]),
      facts,
      el('p', { class: 'scopekb-checker__heading', text: labels.reasons }),
      el('ul', { 'data-part': 'reasons' }, decision.reasons.map(function (r) {
        return el('li', { 'data-code': r.code, text: r.text });
      }))
    ];
    parts.push(el('p', { class: 'scopekb-checker__heading', text: labels.actions }));
    parts.push(el('ol', { 'data-part': 'actions' }, decision.actions.map(function (a) {
      return el('li', { text: a });
    })));
    result.textContent = '';
    parts.forEach(function (p) { result.appendChild(p); });
  }

  /* The data `decide` works from on this page: the shared part and the page's client, merged;
   * null on a page without a checker. */
  function pageData() {
    var source = document.getElementById('scopekb-checker-data');
    var shared = window.scopekbCheckerShared;
    if (!source || !shared) { return null; }
    return assign(assign({}, shared), JSON.parse(source.textContent));
  }

  function start() {
    var root = document.getElementById('scopekb-checker');
    if (!root || root.getAttribute('data-ready') === 'true') { return; }
    var data = pageData();
    if (data) { build(root, data, preset(window.location.hash)); }
  }

  // A new address on the same page (a link to #asset=… followed from it): the form filled in anew.
  window.addEventListener('hashchange', function () {
    var root = document.getElementById('scopekb-checker');
    var wanted = preset(window.location.hash);
    var data = wanted && root && root.getAttribute('data-ready') === 'true' ? pageData() : null;
    if (data) { build(root, data, wanted); }
  });

  window.scopekbDecide = decide;
  window.scopekbChecker = { decide: decide, normalForm: normalForm, pageData: pageData, start: start,
    suggest: suggest, suggestionPool: suggestionPool, preset: preset, oneEdit: oneEdit };

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
  // Material's instant navigation swaps pages without reloading scripts.
  if (window.document$ && typeof window.document$.subscribe === 'function') {
    window.document$.subscribe(start);
  }
}());
