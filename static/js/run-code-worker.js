// The Python side of "Run this code" (docs/run-code.md): a module worker that loads the
// vendored Pyodide from our own static files (the page passes the loader's URL and its
// folder as indexURL; nothing comes from elsewhere), then runs each program it is sent.
//
// Messages out, in order: "loading" (first run only), "running", any number of "stdout" and
// "stderr" chunks, then "done" with the exception (null when the program ended normally) or
// "failed" when Python itself could not start or broke. The page owns the timeout and
// terminates this worker; nothing here could interrupt a busy loop.

// Output past this many characters per stream is dropped, so `while True: print(1)` cannot
// flood the page before the timeout ends it.
const OUTPUT_LIMIT = 20000;

// Runs the program as `python snippet.py` would: a fresh __main__ namespace, stdin from the
// item, tracebacks that start at the program's own frames.
const DRIVER = `
import io, json, linecache, sys, traceback

def _pcep_describe(error, frames):
    lines = traceback.format_exception(type(error), error, frames)
    return {
        "type": type(error).__name__,
        "message": str(error),
        "traceback": "".join(lines),
        "last_line": lines[-1].strip() if lines else type(error).__name__,
    }

def _pcep_run(source, stdin_text):
    filename = "snippet.py"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    sys.stdin = io.StringIO(stdin_text)
    outcome = None
    try:
        program = compile(source, filename, "exec")
        exec(program, {"__name__": "__main__", "__file__": filename})
    except SystemExit as stop:
        if stop.code not in (None, 0):
            outcome = _pcep_describe(stop, stop.__traceback__.tb_next)
    except BaseException as error:
        # tb_next: the first frame is this driver's exec line, not the learner's code.
        outcome = _pcep_describe(error, error.__traceback__.tb_next)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    return json.dumps(outcome)
`;

let pyodide = null;
let runProgram = null;
const written = { stdout: 0, stderr: 0 };

function streamTo(stream) {
  const decoder = new TextDecoder();
  return {
    write(bytes) {
      const text = decoder.decode(bytes, { stream: true });
      const room = OUTPUT_LIMIT - written[stream];
      if (room > 0) {
        const kept = text.slice(0, room);
        written[stream] += text.length;
        const cut = text.length > room ? "\n[output cut after " + OUTPUT_LIMIT + " characters]\n" : "";
        self.postMessage({ type: stream, text: kept + cut });
      }
      return bytes.length;
    },
  };
}

async function loadPython(pyodideUrl, indexUrl) {
  self.postMessage({ type: "loading" });
  const { loadPyodide } = await import(pyodideUrl);
  const loaded = await loadPyodide({ indexURL: indexUrl });
  loaded.setStdout(streamTo("stdout"));
  loaded.setStderr(streamTo("stderr"));
  loaded.runPython(DRIVER);
  runProgram = loaded.globals.get("_pcep_run");
  return loaded;
}

self.onmessage = async (event) => {
  const { code, stdin, pyodideUrl, indexUrl } = event.data;
  try {
    if (!pyodide) pyodide = await loadPython(pyodideUrl, indexUrl);
  } catch (error) {
    self.postMessage({ type: "failed", message: "Python could not be loaded: " + error.message });
    return;
  }
  written.stdout = 0;
  written.stderr = 0;
  self.postMessage({ type: "running" });
  try {
    const outcome = runProgram(code, stdin || "");
    self.postMessage({ type: "done", exception: JSON.parse(outcome) });
  } catch (error) {
    // A Python exception never gets here (the driver catches them all): this is the
    // interpreter itself failing, such as the browser's stack running out.
    pyodide = null;
    self.postMessage({ type: "failed", message: "Python stopped: " + error.message });
  }
};
