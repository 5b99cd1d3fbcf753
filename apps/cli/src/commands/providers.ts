import type { Provider, ProviderLimit } from '../api-types.ts';
import { type Command, UsageError } from '../command.ts';
import { formatTable, formatWindow } from '../format.ts';

const UNITS: Record<string, string> = { requests: 'req', tokens: 'tok', concurrency: 'conc' };

export const providersCommand: Command = {
  name: 'providers',
  summary: 'show every provider: tier, data policy, queue, quota usage, latency, health',
  help: `Usage: switchyard providers

A table of GET /v1/providers: id, tier, data policy, queue waiting/active, every limit as
used/max per window (scope "model:" when the limit is a model's), latency and health.
`,
  options: {},
  async run({ client, positionals, io }) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument: ${positionals[0]}`);
    const providers = await client.providers();
    const header = ['ID', 'TIER', 'POLICY', 'WAITING', 'ACTIVE', 'LIMITS', 'LATENCY', 'HEALTH'];
    io.stdout.write(formatTable(header, providers.map(toRow)));
    return 0;
  },
};

function toRow(provider: Provider): string[] {
  const paused =
    provider.queue.paused_ms > 0 ? ` (paused ${Math.ceil(provider.queue.paused_ms / 1000)}s)` : '';
  return [
    provider.id,
    provider.tier,
    provider.data_policy,
    String(provider.queue.waiting) + paused,
    String(provider.queue.active),
    provider.limits.map(formatLimit).join(', ') || '-',
    provider.latency_ms === null ? '-' : `${Math.round(provider.latency_ms)} ms`,
    provider.health,
  ];
}

function formatLimit(limit: ProviderLimit): string {
  const scope = limit.scope === 'provider' ? '' : `${limit.scope}: `;
  const unit = UNITS[limit.unit] ?? limit.unit;
  // A tightened limit shows what it admits now, and what is configured.
  const max =
    limit.effective_limit < limit.limit
      ? `${limit.effective_limit} (of ${limit.limit})`
      : String(limit.limit);
  // A calendar window names its zone unless it is UTC: `req/day (America/Los_Angeles)`.
  const zone = limit.time_zone && limit.time_zone !== 'UTC' ? ` (${limit.time_zone})` : '';
  return `${scope}${limit.used}/${max} ${unit}/${formatWindow(limit.per)}${zone}`;
}
