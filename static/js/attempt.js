// Progressive enhancement for the exam and practice pages: every change is saved to the
// server as it is made, the countdown follows the server's deadline, and keyboard shortcuts.
//
// A change that cannot reach the server is not lost: the latest answer to each item is kept
// on the page and in this tab's sessionStorage (keyed by attempt and item), and sent again
// when the connection returns (the `online` event, and retries with backoff in case it never
// fires), before the learner leaves the item, and first thing on the next page of the
// attempt that loads. The server still decides: a refused change (time is up, bad input) is
// shown with the server's message and never retried.
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

  function navItem(position) {
    return document.querySelector('.nav-item[data-position="' + position + '"]');
  }

  function markAnswered(position, answered) {
    const item = navItem(position);
    if (!item) return;
    item.classList.toggle("answered", answered);
    const label = item.getAttribute("aria-label");
    if (label) {
      item.setAttribute("aria-label", label.replace(/, (un)?answered/, answered ? ", answered" : ", unanswered"));
    }
  }

  // ---- Answers not yet acknowledged by the server: the latest one per item. ----
  const STORE_PREFIX = "pcep-pending:" + attemptId + ":";
  const pending = new Map();  // position -> {position, url, fields, version}
  let versionCounter = 0;

  function storage() {
    try {
      return window.sessionStorage;
    } catch (error) {
      return null;  // storage disabled: the answers are kept on this page only
    }
  }

  function loadPending() {
    const store = storage();
    if (!store || !attemptId) return;
    for (let index = 0; index < store.length; index++) {
      const key = store.key(index);
      if (!key || !key.startsWith(STORE_PREFIX)) continue;
      try {
        const entry = JSON.parse(store.getItem(key));
        if (entry && entry.url && Array.isArray(entry.fields)) pending.set(String(entry.position), entry);
      } catch (error) {
        // An unreadable entry is left alone rather than sent.
      }
    }
  }

  function keep(entry) {
    pending.set(entry.position, entry);
    try {
      storage().setItem(STORE_PREFIX + entry.position, JSON.stringify(entry));
    } catch (error) {
      // Full or disabled storage: the answer is still kept on this page.
    }
  }

  // Forget an item's pending answer, but only the version that was sent: a newer one stays.
  function forget(position, version) {
    const entry = pending.get(position);
    if (!entry || (version !== undefined && entry.version !== version)) return;
    pending.delete(position);
    try {
      storage().removeItem(STORE_PREFIX + position);
    } catch (error) {
      // Nothing stored to remove.
    }
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
            attemptClosed(outcome.error);
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

  // Every kept answer, one request after another; stops at the first that cannot get through.
  let flushing = null;
  function flushAll() {
    if (flushing) return flushing;
    flushing = (async () => {
      const positions = Array.from(pending.keys()).sort((a, b) => a - b);
      for (const position of positions) {
        const outcome = await sendItem(position);
        if (closed || (outcome && outcome.state !== "saved" && outcome.state !== "refused")) break;
      }
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
      if ("answered" in data) markAnswered(position, data.answered);
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
    if (superseded) return;
    if (isCurrent) setStatus("Not saved: " + outcome.error, "error");
    else setStatus("Your answer to item " + position + " was not saved: " + outcome.error, "error");
  }

  function attemptClosed(message) {
    closed = true;
    Array.from(pending.keys()).forEach((position) => forget(position));
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
    if (closed || inFlight.size > 0 || flushing) return;
    if (pending.size === 0) {
      clearTimeout(retryTimer);
      retryTimer = null;
      retryDelay = FIRST_RETRY;
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
    if (retryTimer === null) {
      retryTimer = setTimeout(() => {
        retryTimer = null;
        retryDelay = Math.min(retryDelay * 2, LAST_RETRY);
        flushAll();
      }, retryDelay);
    }
  }

  window.addEventListener("online", retryNow);
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    // Back from the browser's cache: another page of the attempt may have sent (or replaced)
    // what this one kept, so the tab's storage says what is still to send.
    if (storage()) {
      pending.clear();
      loadPending();
    }
    if (pending.size) retryNow();
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
      leaveAnyway = true;  // asked again: go; the answers stay in sessionStorage
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

  function showFeedback(html) {
    feedback.innerHTML = html;
    lockForm();
    forget(currentPosition);  // answered in practice: the server takes no other answer
  }

  function save(targetForm) {
    if (closed) return Promise.resolve(null);
    keep({
      position: currentPosition,
      url: targetForm.action,
      fields: Array.from(new FormData(targetForm).entries()),
      version: Date.now().toString(36) + "-" + ++versionCounter,
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

  loadPending();

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
    if (form.dataset.locked === "1") forget(currentPosition);
    const kept = pending.get(currentPosition);
    if (kept) applyToForm(kept.fields);
    enforceChooseLimit();

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
  if (pending.size) {
    if (pending.has(currentPosition)) setStatus("Saving…", "saving");
    else setStatus("Sending your earlier answers…", "saving");
    reloadWhenSent = !form;  // the review page's counts change
    flushAll();
  }

  // Flag without a page load. A flag is not kept when it cannot be sent: the page says so.
  const flagForm = document.getElementById("flag-form");
  if (flagForm) {
    flagForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (closed) return;
      const outcome = await post(flagForm.action, Array.from(new FormData(flagForm).entries()));
      if (outcome.state === "refused" && outcome.status === 409) {
        attemptClosed(outcome.error);
        return;
      }
      if (outcome.state !== "saved") {
        const why = outcome.state === "refused" ? outcome.error : "no connection to the server. Please try again.";
        setStatus("Not flagged: " + why, "error");
        return;
      }
      const flagged = outcome.data.flagged;
      const button = document.getElementById("flag-button");
      button.textContent = flagged ? "Unflag" : "Flag for review";
      button.setAttribute("aria-pressed", flagged ? "true" : "false");
      flagForm.querySelector("input[name=flagged]").value = flagged ? "0" : "1";
      const item = navItem(currentPosition);
      if (item) item.classList.toggle("flagged", flagged);
      if (pending.size) retryNow();  // the server answers again: send what is kept
      else setStatus(flagged ? "Flagged for review" : "Flag removed", "saved");
    });
  }

  // The countdown starts from the seconds the server computed from its stored deadline.
  const countdown = document.getElementById("countdown");
  if (countdown) {
    const value = document.getElementById("countdown-value");
    const endsAt = Date.now() + parseInt(countdown.dataset.secondsLeft, 10) * 1000;
    const tick = () => {
      const left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      const minutes = Math.floor(left / 60);
      const seconds = String(left % 60).padStart(2, "0");
      value.textContent = minutes + ":" + seconds;
      countdown.classList.toggle("low", left <= 300);
      if (left === 0) {
        clearInterval(timer);
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
