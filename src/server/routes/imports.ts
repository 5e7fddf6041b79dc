/**
 * Importing a file through the API (issue 8 §9). The body is the file itself — CSV (`text/csv`,
 * any encoding `tenure import` reads) or XLSX — without multipart: the web page sends the File
 * object as the fetch body with its content type, and the raw bytes are all the server needs,
 * so no form parser is added. Up to IMPORT_BODY_LIMIT; every other route keeps the small limit.
 *
 *   ?dryRun=true   the mapping and every row problem (line, column, field, value, reason);
 *                  nothing is written
 *   otherwise      the file is checked the same way first: a bad row is 422 `invalid_rows`
 *                  with every problem and nothing written (all or nothing), unless
 *                  skipInvalid=true; then it is imported by `importFiles`, the code path of
 *                  `tenure import` (one transaction, idempotent), and the audit row is written
 *                  in that transaction.
 *
 * Progress: with `Accept: application/x-ndjson` the answer is a stream of JSON lines (progress,
 * then the result or an error), so the page shows rows read and merged without polling — which
 * on the embedded database could not work anyway: its one connection is held by the import's
 * transaction, so no other query (not even a session lookup) runs until it commits. Otherwise
 * the answer is one JSON document when the import is done. One import at a time per server.
 */
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { RECORD_KINDS, type RecordKind } from '../../engine/index.js';
import { TenureError } from '../../errors.js';
import {
  openUpload,
  parseColumnMap,
  type UploadCheck,
  type UploadFormat,
} from '../../ingest/index.js';
import { audit } from '../../store/audit-repo.js';
import { ApiError, toHttpError } from '../http-errors.js';
import { type AppContext, addRoute, type Registry } from '../routing.js';

/** A realistic export (a few hundred thousand rows); other routes keep BODY_LIMIT. */
export const IMPORT_BODY_LIMIT = 50 * 1024 * 1024;

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const CSV_TYPES = ['text/csv', 'application/csv'];
const NDJSON = 'application/x-ndjson';
const IMPORTS = '/api/imports';

const HOW_TO_SEND = `send the file itself as the body with Content-Type: text/csv (CSV) or ${XLSX_TYPE} (XLSX)`;

function formatOf(req: FastifyRequest): UploadFormat {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  return type === XLSX_TYPE ? 'xlsx' : 'csv';
}

const Bool = z.enum(['true', 'false']);

const Mapping = z
  .array(
    z.object({
      column: z.string(),
      field: z.string().nullable().describe('null: not imported as a field'),
    }),
  )
  .describe('how each column of the file was understood');

const Problem = z.object({
  line: z.number().describe('line of a CSV file, row of a sheet'),
  column: z.number().nullable().describe('1-based'),
  field: z.string().nullable(),
  value: z.string().nullable(),
  reason: z.string(),
});

const Described = {
  kind: z.enum(RECORD_KINDS as unknown as [RecordKind, ...RecordKind[]]),
  format: z.enum(['csv', 'xlsx']),
  encoding: z.string(),
  delimiter: z.string().nullable(),
  mapping: Mapping,
  fields: z.array(z.string()).describe('the fields of the kind a column may be mapped to'),
  rows: z.number(),
  valid: z.number(),
  rejected: z.number(),
  problems: z.array(Problem).describe('the first 1,000 problems'),
  problemCount: z.number(),
};

const MergeCounts = z.object({
  rows: z.number(),
  inserted: z.number(),
  updated: z.number(),
  unchanged: z.number(),
});

const CheckAnswer = z.object({ dryRun: z.literal(true), ...Described }).describe('dryRun=true');

const ImportAnswer = z
  .object({
    dryRun: z.literal(false),
    ...Described,
    counts: z.object({
      customers: MergeCounts,
      products: MergeCounts,
      transactions: MergeCounts.describe('orders (rows sharing an order id are one order)'),
      transactionLines: MergeCounts,
      interactions: MergeCounts,
      subscriptions: MergeCounts,
      placeholderCustomers: z
        .number()
        .describe('minimal customer records created for ids only the file names'),
    }),
    ms: z.number(),
    analysisStale: z
      .literal(true)
      .describe(
        'summaries, scores and stages are not recomputed by an import: start POST /api/analysis-runs',
      ),
  })
  .describe('imported');

