import type { Capability } from '@switchyard/spec';
import type { JobInput } from './job.ts';

/**
 * What a request uses beyond plain text, so that its plan holds only models that can take
 * it: tool definitions or a conversation that already holds tool calls (`tools`), a JSON
 * schema for the answer (`json_schema`), image parts (`vision`) and a streamed answer.
 */
export function capabilitiesNeeded(request: JobInput & { stream?: boolean }): Capability[] {
  const needs: Capability[] = [];
  const holdsToolCalls = request.messages.some(
    (message) => message.role === 'tool' || (message.toolCalls?.length ?? 0) > 0,
  );
  if ((request.tools?.length ?? 0) > 0 || holdsToolCalls) needs.push('tools');
  if (request.responseFormat?.type === 'json_schema') needs.push('json_schema');
  const holdsImages = request.messages.some(
    (message) => typeof message.content !== 'string' && message.content.some((part) => part.type === 'image'),
  );
  if (holdsImages) needs.push('vision');
  if (request.stream) needs.push('streaming');
  return needs;
}
