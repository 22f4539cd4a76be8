// `warden policy check|tools|rules|rule|override|accept-pin` and `warden servers tier`. With an engine
// running, everything goes through its admin API (so the engine's state and policy.json stay one);
// without one, the same handlers run against policy.json and servers.json directly.
import type { Command } from 'commander';
import type { z } from 'zod';
import { approvalMethods } from '../../../shared/api/approvals.js';
import type { ArgConstraint, DecisionView, ToolPolicyView } from '../../../shared/policy.js';
import { Effect, Tier } from '../../../shared/words.js';
import { approvalHandlers } from '../../engine/api/approvals.js';
import { ServerStore } from '../../engine/config/servers.js';
import { WardenError } from '../../engine/errors.js';
import { dataDir, dataPaths } from '../../engine/paths.js';
import { createGuardian } from '../../engine/policy/guardian.js';
import { PolicyStore } from '../../engine/policy/store.js';
import { resolveSecret } from '../../engine/secrets/resolve.js';
import { guardHandlers } from '../../engine/managed/guard.js';
import { managedFileView } from '../../engine/managed/load.js';
import { managedPolicyPath } from '../../engine/managed/locate.js';
import { lockedTier } from '../../engine/managed/servers.js';
import { EngineClient } from '../engineClient.js';
import { fail, printJson, table } from '../output.js';

type M = typeof approvalMethods;
export interface PolicyApi {
  call<K extends keyof M>(method: K, input: z.input<M[K]['input']>): Promise<z.output<M[K]['output']>>;
  /** Whether a running engine answers (pending approvals exist only there). */
  readonly live: boolean;
  close(): void;
}

