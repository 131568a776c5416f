// Progressive enhancement for the exam and practice pages: every change is saved to the
// server as it is made, the countdown follows the server's deadline, and keyboard shortcuts.
(function () {
  "use strict";

  const form = document.getElementById("answer-form");
  const status = document.getElementById("save-status");
  const feedback = document.getElementById("feedback");

  function setStatus(text, state) {
    if (!status) return;
    status.textContent = text;
    status.dataset.state = state;
  }

  function currentNavItem() {
    return document.querySelector(".nav-item.current");
  }

  let saveSequence = 0;
  async function save(targetForm) {
    const sequence = ++saveSequence;
    setStatus("Saving…", "saving");
    try {
      const response = await fetch(targetForm.action, {
        method: "POST",
        body: new FormData(targetForm),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const data = await response.json().catch(() => ({ error: "The server sent an unexpected answer." }));
      if (sequence !== saveSequence) return data;  // a newer save is on its way
      if (!response.ok || !data.saved) {
        setStatus("Not saved: " + (data.error || "please try again."), "error");
        if (response.status === 409) window.location.reload();
        return data;
      }
      setStatus("Saved", "saved");
      const navItem = currentNavItem();
      if (navItem && "answered" in data) navItem.classList.toggle("answered", data.answered);
      if (data.feedback_html && feedback) {
        feedback.innerHTML = data.feedback_html;
        targetForm.querySelectorAll("input, button").forEach((element) => {
          if (element.type !== "hidden") element.disabled = true;
        });
        targetForm.dataset.locked = "1";
      }
      return data;
    } catch (error) {
      setStatus("Not saved: no connection to the server. Your answer will be sent with the next change.", "error");
      return null;
    }
  }

  if (form) {
    form.classList.add("autosave");
    const kind = form.dataset.kind;
    const choose = parseInt(form.dataset.choose || "1", 10);
    const isPractice = !!document.getElementById("feedback") && !document.getElementById("flag-form");

    function enforceChooseLimit() {
      if (kind !== "multiple") return;
      const boxes = Array.from(form.querySelectorAll("input[name=choice]"));
      const checked = boxes.filter((box) => box.checked).length;
      boxes.forEach((box) => {
        if (form.dataset.locked !== "1") box.disabled = !box.checked && checked >= choose;
      });
    }
    enforceChooseLimit();

    // Practice shows feedback after the first save, so it waits for a complete answer there.
    function readyToSave() {
      if (!isPractice) return true;
      if (kind === "multiple") {
        return form.querySelectorAll("input[name=choice]:checked").length === choose;
      }
      return true;
    }

    form.addEventListener("change", (event) => {
      if (event.target.name === "gap") return;  // gaps save on input, debounced
      enforceChooseLimit();
      if (!isPractice || (kind !== "order" && kind !== "gap" && readyToSave())) save(form);
    });

    let gapTimer = null;
    form.addEventListener("input", (event) => {
      if (event.target.name !== "gap" || isPractice) return;
      clearTimeout(gapTimer);
      setStatus("Typing…", "pending");
      gapTimer = setTimeout(() => save(form), 600);
    });
    form.addEventListener("focusout", (event) => {
      if (event.target.name === "gap" && !isPractice) {
        clearTimeout(gapTimer);
        save(form);
      }
    });

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      save(form);
    });

    // Practice: orders and gaps are submitted with the button, since feedback follows.
    const saveButton = form.querySelector(".save-button");
    if (saveButton) {
      if (isPractice && (kind === "order" || kind === "gap" || kind === "multiple")) {
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
        if (next) window.location.href = next.href;
      } else if (key === "p") {
        const previous = document.getElementById("previous-link");
        if (previous) window.location.href = previous.href;
      } else if (key === "f") {
        const flagButton = document.getElementById("flag-button");
        if (flagButton) flagButton.click();
      }
    });
  }

  // Flag without a page load.
  const flagForm = document.getElementById("flag-form");
  if (flagForm) {
    flagForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const data = await save(flagForm);
      if (!data || !data.saved) return;
      const flagged = data.flagged;
      const button = document.getElementById("flag-button");
      button.textContent = flagged ? "Unflag" : "Flag for review";
      button.setAttribute("aria-pressed", flagged ? "true" : "false");
      flagForm.querySelector("input[name=flagged]").value = flagged ? "0" : "1";
      const navItem = currentNavItem();
      if (navItem) navItem.classList.toggle("flagged", flagged);
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
        setTimeout(() => { window.location.href = countdown.dataset.finishUrl; }, 6000);
      }
    };
    const timer = setInterval(tick, 1000);
    tick();
  }

  // Submitting asks for confirmation.
  const finishForm = document.getElementById("finish-form");
  if (finishForm) {
    finishForm.addEventListener("submit", (event) => {
      if (!window.confirm(finishForm.dataset.confirm)) event.preventDefault();
    });
  }
})();
