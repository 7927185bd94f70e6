/* kgraid network viewer.
 * Reads the network from <script type="application/json" id="kgraid-data"> and draws it with
 * Sigma.js (WebGL) over a Graphology graph, at precomputed positions: no physics runs in the
 * browser, so thousands of nodes stay fluid.
 * Safety: every label, sentence and title from the data reaches the page through textContent
 * (or as canvas text drawn by Sigma), never as markup; the only link built is to Wikidata,
 * from an id checked against /^Q[1-9][0-9]*$/. */
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
  var kindRank = {};
  data.kinds.forEach(function (k, i) { kindInfo[k.name] = k; kindRank[k.name] = i; });

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
  function typeColour(t) { return (typeInfo[t] || {}).colour || '#888888'; }

  // ------------------------------------------------------------------ sizes
  var maxDeg = 0, maxAc = 0;
  nodes.forEach(function (n) { maxDeg = Math.max(maxDeg, n.deg); maxAc = Math.max(maxAc, n.ac); });
  function nodeSize(n, mode) {
    var v = mode === 'articles' ? n.ac : n.deg;
    var m = mode === 'articles' ? maxAc : maxDeg;
    return (BIG ? 2.5 : 5) + (BIG ? 12 : 16) * Math.sqrt(m > 0 ? v / m : 0);
  }

  // ------------------------------------------------------------------ drawn edges
  // One drawn edge per pair of nodes; it stands for every fact (and co-mention) between them.
  var pairs = {};
  var drawnEdges = [];
  edges.forEach(function (e, j) {
    var key = Math.min(e.s, e.t) + '|' + Math.max(e.s, e.t);
    var d = pairs[key];
    if (d === undefined) {
      d = pairs[key] = drawnEdges.length;
      drawnEdges.push({ s: e.s, t: e.t, members: [] });
    }
    drawnEdges[d].members.push(j);
  });
  function drawnAttributes(d) {
    var members = d.members.slice().sort(function (a, b) {
      return kindRank[edges[a].k] - kindRank[edges[b].k];
    });
    var facts = members.filter(function (j) { return edges[j].k !== 'co-mention'; });
    var main = edges[members[0]];
    var labels = [], weight = 0;
    members.forEach(function (j) { weight += edges[j].w; });
    facts.forEach(function (j) {
      if (labels.indexOf(edges[j].l) < 0) { labels.push(edges[j].l); }
    });
    var directed = facts.length > 0 && facts.every(function (j) { return edges[j].s === main.s; });
    d.s = main.s;
    d.t = main.t;
    return {
      size: BIG ? Math.min(0.3 + 0.4 * Math.log(1 + weight), 2)
                : Math.min(0.6 + Math.log(1 + weight), 5),
      color: (kindInfo[main.k] || {}).colour || '#cccccc',
      label: labels.join('; '),   // co-mention-only edges: their grey says it, no label
      type: directed && !BIG ? 'arrow' : 'line'
    };
  }

  // ------------------------------------------------------------------ graph
  var graph = new graphology.Graph({ type: 'directed', multi: false, allowSelfLoops: true });
  nodes.forEach(function (n, i) {
    graph.addNode(String(i), { x: n.x, y: -n.y, size: nodeSize(n, data.sizeBy),
                               color: typeColour(n.t), label: n.l || '' });
  });
  drawnEdges.forEach(function (d, k) {
    var attrs = drawnAttributes(d);
    graph.addDirectedEdgeWithKey(String(k), String(d.s), String(d.t), attrs);
  });
  performance.mark('kgraid:graph');

  var hiddenNode = new Uint8Array(nodes.length);
  var hiddenEdge = new Uint8Array(edges.length);
  var selected = -1;
  var neighbours = {};

  function nodeReducer(key, attrs) {
    var i = +key;
    if (hiddenNode[i]) { return { hidden: true, x: attrs.x, y: attrs.y, size: attrs.size }; }
    if (selected < 0) { return attrs; }
    if (i === selected) {
      return Object.assign({}, attrs, { highlighted: true, forceLabel: true, zIndex: 2 });
    }
    if (neighbours[i]) { return Object.assign({}, attrs, { forceLabel: true, zIndex: 1 }); }
    return BIG ? attrs : Object.assign({}, attrs, { color: '#e4e4e4', label: '', zIndex: 0 });
  }
  function edgeVisible(d) {
    var e = drawnEdges[d];
    if (hiddenNode[e.s] || hiddenNode[e.t]) { return false; }
    for (var k = 0; k < e.members.length; k++) {
      if (!hiddenEdge[e.members[k]]) { return true; }
    }
    return false;
  }
  function edgeReducer(key, attrs) {
    var d = +key;
    if (!edgeVisible(d)) { return Object.assign({}, attrs, { hidden: true }); }
    if (selected < 0) { return attrs; }
    var e = drawnEdges[d];
    if (e.s === selected || e.t === selected) {
      return Object.assign({}, attrs, { forceLabel: true, zIndex: 1,
                                        size: BIG ? Math.max(attrs.size, 2) : attrs.size });
    }
    return BIG ? attrs : Object.assign({}, attrs, { color: '#f0f0f0', label: '' });
  }

  var renderer = null;
  function refresh() { if (renderer) { renderer.refresh(); } }

  // ------------------------------------------------------------------ side panel
  $('title').textContent = data.title || 'kgraid network';
  function shownCount() {
    var c = 0;
    for (var i = 0; i < nodes.length; i++) { if (!hiddenNode[i]) { c++; } }
    return c;
  }
  function summary() {
    var shown = shownCount();
    $('summary').textContent = nodes.length + ' nodes, ' + edges.length + ' edges, ' +
      data.articles.length + ' articles' +
      (shown !== nodes.length ? ' (showing ' + shown + ' nodes)' : '');
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
  // Edge kinds: a legend that filters. Past 6,000 edges the co-mentions start hidden: they
  // are most of the edges and would dominate both the picture and the drawing time.
  var kindCounts = {};
  edges.forEach(function (e) { kindCounts[e.k] = (kindCounts[e.k] || 0) + 1; });
  var kindBoxes = [];
  data.kinds.forEach(function (k) {
    var label = el('label', null, 'type-row');
    var box = el('input');
    box.type = 'checkbox';
    box.checked = !(k.name === 'co-mention' && edges.length > 6000);
    box.value = k.name;
    box.addEventListener('change', applyFilters);
    kindBoxes.push(box);
    var bar = el('span', null, 'bar');
    bar.style.background = k.colour;
    label.appendChild(box);
    label.appendChild(bar);
    label.appendChild(document.createTextNode(k.label + ' (' + (kindCounts[k.name] || 0) + ')'));
    $('kinds').appendChild(label);
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
    var enabled = {}, kinds = {};
    typeBoxes.forEach(function (b) { enabled[b.value] = b.checked; });
    kindBoxes.forEach(function (b) { kinds[b.value] = b.checked; });
    nodes.forEach(function (d, i) {
      hiddenNode[i] = enabled[d.t] && inRange(d.f, d.la, from, to, undated) ? 0 : 1;
    });
    edges.forEach(function (d, j) {
      hiddenEdge[j] = kinds[d.k] && inRange(d.f, d.la, from, to, undated) ? 0 : 1;
    });
    if (selected >= 0 && hiddenNode[selected]) { select(-1); }
    refresh();
    summary();
    runSearch();
  }

  $('sizeby').value = data.sizeBy === 'articles' ? 'articles' : 'degree';
  $('sizeby').addEventListener('change', function () {
    var mode = $('sizeby').value;
    graph.updateEachNodeAttributes(function (key, attrs) {
      attrs.size = nodeSize(nodes[+key], mode);
      return attrs;
    }, { attributes: ['size'] });
  });
  $('fit').addEventListener('click', function () {
    if (renderer) { renderer.getCamera().animatedReset({ duration: 300 }); }
  });

  applyFilters();

  // ------------------------------------------------------------------ renderer
  try {
    renderer = new Sigma(graph, $('cy'), {
      nodeReducer: nodeReducer,
      edgeReducer: edgeReducer,
      zIndex: true,
      renderEdgeLabels: !BIG,
      enableEdgeEvents: !BIG,
      hideEdgesOnMove: BIG,
      hideLabelsOnMove: BIG,
      labelFont: 'system-ui, "DejaVu Sans", Arial, sans-serif',
      labelSize: 12,
      labelColor: { color: '#222222' },
      edgeLabelFont: 'system-ui, "DejaVu Sans", Arial, sans-serif',
      edgeLabelSize: 10,
      edgeLabelColor: { color: '#666666' },
      labelRenderedSizeThreshold: BIG ? 7 : 0,
      labelDensity: BIG ? 0.6 : 2,
      defaultEdgeType: 'line',
      minCameraRatio: 0.005,
      maxCameraRatio: 20,
      stagePadding: 40
    });
  } catch (err) {
    var note = el('p', 'This view needs WebGL, which this browser did not provide: ' +
                  String(err && err.message ? err.message : err), 'muted');
    note.style.padding = '2em';
    $('cy').appendChild(note);
  }
  performance.mark('kgraid:created');
  if (renderer) {
    // Sigma draws its first frame inside the constructor; the next animation frame is the
    // first one the browser paints with it.
    requestAnimationFrame(function () {
      performance.mark('kgraid:drawn');
      firstDraw = performance.now();
      document.body.setAttribute('data-drawn', String(Math.round(firstDraw - t0)));
    });
  }

  // ------------------------------------------------------------------ search
  var names = nodes.map(function (n) {
    return [n.l || ''].concat(n.ls || []).map(function (s) { return String(s).toLowerCase(); });
  });
  function matches(query) {
    var q = query.trim().toLowerCase();
    if (!q || !names) { return []; }
    var found = [];
    for (var i = 0; i < nodes.length; i++) {
      if (hiddenNode[i]) { continue; }
      var best = 0;
      for (var k = 0; k < names[i].length; k++) {
        var s = names[i][k];
        var score = s === q ? 3 : (s.indexOf(q) === 0 || s.indexOf(' ' + q) >= 0 ||
                                   s.indexOf('-' + q) >= 0) ? 2 : s.indexOf(q) >= 0 ? 1 : 0;
        if (score > best) { best = score; }
      }
      if (best > 0) { found.push([best, nodes[i].deg, i]); }
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
      b.insertBefore(swatch(typeColour(nodes[i].t)), b.firstChild);
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
  function select(i) {
    var before = selected;
    selected = i;
    neighbours = {};
    if (i >= 0) {
      graph.forEachNeighbor(String(i), function (key) { neighbours[+key] = true; });
    }
    if (!renderer) { return; }
    if (!BIG) { renderer.refresh(); return; }
    // Large graphs: only the old and the new neighbourhoods change (nothing is faded), so
    // refresh just those nodes and edges; positions are unchanged, so skip re-indexing.
    var keys = {}, edgeKeys = {};
    [before, i].forEach(function (n) {
      if (n < 0) { return; }
      keys[n] = true;
      graph.forEachNeighbor(String(n), function (key) { keys[key] = true; });
      graph.forEachEdge(String(n), function (key) { edgeKeys[key] = true; });
    });
    renderer.refresh({ partialGraph: { nodes: Object.keys(keys), edges: Object.keys(edgeKeys) },
                       skipIndexation: true });
  }

  function focusNode(i) {
    select(i);
    if (renderer) {
      var dd = renderer.getNodeDisplayData(String(i));
      var camera = renderer.getCamera();
      camera.setState({ x: dd.x, y: dd.y, ratio: Math.min(camera.ratio, BIG ? 0.2 : 0.7) });
    }
    showNode(i);
  }

  function articleLine(ai) {
    var a = data.articles[ai];
    if (!a) { return 'unknown article'; }
    return (a.title ? a.title + ' \u2014 ' : '') + a.id + (a.date ? ', ' + a.date : '');
  }

  function evidenceList(edgeIdx, limit) {
    var seen = {};
    var box = el('div', null, 'evidence');
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

  var incidentCache = null;
  function incident(i) {
    if (!incidentCache) {
      incidentCache = nodes.map(function () { return []; });
      edges.forEach(function (e, j) {
        incidentCache[e.s].push(j);
        if (e.t !== e.s) { incidentCache[e.t].push(j); }
      });
    }
    return incidentCache[i].filter(function (j) {
      var e = edges[j];
      return !hiddenEdge[j] && !hiddenNode[e.s] && !hiddenNode[e.t];
    });
  }

  function dateText(f, la) {
    return f ? (f === la || !la ? f : f + ' \u2013 ' + la) : 'undated';
  }

  function showNode(i) {
    var d = nodes[i];
    var box = $('details');
    clear(box);
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
    box.appendChild(el('p', d.ac + ' article' + (d.ac === 1 ? '' : 's') + ' \u00b7 ' +
      dateText(d.f, d.la) + ' \u00b7 degree ' + d.deg + (d.cl ? ' \u00b7 ' + d.cl + ' claims' : ''),
      'muted'));
    var inc = incident(i).sort(function (a, b) {
      return kindRank[edges[a].k] - kindRank[edges[b].k] || edges[b].w - edges[a].w;
    });
    if (inc.length) {
      box.appendChild(el('h3', 'Connections'));
      var ul = el('ul', null, 'plain');
      inc.slice(0, 80).forEach(function (j) {
        var e = edges[j];
        var other = e.s === i ? e.t : e.s;
        var li = el('li');
        li.appendChild(document.createTextNode(e.s === i ? e.l + ' \u2192 ' : e.l + ' \u2190 '));
        var b = el('button', nodes[other].l, 'link');
        b.type = 'button';
        b.addEventListener('click', function () { focusNode(other); });
        li.appendChild(b);
        if (e.w > 1) { li.appendChild(el('span', ' \u00d7' + e.w, 'muted')); }
        ul.appendChild(li);
      });
      if (inc.length > 80) { ul.appendChild(el('li', '\u2026 ' + (inc.length - 80) + ' more', 'muted')); }
      box.appendChild(ul);
    }
    box.appendChild(el('h3', 'Evidence'));
    box.appendChild(evidenceList(inc, 60));
    if (d.a && d.a.length) {
      box.appendChild(el('h3', 'Articles'));
      var al = el('ul', null, 'plain');
      d.a.slice(0, 50).forEach(function (ai) { al.appendChild(el('li', articleLine(ai))); });
      if (d.a.length > 50) { al.appendChild(el('li', '\u2026 ' + (d.a.length - 50) + ' more', 'muted')); }
      box.appendChild(al);
    }
  }

  function showDrawnEdge(k) {
    var d = drawnEdges[k];
    var box = $('details');
    clear(box);
    box.appendChild(el('h2', nodes[d.s].l + ' \u2014 ' + nodes[d.t].l));
    d.members.forEach(function (j) {
      if (hiddenEdge[j]) { return; }
      var e = edges[j];
      box.appendChild(el('h3', ((kindInfo[e.k] || {}).label || e.k) + ': ' + e.l));
      box.appendChild(el('p', nodes[e.s].l + ' \u2192 ' + nodes[e.t].l + ' \u00b7 ' +
        dateText(e.f, e.la) + (e.w > 1 ? ' \u00b7 weight ' + e.w : ''), 'muted'));
      if (e.stm && e.stm.length) {
        var ul = el('ul', null, 'plain');
        e.stm.forEach(function (s) { ul.appendChild(el('li', '\u201c' + s + '\u201d')); });
        box.appendChild(ul);
      }
      box.appendChild(evidenceList([j], 20));
    });
  }

  document.addEventListener('keydown', function (ev) {
    if (ev.key === 'Escape') { select(-1); clear($('details')); }
  });
  if (renderer) {
    renderer.on('clickNode', function (ev) { select(+ev.node); showNode(+ev.node); });
    renderer.on('clickEdge', function (ev) { showDrawnEdge(+ev.edge); });
    renderer.on('clickStage', function () { select(-1); clear($('details')); });
    renderer.on('enterNode', function () { $('cy').style.cursor = 'pointer'; });
    renderer.on('leaveNode', function () { $('cy').style.cursor = ''; });
  }

  // ------------------------------------------------------------------ read-only hooks
  // For tests and benchmarks; every count is read from the renderer's own display data.
  function displayed(i) {
    var dd = renderer ? renderer.getNodeDisplayData(String(i)) : null;
    return !!dd && !dd.hidden;
  }
  window.kgraidNetwork = Object.freeze({
    nodeCount: function () { return graph.order; },
    edgeCount: function () { return edges.length; },
    drawnNodeCount: function () {
      var c = 0;
      graph.forEachNode(function (key) { if (displayed(+key)) { c++; } });
      return c;
    },
    selectedIds: function () { return selected >= 0 ? [nodes[selected].id] : []; },
    viewportPosition: function (id) {
      for (var i = 0; i < nodes.length; i++) {
        if (nodes[i].id === id && renderer) {
          var p = renderer.framedGraphToViewport(renderer.getNodeDisplayData(String(i)));
          return { x: p.x, y: p.y };
        }
      }
      return null;
    },
    // milliseconds from navigation start (performance.timeOrigin) to the first frame drawn
    firstDrawMs: function () { return firstDraw; },
    scriptMs: function () { return firstDraw === null ? null : firstDraw - t0; },
    drawn: function () { return firstDraw !== null; },
    webgl: function () { return renderer !== null; }
  });
}());
