import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One POST the receiver got, whether or not its signature held. */
export interface ReceivedWebhook {
  /** When it arrived (ms since the epoch). */
  at: number;
  webhookId: string;
  verified: boolean;
  /** Why verification failed, when it did. */
  problem?: string;
  type?: string;
  body?: { type: string; timestamp: string; data: Record<string, unknown> & { id: string; status: string } };
}

export interface WebhookReceiver {
  /** The callback URL to give Switchyard. */
  readonly url: string;
  readonly received: ReceivedWebhook[];
  /** Jobs with a verified `job.succeeded` or `job.failed`, by job id: the event types seen. */
  readonly terminal: Map<string, Set<string>>;
  close(): Promise<void>;
}

/**
 * A real HTTP server that verifies every delivery as a Standard Webhooks consumer would
 * (`standardwebhooks`: signature over id, timestamp and body, timestamp within 5 minutes),
 * answers 200 and keeps everything it got.
 */
export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const webhook = new Webhook(secret);
  const received: ReceivedWebhook[] = [];
  const terminal = new Map<string, Set<string>>();
  const server = createServer((request, response) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      text += chunk;
    });
    request.on('end', () => {
      const delivery: ReceivedWebhook = {
        at: Date.now(),
        webhookId: String(request.headers['webhook-id']),
        verified: false,
      };
      try {
        delivery.body = webhook.verify(
          text,
          request.headers as Record<string, string>,
        ) as ReceivedWebhook['body'];
        delivery.verified = true;
        delivery.type = delivery.body?.type;
      } catch (error) {
        delivery.problem = (error as Error).message;
      }
      received.push(delivery);
      const data = delivery.body?.data;
      if (
        delivery.verified &&
        data &&
        (delivery.type === 'job.succeeded' || delivery.type === 'job.failed')
      ) {
        const types = terminal.get(data.id) ?? new Set<string>();
        types.add(delivery.type);
        terminal.set(data.id, types);
      }
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    terminal,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
