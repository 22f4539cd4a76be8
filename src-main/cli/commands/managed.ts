// `warden policy validate <file>` and `warden policy show [--json]`: managed policy for IT. Validate
// checks a file before it is deployed and explains each problem; show prints the effective policy and
// where each value comes from (managed policy, the user, or the default).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { EffectivePolicy } from '../../../shared/managed.js';
import { ServerStore } from '../../engine/config/servers.js';
import { SettingsStore } from '../../engine/config/settings.js';
import { WardenError } from '../../engine/errors.js';
import { effectivePolicy } from '../../engine/managed/effective.js';
import { parseManagedPolicy } from '../../engine/managed/explain.js';
import { managedFileView } from '../../engine/managed/load.js';
import { managedPolicyPath } from '../../engine/managed/locate.js';
import { dataDir, dataPaths } from '../../engine/paths.js';
import { PolicyStore } from '../../engine/policy/store.js';
import { EngineClient } from '../engineClient.js';
import { EXIT, fail, printJson } from '../output.js';

export function registerManagedCommands(program: Command): void {
  const policy = program.commands.find((c) => c.name() === 'policy') ?? program.command('policy').description('trust tiers, rules, overrides, pins and dry runs');

  policy
    .command('validate')
    .description('check a managed policy file (IT) and explain each problem')
    .argument('<file>')
    .option('--json', 'machine-readable output')
    .action((file: string, opts: { json?: boolean }) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        fail(new WardenError('not_found', `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`));
      }
      const result = parseManagedPolicy(text.replace(/^\uFEFF/, ''));
      if (opts.json) {
        printJson(result.ok ? { valid: true, file, policy: result.policy } : { valid: false, file, problems: result.problems });
        if (!result.ok) process.exit(EXIT.failure);
        return;
      }
      if (result.ok) {
        const p = result.policy;
        const servers = Object.keys(p.servers).length;
        process.stdout.write(
          `${file} is a valid managed policy (version ${p.version}, managed by ${p.managedBy ?? 'your organisation'}): ` +
            `${servers} server${servers === 1 ? '' : 's'}, ${p.rules.length} rule${p.rules.length === 1 ? '' : 's'}, ` +
            `${Object.keys(p.settings).length} locked setting${Object.keys(p.settings).length === 1 ? '' : 's'}${p.audit.syslog ? `, audit forwarded to ${p.audit.syslog.map((d) => `${d.protocol}://${d.host}:${d.port}`).join(', ')}` : ''}.\n`,
        );
        return;
      }
      process.stderr.write(`${file} is not a valid managed policy (${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}):\n`);
      for (const p of result.problems) process.stderr.write(`  ${file}${p.line ? `:${p.line}` : ''}: ${p.path ? `${p.path}: ` : ''}${p.message}\n`);
      process.stderr.write(`Warden would deny every call while such a file is in place. [config_invalid]\n`);
      process.exit(EXIT.failure);
    });

  policy
    .command('show')
    .description('the effective policy and where each value comes from (managed policy, you, or the default)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      try {
        const engine = EngineClient.find();
        const view = engine ? await engine.call('policy.managed', { reload: true }) : offlineView();
        // A view with a file missing is not the policy in force: say so, and exit 1.
        if (view.unreadable?.length) process.exitCode = 1;
        if (opts.json) return printJson(view);
        process.stdout.write(render(view));
      } catch (error) {
        fail(error);
      }
    });
}

/** Without an engine: the same view over this data directory's files and the managed policy file. */
function offlineView(): EffectivePolicy {
  const paths = dataPaths(dataDir());
  const managed = managedFileView(managedPolicyPath());
  const unreadable: string[] = [];
  const safely = <T>(read: () => T, fallback: T): T => {
    try {
      return read();
    } catch (error) {
      unreadable.push((error as Error).message);
      return fallback;
    }
  };
  const file = safely(() => new PolicyStore(paths).load(), undefined);
  const servers = safely(() => new ServerStore(paths).list(), []);
  const settings = safely(() => new SettingsStore(paths).get(), undefined);
  return effectivePolicy({ state: managed.state(), policy: managed.policy(), approvals: file?.approvals, servers, rules: file?.rules ?? [], settings, unreadable });
}

const mark = (v: { source: string; locked: boolean }) => `${v.source}${v.locked ? ', locked' : ''}`;

function render(v: EffectivePolicy): string {
  const out: string[] = [];
  const m = v.managed;
  if (m.state === 'none') out.push(`Managed policy: none (${m.path} does not exist).`);
  else if (m.state === 'active') out.push(`Managed policy: ${m.path}, managed by ${m.managedBy}${v.contact ? ` (${v.contact})` : ''}.`);
  else out.push(`Managed policy: BROKEN — every call is denied until it is fixed.`, `  ${m.message}`);
  for (const why of v.unreadable ?? []) out.push(`CANNOT READ: ${why}`, '  What that file holds is missing below.');
  out.push('', 'Settings:');
  for (const [k, s] of Object.entries(v.settings)) out.push(`  ${k} = ${JSON.stringify(s.value)}  (${mark(s)})`);
  out.push('', 'Servers:');
  if (!v.servers.length) out.push('  (none)');
  for (const s of v.servers) {
    out.push(`  ${s.name}${s.configured ? '' : ' (not configured)'}: tier ${s.tier.value} (${mark(s.tier)})${s.forbidden ? `; FORBIDDEN: ${s.forbidden.reason}` : ''}`);
  }
  out.push(`  only listed servers: ${v.onlyListedServers.value} (${mark(v.onlyListedServers)})`);
  const f = v.forbid;
  if (f.servers.length || f.commands.length || f.packages.length || f.urls.length) {
    out.push('  forbidden by pattern: ' + [['names', f.servers], ['commands', f.commands], ['packages', f.packages], ['urls', f.urls]].filter(([, l]) => (l as string[]).length).map(([k, l]) => `${k as string} ${(l as string[]).join(', ')}`).join('; '));
  }
  out.push('', 'Rules (managed first; deny wins):');
  if (!v.rules.length) out.push('  (none)');
  for (const r of v.rules) {
    out.push(`  ${r.id}  ${r.effect.padEnd(5)} ${r.server}/${r.tool}${r.when.length ? ` when ${r.when.map((c) => `${c.arg} ${c.op} ${JSON.stringify(c.value)}`).join(' and ')}` : ''}${r.client ? ` for client ${r.client}` : ''}  (${r.source}${r.locked ? ', locked' : ''})${r.reason ? ` — ${r.reason}` : ''}${r.ignored ? ` [ignored: ${r.ignored}]` : ''}`);
  }
  out.push('', 'Audit:');
  out.push(`  forwarding: ${v.audit.syslog.value.length ? v.audit.syslog.value.map((d) => `${d.protocol}://${d.host}:${d.port}`).join(', ') : 'none'} (${mark(v.audit.syslog)})`);
  out.push(`  retention: ${v.audit.retentionDays.value === 0 ? 'forever' : `${v.audit.retentionDays.value} days`} (${v.audit.retentionDays.source}${v.audit.retentionDays.minimum ? `, managed minimum ${v.audit.retentionDays.minimum} days` : ''})`);
  return out.join('\n') + '\n';
}

/** One line for `warden status`: is a managed policy in force, and if it is broken, why. */
export function managedLine(m: EffectivePolicy['managed']): string {
  if (m.state === 'none') return '';
  if (m.state === 'active') return `Managed policy: ${m.path} (managed by ${m.managedBy}).\n`;
  return `Managed policy: BROKEN, every call is denied. ${m.message} [config_invalid]\n`;
}
