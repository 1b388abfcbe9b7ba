import { ConfigError } from '../platform/config/config.js';

/** A whole-number command-line option in [0, max], or the fallback when absent; a bad one fails with the usage text. */
export function integerOption(value: string | undefined, name: string, fallback: number, max: number, usage: string): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > max)
    throw new ConfigError(`--${name} must be an integer from 0 to ${max}\n${usage}`);
  return parsed;
}
