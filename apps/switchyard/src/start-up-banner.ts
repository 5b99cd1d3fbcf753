import type { Config } from '@switchyard/config';
import { DEMO_KEYS } from './demo.ts';

const DOCUMENTS = [
  'The river rose overnight. Crews worked until dawn. The bridge reopened at noon.',
  'Sales grew in spring. Costs fell. The board approved a new plant.',
];

/**
 * What the process prints once the API listens: its URLs and a `curl` that submits a
 * summarization batch on a route that exists (`summarize` when there is one, as in the demo;
 * otherwise the first, such as the `default` route of a file-less start). A key is printed
 * only when it is the demo's own; any other is left to `$SWITCHYARD_API_KEY`, inside double
 * quotes so that the shell expands it.
 */
export function formatStartUpBanner(options: { role: string; base: string; config: Config }): string {
  const { role, base, config } = options;
  const routes = Object.keys(config.routes);
  const route = routes.includes('summarize') ? 'summarize' : routes[0];
  const demoKey = config.auth.apiKeys.some((entry) => entry.key === DEMO_KEYS.apiKey);
  const demoAdminKey = config.auth.adminKeys.includes(DEMO_KEYS.adminKey);
  const key = demoKey ? DEMO_KEYS.apiKey : '$SWITCHYARD_API_KEY';
  const lines = [
    '',
    `Switchyard is ready (${role}).`,
    `  API         ${base}/v1`,
    `  Docs        ${base}/docs`,
    `  Bull Board  ${base}/admin/queues${demoAdminKey ? `  (admin key: ${DEMO_KEYS.adminKey})` : ''}`,
    `  Metrics     ${base}/metrics  (admin key)`,
    '',
  ];
  if (route !== undefined) {
    const requests = DOCUMENTS.map((content, index) => ({
      custom_id: `doc-${index + 1}`,
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: route, messages: [{ role: 'user', content }], max_tokens: 64 },
    }));
    const batch = { endpoint: '/v1/chat/completions', completion_window: '24h', route, requests };
    lines.push(
      `Submit a summarization batch (route ${route}):`,
      `  curl -s ${base}/v1/batches -H "authorization: Bearer ${key}" -H 'content-type: application/json' \\`,
      `    -d '${JSON.stringify(batch)}'`,
      '',
    );
  }
  return lines.join('\n');
}
