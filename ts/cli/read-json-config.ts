/**
 * Reads a `--config <file>` JSON object for a CLI command.
 * @module
 */
import * as fs from 'node:fs';
import { ConfigError } from '../errors';

/**
 * The JSON object in `file`.
 * @throws {ConfigError} when the file cannot be read, is not JSON, or holds no JSON object
 */
export function readJsonConfig(file: string): Record<string, unknown> {
  try {
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('expected a JSON object');
    return json as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`cannot read config ${file}: ${(err as Error).message}`);
  }
}
