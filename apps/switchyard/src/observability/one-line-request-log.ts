import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';

/**
 * One log line per request, where Fastify writes two ('incoming request', then 'request
 * completed'): the completed line carries the request too (method, URL, client address, request
 * id), so nothing is lost but the arrival line. Measured on `POST /v1/jobs` (docs/benchmarks.md,
 * "HTTP intake profile"): per-request log lines were the largest share of the intake's own CPU
 * time after the broker's work.
 */
export class OneLineRequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (this.isLogDisabled(request)) return;
    const fields = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...fields, err: error }, 'request errored');
    else reply.log.info(fields, 'request completed');
  }
}
