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
      candidates: []  /* only step 1 lists candidates, and a client page answers for its own client */
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
    // Step 1: no contract names this client.
    if (!known) {
      var stranger = new Say(data, req, slugify(req.client), req.client);
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

  /* Every text a caller may say that the engine knows, for the item's suggestions. */
  function suggestions(data) {
    var seen = {};
    var list = [];
    function add(text) {
      if (text && !seen[text]) { seen[text] = true; list.push(text); }
    }
    data.contracts.forEach(function (c) {
      c.scope.forEach(function (e) { e.items.forEach(add); });
    });
    data.contracts.forEach(function (c) { c.equipment.forEach(function (a) { add(a.model); }); });
    data.catalog.forEach(function (cat) { add(cat.label); });
    data.catalog.forEach(function (cat) { cat.keywords.forEach(add); });
    return list;
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
    '@media print{.scopekb-checker{display:none}}'
  ].join('');

  function addStyle() {
    if (document.getElementById('scopekb-checker-style')) { return; }
    var style = el('style', { id: 'scopekb-checker-style' });
    style.textContent = STYLE;
    document.head.appendChild(style);
  }

  function build(root, data) {
    addStyle();
    var labels = data.labels;
    var catalog = catalogById(data);
    var prefix = 'scopekb-checker-' + (uid++);
    var kind = el('select', { id: prefix + '-kind', name: 'kind', 'data-field': 'kind' },
      KINDS.map(function (k) { return el('option', { value: k, text: message(data, 'kind.' + k) }); }));
    var listId = prefix + '-items';
    var item = el('input', {
      id: prefix + '-item', name: 'item', type: 'text', list: listId, autocomplete: 'off',
      spellcheck: 'false', 'data-field': 'item'
    });
    var datalist = el('datalist', { id: listId },
      suggestions(data).map(function (text) { return el('option', { value: text }); }));
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

    var subject = el('fieldset', { class: 'scopekb-checker__subject' }, [
      el('legend', { text: labels.subject }),
      field(item.id, labels.item, item, labels['item.hint']), datalist,
      field(asset.id, labels.asset, asset)
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

    // The subject is an item or an asset, never both: picking one clears the other.
    item.addEventListener('input', function () { if (item.value) { asset.value = ''; } update(); });
    asset.addEventListener('change', function () { if (asset.value) { item.value = ''; } update(); });
    [kind, date, acquired].forEach(function (control) {
      control.addEventListener('input', update);
      control.addEventListener('change', update);
    });
    form.addEventListener('submit', function (event) { event.preventDefault(); update(); });

    root.textContent = '';
    root.appendChild(form);
    root.appendChild(result);
    root.appendChild(announce);
    update();
    root.setAttribute('data-ready', 'true');
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
    if (data) { build(root, data); }
  }

  window.scopekbDecide = decide;
  window.scopekbChecker = { decide: decide, normalForm: normalForm, pageData: pageData, start: start };

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
