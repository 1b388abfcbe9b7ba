import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

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
    for (const schema of sharedSchemas) ajv.addSchema(schema);
    return ajv;
  };
  const strict = make(false);
  const coercing = make(true);
  return ({ schema, httpPart }) =>
    (httpPart === 'body' ? strict : coercing).compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
}
