// Learns a server's tools by asking it directly (tools/list over a short-lived SDK client), for a dry
// run (`warden policy check`) about a tool Warden has not seen listed yet. Calls nothing.
import type { ServerConfig } from '../../../shared/servers.js';
import { WardenError, errorMessage } from '../errors.js';
import { resolveValues, type SecretResolver } from '../gateway/downstream.js';
import { createStdioTransport, loadClient, loadStreamableHttpClientTransport, type Tool, type Transport } from '../mcp/sdk.js';
import { VERSION } from '../version.js';

export async function learnTools(config: ServerConfig, resolveSecret?: SecretResolver, timeoutMs = 30_000): Promise<Tool[]> {
  let transport: Transport;
  if (config.transport === 'stdio') {
    transport = createStdioTransport({ command: config.command, args: config.args, env: await resolveValues(config.env, resolveSecret, config.name), cwd: config.cwd, stderr: 'ignore' });
  } else {
    const StreamableHTTPClientTransport = await loadStreamableHttpClientTransport();
    transport = new StreamableHTTPClientTransport(new URL(config.url), { requestInit: { headers: await resolveValues(config.headers, resolveSecret, config.name) } });
  }
  const Client = await loadClient();
  const client = new Client({ name: 'warden-policy-check', version: VERSION });
  try {
    await client.connect(transport, { timeout: timeoutMs });
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : {}, { timeout: timeoutMs });
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor && tools.length < 10_000);
    return tools;
  } catch (error) {
    if (error instanceof WardenError) throw error;
    throw new WardenError('server_start_failed', `Warden could not list the tools of server \`${config.name}\`: ${errorMessage(error)}. Check its command (\`warden servers list\`, or Servers & tools → ${config.name}).`);
  } finally {
    await client.close().catch(() => undefined);
  }
}
