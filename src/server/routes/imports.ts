/**
 * Checking an import file through the API before anything is written (issue 8 §9): the body is
 * the file itself as `text/csv` (up to the server's body limit; multipart is not parsed, to keep
 * the dependencies as they are), `?dryRun=true&kind=…`; the answer is the column mapping and
 * every row problem with its line and column. Importing for real stays `tenure import`.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { RECORD_KINDS, type RecordKind } from '../../engine/index.js';
import { checkUpload } from '../../ingest/validate-upload.js';
import { ApiError } from '../http-errors.js';
import { type AppContext, addRoute, type Registry } from '../routing.js';

const CSV_TYPES = ['text/csv', 'application/csv'];

export function registerImportRoutes(f: FastifyInstance, r: Registry, app: AppContext): void {
  // The raw bytes (the encoding is detected as for a file: UTF-8, GB18030, UTF-16), only here.
  f.addContentTypeParser(CSV_TYPES, { parseAs: 'buffer' }, (req, body, done) => {
    if (req.url.split('?')[0] !== '/api/imports') {
      done(
        new ApiError(415, 'unsupported_media_type', 'send the body as application/json'),
        undefined,
      );
      return;
    }
    done(null, body);
  });
  // Form uploads (XLSX from the import page) are not parsed: say what to do instead.
  f.addContentTypeParser('multipart/form-data', (req, _payload, done) => {
    const imports = req.url.split('?')[0] === '/api/imports';
    done(
      new ApiError(
        415,
        'unsupported_media_type',
        imports
          ? 'send a CSV file as the body with Content-Type: text/csv; for XLSX use `tenure import`'
          : 'send the body as application/json',
      ),
      undefined,
    );
  });

  addRoute(f, r, app, {
    method: 'POST',
    url: '/api/imports',
    summary:
      'Validate an import file sent as the body (Content-Type: text/csv) without writing anything: the detected kind, encoding and delimiter, the column mapping, and each row problem with line, column and reason. Only dryRun=true is served; import with `tenure import`',
    tag: 'imports',
    auth: 'customers:write',
    query: z.strictObject({
      dryRun: z.literal('true').describe('must be true: nothing is written'),
      kind: z
        .enum(RECORD_KINDS as unknown as [RecordKind, ...RecordKind[]])
        .optional()
        .describe('default: detected from the headers'),
      name: z.string().max(200).optional().describe('the file’s name (helps detect the kind)'),
    }),
    body: z.custom<Buffer>((v) => Buffer.isBuffer(v), {
      message: 'send the file as the body with Content-Type: text/csv',
    }),
    response: z.object({
      dryRun: z.literal(true),
      kind: z.string(),
      format: z.string(),
      encoding: z.string(),
      delimiter: z.string().nullable(),
      mapping: z.array(z.object({ column: z.string(), field: z.string().nullable() })),
      rows: z.number(),
      valid: z.number(),
      rejected: z.number(),
      problems: z.array(
        z.object({
          line: z.number(),
          column: z.number().nullable(),
          field: z.string().nullable(),
          value: z.string().nullable(),
          reason: z.string(),
        }),
      ),
      problemCount: z.number(),
    }),
    handler: ({ query, body }) => {
      const base = (query.name ?? 'upload').replace(/[^\p{L}\p{N}._-]+/gu, '_').slice(0, 100);
      const name = /\.(csv|txt|tsv)$/i.test(base) ? base : `${base}.csv`;
      return checkUpload(body, { name, kind: query.kind });
    },
  });
}
