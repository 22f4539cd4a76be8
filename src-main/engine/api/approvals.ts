// Engine-side handlers for shared/api/approvals.ts: the guardian's methods over the admin API. The CLI
// runs the same handlers against policy.json directly when no engine runs (dry runs, rules, tiers).
import type { Handlers } from '../../../shared/api/contract.js';
import type { approvalMethods } from '../../../shared/api/approvals.js';
import type { ServerConfig } from '../../../shared/servers.js';
import type { Tier } from '../../../shared/words.js';
import { WardenError } from '../errors.js';
import type { SecretResolver } from '../gateway/downstream.js';
import type { Guardian } from '../policy/guardian.js';
import { learnTools } from '../policy/learn.js';

/**
 * A rule names a server and a tool exactly, or `*` for any: `write_*` would be taken literally and
 * match nothing, so it is refused with the reason instead of silently never applying.
 */
function literalNames(server: string, tool: string, anyAllowed: boolean): void {
  for (const [what, name] of [['server', server], ['tool', tool]] as const) {
    if (name.includes('*') && !(anyAllowed && name === '*')) {
      throw new WardenError(
        'bad_input',
        anyAllowed
          ? `The ${what} \`${name}\` is not a name: a rule names one ${what} exactly, or \`*\` for any. Patterns are for managed policy; add one rule per ${what} instead.`
          : `The ${what} \`${name}\` is not a name: an override is set for one ${what}, named exactly.`,
      );
    }
  }
}

export interface ApprovalContext {
  guardian?: Guardian;
  servers: { require(name: string): ServerConfig };
  resolveSecret: SecretResolver;
  /** A server's tier changed: tell whoever shows servers. */
  tierChanged?(server: string, tier: Tier): void;
}

export function approvalHandlers(ctx: ApprovalContext): Handlers<typeof approvalMethods> {
  const guardian = (): Guardian => {
    if (!ctx.guardian) throw new WardenError('not_found', 'This engine runs without the guardian (a custom decision point was given), so there are no approvals or policy to manage.');
    return ctx.guardian;
  };
  return {
    'approvals.list': async () => guardian().listPending(),
    'approvals.answer': async ({ id, via, ...choice }) => guardian().answer(id, choice, `user:${via}`),
    'approvals.hold': async ({ id, held }) => guardian().hold(id, held),
    'approvals.settings': async (patch) => (Object.keys(patch).length ? guardian().setApprovalSettings(patch) : guardian().settings()),
    'consents.list': async () => ({ active: guardian().listConsents(), recent: guardian().recentConsents() }),
    'consents.revoke': async ({ id }) => guardian().revoke(id),
    'rules.list': async () => guardian().listRules(),
    'rules.add': async (input) => {
      literalNames(input.server, input.tool, true);
      // A rule for a server that does not exist would never match: most likely a typo, said at once.
      if (input.server !== '*') ctx.servers.require(input.server);
      return guardian().addRule(input);
    },
    'rules.remove': async ({ id }) => guardian().removeRule(id),
    'policy.check': async ({ server, tool, args, client, learn }) => {
      const g = guardian();
      const config = ctx.servers.require(server);
      let asked = false;
      // A blocked server is never started, also not to learn its tools: its calls are denied regardless.
      if (learn && g.tier(server) !== 'blocked' && g.check(server, tool, args).pinStatus === 'unknown') {
        await g.listTools(server, { id: 'warden-policy-check' }, await learnTools(config, ctx.resolveSecret));
        asked = true;
      }
      const view = g.check(server, tool, args, client ? { client } : {});
      if (asked && view.pinStatus === 'unknown') view.reasons.unshift(`Server \`${server}\` does not list a tool \`${tool}\` (asked just now): a call to it would fail at the server.`);
      return view;
    },
    'policy.tools': async ({ server }) => {
      ctx.servers.require(server);
      return guardian().tools(server);
    },
    'policy.setOverride': async ({ server, tool, effect, hidden }) => {
      literalNames(server, tool, false);
      ctx.servers.require(server);
      return { override: guardian().setOverride(server, tool, effect, hidden) ?? null };
    },
    'policy.setTier': async ({ server, tier }) => {
      ctx.servers.require(server);
      guardian().setTier(server, tier);
      ctx.tierChanged?.(server, tier);
      return { server, tier };
    },
    'policy.acceptPin': async ({ server, tool, via }) => guardian().acceptPin(server, tool, `user:${via}`),
  };
}
