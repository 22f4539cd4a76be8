// electron-builder.yml cannot be exercised here (packaging needs Electron's binary), so it is checked
// against electron-builder's own configuration schema, loaded the way electron-builder loads it, and
// for what IT needs from each installer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger, log } from 'builder-util';
import { expandMacro } from 'app-builder-lib/out/util/macroExpander.js';

// electron-builder logs to process.stdout, which in a test-runner child process is the runner's own
// channel: its writes could split a serialised test report. Send them to stderr instead.
(log as unknown as { stream: NodeJS.WritableStream }).stream = process.stderr;
import { ROOT } from '../helpers/engine.js';

type Target = string | { target: string; arch?: string[] };
type Cfg = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function load(): Promise<Cfg> {
  return (await getConfig(ROOT, join(ROOT, 'electron-builder.yml'), null)) as Cfg;
}
const targets = (list: Target[]) => list.map((t) => (typeof t === 'string' ? t : t.target));

test("electron-builder.yml passes electron-builder's own schema (ajv over app-builder-lib/scheme.json, and its validator)", async () => {
  const config = await load();
  const schema = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'app-builder-lib', 'scheme.json'), 'utf8')) as object;
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);
  assert.ok(validate(config), JSON.stringify(validate.errors, null, 1));
  await validateConfiguration(config as never, new DebugLogger(false));
});

test('a typo in the config is caught by the same check (the test can fail)', async () => {
  const config = { ...(await load()), nsis: { perMachin: true } };
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'node_modules', 'app-builder-lib', 'scheme.json'), 'utf8')) as object);
  assert.equal(validate(config), false);
});

test('macOS: dmg and pkg, hardened runtime, entitlements in assets/, notarisation on (credentials from the environment)', async () => {
  const c = await load();
  assert.deepEqual(targets(c.mac.target).sort(), ['dmg', 'pkg', 'zip'], 'zip: what the updater downloads on macOS');
  assert.equal(c.mac.hardenedRuntime, true);
  assert.equal(c.mac.notarize, true);
  for (const file of [c.mac.entitlements, c.mac.entitlementsInherit]) {
    assert.match(file, /^assets\//);
    const plist = readFileSync(join(ROOT, file), 'utf8');
    assert.match(plist, /com\.apple\.security\.cs\.allow-jit<\/key>\s*<true\/>/);
    assert.doesNotMatch(plist, /disable-library-validation|allow-dyld-environment-variables|get-task-allow/, 'no needless hardened-runtime exceptions');
  }
  assert.equal(c.pkg.installLocation, '/Applications');
  assert.equal(c.pkg.allowCurrentUserHome, false, 'per-machine');
  const yml = readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8');
  assert.doesNotMatch(yml, /password:\s*\S|APPLE_APP_SPECIFIC_PASSWORD:\s*\S|certificatePassword/i, 'no secret in the file');
});

test('Windows: nsis and msi, both per-machine, signed with sha256 and a timestamp', async () => {
  const c = await load();
  assert.deepEqual(targets(c.win.target).sort(), ['msi', 'nsis']);
  assert.equal(c.nsis.perMachine, true);
  assert.equal(c.nsis.oneClick, false);
  assert.equal(c.msi.perMachine, true);
  assert.match(c.msi.upgradeCode, /^[0-9a-f-]{36}$/);
  assert.deepEqual(c.win.signtoolOptions.signingHashAlgorithms, ['sha256']);
  assert.match(c.win.signtoolOptions.rfc3161TimeStampServer, /^https?:\/\//);
  assert.equal(c.win.verifyUpdateCodeSignature, true);
});

test('Linux: AppImage and deb; fuses kept; an update feed that managed policy can switch off', async () => {
  const c = await load();
  assert.deepEqual(targets(c.linux.target).sort(), ['AppImage', 'deb']);
  assert.deepEqual(c.electronFuses, {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    grantFileProtocolExtraPrivileges: false,
    resetAdHocDarwinSignature: true,
  });
  assert.equal(c.publish[0].provider, 'generic');
  assert.ok(existsSync(join(ROOT, c.mac.icon)));
  const deploy = readFileSync(join(ROOT, 'docs', 'deploy.md'), 'utf8');
  assert.match(deploy, /"autoUpdate": false/, 'docs/deploy.md documents the switch');
});

test("the update feed's address comes from WARDEN_UPDATE_URL at build time, expanded the way electron-builder expands it; unset, the build stops", async () => {
  const c = await load();
  const url = c.publish[0].url as string;
  assert.match(url, /^\$\{env\.WARDEN_UPDATE_URL\}\//, 'no address is baked into the repository');
  const appInfo = { productName: 'Warden', sanitizedProductName: 'Warden', channel: null } as never;
  const saved = process.env.WARDEN_UPDATE_URL;
  try {
    process.env.WARDEN_UPDATE_URL = 'https://updates.example.com/warden';
    assert.equal(expandMacro(url, 'arm64', appInfo, { os: 'mac' }), 'https://updates.example.com/warden/mac/arm64');
    delete process.env.WARDEN_UPDATE_URL;
    assert.throws(() => expandMacro(url, 'x64', appInfo, { os: 'linux' }), /env WARDEN_UPDATE_URL is not defined/);
  } finally {
    if (saved === undefined) delete process.env.WARDEN_UPDATE_URL;
    else process.env.WARDEN_UPDATE_URL = saved;
  }
  const deploy = readFileSync(join(ROOT, 'docs', 'deploy.md'), 'utf8');
  assert.match(deploy, /WARDEN_UPDATE_URL/, 'docs/deploy.md says where updates come from');
});