const StreamLine = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('progress'),
    phase: z.enum(['checked', 'reading', 'merging']),
    rows: z.number().describe('rows read so far'),
    rowsTotal: z.number().describe('rows in the file'),
  }),
  z.object({ type: z.literal('result'), result: ImportAnswer }),
  z.object({
    type: z.literal('error'),
    status: z.number().describe('the status the error would have had as a whole answer'),
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.record(z.string(), z.unknown()),
    }),
  }),
]);

/** A file with bad rows, imported all or nothing: 422 with every problem; nothing was written. */
function invalidRows(
  name: string,
  c: Pick<UploadCheck, 'rows' | 'valid' | 'rejected'>,
  details: {
    problems: unknown;
    problemCount: number;
  },
): ApiError {
  const problems = details.problemCount;
  return new ApiError(
    422,
    'invalid_rows',
    `${name}: ${problems} problem${problems === 1 ? '' : 's'} in ${c.rejected} of ${c.rows} rows; nothing was imported. Correct the rows and upload the file again, or import with skipInvalid=true to load the ${c.valid} valid rows`,
    { rows: c.rows, valid: c.valid, rejected: c.rejected, ...details },
  );
}

export function registerImportRoutes(f: FastifyInstance, r: Registry, app: AppContext): void {
  // The raw bytes (CSV's encoding is detected as for a file: UTF-8, GB18030, UTF-16), only here:
  // every other route still refuses these bodies with 415 before reading them.
  f.addContentTypeParser([...CSV_TYPES, XLSX_TYPE], { parseAs: 'buffer' }, (req, body, done) => {
    if (req.url.split('?')[0] !== IMPORTS) {
      done(
        new ApiError(415, 'unsupported_media_type', 'send the body as application/json'),
        undefined,
      );
      return;
    }
    done(null, body);
  });
  // Form uploads are not parsed: say what to send instead.
  f.addContentTypeParser('multipart/form-data', (req, _payload, done) => {
    const imports = req.url.split('?')[0] === IMPORTS;
    done(
      new ApiError(
        415,
        'unsupported_media_type',
        imports ? HOW_TO_SEND : 'send the body as application/json',
      ),
      undefined,
    );
  });

  /** the import in progress on this server, if any */
  let running: { by: string; name: string; since: Date } | null = null;

  addRoute(f, r, app, {
    method: 'POST',
    url: IMPORTS,
    summary:
      'Check (dryRun=true) or import a file of customers, products, orders, interactions or subscriptions, sent as the body: the detected kind, encoding and column mapping, each row problem with line, column and reason, and, when imported, what was inserted, updated and unchanged per kind. All or nothing unless skipInvalid=true; importing the same file again changes nothing',
    tag: 'imports',
    auth: 'imports:write',
    bodyLimit: IMPORT_BODY_LIMIT,
    rawBody: {
      types: [...CSV_TYPES, XLSX_TYPE],
      description: `The file itself, up to ${IMPORT_BODY_LIMIT / 1024 / 1024} MiB: CSV (any delimiter; UTF-8 with or without BOM, GB18030/GBK, UTF-16) as text/csv, or an XLSX workbook (its first sheet) as ${XLSX_TYPE}. Not multipart.`,
    },
    streamResponse: {
      type: NDJSON,
      description: `When importing with Accept: ${NDJSON}: one JSON object per line — progress lines (rows read of rowsTotal; phase checked, reading, merging), then one result line, or one error line if the import failed after the answer began.`,
      line: StreamLine,
    },
    errors: [409, 415],
    errorText: {
      409: 'Another import is running on this server (conflict)',
      413: `The file is larger than ${IMPORT_BODY_LIMIT / 1024 / 1024} MiB (payload_too_large)`,
      415: 'The body is neither text/csv nor XLSX (unsupported_media_type)',
      422: 'Rows with problems and skipInvalid is not true (invalid_rows): details.problems has each line, column, field, value and reason, details.problemCount how many; nothing was written',
    },
    query: z.strictObject({
      dryRun: Bool.default('false').describe('true: check only, nothing is written'),
      kind: z
        .enum(RECORD_KINDS as unknown as [RecordKind, ...RecordKind[]])
        .optional()
        .describe('default: detected from the headers and the file name'),
      name: z
        .string()
        .max(200)
        .optional()
        .describe('the file’s name (helps detect the kind: 订单.csv holds orders)'),
      map: z
        .union([z.string(), z.array(z.string())])
        .optional()
        .describe(
          'column=field, repeatable, as `tenure import --map`: read a column as a field (付款金额=amount); column=- ignores it',
        ),
      skipInvalid: Bool.default('false').describe(
        'true: import the valid rows and answer the rejected ones in problems',
      ),
      timeZone: z
        .string()
        .max(64)
        .optional()
        .describe('IANA zone of times written without one; default Asia/Shanghai'),
    }),
    body: z.custom<Buffer>((v) => Buffer.isBuffer(v), { message: HOW_TO_SEND }),
    response: z.union([CheckAnswer, ImportAnswer]),
    handler: async ({ req, reply, query, body, app, actor }) => {
      const dryRun = query.dryRun === 'true';
      const skipInvalid = query.skipInvalid === 'true';
      const mapEntries =
        query.map === undefined ? [] : Array.isArray(query.map) ? query.map : [query.map];
      let map: Record<string, string> | undefined;
      try {
        map = mapEntries.length ? parseColumnMap(mapEntries) : undefined;
      } catch (error) {
        throw new ApiError(
          400,
          'invalid_input',
          (error as Error).message.replace('--map ', 'map='),
          {
            field: 'map',
          },
        );
      }
      if (!dryRun && running) {
        throw new ApiError(
          409,
          'conflict',
          `${running.by} is importing ${running.name} (since ${running.since.toISOString()}); try again when it is done`,
        );
      }
      const claim = dryRun
        ? null
        : { by: actor.username, name: query.name ?? 'a file', since: app.now() };
      if (claim) running = claim;
      const release = () => {
        if (running === claim) running = null;
      };
      let upload: Awaited<ReturnType<typeof openUpload>> | null = null;
      let streaming = false;
      try {
        upload = await openUpload(body, {
          name: query.name ?? 'upload',
          format: formatOf(req),
          kind: query.kind,
          map,
          timeZone: query.timeZone,
        });
        const check = await upload.check();
        if (dryRun) return check;
        if (check.rejected > 0 && !skipInvalid) throw invalidRows(upload.name, check, check);

        const opened = upload;
        const run = (onProgress?: (phase: 'reading' | 'merging', rows: number) => void) =>
          opened
            .import(app.db, {
              skipInvalid,
              onProgress: (p) => onProgress?.(p.phase, p.rows),
              beforeCommit: (tx, counts) =>
                audit(tx, actor, 'import', null, {
                  name: opened.name,
                  kind: check.kind,
                  format: check.format,
                  rows: check.rows,
                  rejected: check.rejected,
                  skipInvalid,
                  ...(map ? { map } : {}),
                  counts,
                }),
            })
            .then((result) => ({ ...result, analysisStale: true as const }))
            .catch((error: unknown) => {
              if (error instanceof TenureError && Array.isArray(error.details.problems)) {
                throw invalidRows(opened.name, check, {
                  problems: error.details.problems,
                  problemCount: Number(error.details.problemCount ?? 0),
                });
              }
              throw error;
            });

        if (!(req.headers.accept ?? '').includes(NDJSON)) return await run();

        // The stream: headers now, a line per progress report, then the result or the error.
        streaming = true;
        const out = new PassThrough();
        const line = (
          value: { type: z.output<typeof StreamLine>['type'] } & Record<string, unknown>,
        ) => out.write(`${JSON.stringify(value)}\n`);
        reply
          .code(200)
          .header('cache-control', 'no-store')
          .header('x-content-type-options', 'nosniff')
          .type(`${NDJSON}; charset=utf-8`)
          .send(out);
        line({ type: 'progress', phase: 'checked', rows: 0, rowsTotal: check.rows });
        void run((phase, rows) => line({ type: 'progress', phase, rows, rowsTotal: check.rows }))
          .then((result) => line({ type: 'result', result }))
          .catch((error: unknown) => {
            const { status, body: answer, internal } = toHttpError(error);
            if (internal) req.log.error({ err: error }, 'import failed');
            line({ type: 'error', status, error: answer.error });
          })
          .finally(() => {
            out.end();
            release();
            void opened.close();
          });
        return reply;
      } finally {
        if (!streaming) {
          release();
          await upload?.close();
        }
      }
    },
  });
}
