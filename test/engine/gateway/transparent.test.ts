// Through Warden, a client sees exactly what it would see connected directly: same server, same tools,
// same results. (The guardian is replaced by allow-all here: this is about the pipe, not the policy.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CreateMessageRequestSchema, ElicitRequestSchema, ListRootsRequestSchema, LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { allowAll } from '../../../src-main/engine/pipeline.js';
import { directClient, servers, startTestEngine, type TestEngine } from '../../helpers/engine.js';

const capabilities = { capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } } };

/** Arguments for each tool of server-everything; a tool missing here fails the test, so new tools get covered. */
const ARGS: Record<string, Record<string, unknown>> = {
  echo: { message: 'hello through warden' },
  'get-annotated-message': { messageType: 'success', includeImage: true },
  'get-env': {},
  'get-resource-links': { count: 2 },
  'get-resource-reference': { resourceType: 'Text', resourceId: 2 },
  'get-structured-content': { location: 'Chicago' },
  'get-sum': { a: 2, b: 40 },
  'get-tiny-image': {},
  'gzip-file-as-resource': { name: 'x.gz', data: 'data:text/plain;base64,aGVsbG8=', outputType: 'resource' },
  'toggle-simulated-logging': {},
  'toggle-subscriber-updates': {},
  'trigger-long-running-operation': { duration: 0.2, steps: 2 },
  'get-roots-list': {},
  'trigger-elicitation-request': {},
  'trigger-sampling-request': { prompt: 'say hi', maxTokens: 5 },
};
/** Needs task-based execution (the tasks extension); covered by its own test below. */
const TASK_TOOLS = new Set(['simulate-research-query']);

function answerServerRequests(client: Client, log: string[]) {
  client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
    log.push(`sampling:${JSON.stringify(request.params.messages[0]?.content)}`);
    return { model: 'test-model', role: 'assistant', content: { type: 'text', text: 'sampled answer' } };
  });
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    log.push(`elicitation:${request.params.message}`);
    return { action: 'decline' };
  });
  client.setRequestHandler(ListRootsRequestSchema, async () => {
    log.push('roots');
    return { roots: [{ uri: 'file:///tmp/warden-root', name: 'root' }] };
  });
}

