// The state a server shows (warden status, the UI) is shared by its sessions (ServerRuntime): a start
// given up because its session ended is no failure of the server, and leaves the state as it was
// before, but only once no other session's start is still under way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServerRuntime } from '../../../src-main/engine/gateway/runtime.js';

const logger = { warn() {}, error() {}, info() {}, log() {}, debug() {} } as never;

/** A server that ran, then crashed. */
function crashed(): ServerRuntime {
  const runtime = new ServerRuntime('s', logger);
  runtime.starting();
  runtime.started();
  runtime.crashed('exit code 1');
  return runtime;
}

test('a crashed server whose restart is abandoned shows crashed again, not starting or failed', () => {
  const runtime = crashed();
  runtime.starting();
  assert.equal(runtime.state, 'starting');
  runtime.abandoned();
  assert.equal(runtime.state, 'crashed');
});

test('two sessions starting: one abandoned leaves "starting" while the other goes on; the state is the other\'s outcome', () => {
  const runtime = new ServerRuntime('s', logger);
  runtime.starting(); // session B
  runtime.starting(); // session A
  runtime.abandoned(); // A ended
  assert.equal(runtime.state, 'starting', 'B is still starting');
  runtime.started(); // B
  assert.equal(runtime.state, 'running');
});

test('two sessions starting after a crash, both abandoned: back to crashed, never stuck on starting', () => {
  const runtime = crashed();
  runtime.starting();
  runtime.starting();
  runtime.abandoned();
  runtime.abandoned();
  assert.equal(runtime.state, 'crashed');
  // A later start that fails is a failure of the server.
  runtime.starting();
  runtime.failed('did not initialize');
  assert.equal(runtime.state, 'failed');
});
