import { ConfigError } from '../../platform/config/config.js';

// ─── reading provider options from a JSON config file ───────────────────────

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** One object of a provider's JSON config; every error names the offending field by its full path. */
export class ConfigReader {
  private constructor(
    private readonly raw: Readonly<Record<string, unknown>>,
    private readonly path: string,
  ) {}

  static of(raw: unknown, path: string): ConfigReader {
    if (!isPlainObject(raw)) throw new ConfigError(`${path} must be an object`);
    return new ConfigReader(raw, path);
  }

  private field(key: string): string {
    return `${this.path}.${key}`;
  }

  /** Catches misspelt keys, which would otherwise silently fall back to a default. */
  allowOnly(keys: readonly string[]): this {
    const unknown = Object.keys(this.raw).filter((key) => !keys.includes(key));
    if (unknown.length > 0) {
      throw new ConfigError(`${this.field(unknown[0]!)} is not a known option (known: ${keys.join(', ')})`);
    }
    return this;
  }

  string(key: string, fallback?: string): string {
    const value = this.raw[key];
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value !== 'string' || value.trim() === '') throw new ConfigError(`${this.field(key)} must be a non-empty string`);
    return value;
  }

  optionalString(key: string): string | null {
    return this.raw[key] === undefined || this.raw[key] === null ? null : this.string(key);
  }

  /** A string that may be empty (a prefix, a blank sender). */
  text(key: string, fallback: string): string {
    const value = this.raw[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'string') throw new ConfigError(`${this.field(key)} must be a string`);
    return value;
  }

  integer(key: string, fallback: number, min: number, max: number): number {
    const value = this.raw[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new ConfigError(`${this.field(key)} must be an integer from ${min} to ${max}`);
    }
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.raw[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') throw new ConfigError(`${this.field(key)} must be true or false`);
    return value;
  }

  oneOf<T extends string>(key: string, values: readonly T[], fallback?: T): T {
    const value = this.raw[key];
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
      throw new ConfigError(`${this.field(key)} must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}`);
    }
    return value as T;
  }

  url(key: string, fallback?: string): string {
    const value = this.string(key, fallback);
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new ConfigError(`${this.field(key)} must be an absolute URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new ConfigError(`${this.field(key)} must be an http or https URL`);
    return value;
  }

  optionalUrl(key: string): string | null {
    return this.raw[key] === undefined || this.raw[key] === null ? null : this.url(key);
  }

  object(key: string): ConfigReader {
    return ConfigReader.of(this.raw[key], this.field(key));
  }

  optionalObject(key: string): ConfigReader | null {
    return this.raw[key] === undefined || this.raw[key] === null ? null : this.object(key);
  }

  stringRecord(key: string): Record<string, string> {
    if (this.raw[key] === undefined) return {};
    const reader = this.object(key);
    return Object.fromEntries(reader.keys().map((name) => [name, reader.text(name, '')]));
  }

  /** Strings, numbers and booleans alike, as strings: `["100"]`, `[100]` and `[true]` all read naturally in JSON. */
  scalarList(key: string): string[] {
    const value = this.raw[key];
    if (!Array.isArray(value) || value.length === 0 || value.some((item) => !['string', 'number', 'boolean'].includes(typeof item))) {
      throw new ConfigError(`${this.field(key)} must be a non-empty list of strings, numbers or booleans`);
    }
    return value.map(String);
  }

  keys(): string[] {
    return Object.keys(this.raw);
  }

  value(key: string): unknown {
    return this.raw[key];
  }
}