// Fields that differ run to run whatever the path (the simulated research returns a fresh task id).
const normalise = (value: unknown) => JSON.parse(JSON.stringify(value).replace(/"taskId":"[^"]+"/g, '"taskId":"*"').replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>'));

for (const via of ['http', 'stdio'] as const) {
  describe(`server-everything through Warden over ${via === 'http' ? 'Streamable HTTP' : '`warden connect` (stdio)'}`, () => {
    let t: TestEngine;
    let warden: Client;
    let direct: Client;
    const wardenLog: string[] = [];
    const directLog: string[] = [];

    before(async () => {
      t = await startTestEngine([servers.everything()], { decisions: allowAll });
      warden = via === 'http' ? await t.httpClient('everything', { capabilities }) : await t.stdioClient('everything', { capabilities });
      direct = await directClient(servers.everything(), capabilities);
      answerServerRequests(warden, wardenLog);
      answerServerRequests(direct, directLog);
    });
    after(async () => {
      await direct?.close();
      await t?.stop();
    });

    test('the client sees the same server and capabilities as direct', () => {
      assert.deepEqual(warden.getServerVersion(), direct.getServerVersion());
      assert.deepEqual(warden.getServerCapabilities(), direct.getServerCapabilities());
      assert.equal(warden.getInstructions(), direct.getInstructions());
    });

    test('the same tool list, names and schemas included', async () => {
      assert.deepEqual((await warden.listTools()).tools, (await direct.listTools()).tools);
    });

    test('every tool returns the same result as direct', async () => {
      const tools = (await direct.listTools()).tools;
      for (const tool of tools) {
        if (TASK_TOOLS.has(tool.name)) continue;
        const args = ARGS[tool.name];
        assert.ok(args, `no test arguments for new tool ${tool.name}`);
        const [viaWarden, viaDirect] = await Promise.all([
          warden.callTool({ name: tool.name, arguments: args }),
          direct.callTool({ name: tool.name, arguments: args }),
        ]);
        assert.deepEqual(normalise(viaWarden), normalise(viaDirect), `tool ${tool.name} differs through Warden`);
      }
      // The server's own requests to the client (sampling, elicitation, roots) reached the client. Which
      // kinds, not how often: server-everything asks for roots again when a get-roots-list call comes
      // before it has the first answer, which an extra hop under load can make happen on one path only.
      assert.deepEqual([...new Set(wardenLog)].sort(), [...new Set(directLog)].sort());
      assert.ok(wardenLog.some((l) => l.startsWith('sampling:')) && wardenLog.some((l) => l.startsWith('elicitation:')) && wardenLog.includes('roots'));
    });

    test('progress notifications reach the client', async () => {
      const seen: number[] = [];
      const result = await warden.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 0.3, steps: 3 } }, undefined, {
        onprogress: (p) => seen.push(p.progress),
      });
      assert.equal(result.isError ?? false, false);
      // server-everything sends its last progress racing its result (direct too), so expect the first steps.
      assert.deepEqual(seen.slice(0, 2), [1, 2]);
    });

    test('logging notifications reach the client', async () => {
      const messages: unknown[] = [];
      warden.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void messages.push(n.params));
      await warden.setLoggingLevel('debug');
      await warden.callTool({ name: 'toggle-simulated-logging', arguments: {} }); // state per session: on for Warden's session
      const deadline = Date.now() + 8000;
      while (messages.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      await warden.callTool({ name: 'toggle-simulated-logging', arguments: {} });
      assert.ok(messages.length > 0, 'no log message arrived');
    });

    test('resources, templates, reads and subscriptions pass through', async () => {
      assert.deepEqual(await warden.listResources(), await direct.listResources());
      assert.deepEqual(await warden.listResourceTemplates(), await direct.listResourceTemplates());
      const uri = (await direct.listResources()).resources[0]!.uri;
      assert.deepEqual(await warden.readResource({ uri }), await direct.readResource({ uri }));
      assert.deepEqual(await warden.subscribeResource({ uri }), {});
      assert.deepEqual(await warden.unsubscribeResource({ uri }), {});
    });

    test('prompts and completion pass through', async () => {
      assert.deepEqual(await warden.listPrompts(), await direct.listPrompts());
      const args = { city: 'Paris', state: 'TX' };
      assert.deepEqual(await warden.getPrompt({ name: 'args-prompt', arguments: args }), await direct.getPrompt({ name: 'args-prompt', arguments: args }));
      const ref = { type: 'ref/prompt' as const, name: 'completable-prompt' };
      const argument = { name: 'department', value: 'E' };
      assert.deepEqual(await warden.complete({ ref, argument }), await direct.complete({ ref, argument }));
    });

    test('task-based tool calls (tasks extension) pass through', async () => {
      const collect = async (client: Client) => {
        const kinds: string[] = [];
        let final: unknown;
        for await (const message of client.experimental.tasks.callToolStream({ name: 'simulate-research-query', arguments: { topic: 'warden' } })) {
          kinds.push(message.type);
          if (message.type === 'result') final = message.result;
        }
        return { kinds: [...new Set(kinds)], final: normalise(final) };
      };
      const [viaWarden, viaDirect] = await Promise.all([collect(warden), collect(direct)]);
      assert.ok(viaWarden.kinds.includes('taskCreated') && viaWarden.kinds.includes('result'), viaWarden.kinds.join(','));
      assert.deepEqual(viaWarden, viaDirect);
    });

    test('ping works', async () => {
      assert.deepEqual(await warden.ping(), {});
    });
  });
}
