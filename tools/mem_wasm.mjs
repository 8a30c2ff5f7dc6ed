// Runs MicroPython scripts on the WebAssembly port (32-bit) under node, each in a fresh interpreter.
//
//     node mem_wasm.mjs PORT_DIR < job.json   (driven by tools/mem_wasm.py)
//
// PORT_DIR holds the npm package @micropython/micropython-webassembly-pyscript.  The job (JSON on
// stdin): {"heapsize": bytes, "files": {"/lib/pkg/mod.mpy": "<base64>", ...}, "scripts": [code, ...]}.
// Every script gets a new interpreter with the files written into its filesystem first; what it
// prints goes to stdout, each script's output ended by a line "@@END <index> ok|error".  The port has
// no sockets: the scripts feed recorded bytes to the sans-I/O cores.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const portDir = process.argv[2];
const { loadMicroPython } = await import(pathToFileURL(join(portDir, "micropython.mjs")).href);
const job = JSON.parse(readFileSync(0, "utf8"));

for (let i = 0; i < job.scripts.length; i++) {
  let out = "";
  const mp = await loadMicroPython({
    heapsize: job.heapsize,
    stdout: (line) => { out += line + "\n"; },
    stderr: (line) => { out += line + "\n"; },
    linebuffer: true,
  });
  for (const [path, b64] of Object.entries(job.files)) {
    const parts = path.split("/").filter((p) => p);
    let dir = "";
    for (const p of parts.slice(0, -1)) {
      dir += "/" + p;
      try { mp.FS.mkdir(dir); } catch (e) { /* exists */ }
    }
    mp.FS.writeFile(path, Buffer.from(b64, "base64"));
  }
  let status = "ok";
  try {
    mp.runPython(job.scripts[i]);
  } catch (e) {
    status = "error";
    out += "\n" + String(e && e.message ? e.message : e) + "\n";
  }
  process.stdout.write(out + (out.endsWith("\n") ? "" : "\n") + "@@END " + i + " " + status + "\n");
}
