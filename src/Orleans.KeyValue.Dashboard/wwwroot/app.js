'use strict';
// The dashboard's pages: plain DOM and canvas, fed by the JSON API and /api/stream.
const $ = (s) => document.querySelector(s);
const esc = (v) => String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const bytes = (n) => n >= 1 << 30 ? (n / (1 << 30)).toFixed(1) + ' GB' : n >= 1 << 20 ? (n / (1 << 20)).toFixed(1) + ' MB' : n >= 1024 ? (n / 1024).toFixed(1) + ' KB' : n + ' B';
const duration = (s) => s >= 86400 ? Math.floor(s / 86400) + 'd ' + Math.floor(s % 86400 / 3600) + 'h' : s >= 3600 ? Math.floor(s / 3600) + 'h ' + Math.floor(s % 3600 / 60) + 'm' : s >= 60 ? Math.floor(s / 60) + 'm ' + Math.floor(s % 60) + 's' : Math.floor(s) + 's';
const time = (ms) => new Date(ms).toLocaleTimeString();
async function getJson(url) {
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) throw new Error(url + ': ' + response.status);
  return response.json();
}

// ---- Pages and their refresh loops: only the visible page polls. ----
let page = null, timer = null;
const refreshers = { overview: refreshOverview, grains: refreshGrains, events: refreshEvents };
function show() {
  const name = (location.hash || '#overview').slice(1);
  page = document.getElementById('page-' + name) ? name : 'overview';
  document.querySelectorAll('.page').forEach((p) => { p.hidden = p.id !== 'page-' + page; });
  document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('active', a.dataset.page === page));
  clearInterval(timer);
  if (refreshers[page]) { refreshers[page](); timer = setInterval(refreshers[page], 2000); }
  if (page === 'charts') openStream(); else closeStream();
}
window.addEventListener('hashchange', show);

async function refreshOverview() {
  try {
    const o = await getJson('api/overview');
    const t = o.totals;
    $('#totals').innerHTML = [['Silos active', t.active + ' / ' + t.silos], ['Keys', t.keys], ['Activations', t.activations], ['Clients', t.clients], ['Commands/s', t.commandsPerSecond], ['Memory', bytes(t.workingSetBytes)], ['Errors', t.errors]]
      .map(([k, v]) => `<div class="card">${esc(k)}<b>${esc(v)}</b></div>`).join('');
    $('#silos tbody').innerHTML = o.silos.map((s) => `<tr class="${esc(s.status)}" data-name="${esc(s.name)}" data-status="${esc(s.status)}">
      <td>${esc(s.name)}${s.self ? ' (this)' : ''}</td><td class="status status-${esc(s.status)}">${esc(s.status)}</td><td>${esc(s.address)}</td><td class="num">${s.gatewayPort}</td>
      <td class="num">${s.reachable ? duration(s.uptimeSeconds) : ''}</td><td class="num">${s.generation}</td><td class="num">${s.reachable ? s.keysOwned : ''}</td><td class="num">${s.reachable ? s.activations : ''}</td>
      <td class="num">${s.reachable ? bytes(s.workingSetBytes) + ' / ' + bytes(s.gcHeapBytes) : ''}</td><td class="num">${s.reachable ? s.cpuPercent + '%' : ''}</td><td class="num">${s.reachable ? s.clients : ''}</td><td class="num">${s.reachable ? s.commandsPerSecond : ''}</td></tr>`).join('');
    $('#updated').textContent = 'updated ' + time(Date.now());
  } catch (e) { $('#updated').textContent = String(e); }
}

async function refreshGrains() {
  try {
    const g = await getJson('api/grains');
    $('#grains tbody').innerHTML = g.silos.map((s) => `<tr><td>${esc(s.name)}</td><td class="num">${s.activations}</td><td class="num">${s.activationsPerSecond}</td><td class="num">${s.deactivationsPerSecond}</td><td class="num">${s.collectionsPerSecond}</td></tr>`).join('');
    $('#busiest tbody').innerHTML = g.busiestKeys.map((k) => `<tr><td>${esc(k.key)}</td><td class="num">${k.calls}</td><td>${esc(k.silo)}</td></tr>`).join('');
  } catch (e) { $('#updated').textContent = String(e); }
}