/** The running engine's API, or the same handlers over this data directory's files when none runs. */
export function policyApi(): PolicyApi {
  const engine = EngineClient.find();
  if (engine) return { live: true, call: (method, input) => engine.call(method, input as never) as never, close: () => undefined };
  const paths = dataPaths(dataDir());
  const servers = new ServerStore(paths);
  const managed = managedFileView(managedPolicyPath()); // managed policy (IT) locks apply without an engine too
  const guardian = createGuardian({
    store: new PolicyStore(paths),
    tierOf: (server) => lockedTier(managed.policy(), server) ?? servers.get(server)?.tier ?? 'standard',
    setTier: (server, tier) => void servers.setTier(server, tier),
    managed: () => managed.forDecisions(),
  });
  const handlers = guardHandlers(approvalHandlers({ guardian, servers, resolveSecret: (account) => resolveSecret(account, { dataDir: paths.dir }) }), managed);
  return {
    live: false,
    async call(method, input) {
      const parsed = approvalMethods[method].input.safeParse(input);
      if (!parsed.success) throw new WardenError('bad_input', parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '));
      return (handlers[method] as (x: unknown) => Promise<never>)(parsed.data);
    },
    close: () => guardian.close(),
  };
}

/** `--prefix path=/work` and `--equals branch=main` become argument constraints. */
export function parseConstraints(prefix: string[] = [], equals: string[] = []): ArgConstraint[] {
  const split = (flag: string, pair: string) => {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new WardenError('bad_input', `${flag} takes ARG=VALUE, not \`${pair}\`.`);
    return [pair.slice(0, eq), pair.slice(eq + 1)] as const;
  };
  const out: ArgConstraint[] = [];
  for (const p of prefix) {
    const [arg, value] = split('--prefix', p);
    if (!value.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(value) && !value.startsWith('~/')) throw new WardenError('bad_input', `--prefix needs an absolute path, not \`${value}\`.`);
    out.push({ arg, op: 'prefix', value });
  }
  for (const e of equals) {
    const [arg, raw] = split('--equals', e);
    let value: string | number | boolean | null = raw;
    try {
      const j = JSON.parse(raw) as unknown;
      if (j === null || ['number', 'boolean', 'string'].includes(typeof j)) value = j as typeof value;
    } catch {
      // a plain string
    }
    out.push({ arg, op: 'equals', value });
  }
  return out;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

function printDecision(v: DecisionView) {
  const lines = [
    `${v.server}/${v.tool}: ${v.effect.toUpperCase()}  [${v.ruleId}]`,
    `  tier ${v.tier}, risk ${v.risk}, pin ${v.pinStatus}${v.hidden ? ', hidden from tools/list' : ''}`,
    ...v.reasons.map((r) => `  - ${r}`),
    ...v.flags.map((f) => `  FLAG ${f.kind}: ${f.message}: ${f.excerpt}`),
    ...v.pinChanges.map((c) => `  CHANGED ${c.summary}`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

async function run<T>(fn: (api: PolicyApi) => Promise<T>): Promise<void> {
  let api: PolicyApi | undefined;
  try {
    api = policyApi();
    await fn(api);
  } catch (error) {
    api?.close();
    fail(error);
  }
  api?.close();
}

export function registerPolicyCommands(program: Command): Command {
  const servers = program.commands.find((c) => c.name() === 'servers') ?? program.command('servers').description('the MCP servers Warden protects');
  servers
    .command('tier')
    .description(`set a server's trust tier: ${Tier.options.join(', ')}`)
    .argument('<name>')
    .argument('<tier>')
    .action((name: string, tier: string) =>
      run(async (api) => {
        const t = Tier.safeParse(tier);
        if (!t.success) throw new WardenError('bad_input', `Unknown tier \`${tier}\`. Use one of: ${Tier.options.join(', ')}.`);
        await api.call('policy.setTier', { server: name, tier: t.data });
        process.stdout.write(`Server \`${name}\` is now ${t.data}.\n`);
      }),
    );

  const policy = program.command('policy').description('trust tiers, rules, overrides, pins and dry runs');

  policy
    .command('check')
    .description('what would happen to a call (a dry run: nothing is called)')
    .argument('<server>')
    .argument('<tool>')
    .option('--args <json>', 'the call\'s arguments as a JSON object', '{}')
    .option('--client <id>', 'as this client (token id)')
    .option('--no-learn', 'do not ask the server for its tools when Warden has not seen this one')
    .option('--json', 'machine-readable output')
    .action((server: string, tool: string, opts: { args: string; client?: string; learn: boolean; json?: boolean }) =>
      run(async (api) => {
        let args: unknown;
        try {
          args = JSON.parse(opts.args);
        } catch (error) {
          throw new WardenError('bad_input', `--args is not JSON: ${(error as Error).message}.`);
        }
        if (!args || typeof args !== 'object' || Array.isArray(args)) throw new WardenError('bad_input', '--args must be a JSON object, e.g. \'{"path":"/tmp/a"}\'.');
        const view = await api.call('policy.check', { server, tool, args: args as Record<string, unknown>, client: opts.client, learn: opts.learn });
        if (opts.json) printJson(view);
        else printDecision(view);
      }),
    );

  policy
    .command('tools')
    .description("a server's known tools with risk, flags, pin status and effect")
    .argument('<server>')
    .option('--json', 'machine-readable output')
    .action((server: string, opts: { json?: boolean }) =>
      run(async (api) => {
        const tools: ToolPolicyView[] = await api.call('policy.tools', { server });
        if (opts.json) return printJson(tools);
        if (!tools.length) return void process.stdout.write(`Warden has not seen the tools of \`${server}\` yet. Connect a client, or run \`warden policy check ${server} <tool>\`.\n`);
        process.stdout.write(
          table([
            ['TOOL', 'RISK', 'EFFECT', 'PIN', 'FLAGS', 'RULE'],
            ...tools.map((t) => [t.tool, t.risk, t.effect + (t.hidden ? ' (hidden)' : ''), t.pinStatus, t.flags.map((f) => f.kind).join(',') || '-', t.ruleId]),
          ]),
        );
      }),
    );

  policy
    .command('rules')
    .description('list standing rules')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }) =>
      run(async (api) => {
        const rules = await api.call('rules.list', {});
        if (opts.json) return printJson(rules);
        if (!rules.length) return void process.stdout.write('No standing rules.\n');
        process.stdout.write(
          table([
            ['ID', 'EFFECT', 'SERVER', 'TOOL', 'WHEN', 'CLIENT', 'CONSENT'],
            ...rules.map((r) => [r.id, r.effect, r.server, r.tool, r.when.map((c) => `${c.arg}${c.op === 'prefix' ? ' under ' : ' = '}${String(c.value)}`).join(' and ') || '-', r.client ?? 'any', r.consentId ?? '-']),
          ]),
        );
        for (const r of rules.filter((x) => x.note)) process.stdout.write(`${r.id}: ${r.note}\n`);
      }),
    );

  const rule = policy.command('rule').description('add or remove a standing rule');
  rule
    .command('add')
    .description('add a standing rule: `warden policy rule add allow filesystem write_file --prefix path=/home/me/work`')
    .argument('<effect>', 'allow, ask or deny')
    .argument('<server>', 'server name, or *')
    .argument('<tool>', 'tool name, or *')
    .option('--prefix <arg=dir>', 'only when this argument is a path under dir (repeatable)', collect)
    .option('--equals <arg=value>', 'only when this argument equals value (repeatable)', collect)
    .option('--client <id>', 'only for this client')
    .option('--note <text>', 'why')
    .action((effect: string, server: string, tool: string, opts: { prefix?: string[]; equals?: string[]; client?: string; note?: string }) =>
      run(async (api) => {
        const e = Effect.safeParse(effect);
        if (!e.success) throw new WardenError('bad_input', `Unknown effect \`${effect}\`. Use allow, ask or deny.`);
        const r = await api.call('rules.add', { server, tool, effect: e.data, when: parseConstraints(opts.prefix, opts.equals), client: opts.client, note: opts.note });
        process.stdout.write(`Added rule ${r.id}: ${r.effect} ${r.server}/${r.tool}.\n`);
      }),
    );
  rule
    .command('remove')
    .description('remove a standing rule by its id (see `warden policy rules`)')
    .argument('<id>')
    .action((id: string) =>
      run(async (api) => {
        await api.call('rules.remove', { id });
        process.stdout.write(`Removed rule ${id}.\n`);
      }),
    );

  policy
    .command('override')
    .description("set a tool's own effect over the tier default: allow, ask, deny, or clear")
    .argument('<server>')
    .argument('<tool>')
    .argument('<effect>')
    .option('--hide', 'with deny: hide the tool from tools/list')
    .action((server: string, tool: string, effect: string, opts: { hide?: boolean }) =>
      run(async (api) => {
        const e = effect === 'clear' ? null : Effect.safeParse(effect).data;
        if (e === undefined) throw new WardenError('bad_input', `Unknown effect \`${effect}\`. Use allow, ask, deny or clear.`);
        if (opts.hide && e !== 'deny') throw new WardenError('bad_input', '--hide goes with deny: only a denied tool can be hidden from tools/list.');
        await api.call('policy.setOverride', { server, tool, effect: e, hidden: !!opts.hide });
        process.stdout.write(e ? `${server}/${tool} is set to ${e}${opts.hide && e === 'deny' ? ' and hidden' : ''}.\n` : `${server}/${tool} follows its tier again.\n`);
      }),
    );

  policy
    .command('accept-pin')
    .description("accept a tool's changed (or new) definition")
    .argument('<server>')
    .argument('<tool>')
    .action((server: string, tool: string) =>
      run(async (api) => {
        const pin = await api.call('policy.acceptPin', { server, tool, via: 'cli' });
        process.stdout.write(`Accepted the definition of ${server}/${tool} (${pin.hash.slice(0, 12)}).\n`);
      }),
    );
  return policy;
}
