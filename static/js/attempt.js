// Progressive enhancement for the exam and practice pages: every change is saved to the
// server as it is made, the countdown follows the server's deadline, and keyboard shortcuts.
//
// A change that cannot reach the server is not lost: the latest answer (and flag) to each
// item is kept on the page and in IndexedDB (keyed by attempt and item, with the time it was
// given), so it outlives a reload or a closed tab, and is sent again when the connection
// returns (the `online` event, and retries with backoff in case it never fires), before the
// learner leaves the item, and first thing on the next page of the attempt that loads. The
// current item's answer alone goes to its own endpoint (its reply carries practice feedback);
// answers to several items go in one batch to the API (docs/offline.md). The server still
// decides: a refused change (time is up, bad input) is named with the server's message and
// never retried. The line under the save status (#sync-status) counts what is waiting.
(function () {
  "use strict";

  const form = document.getElementById("answer-form");
  const status = document.getElementById("save-status");
  const feedback = document.getElementById("feedback");
  const finishForm = document.getElementById("finish-form");
  const attemptId = status ? status.dataset.attempt || "" : "";
  const currentPosition = form ? form.dataset.position || "" : "";

  function setStatus(text, state, link) {
    if (!status) return;
    // The same text is not set again, so screen readers hear each news once.
    if (status.textContent !== text + (link ? " " + link.text : "")) {
      status.textContent = text;
      if (link) {
        const anchor = document.createElement("a");
        anchor.href = link.href;
        anchor.textContent = link.text;
        status.append(" ", anchor);
      }
    }
    status.dataset.state = state;
  }

  // The flag as the learner last set it: the button on its own item, the navigator on any.
  function showFlag(position, flagged) {
    const item = navItem(position);
    if (item) item.classList.toggle("flagged", flagged);
    const flagForm = document.getElementById("flag-form");
    if (position !== currentPosition || !flagForm) return;
    const button = document.getElementById("flag-button");
    button.textContent = flagged ? "Unflag" : "Flag for review";
    button.setAttribute("aria-pressed", flagged ? "true" : "false");
    flagForm.querySelector("input[name=flagged]").value = flagged ? "0" : "1";
  }

  function navItem(position) {
    return document.querySelector('.nav-item[data-position="' + position + '"]');
  }

  // Practice only: once an item is answered its key is shown, and the navigator says
  // whether the answer was right ("right", "partly right" or "wrong", from the server).
  function markVerdict(position, verdict) {
    const item = navItem(position);
    if (!item) return;
    item.classList.add("verdict-" + verdict.replace(/ /g, "-"));
    const label = item.getAttribute("aria-label");
    if (label && !label.includes(", " + verdict)) {
      item.setAttribute("aria-label", label.replace(/, (answered|incomplete)/, "$&, " + verdict));
    }
  }

  function markAnswered(position, answered, incomplete = false) {
    const item = navItem(position);
    if (!item) return;
    item.classList.toggle("answered", answered);
    item.classList.toggle("incomplete", answered && incomplete);
    const label = item.getAttribute("aria-label");
    if (label) {
      const status = !answered ? "unanswered" : incomplete ? "incomplete" : "answered";
      item.setAttribute("aria-label", label.replace(/, (unanswered|answered|incomplete)/, ", " + status));
    }
    // "N answered" above the item follows the navigator, which holds every item's state.
    const count = document.querySelector("[data-answered-count]");
    if (count) {
      count.textContent = String(document.querySelectorAll(".nav-item[data-position].answered").length);
    }
  }

  // ---- Answers not yet acknowledged by the server: the latest one per item. ----
  const pending = new Map();  // position -> {position, url, fields, version, givenAt}
  const pendingFlags = new Map();  // position -> {position, url, fields, flagged, version}
  let versionCounter = 0;

  // IndexedDB: one record per attempt, kind ("answer" or "flag") and item. Every write is
  // queued on the one database connection, so they land in the order they were made.
  const DB_NAME = "pcep-offline";
  const DB_STORE = "pending";
  let database = null;

  function openDatabase() {
    if (database) return database;
    database = new Promise((resolve) => {
      let request;
      try {
        request = window.indexedDB.open(DB_NAME, 1);
      } catch (error) {
        resolve(null);  // storage disabled: the answers are kept on this page only
        return;
      }
      request.onupgradeneeded = () => request.result.createObjectStore(DB_STORE, { keyPath: "key" });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => resolve(null);
      request.onblocked = () => resolve(null);
    });
    return database;
  }

  function withStore(mode, action) {
    return openDatabase().then((db) => new Promise((resolve) => {
      if (!db) {
        resolve(null);
        return;
      }
      try {
        const transaction = db.transaction(DB_STORE, mode);
        const request = action(transaction.objectStore(DB_STORE));
        transaction.oncomplete = () => resolve(request ? request.result : null);
        transaction.onerror = () => resolve(null);
        transaction.onabort = () => resolve(null);
      } catch (error) {
        resolve(null);  // full or unavailable storage: the page still holds the change
      }
    }));
  }

  const recordKey = (kind, position) => attemptId + ":" + kind + ":" + position;

  function store(kind, entry) {
    withStore("readwrite", (objects) => objects.put({ ...entry, key: recordKey(kind, entry.position), attempt: attemptId, kind }));
  }

  function unstore(kind, position) {
    withStore("readwrite", (objects) => objects.delete(recordKey(kind, position)));
  }

  // What earlier pages of this attempt kept; a change made on this page meanwhile is newer.
  async function loadPending() {
    if (!attemptId) return;
    const records = (await withStore("readonly", (objects) => objects.getAll())) || [];
    records.forEach((record) => {
      if (record.attempt !== attemptId || !record.url || !Array.isArray(record.fields)) return;
      const position = String(record.position);
      const target = record.kind === "flag" ? pendingFlags : pending;
      if (!target.has(position)) target.set(position, { ...record, position });
    });
    if (pending.size || pendingFlags.size) showWaiting = true;
  }

  function keep(entry) {
    pending.set(entry.position, entry);
    store("answer", entry);
    updateBanner();
  }

  // Forget an item's pending answer, but only the version that was sent: a newer one stays.
  function forget(position, version) {
    const entry = pending.get(position);
    if (!entry || (version !== undefined && entry.version !== version)) return;
    pending.delete(position);
    unstore("answer", position);
  }

  function forgetFlag(position, version) {
    const entry = pendingFlags.get(position);
    if (!entry || (version !== undefined && entry.version !== version)) return;
    pendingFlags.delete(position);
    unstore("flag", position);
  }

  // ---- The line that counts what waits: "Offline — 3 answers waiting", "All answers saved". ----
  let banner = null;
  if (status) {
    banner = document.createElement("p");
    banner.id = "sync-status";
    banner.className = "sync-status";
    banner.setAttribute("role", "status");
    banner.setAttribute("aria-live", "polite");
    status.after(banner);
  }
  let showWaiting = false;  // set once a change could not be sent (or came from an earlier page)
  const notSaved = new Map();  // position -> why the server refused it, named until the end

  function plural(count, word) {
    return count + " " + word + (count === 1 ? "" : "s");
  }

  function updateBanner() {
    if (!banner) return;
    const parts = Array.from(notSaved.entries())
      .sort(([a], [b]) => a - b)
      .map(([position, why]) => "Item " + position + " was not saved: " + why);
    const waiting = [];
    if (pending.size) waiting.push(plural(pending.size, "answer"));
    if (pendingFlags.size) waiting.push(plural(pendingFlags.size, "flag"));
    if (waiting.length && (showWaiting || !navigator.onLine)) {
      showWaiting = true;
      const where = !navigator.onLine || lastTrouble === "offline" ? "Offline" : "Not sent yet";
      parts.unshift(where + " — " + waiting.join(" and ") + " waiting");
    } else if (!waiting.length && showWaiting && !notSaved.size) {
      parts.unshift("All answers saved");
    }
    const text = parts.join(". ");
    if (banner.textContent !== text) banner.textContent = text;
    banner.dataset.state = notSaved.size ? "error" : waiting.length ? "waiting" : "saved";
  }

  // Why a refusal happened, in the learner's words when the reason is the clock.
  function refusalReason(code, message) {
    if (code === "late_answer" || /^time is up/i.test(message || "")) return "time was up";
    if (code === "attempt_finished") return "the attempt is over";
    return (message || "the server refused it").replace(/\.$/, "");
  }

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : null;
  }

  // One request; the outcome is "saved", "refused" (final), or a reason to try again later.
  async function post(url, fields) {
    const body = new URLSearchParams();
    const token = csrfToken();  // this page's token, in case the session's has changed
    fields.forEach(([name, value]) => {
      body.append(name, name === "csrfmiddlewaretoken" && token ? token : value);
    });
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        body,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
    } catch (error) {
      return { state: "offline" };
    }
    const data = await response.json().catch(() => null);
    if (response.ok && data && data.saved) return { state: "saved", data };
    if (response.status >= 500 || response.status === 408 || response.status === 429) {
      return { state: "unavailable" };
    }
    if (!data && response.redirected) return { state: "logged-out" };  // the login page
    if (!data && response.ok) return { state: "unavailable" };  // not the server's answer
    return {
      state: "refused",
      status: response.status,
      error: (data && data.error) || "the server refused this change (error " + response.status + ").",
    };
  }

  const inFlight = new Map();  // position -> promise of the last outcome
  let closed = false;  // the server said the attempt is over
  let refusedWhileHeld = false;

  // Send an item's pending answer, then any newer one given meanwhile: one request per item
  // at a time, so an older answer can never arrive after a newer one.
  function sendItem(position) {
    if (batchRun) return batchRun.then(() => sendItem(position));  // it may hold this item
    if (inFlight.has(position)) return inFlight.get(position);
    if (!pending.has(position) || closed) return Promise.resolve(null);
    const run = (async () => {
      let outcome = null;
      try {
        while (pending.has(position) && !closed) {
          const entry = pending.get(position);
          outcome = await post(entry.url, entry.fields);
          if (outcome.state !== "saved" && outcome.state !== "refused") {
            lastTrouble = outcome.state;
            break;  // kept; tried again later
          }
          forget(position, entry.version);
          if (outcome.state === "refused" && outcome.status === 409) {
            attemptClosed(outcome.error, [position, ...pending.keys()]);
            break;
          }
          report(entry.position, outcome, pending.has(position));
        }
      } finally {
        inFlight.delete(position);
      }
      return outcome;
    })();
    inFlight.set(position, run);
    return run.then((outcome) => {
      settle();
      return outcome;
    });
  }

  // The batch save of the API (exams/api/views.py BatchAnswerView), by this page's session.
  function batchBody(entries) {
    return {
      answers: entries.map((entry) => {
        // No answered_at: the server's clock alone decides what is late (docs/offline.md), and
        // a device clock minutes fast would have the server refuse answers given in time.
        const answer = { position: parseInt(entry.position, 10) };
        const values = (name) => entry.fields.filter(([key]) => key === name).map(([, value]) => value);
        const choices = values("choice").map((value) => parseInt(value, 10)).filter((value) => !isNaN(value));
        const order = values("order").map((value) => parseInt(value, 10)).filter((value) => !isNaN(value));
        if (choices.length || !values("gap").length) answer.choices = choices;
        if (order.length) answer.order = order;
        if (values("gap").length) answer.gaps = values("gap");
        return answer;
      }),
    };
  }

  async function postBatch(entries) {
    let response;
    try {
      response = await fetch(status.dataset.batchUrl, {
        method: "POST",
        body: JSON.stringify(batchBody(entries)),
        headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": csrfToken() || "" },
        credentials: "same-origin",
      });
    } catch (error) {
      return { state: "offline" };
    }
    const data = await response.json().catch(() => null);
    if (response.status >= 500 || response.status === 408 || response.status === 429) return { state: "unavailable" };
    if (response.status === 401 || response.status === 403) return { state: "logged-out" };
    if (response.ok && Array.isArray(data)) return { state: "saved", results: data };
    const error = data && data.error ? data.error : { message: "the server refused these answers (error " + response.status + ")." };
    if (response.status === 409) return { state: "closed", error: error.message || "" };
    if (data && Array.isArray(data.results)) return { state: "rolled-back", results: data.results };
    if (!data) return { state: "unavailable" };  // not the API's answer
    return { state: "unreadable", error };  // bad input the batch cannot say per item
  }

  let batchRun = null;
  async function sendBatch() {
    await Promise.all(Array.from(inFlight.values()));  // a single save on its way lands first
    batchRun = (async () => {
      let outcome = null;
      while (pending.size && !closed) {
        // Oldest first: the server applies them in one transaction, in this order.
        const entries = Array.from(pending.values()).sort((a, b) => (a.givenAt || "").localeCompare(b.givenAt || ""));
        outcome = await postBatch(entries);
        if (["offline", "unavailable", "logged-out"].includes(outcome.state)) {
          lastTrouble = outcome.state;
          return outcome;
        }
        if (outcome.state === "closed") {
          attemptClosed(outcome.error, entries.map((entry) => entry.position));
          return outcome;
        }
        if (outcome.state === "unreadable") return { state: "unreadable" };
        const saved = [];
        let again = false;
        let answered = 0;  // results that settle an item, saved or refused
        outcome.results.forEach((result) => {
          const entry = entries.find((candidate) => String(candidate.position) === String(result.position));
          if (!entry) return;
          // Refused whole for another item's sake: this one is valid and goes in the next batch.
          if (outcome.state === "rolled-back" && !result.error) {
            again = true;
            return;
          }
          answered += 1;
          forget(entry.position, entry.version);
          if (result.saved) {
            notSaved.delete(entry.position);
            markAnswered(entry.position, !result.item || result.item.answered !== false);
            saved.push(entry.position);
          } else {
            const error = result.error || {};
            notSaved.set(entry.position, refusalReason(error.code, error.message));
            report(entry.position, { state: "refused", error: error.message || "" }, pending.has(entry.position));
          }
        });
        // A practice item answered from an earlier page: its feedback comes with the page.
        if (saved.includes(currentPosition) && feedback && !document.getElementById("flag-form")) reloadWhenSent = true;
        if (saved.length && !pending.has(currentPosition) && !notSaved.size) {
          if (saved.includes(currentPosition)) setStatus("Saved", "saved");
          else setStatus("Saved your " + (saved.length === 1 ? "answer to item " : "answers to items ") + saved.sort((a, b) => a - b).join(", ") + ".", "saved");
        }
        if (!again) break;
        if (!answered) return { state: "unreadable" };  // refused with no item to blame
      }
      return { state: "saved" };
    })();
    try {
      const outcome = await batchRun;
      if (outcome.state !== "unreadable") return outcome;
    } finally {
      batchRun = null;
    }
    // Input the batch could not take item by item: each item alone, for its own message.
    let outcome = null;
    for (const position of Array.from(pending.keys()).sort((a, b) => a - b)) {
      outcome = await sendItem(position);
      if (closed || (outcome && outcome.state !== "saved" && outcome.state !== "refused")) break;
    }
    return outcome;
  }

  // Kept flags, one request each (there is no batch for flags); the latest per item.
  async function sendFlags() {
    for (const entry of Array.from(pendingFlags.values())) {
      const outcome = await post(entry.url, entry.fields);
      if (outcome.state === "refused" && outcome.status === 409) {
        attemptClosed(outcome.error, []);
        return;
      }
      if (outcome.state !== "saved" && outcome.state !== "refused") {
        lastTrouble = outcome.state;
        return;
      }
      forgetFlag(entry.position, entry.version);
      if (outcome.state === "refused") setStatus("The flag on item " + entry.position + " was not saved: " + outcome.error, "error");
    }
  }

  // Every kept answer: the current item's alone through its own endpoint (practice feedback
  // comes back with it), answers to other items too in one batch; then the kept flags.
  let flushing = null;
  function flushAll() {
    if (flushing) return flushing;
    flushing = (async () => {
      const others = Array.from(pending.keys()).filter((position) => position !== currentPosition);
      let outcome = null;
      if (others.length) outcome = await sendBatch();
      else if (pending.has(currentPosition)) outcome = await sendItem(currentPosition);
      const through = !outcome || outcome.state === "saved" || outcome.state === "refused";
      if (!closed && through && pendingFlags.size) await sendFlags();
    })().finally(() => {
      flushing = null;
      settle();
    });
    return flushing;
  }

  // ---- What the page says: only what the server has acknowledged counts as saved. ----
  let lastTrouble = "offline";
  let heldHref = null;  // where the learner asked to go while an answer was unsent
  let heldSubmit = false;  // the review page's submit, waiting for unsent answers
  let leaveAnyway = false;  // asked twice: go without waiting
  let reloadWhenSent = false;  // the review page counts answers: show it again once sent

  function keptMessage() {
    const reasons = {
      offline: ["no connection", "when the connection returns"],
      unavailable: ["the server is not answering", "when it answers again"],
      "logged-out": ["you are logged out", "once you log in again in this tab"],
    };
    const [reason, when] = reasons[lastTrouble] || reasons.offline;
    const others = Array.from(pending.keys()).filter((position) => position !== currentPosition);
    const mine = pending.has(currentPosition);
    let what;
    if (mine && others.length === 0) what = "Your answer is kept on this page";
    else if (mine) what = "Your answer and " + others.length + " earlier one" + (others.length > 1 ? "s" : "") + " are kept on this page";
    else if (others.length === 1) what = "Your answer to item " + others[0] + " is kept on this page";
    else what = "Your answers to items " + others.join(", ") + " are kept on this page";
    let text = "Not saved yet: " + reason + ". " + what + " and will be sent " + when + ".";
    const [itIs, it, stays] = pending.size > 1 ? ["they are", "them", "they stay"] : ["it is", "it", "it stays"];
    if (heldHref) {
      text += " You will move on once " + itIs + " sent. To leave now anyway, choose the link again: " + stays + " kept in this tab and will be sent from the next page.";
    } else if (heldSubmit) {
      text += " The attempt will be submitted once " + itIs + " sent. To submit without " + it + ", choose Submit again.";
    }
    return text;
  }

  function report(position, outcome, superseded) {
    const isCurrent = position === currentPosition;
    if (outcome.state === "saved") {
      const data = outcome.data;
      notSaved.delete(position);
      if ("answered" in data) markAnswered(position, data.answered, Boolean(data.incomplete));
      if (data.verdict) markVerdict(position, data.verdict);
      if (isCurrent && data.feedback_html && feedback) showFeedback(data.feedback_html);
      if (superseded) return;  // a newer answer to this item is on its way
      if (isCurrent) setStatus("Saved", "saved");
      else if (!pending.has(currentPosition)) setStatus("Saved your answer to item " + position + ".", "saved");
      return;
    }
    // Refused: the server's word is final, so it is shown and not tried again.
    heldHref = null;
    heldSubmit = false;
    reloadWhenSent = false;
    refusedWhileHeld = true;
    if (!notSaved.has(position)) notSaved.set(position, refusalReason(null, outcome.error));
    if (superseded) return;
    if (isCurrent) setStatus("Not saved: " + outcome.error, "error");
    else setStatus("Your answer to item " + position + " was not saved: " + outcome.error, "error");
  }

  // The attempt is over (time is up, or submitted elsewhere): nothing kept can be saved now,
  // so each lost item is named, and nothing is tried again.
  function attemptClosed(message, lost) {
    closed = true;
    const reason = refusalReason("attempt_finished", message);
    lost.forEach((position) => notSaved.set(String(position), reason));
    Array.from(pending.keys()).forEach((position) => forget(position));
    Array.from(pendingFlags.keys()).forEach((position) => forgetFlag(position));
    updateBanner();
    clearTimeout(retryTimer);
    heldHref = null;
    heldSubmit = false;
    reloadWhenSent = false;
    if (form) lockForm();
    const url = status && status.dataset.attemptUrl;
    setStatus("Not saved: " + message, "error", url ? { href: url, text: "See the report." } : null);
  }

  // ---- Trying again: when the browser says it is online, and with backoff meanwhile. ----
  const FIRST_RETRY = 1000;
  const LAST_RETRY = 15000;
  let retryDelay = FIRST_RETRY;
  let retryTimer = null;

  function retryNow() {
    clearTimeout(retryTimer);
    retryTimer = null;
    retryDelay = FIRST_RETRY;
    flushAll();
  }

  // After each send: go where the learner was held from, or keep trying.
  function settle() {
    updateBanner();
    if (closed || inFlight.size > 0 || flushing) return;
    if (pending.size === 0) {
      if (pendingFlags.size) {
        scheduleRetry();
      } else {
        clearTimeout(retryTimer);
        retryTimer = null;
        retryDelay = FIRST_RETRY;
      }
      if (heldHref) {
        window.location.href = heldHref;
      } else if (heldSubmit) {
        heldSubmit = false;
        finishForm.submit();
      } else if (reloadWhenSent) {
        window.location.reload();
      }
      return;
    }
    setStatus(keptMessage(), "error");
    showWaiting = true;
    updateBanner();
    scheduleRetry();
  }

  function scheduleRetry() {
    if (retryTimer !== null) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      retryDelay = Math.min(retryDelay * 2, LAST_RETRY);
      flushAll();
    }, retryDelay);
  }

  window.addEventListener("online", retryNow);
  window.addEventListener("offline", updateBanner);
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    // Back from the browser's cache: another page of the attempt may have sent (or replaced)
    // what this one kept, so IndexedDB says what is still to send.
    openDatabase().then((db) => {
      if (db) {
        pending.clear();
        pendingFlags.clear();
      }
      return loadPending();
    }).then(() => {
      updateBanner();
      if (pending.size || pendingFlags.size) retryNow();
    });
  });
  // Closing or reloading the tab would lose what the storage cannot keep: the browser asks.
  window.addEventListener("beforeunload", (event) => {
    if (pending.size === 0 || leaveAnyway || closed) return;
    event.preventDefault();
    event.returnValue = "";
  });

  // ---- Leaving the item: wait for its answer, or warn and keep it. ----
  let commitTyping = () => {};

  function leave(href) {
    commitTyping();
    if (leaveAnyway || closed || pending.size === 0) {
      window.location.href = href;
      return;
    }
    if (heldHref || heldSubmit) {
      leaveAnyway = true;  // asked again: go; the answers stay in IndexedDB
      window.location.href = href;
      return;
    }
    heldHref = href;
    refusedWhileHeld = false;
    setStatus("Sending your answer before moving on…", "saving");
    flushAll();
    // A request that hangs: say so rather than wait in silence.
    setTimeout(() => {
      if (heldHref === href && pending.size && !refusedWhileHeld) setStatus(keptMessage(), "error");
    }, 8000);
  }

  document.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target.closest("a[href]");
    if (!link || (link.target && link.target !== "_self") || link.hasAttribute("download")) return;
    if (link.origin !== window.location.origin || link.getAttribute("href").startsWith("#")) return;
    commitTyping();
    if (pending.size === 0 && !heldHref) return;
    event.preventDefault();
    leave(link.href);
  });

  // ---- The item's form. ----
  function lockForm() {
    form.querySelectorAll("input, button").forEach((element) => {
      if (element.type !== "hidden") element.disabled = true;
    });
    form.dataset.locked = "1";
  }

  // After feedback the learner's next step is the next item: it becomes the main button.
  function promoteNext() {
    const next = document.getElementById("next-link");
    const finish = document.getElementById("finish-link");
    if (!next || !finish) return;
    next.classList.remove("secondary");
    finish.classList.add("secondary");
  }

  function showFeedback(html) {
    feedback.innerHTML = html;
    lockForm();
    promoteNext();
    forget(currentPosition);  // answered in practice: the server takes no other answer
  }

  function save(targetForm) {
    if (closed) return Promise.resolve(null);
    keep({
      position: currentPosition,
      url: targetForm.action,
      fields: Array.from(new FormData(targetForm).entries()),
      version: Date.now().toString(36) + "-" + ++versionCounter,
      givenAt: new Date().toISOString(),  // the batch sends the oldest first
    });
    setStatus("Saving…", "saving");
    return sendItem(currentPosition);
  }

  // Show a kept answer to this item, when the page was loaded before it reached the server.
  function applyToForm(fields) {
    const values = (name) => fields.filter(([key]) => key === name).map(([, value]) => value);
    const choices = values("choice");
    form.querySelectorAll("input[name=choice]").forEach((box) => {
      box.checked = choices.includes(box.value);
    });
    const gaps = values("gap");
    form.querySelectorAll("input[name=gap]").forEach((input, index) => {
      if (index < gaps.length) input.value = gaps[index];
    });
    renderTiles();
    const list = document.getElementById("order-list");
    const order = values("order");
    if (list && order.length) {
      const rows = new Map(
        Array.from(list.children).map((row) => [row.querySelector("input[name=order]").value, row]),
      );
      order.forEach((value) => {
        if (rows.has(value)) list.appendChild(rows.get(value));
      });
    }
  }

  // Tiles: each gap's hidden input holds the text of the tile placed in it; the slot button
  // shows it, and a placed tile leaves the pool.
  function renderTiles() {
    if (!form) return;
    const pool = document.getElementById("tile-pool");
    if (!pool) return;
    const placed = [];
    form.querySelectorAll(".tile-slot").forEach((slot) => {
      const input = form.querySelector('input[name=gap][data-gap="' + slot.dataset.gap + '"]');
      const text = input ? input.value : "";
      slot.textContent = text || "\u00a0";
      slot.classList.toggle("filled", !!text);
      slot.setAttribute("aria-label", "Gap " + slot.dataset.gap + (text ? ": " + text : ", empty"));
      if (text) placed.push(text);
    });
    pool.querySelectorAll(".tile").forEach((tile) => {
      const index = placed.indexOf(tile.dataset.text);
      tile.hidden = index !== -1;
      if (index !== -1) placed.splice(index, 1);
    });
  }

  const loaded = loadPending();

  if (form) {
    form.classList.add("autosave");
    const kind = form.dataset.kind;
    const choose = parseInt(form.dataset.choose || "1", 10);
    const isPractice = !!document.getElementById("feedback") && !document.getElementById("flag-form");

    function enforceChooseLimit() {
      if (kind !== "multiple" && kind !== "lines") return;
      const boxes = Array.from(form.querySelectorAll("input[name=choice]"));
      const checked = boxes.filter((box) => box.checked).length;
      boxes.forEach((box) => {
        if (form.dataset.locked !== "1") box.disabled = !box.checked && checked >= choose;
      });
    }

    // An answer kept from before this page loaded: shown, and sent below. A practice item
    // the server already shows feedback for takes no other answer, so its copy is dropped.
    // (IndexedDB answers later than the page: until then the form shows the server's copy.)
    enforceChooseLimit();
    loaded.then(() => {
      if (form.dataset.locked === "1") forget(currentPosition);
      const kept = pending.get(currentPosition);
      if (kept) applyToForm(kept.fields);
      enforceChooseLimit();
      const keptFlag = pendingFlags.get(currentPosition);
      if (keptFlag) showFlag(currentPosition, keptFlag.flagged);
    });

    // Practice shows feedback after the first save, so it waits for a complete answer there.
    function readyToSave() {
      if (!isPractice) return true;
      if (kind === "multiple" || kind === "lines") {
        return form.querySelectorAll("input[name=choice]:checked").length === choose;
      }
      return true;
    }

    form.addEventListener("change", (event) => {
      if (event.target.name === "gap") return;  // gaps save on input, debounced
      enforceChooseLimit();
      if (!isPractice || (kind !== "order" && kind !== "gap" && kind !== "tiles" && readyToSave())) save(form);
    });

    let gapTimer = null;
    form.addEventListener("input", (event) => {
      if (event.target.name !== "gap" || isPractice) return;
      clearTimeout(gapTimer);
      setStatus("Typing…", "pending");
      gapTimer = setTimeout(() => {
        gapTimer = null;
        save(form);
      }, 600);
    });
    form.addEventListener("focusout", (event) => {
      if (event.target.name === "gap" && !isPractice) {
        clearTimeout(gapTimer);
        gapTimer = null;
        save(form);
      }
    });
    // Typing not yet saved is saved before leaving.
    commitTyping = () => {
      if (gapTimer === null) return;
      clearTimeout(gapTimer);
      gapTimer = null;
      save(form);
    };

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      save(form);
    });

    // Practice: orders and gaps are submitted with the button, since feedback follows.
    const saveButton = form.querySelector(".save-button");
    if (saveButton) {
      if (isPractice && ["order", "gap", "tiles", "multiple", "lines"].includes(kind)) {
        saveButton.textContent = "Check answer";
      } else if (kind === "order") {
        // The shown order may already be the learner's answer: let them keep it as it is.
        saveButton.textContent = "Keep this order";
        saveButton.classList.add("secondary");
      } else {
        saveButton.hidden = true;
      }
    }

    // Ordering: buttons for keyboard and screen-reader users, drag and drop for the mouse.
    const list = document.getElementById("order-list");
    if (list) {
      list.addEventListener("click", (event) => {
        const button = event.target.closest("button");
        if (!button) return;
        const row = button.closest("li");
        if (button.classList.contains("move-up") && row.previousElementSibling) {
          list.insertBefore(row, row.previousElementSibling);
        } else if (button.classList.contains("move-down") && row.nextElementSibling) {
          list.insertBefore(row.nextElementSibling, row);
        } else {
          return;
        }
        button.focus();
        if (!isPractice) save(form);
      });
      let dragged = null;
      list.addEventListener("dragstart", (event) => { dragged = event.target.closest("li"); });
      list.addEventListener("dragover", (event) => {
        event.preventDefault();
        const over = event.target.closest("li");
        if (!dragged || !over || over === dragged) return;
        const box = over.getBoundingClientRect();
        const after = event.clientY > box.top + box.height / 2;
        list.insertBefore(dragged, after ? over.nextElementSibling : over);
      });
      list.addEventListener("drop", (event) => {
        event.preventDefault();
        dragged = null;
        if (!isPractice) save(form);
      });
    }

    // Tiles: drag a tile onto a gap with the mouse; or, by keyboard or touch, choose a tile
    // then a gap (or a gap then a tile). Choosing a filled gap puts its tile back in the pool.
    const pool = document.getElementById("tile-pool");
    if (pool) {
      let pickedTile = null;
      let pickedSlot = null;
      const slotInput = (slot) => form.querySelector('input[name=gap][data-gap="' + slot.dataset.gap + '"]');
      const unpick = () => {
        if (pickedTile) pickedTile.setAttribute("aria-pressed", "false");
        if (pickedSlot) pickedSlot.classList.remove("awaiting");
        pickedTile = null;
        pickedSlot = null;
      };
      const changed = () => {
        renderTiles();
        if (!isPractice) save(form);
      };
      const place = (text, slot) => {
        slotInput(slot).value = text;  // a tile it held goes back to the pool
        unpick();
        changed();
        slot.focus();
      };
      const firstTile = () => pool.querySelector(".tile:not([hidden])");

      pool.addEventListener("click", (event) => {
        const tile = event.target.closest(".tile");
        if (!tile || form.dataset.locked === "1") return;
        if (pickedSlot) {
          place(tile.dataset.text, pickedSlot);
          return;
        }
        const again = pickedTile === tile;
        unpick();
        if (!again) {
          pickedTile = tile;
          tile.setAttribute("aria-pressed", "true");
          setStatus("Tile " + tile.dataset.text + " chosen: now choose a gap.", "pending");
        }
      });
      form.querySelectorAll(".tile-slot").forEach((slot) => {
        slot.addEventListener("click", () => {
          if (form.dataset.locked === "1") return;
          if (pickedTile) {
            place(pickedTile.dataset.text, slot);
          } else if (slotInput(slot).value) {
            slotInput(slot).value = "";
            unpick();
            changed();
          } else {
            const again = pickedSlot === slot;
            unpick();
            if (!again) {
              pickedSlot = slot;
              slot.classList.add("awaiting");
              setStatus("Gap " + slot.dataset.gap + " chosen: now choose a tile.", "pending");
              const tile = firstTile();
              if (tile) tile.focus();
            }
          }
        });
        slot.addEventListener("dragover", (event) => {
          event.preventDefault();
          slot.classList.add("drop-target");
        });
        slot.addEventListener("dragleave", () => slot.classList.remove("drop-target"));
        slot.addEventListener("drop", (event) => {
          event.preventDefault();
          slot.classList.remove("drop-target");
          const text = event.dataTransfer.getData("text/plain");
          const tile = Array.from(pool.querySelectorAll(".tile")).find((t) => t.dataset.text === text && !t.hidden);
          if (tile && form.dataset.locked !== "1") place(text, slot);
        });
      });
      pool.addEventListener("dragstart", (event) => {
        const tile = event.target.closest(".tile");
        if (!tile) return;
        unpick();
        event.dataTransfer.setData("text/plain", tile.dataset.text);
        event.dataTransfer.effectAllowed = "move";
        tile.classList.add("dragging");
      });
      pool.addEventListener("dragend", (event) => {
        const tile = event.target.closest(".tile");
        if (tile) tile.classList.remove("dragging");
      });
      document.addEventListener("keydown", (event) => {
        if (event.key === "Escape") unpick();
      });
      renderTiles();
    }

    // Keyboard shortcuts: 1–9 choose, N/P next/previous, F flag.
    document.addEventListener("keydown", (event) => {
      const target = event.target;
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (target.matches("input[type=text], textarea, select")) return;
      const key = event.key.toLowerCase();
      if (/^[1-9]$/.test(key)) {
        const inputs = form.querySelectorAll("input[name=choice]");
        const input = inputs[parseInt(key, 10) - 1];
        if (input && !input.disabled) {
          input.checked = input.type === "radio" ? true : !input.checked;
          input.dispatchEvent(new Event("change", { bubbles: true }));
          input.focus();
        }
      } else if (key === "n") {
        const next = document.getElementById("next-link");
        if (next) leave(next.href);
      } else if (key === "p") {
        const previous = document.getElementById("previous-link");
        if (previous) leave(previous.href);
      } else if (key === "f") {
        const flagButton = document.getElementById("flag-button");
        if (flagButton) flagButton.click();
      }
    });
  }

  // Answers kept from before come first, on any page of the attempt.
  loaded.then(() => {
    pendingFlags.forEach((entry) => showFlag(entry.position, entry.flagged));
    updateBanner();
    if (!pending.size && !pendingFlags.size) return;
    if (pending.has(currentPosition)) setStatus("Saving…", "saving");
    else if (pending.size) setStatus("Sending your earlier answers…", "saving");
    reloadWhenSent = !form && pending.size > 0;  // the review page's counts change
    flushAll();
  });

  // Flag without a page load. A flag that cannot be sent is kept like an answer (the latest
  // per item) and shown as given; the server's refusal is shown and not retried.
  const flagForm = document.getElementById("flag-form");
  if (flagForm) {
    flagForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (closed) return;
      const fields = Array.from(new FormData(flagForm).entries());
      const wanted = flagForm.querySelector("input[name=flagged]").value === "1";
      const outcome = await post(flagForm.action, fields);
      if (outcome.state === "refused" && outcome.status === 409) {
        attemptClosed(outcome.error, Array.from(pending.keys()));
        return;
      }
      if (outcome.state === "refused") {
        setStatus("Not flagged: " + outcome.error, "error");
        return;
      }
      if (outcome.state !== "saved") {
        lastTrouble = outcome.state;
        const entry = { position: currentPosition, url: flagForm.action, fields, flagged: wanted, version: Date.now().toString(36) + "-" + ++versionCounter, givenAt: new Date().toISOString() };
        pendingFlags.set(currentPosition, entry);
        store("flag", entry);
        showWaiting = true;
        showFlag(currentPosition, wanted);
        setStatus((wanted ? "Flagged" : "Flag removed") + " on this device: it will be sent when the connection returns.", "error");
        updateBanner();
        scheduleRetry();
        return;
      }
      forgetFlag(currentPosition);  // an older kept flag is replaced by this one
      showFlag(currentPosition, outcome.data.flagged);
      if (pending.size || pendingFlags.size) retryNow();  // the server answers again: send what is kept
      else setStatus(outcome.data.flagged ? "Flagged for review" : "Flag removed", "saved");
      updateBanner();
    });
  }

  // The countdown starts from the seconds the server computed from its stored deadline.
  const countdown = document.getElementById("countdown");
  if (countdown) {
    const value = document.getElementById("countdown-value");
    const endsAt = Date.now() + parseInt(countdown.dataset.secondsLeft, 10) * 1000;
    // Warnings at 10, 5 and 1 minutes, shown and announced once each (a page opened with
    // 7 minutes left announces the 5-minute one when it comes, not the 10 already past).
    const warning = document.createElement("p");
    warning.id = "time-warning";
    warning.className = "time-warning";
    warning.setAttribute("role", "alert");
    warning.hidden = true;
    countdown.after(warning);
    const warnings = [
      [600, "10 minutes left."],
      [300, "5 minutes left."],
      [60, "1 minute left: answers save as you give them."],
    ];
    const band = (left) => warnings.filter(([limit]) => left <= limit).length;
    let warned = band(Math.round((endsAt - Date.now()) / 1000));
    const tick = () => {
      const left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      const minutes = Math.floor(left / 60);
      const seconds = String(left % 60).padStart(2, "0");
      value.textContent = minutes + ":" + seconds;
      countdown.classList.toggle("low", left <= 300);
      const now = band(left);
      if (now > warned && left > 0) {
        warned = now;
        warning.textContent = warnings[now - 1][1];
        warning.hidden = false;
      }
      if (left === 0) {
        clearInterval(timer);
        // No new input from now on; answers already given still go out (the server allows
        // a few seconds' grace for requests in flight, not for new answers).
        if (form) lockForm();
        const flagButton = document.getElementById("flag-button");
        if (flagButton) flagButton.disabled = true;
        warning.textContent = "Time is up — your answers were submitted.";
        warning.classList.add("over");
        warning.hidden = false;
        // The server finishes an overdue attempt when it is next touched.
        setTimeout(() => {
          leaveAnyway = true;  // the server's clock has ended the attempt
          window.location.href = countdown.dataset.finishUrl;
        }, 6000);
      }
    };
    const timer = setInterval(tick, 1000);
    tick();
  }

  // "Skip to the answer" (the page's first Tab stop) focuses the item's first option, line,
  // gap or tile; with none left to change (practice feedback shown) it only scrolls there.
  const skipLink = document.getElementById("skip-to-answer");
  if (skipLink && form) {
    skipLink.addEventListener("click", (event) => {
      const usable = ":not([hidden]):not(:disabled)";
      const first = form.querySelector(".tile-pool .tile" + usable) ||
        form.querySelector(["input:not([type=hidden])", "button", "select", "textarea"]
          .map((control) => control + usable).join(", "));
      if (!first) return;
      event.preventDefault();
      first.focus();
    });
  }

  // Submitting asks for confirmation, and first sends any answer still kept on the page.
  if (finishForm) {
    finishForm.addEventListener("submit", (event) => {
      if (!window.confirm(finishForm.dataset.confirm)) {
        event.preventDefault();
        return;
      }
      if (pending.size === 0 || leaveAnyway || closed) return;
      event.preventDefault();
      if (heldSubmit) {
        leaveAnyway = true;  // asked again: submit without them
        finishForm.submit();
        return;
      }
      heldSubmit = true;
      reloadWhenSent = false;
      setStatus("Sending your answers before submitting…", "saving");
      flushAll();
    });
  }
})();
