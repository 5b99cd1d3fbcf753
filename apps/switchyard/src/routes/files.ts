import { Readable } from 'node:stream';
import multipart, { type MultipartFile } from '@fastify/multipart';
import { type FileStore, MAX_FILE_BYTES, MAX_LINE_BYTES, splitLines } from '@switchyard/batches';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError, notFound } from '../api-error.ts';
import { ErrorResponse } from '../schemas/error.ts';

const FileObject = z
  .object({
    id: z.string(),
    object: z.literal('file'),
    bytes: z.number(),
    created_at: z.number(),
    filename: z.string(),
    purpose: z.enum(['batch', 'batch_output']),
    status: z.literal('processed'),
  })
  .meta({ id: 'File' });
const FileList = z.object({
  object: z.literal('list'),
  data: z.array(FileObject),
  first_id: z.string().nullable(),
  last_id: z.string().nullable(),
  has_more: z.boolean(),
});

const FileParams = z.strictObject({ id: z.string().min(1).max(200) });

/**
 * The upload's bytes; a file cut at the size limit ends in an error rather than quietly, so
 * the store refuses it (and deletes what it wrote) instead of publishing a truncated file.
 */
async function* untruncated(file: MultipartFile): AsyncGenerator<Buffer> {
  for await (const chunk of file.file) yield chunk as Buffer;
  if (file.file.truncated) {
    throw new ApiError(413, 'file_too_large', `Files are limited to ${MAX_FILE_BYTES} bytes`);
  }
}

/** Appends `\n` to each line, for streaming a JSONL file out. */
async function* jsonl(lines: AsyncIterable<string>): AsyncGenerator<string> {
  for await (const line of lines) yield `${line}\n`;
}

export const fileRoutes: FastifyPluginAsyncZod = async (app) => {
  const { files } = app.services;
  await app.register(multipart, { limits: { fileSize: MAX_FILE_BYTES, files: 1, fields: 4 } });

  app.post(
    '/v1/files',
    {
      schema: {
        summary: 'Upload a JSONL batch input file (multipart: purpose=batch, file)',
        consumes: ['multipart/form-data'],
        response: { 200: FileObject, 400: ErrorResponse, 413: ErrorResponse },
      },
    },
    async (request) => {
      if (!request.isMultipart()) {
        throw new ApiError(415, 'unsupported_media_type', 'Upload the file as multipart/form-data');
      }
      let purpose: string | undefined;
      let stored: Awaited<ReturnType<FileStore['createFromLines']>> | undefined;
      try {
        for await (const part of request.parts()) {
          if (part.type === 'field') {
            if (part.fieldname === 'purpose') purpose = String(part.value);
            continue;
          }
          if (stored) throw new ApiError(400, 'invalid_request', 'Upload one file per request');
          if (purpose !== undefined && purpose !== 'batch') break;
          // Lines are split with a bound: memory holds one line (MAX_LINE_BYTES) and a chunk
          // of lines on their way to Redis, never the file.
          stored = await files.createFromLines(
            request.tenant,
            { filename: part.filename, purpose: 'batch' },
            splitLines(untruncated(part), MAX_LINE_BYTES),
          );
        }
        if (purpose !== 'batch') {
          throw new ApiError(400, 'invalid_request', 'purpose must be "batch"', { field: 'purpose' });
        }
        if (!stored) throw new ApiError(400, 'invalid_request', 'No file in the upload', { field: 'file' });
      } catch (error) {
        // A refused upload leaves nothing: the purpose may come after the file, or a second file.
        if (stored) await files.remove(request.tenant, stored.id);
        throw error;
      }
      return stored;
    },
  );

  app.get('/v1/files', { schema: { summary: 'List files', response: { 200: FileList } } }, async (request) =>
    files.list(request.tenant),
  );

  app.get(
    '/v1/files/:id',
    {
      schema: {
        summary: 'Get a file',
        params: FileParams,
        response: { 200: FileObject, 404: ErrorResponse },
      },
    },
    async (request) => {
      const file = await files.get(request.tenant, request.params.id);
      if (!file) throw notFound('file', request.params.id);
      return file;
    },
  );

  app.get(
    '/v1/files/:id/content',
    {
      schema: {
        summary: 'Download a file (JSONL), including batch output and error files',
        params: FileParams,
      },
    },
    async (request, reply) => {
      const file = await files.get(request.tenant, request.params.id);
      if (!file) throw notFound('file', request.params.id);
      return reply
        .type('application/jsonl')
        .send(Readable.from(jsonl(files.readLines(request.tenant, request.params.id))));
    },
  );
};