async function refreshEvents() {
  try {
    const [errors, slow] = await Promise.all([getJson('api/errors'), getJson('api/slow')]);
    $('#errors tbody').innerHTML = errors.events.map((e) => `<tr><td>${time(e.timeMs)}</td><td>${esc(e.silo)}</td><td>${esc(e.command)}</td><td>${esc(e.key)}</td><td class="error">${esc(e.error)}</td><td>${esc(e.client)}</td></tr>`).join('');
    $('#slow tbody').innerHTML = slow.events.map((e) => `<tr><td>${time(e.timeMs)}</td><td>${esc(e.silo)}</td><td>${esc(e.command)}</td><td>${esc(e.key)}</td><td class="num">${e.durationMs.toFixed(1)}</td><td>${esc(e.client)}</td></tr>`).join('');
  } catch (e) { $('#updated').textContent = String(e); }
}

// ---- Key inspector: the TTL counts down in the page from the absolute deadline. ----
let ttlTimer = null;
async function lookup(key) {
  clearInterval(ttlTimer);
  $('#key-input').value = key;
  const box = $('#key-details');
  try {
    const k = await getJson('api/keys/' + encodeURIComponent(key));
    const offset = k.serverTimeMs - Date.now();
    const value = !k.exists ? '' : k.valueHidden ? '<em>hidden (sign in to see values)</em>'
      : `<pre class="value">${esc(k.preview)}</pre>${!k.truncated ? '' : k.fields != null ? '<em>first fields shown</em>' : '<em>first ' + (k.encoding === 'hex' ? k.preview.length / 2 : 'few KB') + ' bytes shown</em>'}`;
    box.innerHTML = `<dl>
      <dt>Key</dt><dd id="key-name">${esc(k.key)}</dd>
      <dt>Exists</dt><dd id="key-exists">${k.exists ? 'yes' : 'no'}</dd>
      <dt>Type</dt><dd id="key-type">${esc(k.type)}</dd>
      <dt>Size</dt><dd id="key-size">${!k.exists ? '' : k.fields != null ? k.fields + ' fields, ' + k.size + ' bytes' : k.size + ' bytes'}</dd>
      <dt>Value (${esc(k.encoding || '')})</dt><dd id="key-value">${value}</dd>
      <dt>TTL</dt><dd id="key-ttl"></dd>
      <dt>Expires at</dt><dd id="key-deadline">${k.expiresAtMs ? new Date(k.expiresAtMs).toISOString() : ''}</dd>
      <dt>Owner</dt><dd id="key-owner">${esc(k.ownerName)} ${esc(k.owner)} (slot ${k.slot})</dd>
      <dt>Grain</dt><dd id="key-grain">${k.grainActive ? 'active (a call runs or waits)' : 'idle, no activation (the key is in grain storage)'}</dd></dl>`;
    const ttl = $('#key-ttl');
    const tick = () => {
      if (!k.exists) { ttl.textContent = 'key does not exist'; return; }
      if (!k.expiresAtMs) { ttl.textContent = 'no expiry'; return; }
      const left = k.expiresAtMs - (Date.now() + offset);
      ttl.dataset.ms = Math.max(0, left);
      ttl.textContent = left > 0 ? (left / 1000).toFixed(1) + ' s' : 'expired';
    };
    tick();
    ttlTimer = setInterval(tick, 100);
  } catch (e) { box.innerHTML = `<p class="error">${esc(e)}</p>`; }
}
$('#key-form').addEventListener('submit', (e) => { e.preventDefault(); lookup($('#key-input').value); });

let scanCursor = '0';
let scanBusy = false;
let scanGeneration = 0;
async function scan(first) {
  // Next while a page loads is ignored (it would reuse the old cursor and skip keys); a new
  // search supersedes whatever is loading, and the late answer of the old one is dropped.
  if (!first && scanBusy) return;
  const generation = ++scanGeneration;
  scanBusy = true;
  $('#scan-next').disabled = true;
  $('#scan-status').textContent = 'loading...';
  if (first) { scanCursor = '0'; $('#scan-keys').innerHTML = ''; }
  const pattern = $('#scan-pattern').value || '*';
  try {
    const r = await getJson(`api/keys?pattern=${encodeURIComponent(pattern)}&cursor=${scanCursor}&count=100`);
    if (generation !== scanGeneration) return;
    scanCursor = r.cursor;
    $('#scan-keys').innerHTML = r.keys.map((k) => `<li><a data-key="${esc(k)}">${esc(k)}</a></li>`).join('');
    $('#scan-next').disabled = r.done;
    $('#scan-status').textContent = r.keys.length + ' keys on this page' + (r.done ? ', end of the scan' : '');
  } catch (e) {
    if (generation === scanGeneration) $('#scan-status').textContent = String(e);
  } finally {
    if (generation === scanGeneration) scanBusy = false;
  }
}
$('#scan-form').addEventListener('submit', (e) => { e.preventDefault(); scan(true); });
$('#scan-next').addEventListener('click', () => scan(false));
$('#scan-keys').addEventListener('click', (e) => { if (e.target.dataset.key !== undefined) lookup(e.target.dataset.key); });

