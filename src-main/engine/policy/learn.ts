// Learns a server's tools by asking it directly (tools/list over a short-lived SDK client), for a dry
// run (`warden policy check`) about a tool Warden has not seen listed yet. Calls nothing.
import type { ServerConfig } from '../../../shared/servers.js';
import { WardenError, errorMessage } from '../errors.js';
import type { SecretResolver } from '../gateway/downstream.js';
import { StdioClientTransport, loadClient, loadStreamableHttpClientTransport, type Tool, type Transport } from '../mcp/sdk.js';
import { VERSION } from '../version.js';

async function resolve(values: Record<string, string | { secret: string }>, resolveSecret: SecretResolver | undefined, server: string) {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (typeof value === 'string') out[key] = value;
    else if (!resolveSecret) throw new WardenError('server_start_failed', `Server \`${server}\` needs the secret \`${value.secret}\` for ${key}, but no keychain is available.`);
    else out[key] = await resolveSecret(value.secret);
  }
  return out;
}

export async function learnTools(config: ServerConfig, resolveSecret?: SecretResolver, timeoutMs = 30_000): Promise<Tool[]> {
  let transport: Transport;
  if (config.transport === 'stdio') {
    transport = new StdioClientTransport({ command: config.command, args: config.args, env: await resolve(config.env, resolveSecret, config.name), cwd: config.cwd, stderr: 'ignore' });
  } else {
    const StreamableHTTPClientTransport = await loadStreamableHttpClientTransport();
    transport = new StreamableHTTPClientTransport(new URL(config.url), { requestInit: { headers: await resolve(config.headers, resolveSecret, config.name) } });
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
    throw new WardenError('server_start_failed', `Warden could not list the tools of server \`${config.name}\`: ${errorMessage(error)}. Check the command in Servers → ${config.name}.`);
  } finally {
    await client.close().catch(() => undefined);
  }
}
