/* kgraid network viewer.
 * Reads the network from <script type="application/json" id="kgraid-data"> and draws it with
 * Cytoscape.js on a canvas at precomputed positions (no physics in the browser).
 * Safety: every label, sentence and title from the data is put in the page with textContent
 * (or as canvas text by Cytoscape), never as markup; links are built only from checked
 * Wikidata ids. */
(function () {
  'use strict';

  var t0 = performance.now();
  var data = JSON.parse(document.getElementById('kgraid-data').textContent);
  performance.mark('kgraid:parsed');
  var nodes = data.nodes;
  var edges = data.edges;
  var BIG = nodes.length > 1000;
  var firstDraw = null;

  var typeInfo = {};
  data.types.forEach(function (t) { typeInfo[t.name] = t; });
  var kindInfo = {};
  data.kinds.forEach(function (k) { kindInfo[k.name] = k; });

  // ------------------------------------------------------------------ DOM helpers
  function $(id) { return document.getElementById(id); }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function swatch(colour) {
    var s = el('span', null, 'swatch');
    s.style.background = colour;
    return s;
  }

  // ------------------------------------------------------------------ sizes
  var maxDeg = 0, maxAc = 0;
  nodes.forEach(function (n) { maxDeg = Math.max(maxDeg, n.deg); maxAc = Math.max(maxAc, n.ac); });
  function nodeSize(n, mode) {
    var v = mode === 'articles' ? n.ac : n.deg;
    var m = mode === 'articles' ? maxAc : maxDeg;
    return (BIG ? 6 : 12) + (BIG ? 24 : 30) * Math.sqrt(m > 0 ? v / m : 0);
  }

  // ------------------------------------------------------------------ elements
  var elements = [];
  nodes.forEach(function (n, i) {
    elements.push({
      group: 'nodes',
      data: { id: n.id, i: i, label: n.l || '', colour: (typeInfo[n.t] || {}).colour || '#888888',
              size: nodeSize(n, data.sizeBy) },
      position: { x: n.x, y: n.y }
    });
  });
  edges.forEach(function (e, j) {
    elements.push({
      group: 'edges',
      data: { id: 'e' + j, j: j, source: nodes[e.s].id, target: nodes[e.t].id,
              label: e.l || '', colour: (kindInfo[e.k] || {}).colour || '#999999',
              width: Math.min(1 + Math.log(1 + e.w) * 1.5, 8) }
    });
  });

  performance.mark('kgraid:elements');
  var cy = cytoscape({
    container: $('cy'),
    elements: elements,
    layout: { name: 'preset', fit: true, padding: 30 },
    style: [
      { selector: 'node', style: {
        'background-color': 'data(colour)', 'width': 'data(size)', 'height': 'data(size)',
        'label': 'data(label)', 'font-size': 11, 'color': '#222', 'text-valign': 'bottom',
        'text-margin-y': 3, 'text-wrap': 'ellipsis', 'text-max-width': 180,
        'min-zoomed-font-size': BIG ? 10 : 0,
        'text-outline-color': '#ffffff', 'text-outline-width': BIG ? 0 : 2 } },
      { selector: 'node:selected', style: { 'border-width': 4, 'border-color': '#111' } },
      { selector: 'edge', style: {
        'width': 'data(width)', 'line-color': 'data(colour)', 'opacity': 0.65,
        'curve-style': BIG ? 'haystack' : 'bezier',
        'target-arrow-shape': BIG ? 'none' : 'triangle', 'target-arrow-color': 'data(colour)',
        'arrow-scale': 0.8,
        'label': BIG ? '' : 'data(label)', 'font-size': 9, 'color': '#555',
        'text-rotation': 'autorotate', 'min-zoomed-font-size': 7,
        'text-background-color': '#ffffff', 'text-background-opacity': BIG ? 0 : 0.8 } },
      { selector: 'edge.show-label', style: { 'label': 'data(label)', 'opacity': 0.95 } },
      { selector: 'edge:selected', style: { 'width': 5, 'opacity': 1 } },
      { selector: '.faded', style: { 'opacity': 0.12, 'text-opacity': 0 } },
      { selector: '.hidden', style: { 'display': 'none' } }
    ],
    minZoom: 0.005,
    maxZoom: 12,
    boxSelectionEnabled: false,
    selectionType: 'single',
    pixelRatio: BIG ? 1 : 'auto',
    hideEdgesOnViewport: BIG,
    textureOnViewport: BIG,
    motionBlur: false
  });
  performance.mark('kgraid:created');
  cy.one('render', function () {
    performance.mark('kgraid:drawn');
    firstDraw = performance.now();
    document.body.setAttribute('data-drawn', String(Math.round(firstDraw - t0)));
  });

  // ------------------------------------------------------------------ side panel
  $('title').textContent = data.title || 'kgraid network';
  function summary() {
    var shown = cy.nodes().filter(function (n) { return !n.hasClass('hidden'); }).length;
    $('summary').textContent = nodes.length + ' nodes, ' + edges.length + ' edges, ' +
      data.articles.length + ' articles' + (shown !== nodes.length ? ' (showing ' + shown + ' nodes)' : '');
  }

  var typeCounts = {};
  nodes.forEach(function (n) { typeCounts[n.t] = (typeCounts[n.t] || 0) + 1; });
  var typeBoxes = [];
  data.types.forEach(function (t) {
    var label = el('label', null, 'type-row');
    var box = el('input');
    box.type = 'checkbox';
    box.checked = true;
    box.value = t.name;
    box.addEventListener('change', applyFilters);
    typeBoxes.push(box);
    label.appendChild(box);
    label.appendChild(swatch(t.colour));
    label.appendChild(document.createTextNode(t.label + ' (' + (typeCounts[t.name] || 0) + ')'));
    $('types').appendChild(label);
  });

  var minDate = '', maxDate = '';
  nodes.forEach(function (n) {
    if (n.f && (!minDate || n.f < minDate)) { minDate = n.f; }
    if (n.la && (!maxDate || n.la > maxDate)) { maxDate = n.la; }
  });
  $('from').value = minDate;
  $('to').value = maxDate;
  ['from', 'to', 'undated'].forEach(function (id) { $(id).addEventListener('change', applyFilters); });

  function inRange(first, last, from, to, undated) {
    if (!first && !last) { return undated; }
    var s = first || last, e = last || first;
    if (from && e < from) { return false; }
    if (to && s > to) { return false; }
    return true;
  }

  function applyFilters() {
    var from = $('from').value, to = $('to').value, undated = $('undated').checked;
    var enabled = {};
    typeBoxes.forEach(function (b) { enabled[b.value] = b.checked; });
    cy.batch(function () {
      cy.nodes().forEach(function (n) {
        var d = nodes[n.data('i')];
        if (enabled[d.t] && inRange(d.f, d.la, from, to, undated)) { n.removeClass('hidden'); }
        else { n.addClass('hidden'); }
      });
      cy.edges().forEach(function (e) {
        var d = edges[e.data('j')];
        if (inRange(d.f, d.la, from, to, undated)) { e.removeClass('hidden'); }
        else { e.addClass('hidden'); }
      });
    });
    summary();
    runSearch();
  }

  $('sizeby').value = data.sizeBy === 'articles' ? 'articles' : 'degree';
  $('sizeby').addEventListener('change', function () {
    var mode = $('sizeby').value;
    cy.batch(function () {
      cy.nodes().forEach(function (n) { n.data('size', nodeSize(nodes[n.data('i')], mode)); });
    });
  });
  $('fit').addEventListener('click', function () { cy.fit(cy.elements(':visible'), 30); });

  // ------------------------------------------------------------------ search
  var names = nodes.map(function (n) {
    return [n.l || ''].concat(n.ls || []).map(function (s) { return String(s).toLowerCase(); });
  });
  function matches(query) {
    var q = query.trim().toLowerCase();
    if (!q) { return []; }
    var found = [];
    for (var i = 0; i < nodes.length; i++) {
      var best = 0;
      for (var k = 0; k < names[i].length; k++) {
        var s = names[i][k];
        var score = s === q ? 3 : (s.indexOf(q) === 0 || s.indexOf(' ' + q) >= 0 ||
                                   s.indexOf('-' + q) >= 0) ? 2 : s.indexOf(q) >= 0 ? 1 : 0;
        if (score > best) { best = score; }
      }
      if (best > 0 && !cy.getElementById(nodes[i].id).hasClass('hidden')) {
        found.push([best, nodes[i].deg, i]);
      }
    }
    found.sort(function (a, b) {
      return b[0] - a[0] || b[1] - a[1] || (nodes[a[2]].l < nodes[b[2]].l ? -1 : 1);
    });
    return found.slice(0, 25).map(function (f) { return f[2]; });
  }
  var lastMatches = [];
  function runSearch() {
    lastMatches = matches($('search').value);
    var list = $('matches');
    clear(list);
    lastMatches.forEach(function (i) {
      var li = el('li');
      var b = el('button', nodes[i].l);
      b.type = 'button';
      b.insertBefore(swatch((typeInfo[nodes[i].t] || {}).colour || '#888'), b.firstChild);
      b.addEventListener('click', function () { focusNode(i); });
      li.appendChild(b);
      list.appendChild(li);
    });
  }
  $('search').addEventListener('input', runSearch);
  $('search').addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter') {
      runSearch();
      if (lastMatches.length) { focusNode(lastMatches[0]); }
    }
  });

  // ------------------------------------------------------------------ selection
  function focusNode(i) {
    var n = cy.getElementById(nodes[i].id);
    cy.$(':selected').unselect();
    n.select();
    cy.zoom(Math.max(cy.zoom(), BIG ? 1.0 : 1.2));
    cy.center(n);
    showNode(n);
  }

  function highlight(ele) {
    cy.batch(function () {
      cy.elements().removeClass('faded').removeClass('show-label');
      if (!ele) { return; }
      var keep = ele.isNode() ? ele.closedNeighborhood() : ele.union(ele.connectedNodes());
      cy.elements().not(keep).addClass('faded');
      keep.edges().addClass('show-label');
    });
  }

  function articleLine(ai) {
    var a = data.articles[ai];
    if (!a) { return 'unknown article'; }
    return (a.title ? a.title + ' \u2014 ' : '') + a.id + (a.date ? ', ' + a.date : '');
  }

  function evidenceList(edgeIdx, limit) {
    var seen = {};
    var box = el('div');
    var count = 0, more = 0;
    edgeIdx.forEach(function (j) {
      edges[j].ev.forEach(function (pair) {
        var key = pair[0] + ':' + pair[1];
        if (seen[key]) { return; }
        seen[key] = true;
        if (count >= limit) { more++; return; }
        count++;
        box.appendChild(el('blockquote', data.sentences[pair[0]]));
        box.appendChild(el('cite', articleLine(pair[1])));
      });
    });
    if (!count) { box.appendChild(el('p', 'No evidence sentence.', 'muted')); }
    if (more) { box.appendChild(el('p', '\u2026 and ' + more + ' more', 'muted')); }
    return box;
  }

  function otherEnd(e, i) { return e.s === i ? e.t : e.s; }

  function showNode(n) {
    var i = n.data('i');
    var d = nodes[i];
    var box = $('details');
    clear(box);
    highlight(n);
    box.appendChild(el('h2', d.l));
    var t = typeInfo[d.t] || { label: d.t };
    box.appendChild(el('p', t.label + (d.st ? ' \u00b7 ' + d.st : ''), 'muted'));
    if (d.ls && d.ls.length > 1) {
      box.appendChild(el('h3', 'Labels'));
      box.appendChild(el('p', d.ls.join(' \u00b7 ')));
    }
    if (/^Q[1-9][0-9]*$/.test(d.wd || '')) {
      var p = el('p', 'Wikidata: ');
      var a = el('a', d.wd);
      a.href = 'https://www.wikidata.org/wiki/' + d.wd;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      p.appendChild(a);
      box.appendChild(p);
    }
    var dates = d.f ? (d.f === d.la ? d.f : d.f + ' \u2013 ' + d.la) : 'undated';
    box.appendChild(el('p', d.ac + ' article' + (d.ac === 1 ? '' : 's') + ' \u00b7 ' + dates +
      ' \u00b7 degree ' + d.deg + (d.cl ? ' \u00b7 ' + d.cl + ' claims' : ''), 'muted'));
    var incident = n.connectedEdges().map(function (e) { return e.data('j'); });
    if (incident.length) {
      box.appendChild(el('h3', 'Connections'));
      var ul = el('ul', null, 'plain');
      incident.slice(0, 80).forEach(function (j) {
        var e = edges[j];
        var other = otherEnd(e, i);
        var li = el('li');
        li.appendChild(document.createTextNode((e.s === i ? e.l + ' \u2192 ' : e.l + ' \u2190 ')));
        var b = el('button', nodes[other].l, 'link');
        b.type = 'button';
        b.addEventListener('click', function () { focusNode(other); });
        li.appendChild(b);
        if (e.w > 1) { li.appendChild(el('span', ' \u00d7' + e.w, 'muted')); }
        ul.appendChild(li);
      });
      if (incident.length > 80) { ul.appendChild(el('li', '\u2026 ' + (incident.length - 80) + ' more', 'muted')); }
      box.appendChild(ul);
    }
    box.appendChild(el('h3', 'Evidence'));
    box.appendChild(evidenceList(incident, 60));
    if (d.a && d.a.length) {
      box.appendChild(el('h3', 'Articles'));
      var al = el('ul', null, 'plain');
      d.a.slice(0, 50).forEach(function (ai) { al.appendChild(el('li', articleLine(ai))); });
      box.appendChild(al);
    }
  }

  function showEdge(e) {
    var j = e.data('j');
    var d = edges[j];
    var box = $('details');
    clear(box);
    highlight(e);
    box.appendChild(el('h2', nodes[d.s].l + ' \u2192 ' + nodes[d.t].l));
    box.appendChild(el('p', ((kindInfo[d.k] || {}).label || d.k) + ': ' + d.l +
      (d.w > 1 ? ' \u00b7 weight ' + d.w : '') +
      (d.f ? ' \u00b7 ' + (d.f === d.la ? d.f : d.f + ' \u2013 ' + d.la) : ''), 'muted'));
    if (d.stm && d.stm.length) {
      box.appendChild(el('h3', 'Statements'));
      var ul = el('ul', null, 'plain');
      d.stm.forEach(function (s) { ul.appendChild(el('li', s)); });
      box.appendChild(ul);
    }
    box.appendChild(el('h3', 'Evidence'));
    box.appendChild(evidenceList([j], 60));
  }

  cy.on('tap', 'node', function (ev) { showNode(ev.target); });
  cy.on('tap', 'edge', function (ev) { showEdge(ev.target); });
  cy.on('tap', function (ev) {
    if (ev.target === cy) { clear($('details')); highlight(null); }
  });

  summary();

  // ------------------------------------------------------------------ read-only hooks
  // For tests and benchmarks: every answer is read from Cytoscape's own element data.
  window.kgraidNetwork = Object.freeze({
    nodeCount: function () { return cy.nodes().length; },
    edgeCount: function () { return cy.edges().length; },
    drawnNodeCount: function () {
      return cy.nodes().filter(function (n) { return n.visible(); }).length;
    },
    selectedIds: function () { return cy.$(':selected').map(function (e) { return e.id(); }); },
    renderedPosition: function (id) {
      var p = cy.getElementById(id).renderedPosition();
      return { x: p.x, y: p.y };
    },
    // milliseconds from navigation start (performance.timeOrigin) to the first frame drawn
    firstDrawMs: function () { return firstDraw; },
    scriptMs: function () { return firstDraw === null ? null : firstDraw - t0; },
    drawn: function () { return firstDraw !== null; }
  });
}());
