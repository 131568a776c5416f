// "Run this code" (docs/run-code.md): the item's program in an editable box, run in the
// browser by the vendored Pyodide inside a Web Worker (static/js/run-code-worker.js), with its
// stdout, stderr and exception shown apart. Loaded by run-code-hook.js on the first click.
//
// A run gets a few seconds (data-timeout-seconds): then the worker is terminated, since a
// `while True: pass` never yields to a message, and the next run starts a fresh worker.
// One worker serves every panel of the page, so Python loads once; a run in one panel while
// another runs is refused with a message rather than queued.
(function () {
  "use strict";

  // Loading the interpreter (about 13 MB the first time) is not the learner's program.
  const LOAD_LIMIT_MS = 90000;

  let worker = null;
  let pythonReady = false;
  let activeRun = null;  // {panel, timer}
  const panels = new WeakMap();

  function addStylesheet(url) {
    if (!url || document.querySelector('link[data-run-code-style]')) return;
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = url;
    link.dataset.runCodeStyle = "";
    document.head.append(link);
  }

  function endRun() {
    if (!activeRun) return null;
    clearTimeout(activeRun.timer);
    const panel = activeRun.panel;
    activeRun = null;
    panel.runButton.disabled = false;
    return panel;
  }

  function stopWorker() {
    if (worker) worker.terminate();
    worker = null;
    pythonReady = false;
  }

  function startTimer(panel, limitMs, message) {
    clearTimeout(activeRun.timer);
    activeRun.timer = setTimeout(() => {
      stopWorker();
      endRun();
      panel.setStatus(message, "stopped");
    }, limitMs);
  }

  function onMessage(event) {
    const data = event.data || {};
    const panel = activeRun && activeRun.panel;
    if (!panel) return;
    if (data.type === "loading") {
      panel.setStatus("Loading Python…", "loading");
    } else if (data.type === "running") {
      pythonReady = true;
      panel.setStatus("Running…", "running");
      startTimer(panel, panel.timeoutSeconds * 1000, "Stopped after " + panel.timeoutSeconds + " s");
    } else if (data.type === "stdout" || data.type === "stderr") {
      panel.append(data.type, data.text);
    } else if (data.type === "done") {
      endRun();
      panel.showException(data.exception);
      panel.setStatus("Finished", data.exception ? "exception" : "finished");
    } else if (data.type === "failed") {
      // Python could not start, or the interpreter itself broke (it is not reusable then).
      stopWorker();
      endRun();
      panel.setStatus(data.message, "failed");
    }
  }

  function ensureWorker(workerUrl) {
    if (!worker) {
      worker = new Worker(workerUrl, { type: "module" });
      worker.onmessage = onMessage;
      worker.onerror = (event) => {
        event.preventDefault();
        const panel = activeRun && activeRun.panel;
        stopWorker();
        endRun();
        if (panel) panel.setStatus("Python stopped with an error: " + (event.message || "unknown"), "failed");
      };
    }
    return worker;
  }

  function makePanel(section) {
    const find = (name) => section.querySelector("[data-run-code-" + name + "]");
    const box = section.querySelector(".run-code-panel");
    const source = find("source");
    const openButton = find("open");
    const status = find("status");
    const stdout = find("stdout");
    const stderr = find("stderr");
    const stderrBox = find("stderr-box");
    const exceptionBox = find("exception-box");
    const exceptionText = find("exception");
    const traceback = find("traceback");
    const panel = {
      runButton: find("run"),
      timeoutSeconds: Number(section.dataset.timeoutSeconds) || 5,
      setStatus(text, state) {
        status.textContent = text;
        status.dataset.state = state;
      },
      append(stream, text) {
        if (stream === "stdout") {
          stdout.textContent += text;
        } else {
          stderr.textContent += text;
          stderrBox.hidden = false;
        }
      },
      clear() {
        stdout.textContent = "";
        stderr.textContent = "";
        stderrBox.hidden = true;
        exceptionBox.hidden = true;
        exceptionText.textContent = "";
        traceback.textContent = "";
      },
      showException(exception) {
        if (!exception) return;
        exceptionText.textContent = exception.last_line || exception.type + ": " + exception.message;
        traceback.textContent = exception.traceback || "";
        exceptionBox.hidden = false;
      },
    };

    panel.runButton.addEventListener("click", () => {
      if (activeRun) {
        panel.setStatus("Another program is running: wait for it to finish.", "busy");
        return;
      }
      panel.clear();
      panel.runButton.disabled = true;
      activeRun = { panel, timer: null };
      const wasReady = pythonReady && worker;
      panel.setStatus(wasReady ? "Running…" : "Loading Python…", wasReady ? "running" : "loading");
      startTimer(panel, LOAD_LIMIT_MS, "Python did not start within " + LOAD_LIMIT_MS / 1000 + " s");
      ensureWorker(section.dataset.workerUrl).postMessage({
        code: source.value,
        stdin: section.dataset.stdin || "",
        pyodideUrl: new URL(section.dataset.pyodideUrl, window.location.href).href,
        indexUrl: new URL(section.dataset.indexUrl, window.location.href).href,
      });
    });
    find("reset").addEventListener("click", () => {
      source.value = source.defaultValue;
      source.focus();
    });
    panel.show = () => {
      box.hidden = false;
      openButton.hidden = true;
      openButton.setAttribute("aria-expanded", "true");
      source.focus();
    };
    return panel;
  }

  function open(section) {
    addStylesheet(section.dataset.styleUrl);
    let panel = panels.get(section);
    if (!panel) {
      panel = makePanel(section);
      panels.set(section, panel);
    }
    panel.show();
    // Opening is asking to run: the learner sees the snippet's output straight away.
    if (!activeRun) panel.runButton.click();
  }

  window.PcepRunCode = { open };
})();
