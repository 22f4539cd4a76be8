// Tier × risk -> the default effect, when nothing more specific decides. Pure.
import type { Effect, Risk, Tier } from '../../../shared/words.js';

const TABLE: Record<Tier, Record<Risk, Effect>> = {
  trusted: { low: 'allow', medium: 'allow', high: 'ask' },
  standard: { low: 'allow', medium: 'ask', high: 'ask' },
  restricted: { low: 'ask', medium: 'ask', high: 'ask' },
  blocked: { low: 'deny', medium: 'deny', high: 'deny' },
};

export interface TierDefault {
  effect: Effect;
  ruleId: string;
  reason: string;
}

const CACHE = new Map<string, TierDefault>();

/** The default for a tier and a risk (12 combinations, built once each). */
export function tierDefault(tier: Tier, risk: Risk): TierDefault {
  const k = `${tier}/${risk}`;
  let d = CACHE.get(k);
  if (!d) {
    d = buildDefault(tier, risk);
    CACHE.set(k, d);
  }
  return d;
}

function buildDefault(tier: Tier, risk: Risk): TierDefault {
  const effect = TABLE[tier][risk];
  const reason =
    tier === 'blocked'
      ? 'The server is blocked: every call to it is denied.'
      : tier === 'restricted'
        ? 'The server is restricted: every call to it asks for approval.'
        : `A ${risk}-risk tool on a ${tier} server: ${effect === 'allow' ? 'allowed' : 'asks for approval'} by default.`;
  return { effect, ruleId: `tier:${tier}/${risk}`, reason };
}
