// The dashboard's page script: plain browser JavaScript, no libraries, no network beyond this server.
// It reads two server-sent event streams (the experiments list, the selected experiment) and
// redraws from what they send; the charts arrive as SVG drawn by the server.
// The streams are read with fetch(), not EventSource, so that they can carry the orchestrator's
// API token (ENAS_API_TOKEN) as an `Authorization: Bearer` header: the page itself holds no data
// and is served without it; when the server answers 401 the page asks for the token and keeps it
// in this tab's sessionStorage. The token never goes into a URL.
(function () {
  'use strict';
  var TOKEN_KEY = 'enas-api-token';
  var memory = null; // the token when sessionStorage is disabled
  var listStream = null;
  var viewStream = null;
  var experiments = [];
  var selected = decodeURIComponent(location.hash.slice(1)) || null;
  // Served at /dashboard/ (or /dashboard): the API is beside the page, whatever prefix a proxy adds.
  var base = location.pathname.replace(/\/?$/, '/');

  function $(id) { return document.getElementById(id); }
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]; });
  }
  function num(v, digits) { return v === null || v === undefined ? '' : Number(v).toFixed(digits === undefined ? 2 : digits); }
  function duration(s) {
    if (s === null || s === undefined) return '';
    if (s < 60) return s.toFixed(s < 10 ? 1 : 0) + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min ' + Math.round(s % 60) + ' s';
    return (s / 3600).toFixed(1) + ' h';
  }
  function time(iso) { return iso ? new Date(iso).toLocaleTimeString() : ''; }
  function connection(state) {
    var c = $('conn');
    c.className = state;
    c.textContent = state === 'live' ? 'live' : state === 'down' ? 'reconnecting…' : state === 'locked' ? 'API token needed' : 'connecting…';
  }

  function token() {
    try { return sessionStorage.getItem(TOKEN_KEY) || memory; } catch (e) { return memory; }
  }
  function headers(accept) {
    var h = { accept: accept };
    var t = token();
    if (t) h.authorization = 'Bearer ' + t;
    return h;
  }

  // A server-sent event stream read through fetch (so that it carries the Authorization header):
  // calls on[event](data) per event, reconnects after a drop, and stops at 401 (asking for the token).
  function stream(path, on) {
    var controller = null;
    var closed = false;
    var retry = null;
    function again() {
      if (closed) return;
      if (on.error) on.error();
      retry = setTimeout(open, 1500);
    }
    function dispatch(block) {
      var event = 'message';
      var data = [];
      block.split('\n').forEach(function (line) {
        if (line === '' || line.charAt(0) === ':') return;
        var colon = line.indexOf(':');
        var field = colon < 0 ? line : line.slice(0, colon);
        var value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      });
      if (data.length > 0 && on[event]) on[event](JSON.parse(data.join('\n')));
    }
    function open() {
      retry = null;
      if (closed) return;
      controller = new AbortController();
      fetch(base + path, { headers: headers('text/event-stream'), cache: 'no-store', signal: controller.signal }).then(function (res) {
        if (res.status === 401) {
          closed = true;
          unauthorized(Boolean(token()));
          return;
        }
        if (!res.ok || !res.body) return again();
        if (on.open) on.open();
        var reader = res.body.getReader();
        var decoder = new TextDecoder();
        var buffer = '';
        function read() {
          return reader.read().then(function (chunk) {
            if (chunk.done) return again();
            buffer = (buffer + decoder.decode(chunk.value, { stream: true })).replace(/\r\n?/g, '\n');
            var end;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              dispatch(buffer.slice(0, end));
              buffer = buffer.slice(end + 2);
            }
            return read();
          });
        }
        return read();
      }).catch(function () { again(); });
    }
    open();
    return {
      close: function () {
        closed = true;
        if (retry) clearTimeout(retry);
        if (controller) controller.abort();
      },
    };
  }

  // The server wants the API token (none stored, or the stored one was refused): stop the streams,
  // clear what was shown and ask for it.
  function unauthorized(refused) {
    memory = null;
    try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* storage disabled */ }
    if (listStream) listStream.close();
    if (viewStream) viewStream.close();
    listStream = viewStream = null;
    experiments = [];
    $('experiments').innerHTML = '';
    $('forget').hidden = true;
    connection('locked');
    $('detail').innerHTML =
      '<form id="token-form" class="panel auth" autocomplete="off"><h3>API token</h3>' +
      '<p>This orchestrator requires its API token (<code>ENAS_API_TOKEN</code>) for every view.' +
      ' It stays in this browser tab (session storage) and is sent as an <code>Authorization</code> header, never in an address.</p>' +
      (refused ? '<p class="reason" id="token-refused">That token was refused.</p>' : '') +
      '<input type="password" id="token" name="token" placeholder="token" spellcheck="false" required> <button type="submit">Open</button></form>';
    $('token').focus();
    $('token-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var value = $('token').value.trim();
      if (!value) return;
      try { sessionStorage.setItem(TOKEN_KEY, value); } catch (e) { /* storage disabled: the token lives until reload */ }
      memory = value;
      $('detail').innerHTML = '<div class="empty">Loading…</div>';
      start();
    });
  }

  function renderList() {
    var ul = $('experiments');
    if (experiments.length === 0) {
      ul.innerHTML = '<li class="small" style="padding:.6rem .8rem">no experiments yet</li>';
      return;
    }
    ul.innerHTML = experiments.map(function (e) {
      return '<li><a href="#' + encodeURIComponent(e.id) + '" data-id="' + esc(e.id) + '"' + (e.id === selected ? ' class="selected"' : '') + '>' +
        '<div class="id">' + esc(e.id) + '</div>' +
        '<div class="sub"><span class="badge ' + esc(e.status) + '">' + esc(e.status) + '</span> ' + esc(e.strategy) + ' · ' + e.done + '/' + e.queries +
        (e.best ? ' · ' + num(e.best.valAcc) + ' %' : '') + (e.stuck ? ' · <b class="reason">' + e.stuck + ' stuck</b>' : '') + '</div></a></li>';
    }).join('');
  }

  function pick() {
    if (selected && experiments.some(function (e) { return e.id === selected; })) return selected;
    var running = experiments.filter(function (e) { return e.status === 'running'; })[0];
    return running ? running.id : experiments.length > 0 ? experiments[0].id : null;
  }

  function select(id) {
    if (id === null) {
      $('detail').innerHTML = '<div class="empty">No experiment yet. Submit one (<code>enas submit FILE.yaml</code>) or start <code>enas search --ui</code>.</div>';
      return;
    }
    if (id === selected && viewStream) return;
    selected = id;
    if (viewStream) viewStream.close();
    renderList();
    viewStream = stream('api/experiments/' + encodeURIComponent(id) + '/stream', {
      view: renderView,
      missing: function (m) { $('detail').innerHTML = '<div class="empty">' + esc(m.error) + '</div>'; },
    });
  }

  function trialRow(t) {
    var events = t.events.slice(-3).map(function (e) { return '<div title="' + esc(time(e.at) + ' ' + e.text) + '">' + esc(time(e.at)) + ' ' + esc(e.text) + '</div>'; }).join('');
    return '<tr class="' + t.state + '" data-index="' + t.index + '">' +
      '<td class="num">' + (t.index + 1) + '</td>' +
      '<td class="arch">' + esc(t.arch) + '</td>' +
      '<td class="num">' + num(t.predicted, 3) + '</td>' +
      '<td class="num">' + num(t.valAcc) + '</td>' +
      '<td><span class="badge ' + t.state + '">' + t.state + '</span></td>' +
      '<td class="num">' + duration(t.durationSeconds) + '</td>' +
      '<td class="small">' + esc(t.pod || '') + (t.attempt > 1 ? ' (attempt ' + t.attempt + ')' : '') + '</td>' +
      '<td class="why">' + esc(t.reason || '') + '</td>' +
      '<td class="events">' + events + '</td></tr>';
  }

  function renderView(v) {
    var best = v.best
      ? '<div>selected <code>' + esc(v.best.arch) + '</code></div><div>validation <b>' + num(v.best.valAcc) + ' %</b> (the search signal) · test ' +
        (v.best.testAcc === null ? 'not recorded' : '<b>' + num(v.best.testAcc) + ' %</b>') + ' (reported only)' +
        (v.simulatedGpuSeconds !== null ? ' · simulated GPU ' + (v.simulatedGpuSeconds / 3600).toFixed(2) + ' h' : '') + '</div>'
      : '<div class="small">no result yet</div>';
    var counts = Object.keys(v.trialCounts).filter(function (s) { return v.trialCounts[s] > 0; }).map(function (s) { return v.trialCounts[s] + ' ' + s; }).join(', ');
    // The predictor's ranking quality: the share of its picks that beat the median of the random
    // initial trials (chance 50 %). Tau within one batch of near-tied picks is shown, labelled, for reference only.
    var pct = function (x) { return x === null || x === undefined ? '' : Math.round(x * 100) + ' %'; };
    var r = v.ranking;
    var headline = !r
      ? '<div class="small">Judged once the random initial trials and the first picks have results.</div>'
      : '<div class="ranking" id="ranking"><b>' + pct(r.hitRate) + '</b> of the predictor\'s ' + r.picks + ' picks so far beat the median (' + num(r.referenceMedian) + ' %) of the ' +
        r.reference + ' random initial trials (chance 50 %); <b>' + pct(r.beatBestRate) + '</b> beat the best of them (' + num(r.referenceBest) + ' %; chance ' + pct(r.chanceBeatBest) + ').</div>';
    var cycles = v.cycles.length === 0
      ? '<div class="small">Predictor ranking quality appears once a predictor-guided strategy (dcl-enas, dcl-pool) starts its cycles.</div>'
      : headline + '<table class="tau-table"><thead><tr><th>cycle</th><th>picks</th><th>observed</th><th title="picks beating the median of the random initial trials">&gt; random median</th><th title="the same over this and every earlier fit">so far</th>' +
        '<th title="picks beating the best random initial trial">&gt; best random</th><th title="Kendall tau within this batch of near-tied picks: mostly noise">tau in batch</th><th>best val %</th></tr></thead><tbody>' +
        v.cycles.slice(-3).reverse().map(function (c) {
          return '<tr><td>' + c.cycle + '</td><td class="num">' + c.trials + '</td><td class="num">' + c.observed + '</td><td class="num">' + pct(c.hitRate) + '</td><td class="num">' + pct(c.hitRateSoFar) +
            '</td><td class="num">' + pct(c.beatBestRate) + '</td><td class="num">' + num(c.tau) + '</td><td class="num">' + num(c.bestValAcc) + '</td></tr>';
        }).join('') + '</tbody></table><div class="small">tau in batch: Kendall tau between the scores and the validation accuracies within one fit\'s batch of ' +
        'near-tied top picks; mostly noise, shown for reference, not a measure of ranking quality.</div>';
    $('detail').innerHTML =
      '<div class="head"><h2 id="exp-id">' + esc(v.id) + '</h2><span class="badge ' + v.status + '" id="exp-status">' + v.status + '</span>' +
      '<span class="meta">' + esc(v.space + ' / ' + v.dataset + ' · ' + v.strategy + ' · seed ' + v.seed + ' · batch ' + v.batchSize) + ' · <b id="exp-done">' + v.done + '</b> of ' + v.queries + ' trained' + (counts ? ' (' + esc(counts) + ')' : '') + '</span>' +
      (v.reason ? '<span class="reason">' + esc(v.reason) + '</span>' : '') + '</div>' +
      '<div class="grid"><div class="panel"><h3>Best so far</h3><div id="curve">' + v.svg.curve + '</div><div class="best">' + best + '</div></div>' +
      '<div class="side"><div class="panel"><h3>Selected cell</h3><div id="cell">' + (v.svg.cell || '<div class="small">none yet</div>') + '</div></div>' +
      '<div class="panel"><h3>Predictor ranking quality: share of each fit\'s picks that beat the median random initial trial</h3><div id="tau">' + (v.cycles.length ? v.svg.ranking : '') + '</div>' + cycles + '</div></div></div>' +
      '<div class="panel trials"><h3>Trials (newest first' + (v.trials.length < v.done + v.failed ? ', latest ' + v.trials.length : '') + ')</h3><div class="scroll"><table id="trials"><thead><tr>' +
      '<th>#</th><th>architecture</th><th>predicted</th><th>val %</th><th>status</th><th>duration</th><th>pod / trainer</th><th>failure / stuck reason</th><th>recent events</th>' +
      '</tr></thead><tbody>' + v.trials.map(trialRow).join('') + '</tbody></table></div></div>';
  }

  function experimentsArrived(list) {
    experiments = list;
    renderList();
    var id = pick();
    if (id !== selected || !viewStream) select(id);
  }

  function start() {
    connection('connecting');
    $('forget').hidden = !token();
    // The list once as JSON (a 401 here asks for the token before any stream opens), then live.
    fetch(base + 'api/experiments', { headers: headers('application/json'), cache: 'no-store' }).then(function (res) {
      if (res.status === 401) return unauthorized(Boolean(token()));
      if (res.ok) res.json().then(experimentsArrived);
      listStream = stream('api/stream', {
        open: function () { connection('live'); },
        error: function () { connection('down'); },
        experiments: experimentsArrived,
      });
    }).catch(function () {
      connection('down');
      setTimeout(start, 1500);
    });
  }
  window.addEventListener('hashchange', function () {
    var id = decodeURIComponent(location.hash.slice(1));
    if (id && listStream) select(id);
  });
  $('forget').addEventListener('click', function () { unauthorized(false); });
  start();
})();
