import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyRequest, FastifySchemaCompiler } from 'fastify';
import { badRequest } from '../errors.js';
import { CONTROL_CHARACTERS, YEAR_RANGE } from './schemas.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Fields taken as given although they may hold control characters (`body.text`, `querystring.message`):
     *  their service cleans them. Every other string of the request is refused when it holds one. */
    controlCharactersAllowed?: readonly string[];
  }
}

/**
 * Bodies are validated strictly: no type coercion and no silent removal of unknown fields (Fastify's
 * defaults), so `"processingDays": "5"` or a misspelt field is a 400 that names it. Query strings and
 * path parameters are text by nature and are coerced.
 */
export function createValidatorCompiler(sharedSchemas: object[]): FastifySchemaCompiler<unknown> {
  const make = (coerce: boolean) => {
    const ajv = new Ajv.default({
      coerceTypes: coerce ? 'array' : false,
      removeAdditional: false,
      useDefaults: true,
      allErrors: false,
      strict: false,
    });
    addFormats.default(ajv);
    ajv.addKeyword({
      keyword: YEAR_RANGE,
      type: 'string',
      schemaType: 'array',
      validate: ([first, last]: [number, number], data: string) => {
        const year = Number(data.slice(0, 4));
        return year >= first && year <= last;
      },
    });
    for (const schema of sharedSchemas) ajv.addSchema(schema);
    return ajv;
  };
  const strict = make(false);
  const coercing = make(true);
  return ({ schema, httpPart }) =>
    (httpPart === 'body' ? strict : coercing).compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
}

/** The first string (or object key) under `value` holding a control character, as a field path. */
function controlCharacterAt(value: unknown, path: string, allowed: ReadonlySet<string>): string | null {
  if (allowed.has(path)) return null;
  if (typeof value === 'string') return CONTROL_CHARACTERS.test(value) ? path : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, child] of Object.entries(value)) {
    const childPath = `${path}.${key}`;
    if (CONTROL_CHARACTERS.test(key)) return path;
    const found = controlCharacterAt(child, childPath, allowed);
    if (found !== null) return found;
  }
  return null;
}

/**
 * preValidation hook of every route, forms and JSON alike: a string holding a control character (NUL …)
 * is a 400 naming the field, before any schema, service or database sees it.
 */
export async function refuseControlCharacters(request: FastifyRequest): Promise<void> {
  const allowed = new Set(request.routeOptions.config.controlCharactersAllowed ?? []);
  const parts: Array<[string, unknown]> = [
    ['params', request.params],
    ['querystring', request.query],
    ['body', request.body],
  ];
  for (const [part, value] of parts) {
    const at = controlCharacterAt(value, part, allowed);
    if (at === null) continue;
    const field = at === 'body' ? 'body' : at.replace(/^body\./, '');
    throw badRequest('VALIDATION_FAILED', `Trường "${field}" chứa ký tự điều khiển (như NUL), không được chấp nhận.`, { field });
  }
}
