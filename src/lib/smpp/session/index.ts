/** The ESME session: the one door callers import from. */
export { EsmeSession } from './esme-session.js';
export {
  type BindStyle,
  DEFAULT_TIMING,
  type EsmeSessionDeps,
  type EsmeSessionOptions,
  type EsmeStats,
  type EsmeTiming,
  type QueryResult,
  type SubmitRequest,
  type SubmitResult,
} from './types.js';
