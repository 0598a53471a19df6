// The clerk's console: log in, see the waiting calls, take one, talk by video, see what the
// citizen shares (co-view), propose values and point at fields. Protocol: video_assist/messages.py.
// No trickle ICE: the answer is sent once gathering is complete (or after GATHER_CAP_MS).

const TEXT = {
  connected: "Verbunden",
  connecting: "Verbinde …",
  disconnected: "Verbindung zum Server unterbrochen – neuer Versuch in {s} s",
  loginFailed: "Benutzername oder Passwort falsch.",
  loginMissing: "Bitte Benutzername und Passwort eingeben.",
  tooMany: "Zu viele Anmeldeversuche. Bitte warten Sie {s} Sekunden.",
  serverDown: "Der Server ist nicht erreichbar. Bitte versuchen Sie es später erneut.",
  sessionExpired: "Sitzung abgelaufen – bitte melden Sie sich erneut an.",
  noCalls: "Ihre Rolle ({role}) nimmt keine Anrufe an.",
  queueEmpty: "Zurzeit wartet niemand.",
  queueCount: "({n})",
  queueBusy: "Sie sind in einem Gespräch. Neue Anrufe können Sie danach annehmen.",
  newCall: "Neuer Anruf: {who}, {what}.",
  waitingCalls: "{n} Anrufe warten.",
  terminal: "Terminal",
  location: "Standort",
  service: "Anliegen",
  step: "Schritt",
  language: "Sprache",
  needs: "Bedarf",
  waited: "Wartezeit",
  none: "–",
  noService: "noch nicht gewählt",
  accept: "Annehmen",
  acceptLabel: "Anruf von {who} annehmen",
  accepting: "Anruf wird angenommen …",
  waitingOffer: "Warte auf das Bild des Terminals …",
  inCall: "Im Gespräch mit {who}.",
  callFailed: "Die Videoverbindung ist fehlgeschlagen.",
  noCamera: "Keine Kamera oder kein Mikrofon verfügbar – Sie sehen und hören die Bürgerin / den Bürger, werden selbst aber nicht übertragen.",
  muted: "Ihr Mikrofon ist stumm.",
  unmuted: "",
  you: "Sie",
  youNoMedia: "Sie (keine Kamera)",
  hungUp: "Sie haben aufgelegt.",
  backToQueue: "Gespräch beendet.",
  reasons: {
    citizen: "Die Bürgerin / der Bürger hat aufgelegt.",
    terminal_gone: "Die Verbindung zum Terminal ist abgebrochen.",
    session_ended: "Die Sitzung am Terminal wurde beendet.",
    clerk: "Das Gespräch wurde beendet.",
    clerk_gone: "Das Gespräch wurde beendet.",
    no_clerk: "Das Gespräch wurde beendet.",
    error: "Das Gespräch wurde wegen eines Fehlers beendet.",
  },
  serverLost: "Verbindung zum Server verloren – der Anruf wurde zurück in die Warteschlange gestellt.",
  errors: {
    taken: "Dieser Anruf wurde bereits von einer Kollegin / einem Kollegen angenommen.",
    unknown_call: "Diesen Anruf gibt es nicht mehr.",
    unexpected: "Das geht gerade nicht.",
    forbidden: "Dieser Anruf gehört nicht zu Ihnen.",
    malformed: "Interner Fehler: Nachricht abgelehnt.",
    version: "Interner Fehler: falsche Protokollversion.",
  },
  notShared: "Nicht freigegeben",
  sharedStep: "Schritt: {title}",
  proposalSent: "Vorschlag für „{label}“ gesendet – wartet auf Antwort.",
  proposalAccepted: "Vorschlag für „{label}“ angenommen.",
  proposalDeclined: "Vorschlag für „{label}“ abgelehnt.",
  pointAt: "Zeigen: {label}",
  pointed: "Auf „{label}“ gezeigt.",
  languages: { de: "Deutsch", en: "Englisch", tr: "Türkisch", ar: "Arabisch", ru: "Russisch", uk: "Ukrainisch",
               pl: "Polnisch", fr: "Französisch", es: "Spanisch", it: "Italienisch", fa: "Persisch",
               ro: "Rumänisch", bg: "Bulgarisch", sq: "Albanisch", hr: "Kroatisch", sr: "Serbisch" },
  needNames: { speech: "Sprachausgabe", large_text: "Große Schrift", high_contrast: "Hoher Kontrast",
               low_layout: "Bedienung im unteren Bereich (Rollstuhl)" },
};