// ---- Live charts: EventSource while the charts page is open; our own small line charts. ----
const history = [];
const maxPoints = 300;
let source = null;
function openStream() {
  if (source) return;
  source = new EventSource('api/stream');
  source.onmessage = (m) => {
    const sample = JSON.parse(m.data);
    history.push(sample);
    if (history.length > maxPoints) history.shift();
    drawAll();
    $('#latency tbody').innerHTML = sample.silos.flatMap((s) => s.commands.map((c) => `<tr><td>${esc(s.name)}</td><td>${esc(c.name)}</td><td class="num">${c.perSecond}</td><td class="num">${c.p50Ms}</td><td class="num">${c.p99Ms}</td></tr>`)).join('');
    $('#updated').textContent = 'live ' + time(sample.timeMs);
  };
}
function closeStream() { if (source) { source.close(); source = null; } }

const colors = ['#1c5fc4', '#d9480f', '#2b8a3e', '#862e9c', '#c92a2a', '#0b7285', '#5c940d', '#e67700'];
function series(pick) {
  const names = [...new Set(history.flatMap((h) => h.silos.map((s) => s.name)))];
  return names.flatMap((name, i) => pick(name).map((p, j) => ({
    label: name + (p.suffix || ''), color: colors[i % colors.length], dash: j > 0,
    points: history.map((h) => { const s = h.silos.find((x) => x.name === name); return s ? p.value(s) : null; }),
  })));
}
function busiest(s) { return s.commands.reduce((a, c) => (!a || c.perSecond > a.perSecond ? c : a), null); }
function drawAll() {
  draw('#chart-commands', series(() => [{ value: (s) => s.commandsPerSecond }]));
  draw('#chart-latency', series(() => [{ suffix: ' p50', value: (s) => busiest(s)?.p50Ms ?? null }, { suffix: ' p99', value: (s) => busiest(s)?.p99Ms ?? null }]));
  draw('#chart-keys', series(() => [{ value: (s) => s.keys }]));
  draw('#chart-activations', series(() => [{ value: (s) => s.activations }]));
  draw('#chart-expired', series(() => [{ value: (s) => s.expiredPerSecond }]));
  draw('#chart-wheel', series(() => [{ value: (s) => s.timingWheelPending }]));
}
function draw(selector, lines) {
  const canvas = $(selector), g = canvas.getContext('2d');
  const w = canvas.width, h = canvas.height, left = 50, bottom = 18, top = 8;
  g.clearRect(0, 0, w, h);
  const values = lines.flatMap((l) => l.points.filter((v) => v !== null));
  const max = Math.max(1, ...values) * 1.1;
  g.font = '11px system-ui'; g.fillStyle = '#66717f'; g.strokeStyle = '#e3e6eb';
  for (let i = 0; i <= 4; i++) {
    const y = top + (h - top - bottom) * i / 4;
    g.beginPath(); g.moveTo(left, y); g.lineTo(w, y); g.stroke();
    g.fillText((max * (4 - i) / 4).toPrecision(3), 2, y + 4);
  }
  const x = (i) => left + (w - left) * i / (maxPoints - 1);
  const y = (v) => top + (h - top - bottom) * (1 - v / max);
  lines.forEach((l, n) => {
    g.strokeStyle = l.color; g.setLineDash(l.dash ? [4, 3] : []); g.beginPath();
    let started = false;
    l.points.forEach((v, i) => { if (v === null) { started = false; return; } if (started) g.lineTo(x(i), y(v)); else { g.moveTo(x(i), y(v)); started = true; } });
    g.stroke(); g.setLineDash([]);
    g.fillStyle = l.color; g.fillText(l.label, left + 6 + (n % 4) * 130, h - 4);
  });
}

show();
