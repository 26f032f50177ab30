import fs from 'node:fs';

/**
 * Preloaded into a service with `node --require tools/dist/deploy/recordProcessInputs.js` by
 * the deployment tests. It appends one JSON line per environment variable that the process
 * reads, such as `{"env":"MONGO_URL"}`, to the file named by HEARTFELT_RECORD_FILE, and at exit
 * one line listing the modules it loaded and the files it read with `readFileSync`. The tests
 * compare that with the manifests: every variable a manifest sets must be read, and every file
 * must be in the image.
 *
 * NOTE: a variable read right after `Object.keys(process.env)` listed it last is taken for
 * part of that listing and not recorded.
 */

const recordFile = process.env.HEARTFELT_RECORD_FILE;

if (recordFile !== undefined) {
  const seen = new Set<string>(['HEARTFELT_RECORD_FILE']);
  const record = (key: string | symbol) => {
    if (typeof key !== 'string' || seen.has(key)) return;
    seen.add(key);
    fs.appendFileSync(recordFile, `${JSON.stringify({ env: key })}\n`);
  };
  // Copies such as `Object.entries(process.env)` (the `debug` package and npm's agent make one
  // when they load) ask for each property's descriptor right before reading it, whereas code
  // that reads a setting does not. Those reads are not recorded.
  let describedKey: string | symbol | undefined;
  process.env = new Proxy(process.env, {
    get(target, key) {
      if (key !== describedKey) record(key);
      describedKey = undefined;
      return Reflect.get(target, key);
    },
    has(target, key) {
      record(key);
      return Reflect.has(target, key);
    },
    // With the target as receiver: process.env rejects the partial descriptor that the default
    // trap would define through the proxy.
    set(target, key, value) {
      return Reflect.set(target, key, value);
    },
    getOwnPropertyDescriptor(target, key) {
      describedKey = key;
      return Reflect.getOwnPropertyDescriptor(target, key);
    },
  });

  const filesRead = new Set<string>();
  const readFileSync = fs.readFileSync;
  fs.readFileSync = function recordedReadFileSync(this: unknown, ...args: unknown[]) {
    if (typeof args[0] === 'string') filesRead.add(args[0]);
    return (readFileSync as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof fs.readFileSync;

  process.on('exit', () => {
    const modules = Object.keys(require.cache);
    fs.appendFileSync(recordFile, `${JSON.stringify({ modules, files: [...filesRead] })}\n`);
  });
}