const GATHER_CAP_MS = 2000;
const MAX_BACKOFF_MS = 15000;
const params = new URLSearchParams(location.search);
const SESSION_CHECK_MS = 1000 * Number(params.get("session_check_s") || 60);

const $ = (id) => document.getElementById(id);
const fmt = (text, values = {}) => text.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ""));

export const state = {
  loggedIn: false,
  user: null,          // {name, display_name, role, csrf}
  ws: null,
  callId: null,        // the accepted call
  call: null,          // the `accepted` message
  pc: null,
  localStream: null,
  remoteStream: null,
  media: null,         // Promise of the local stream (null when there is none)
  queue: [],           // the last `queue` calls
  queueAt: 0,          // performance.now() when it came
  coview: null,
  proposals: new Map(),
  backoffMs: 1000,
  reconnectTimer: null,
  sessionTimer: null,
  acceptClickedAt: null,
  messages: [],        // types of received messages (for tests; no contents)
};
window.consoleState = state;

// --- small helpers ----------------------------------------------------------------------------

function announce(text) {
  const el = $("announcer");
  el.textContent = "";
  // a fresh text node so that repeated texts are announced again
  setTimeout(() => { el.textContent = text; }, 50);
}

function setStatus(text) {
  $("call-status").textContent = text;
}

function randomId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function languageName(code) {
  return TEXT.languages[code] || code;
}

function describe(call) {
  const c = call.context || {};
  const what = [c.service_title || c.service || TEXT.noService, c.step_title || c.step].filter(Boolean).join(", ");
  return { who: `${TEXT.terminal} ${call.terminal} (${call.location})`, what };
}

function formatWait(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const m = Math.floor(s / 60);
  return m ? `${m} min ${String(s % 60).padStart(2, "0")} s` : `${s} s`;
}

async function api(method, path, body) {
  const headers = { "Accept": "application/json" };
  const init = { method, headers, credentials: "same-origin" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (state.user && state.user.csrf) headers["X-CSRF-Token"] = state.user.csrf;
  const response = await fetch(path, init);
  let data = null;
  try { data = await response.json(); } catch { data = null; }
  return { status: response.status, data, response };
}

// --- login, session, logout -------------------------------------------------------------------

function showLogin(message) {
  state.loggedIn = false;
  state.user = null;
  stopSocket();
  endCall(null);
  clearInterval(state.sessionTimer);
  $("work-view").hidden = true;
  $("who").hidden = true;
  $("login-view").hidden = false;
  const err = $("login-error");
  err.textContent = message || "";
  err.hidden = !message;
  $("login-password").value = "";
  $("login-username").focus();
}

function showWork(user) {
  state.loggedIn = true;
  state.user = user;
  sessionStorage.setItem("va-was-logged-in", "1");
  $("login-view").hidden = true;
  $("login-error").hidden = true;
  $("who").hidden = false;
  $("user-name").textContent = user.display_name || user.name;
  $("work-view").hidden = false;
  renderQueue();
  clearInterval(state.sessionTimer);
  state.sessionTimer = setInterval(checkSession, SESSION_CHECK_MS);
  if (!["clerk", "admin"].includes(user.role)) {
    $("queue-note").textContent = fmt(TEXT.noCalls, { role: user.role });
    return;
  }
  connect();
}

// 401 from /api/session: expired (or never logged in on this tab).
function sessionGone(data) {
  const expired = (data && data.error === "session expired") || sessionStorage.getItem("va-was-logged-in") === "1";
  sessionStorage.removeItem("va-was-logged-in");
  showLogin(expired ? TEXT.sessionExpired : "");
}

async function checkSession() {
  if (!state.loggedIn) return true;
  let result;
  try {
    result = await api("GET", "/api/session");
  } catch {
    return true;  // the server is away; the socket's reconnect deals with it
  }
  if (result.status === 401) {
    sessionGone(result.data);
    return false;
  }
  return true;
}
state.checkSession = checkSession;

async function start() {
  let result;
  try {
    result = await api("GET", "/api/session");
  } catch {
    showLogin(TEXT.serverDown);
    return;
  }
  if (result.status === 200 && result.data) showWork(result.data);
  else if (result.status === 401) sessionGone(result.data);
  else showLogin(TEXT.serverDown);
}

async function login(event) {
  event.preventDefault();
  const username = $("login-username").value.trim();
  const password = $("login-password").value;
  const err = $("login-error");
  if (!username || !password) {
    err.textContent = TEXT.loginMissing;
    err.hidden = false;
    return;
  }
  $("login-submit").disabled = true;
  try {
    const { status, data, response } = await api("POST", "/api/login", { username, password });
    if (status === 200 && data) {
      $("login-password").value = "";
      showWork(data);
      $("main").focus();
      return;
    }
    err.textContent = status === 429
      ? fmt(TEXT.tooMany, { s: response.headers.get("Retry-After") || "60" })
      : status === 401 ? TEXT.loginFailed : TEXT.serverDown;
  } catch {
    err.textContent = TEXT.serverDown;
  } finally {
    $("login-submit").disabled = false;
  }
  err.hidden = false;
  $("login-password").value = "";
  $("login-password").focus();
}

async function logout() {
  if (state.callId) hangup("clerk");
  try { await api("POST", "/api/logout"); } catch { /* logged out locally anyway */ }
  sessionStorage.removeItem("va-was-logged-in");
  showLogin("");
}

// --- the WebSocket ----------------------------------------------------------------------------

function connect() {
  clearTimeout(state.reconnectTimer);
  if (!state.loggedIn || state.ws) return;
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/clerk`;
  const ws = new WebSocket(url);
  state.ws = ws;
  $("connection").textContent = TEXT.connecting;
  ws.onopen = () => {
    state.backoffMs = 1000;
    $("connection").textContent = TEXT.connected;
  };
  ws.onmessage = (event) => {
    let msg;
    try { msg = JSON.parse(event.data); } catch { return; }
    state.messages.push(msg.type);
    handle(msg);
  };
  ws.onclose = async () => {
    if (state.ws !== ws) return;  // replaced or stopped on purpose
    state.ws = null;
    if (state.callId) endCall(null, TEXT.serverLost);
    if (!state.loggedIn) return;
    if (!(await checkSession())) return;
    const delay = state.backoffMs;
    state.backoffMs = Math.min(MAX_BACKOFF_MS, state.backoffMs * 2);
    $("connection").textContent = fmt(TEXT.disconnected, { s: Math.round(delay / 1000) });
    state.reconnectTimer = setTimeout(connect, delay);
  };
}

function stopSocket() {
  clearTimeout(state.reconnectTimer);
  const ws = state.ws;
  state.ws = null;
  if (ws) ws.close();
  $("connection").textContent = "";
}

function send(msg) {
  if (!state.ws || state.ws.readyState !== WebSocket.OPEN) return false;
  state.ws.send(JSON.stringify({ v: 1, ...msg }));
  return true;
}

function handle(msg) {
  switch (msg.type) {
    case "queue": return onQueue(msg.calls);
    case "accepted": return onAccepted(msg);
    case "offer": return onOffer(msg).catch((e) => { console.error(e); failCall(); });
    case "context": return onContext(msg);
    case "coview": return onCoview(msg);
    case "proposal_reply": return onProposalReply(msg);
    case "hangup": return onHangup(msg);
    case "error": return onError(msg);
    default: return undefined;
  }
}

// --- the queue --------------------------------------------------------------------------------

function onQueue(calls) {
  const known = new Set(state.queue.map((c) => c.call_id));
  const first = state.queueAt === 0;
  state.queue = calls;
  state.queueAt = performance.now();
  renderQueue();
  const fresh = calls.filter((c) => !known.has(c.call_id));
  if (first && calls.length) announce(fmt(TEXT.waitingCalls, { n: calls.length }));
  else for (const call of fresh) announce(fmt(TEXT.newCall, describe(call)));
}

function queueItem(call) {
  const li = document.createElement("li");
  li.dataset.testid = "queue-item";
  li.setAttribute("data-testid", "queue-item");
  li.dataset.callId = call.call_id;
  const title = document.createElement("span");
  title.className = "title";
  const dl = document.createElement("dl");
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = TEXT.accept;
  button.setAttribute("data-testid", "accept-call");
  button.addEventListener("click", () => accept(call.call_id));
  li.append(title, dl, button);
  return li;
}

function fillItem(li, call) {
  const c = call.context || {};
  const { who } = describe(call);
  li.querySelector(".title").textContent = c.service_title || c.service || TEXT.noService;
  const rows = [
    [TEXT.terminal, call.terminal],
    [TEXT.location, call.location],
    [TEXT.step, c.step_title || c.step || TEXT.none],
    [TEXT.language, languageName(c.language)],
    [TEXT.needs, (c.needs || []).map((n) => TEXT.needNames[n] || n).join(", ") || TEXT.none],
    [TEXT.waited, ""],
  ];
  const dl = li.querySelector("dl");
  dl.replaceChildren(...rows.flatMap(([k, v]) => {
    const dt = document.createElement("dt");
    dt.textContent = k;
    const dd = document.createElement("dd");
    dd.textContent = v;
    return [dt, dd];
  }));
  dl.lastChild.className = "waited";
  li.dataset.waited = call.waited_s;
  const button = li.querySelector("button");
  button.setAttribute("aria-label", fmt(TEXT.acceptLabel, { who }));
  button.disabled = Boolean(state.callId);
}

function renderQueue() {
  const list = $("queue-list");
  const byId = new Map(Array.from(list.children, (li) => [li.dataset.callId, li]));
  const items = state.queue.map((call) => {
    const li = byId.get(call.call_id) || queueItem(call);
    fillItem(li, call);
    return li;
  });
  // keep existing nodes (and the focus on them); only add, move and remove
  items.forEach((li, i) => { if (list.children[i] !== li) list.insertBefore(li, list.children[i] || null); });
  while (list.children.length > items.length) list.lastChild.remove();
  $("queue-count").textContent = state.queue.length ? fmt(TEXT.queueCount, { n: state.queue.length }) : "";
  $("queue-note").textContent = state.callId ? TEXT.queueBusy : state.queue.length ? "" : TEXT.queueEmpty;
  tickWaits();
}

function tickWaits() {
  const elapsed = state.queueAt ? (performance.now() - state.queueAt) / 1000 : 0;
  for (const li of $("queue-list").children) {
    li.querySelector(".waited").textContent = formatWait(Number(li.dataset.waited) + elapsed);
  }
}

// --- the call ---------------------------------------------------------------------------------

function accept(callId) {
  if (state.callId) return;
  state.acceptClickedAt = performance.now();
  state.pendingAccept = callId;
  setStatus(TEXT.accepting);
  // ask for camera and microphone now, in parallel with the terminal's offer
  state.media = navigator.mediaDevices && navigator.mediaDevices.getUserMedia
    ? navigator.mediaDevices.getUserMedia({ audio: true, video: true }).catch((e) => { console.warn(e); return null; })
    : Promise.resolve(null);
  send({ type: "accept", call_id: callId });
}

async function onAccepted(msg) {
  state.callId = msg.call_id;
  state.call = msg;
  state.pendingAccept = null;
  state.offerSeen = false;
  const { who, what } = describe(msg);
  $("call-context").textContent = what;
  $("call-view").hidden = false;
  $("work-view").classList.add("in-call");
  $("mute").setAttribute("aria-pressed", "false");
  $("mute-state").textContent = "";
  clearCoview();
  renderQueue();
  setStatus(TEXT.waitingOffer);
  announce(fmt(TEXT.inCall, { who }));
  $("call-heading").focus?.();
  const stream = await (state.media || Promise.resolve(null));
  if (state.callId !== msg.call_id) {  // ended meanwhile
    stopStream(stream);
    return;
  }
  state.localStream = stream;
  $("local-video").srcObject = stream;
  $("local-caption").textContent = stream ? TEXT.you : TEXT.youNoMedia;
  $("mute").disabled = !stream || !stream.getAudioTracks().length;
  if (!stream) setStatus(TEXT.noCamera);
}

async function onOffer(msg) {
  if (msg.call_id !== state.callId) return;
  const callId = msg.call_id;
  const stream = await (state.media || Promise.resolve(null));
  if (state.callId !== callId) return;
  const pc = new RTCPeerConnection({ iceServers: (state.call.ice_servers || []) });
  state.pc = pc;
  state.remoteStream = new MediaStream();
  $("remote-video").srcObject = state.remoteStream;
  pc.ontrack = (event) => {
    state.remoteStream.addTrack(event.track);
    $("remote-video").play?.().catch(() => {});
  };
  pc.onconnectionstatechange = () => {
    if (state.pc !== pc) return;
    if (pc.connectionState === "connected") {
      state.connectedAt = performance.now();
      setStatus(fmt(TEXT.inCall, describe(state.call)) + (state.localStream ? "" : " " + TEXT.noCamera));
    } else if (pc.connectionState === "failed") {
      failCall();
    }
  };
  await pc.setRemoteDescription({ type: "offer", sdp: msg.sdp });
  if (stream) for (const track of stream.getTracks()) pc.addTrack(track, stream);
  const answer = await pc.createAnswer();
  await pc.setLocalDescription(answer);
  await gathered(pc);
  if (state.pc !== pc) return;
  send({ type: "answer", call_id: callId, sdp: pc.localDescription.sdp });
}

function gathered(pc) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, GATHER_CAP_MS);
    function done() {
      clearTimeout(timer);
      pc.removeEventListener("icegatheringstatechange", check);
      resolve();
    }
    function check() { if (pc.iceGatheringState === "complete") done(); }
    pc.addEventListener("icegatheringstatechange", check);
  });
}

function onContext(msg) {
  if (msg.call_id !== state.callId) return;
  state.call.context = msg.context;
  $("call-context").textContent = describe(state.call).what;
}

function hangup(reason = "clerk") {
  if (!state.callId) return;
  send({ type: "hangup", call_id: state.callId, reason });
  endCall(TEXT.hungUp);
}

function onHangup(msg) {
  if (msg.call_id !== state.callId) return;
  endCall(TEXT.reasons[msg.reason] || TEXT.backToQueue);
}

function failCall() {
  if (!state.callId) return;
  send({ type: "hangup", call_id: state.callId, reason: "error" });
  endCall(TEXT.callFailed);
}

function stopStream(stream) {
  if (stream) for (const track of stream.getTracks()) track.stop();
}

// Clean up after a call, whoever ended it; `text` says why (null: silently, e.g. at logout).
function endCall(text, extra) {
  const had = state.callId || state.pendingAccept;
  if (state.pc) state.pc.close();
  state.pc = null;
  stopStream(state.localStream);
  if (!state.localStream && state.media) state.media.then(stopStream);
  state.localStream = null;
  state.media = null;
  state.remoteStream = null;
  state.callId = null;
  state.call = null;
  state.pendingAccept = null;
  state.proposals.clear();
  $("remote-video").srcObject = null;
  $("local-video").srcObject = null;
  $("call-view").hidden = true;
  $("work-view").classList.remove("in-call");
  clearCoview();
  renderQueue();
  const message = extra || text;
  if (had && message) {
    $("queue-note").textContent = message;
    announce(message);
  }
  const first = $("queue-list").querySelector("button");
  if (had && state.loggedIn) (first || $("queue-heading")).focus?.();
}

function onError(msg) {
  const text = TEXT.errors[msg.code] || TEXT.errors.unexpected;
  if (state.pendingAccept && msg.call_id === state.pendingAccept) {
    state.pendingAccept = null;
    if (state.media) state.media.then(stopStream);
    state.media = null;
    $("queue-note").textContent = text;
    announce(text);
    return;
  }
  if (state.callId) setStatus(text);
  else $("queue-note").textContent = text;
  announce(text);
}

function toggleMute() {
  const stream = state.localStream;
  if (!stream) return;
  const muted = $("mute").getAttribute("aria-pressed") !== "true";
  for (const track of stream.getAudioTracks()) track.enabled = !muted;
  $("mute").setAttribute("aria-pressed", String(muted));
  $("mute-state").textContent = muted ? TEXT.muted : TEXT.unmuted;
  announce(muted ? TEXT.muted : "");
}

// --- co-view, proposals, pointing -------------------------------------------------------------

function clearCoview() {
  state.coview = null;
  $("coview-step").textContent = TEXT.notShared;
  $("coview-answers").hidden = true;
  $("coview-answers").querySelector("tbody").replaceChildren();
  $("coview-tools").hidden = true;
  $("propose-field").replaceChildren();
  $("point-list").replaceChildren();
  $("proposal-status").textContent = "";
  $("point-status").textContent = "";
}

function fieldLabel(field) {
  const fields = (state.coview && state.coview.step && state.coview.step.fields) || [];
  return (fields.find((f) => f.field === field) || { label: field }).label;
}

function onCoview(msg) {
  if (msg.call_id !== state.callId) return;
  if (!msg.shared) {
    clearCoview();
    announce(TEXT.notShared);
    return;
  }
  state.coview = msg;
  const step = msg.step;
  $("coview-step").textContent = step ? fmt(TEXT.sharedStep, { title: step.title }) : TEXT.none;
  const rows = (msg.answers || []).map((a) => {
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = a.label;
    const td = document.createElement("td");
    td.textContent = a.value;
    tr.append(th, td);
    return tr;
  });
  $("coview-answers").querySelector("tbody").replaceChildren(...rows);
  $("coview-answers").hidden = rows.length === 0;
  const fields = (step && step.fields) || [];
  const select = $("propose-field");
  const chosen = select.value;
  select.replaceChildren(...fields.map((f) => new Option(f.label, f.field, false, f.field === chosen)));
  $("point-list").replaceChildren(...fields.map((f) => {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = fmt(TEXT.pointAt, { label: f.label });
    button.setAttribute("data-testid", "point-control");
    button.dataset.field = f.field;
    button.addEventListener("click", () => point(f.field));
    li.append(button);
    return li;
  }));
  $("coview-tools").hidden = fields.length === 0;
  if (step) announce(fmt(TEXT.sharedStep, { title: step.title }));
}

function propose(event) {
  event.preventDefault();
  const field = $("propose-field").value;
  const value = $("propose-value").value;
  if (!state.callId || !field) return;
  const proposalId = randomId();
  state.proposals.set(proposalId, field);
  send({ type: "propose", call_id: state.callId, proposal_id: proposalId, field, value });
  $("proposal-status").textContent = fmt(TEXT.proposalSent, { label: fieldLabel(field) });
}

function onProposalReply(msg) {
  if (msg.call_id !== state.callId || !state.proposals.has(msg.proposal_id)) return;
  const label = fieldLabel(state.proposals.get(msg.proposal_id));
  state.proposals.delete(msg.proposal_id);
  $("proposal-status").textContent = fmt(msg.accepted ? TEXT.proposalAccepted : TEXT.proposalDeclined, { label });
}

function point(field) {
  if (!state.callId) return;
  send({ type: "point", call_id: state.callId, control: field });
  $("point-status").textContent = fmt(TEXT.pointed, { label: fieldLabel(field) });
}

// --- wiring -----------------------------------------------------------------------------------

$("login-form").addEventListener("submit", login);
$("logout").addEventListener("click", logout);
$("hangup").addEventListener("click", () => hangup("clerk"));
$("mute").addEventListener("click", toggleMute);
$("propose-form").addEventListener("submit", propose);
setInterval(tickWaits, 1000);
window.addEventListener("pagehide", () => stopSocket());
start();
