/**
 * Typed errors of ecg-ldm. Every error the library throws, from TypeScript or from the
 * native core, is an instance of {@link EcgLdmError} and carries a stable `code`.
 *
 * Argument errors also extend the built-in `TypeError` / `RangeError`, so
 * `err instanceof TypeError` and `err instanceof EcgLdmError` both hold.
 * @module
 */

const BRAND = Symbol.for('ecg-ldm.error');

/** Stable error codes; native code uses the same strings (native/core/error.h). */
export type ErrorCode =
  | 'E_NATIVE'
  | 'E_ARG_TYPE'
  | 'E_ARG_RANGE'
  | 'E_SHAPE'
  | 'E_DTYPE'
  | 'E_NONFINITE'
  | 'E_DEVICE'
  | 'E_DISPOSED'
  | 'E_CANCELLED'
  | 'E_BUSY'
  | 'E_TORCH'
  | 'E_FORMAT'
  | 'E_CHECKSUM'
  | 'E_CONFIG'
  | 'E_IO'
  | 'E_LOAD'
  | 'E_SPLIT'
  | 'E_TRAINING';

interface Branded {
  readonly code: ErrorCode;
}

function brand(err: Error & Branded, name: string): void {
  Object.defineProperty(err, BRAND, { value: true });
  Object.defineProperty(err, 'name', { value: name, enumerable: false, configurable: true, writable: true });
}

/** Base class of every ecg-ldm error; `instanceof` also matches the argument errors. */
export class EcgLdmError extends Error implements Branded {
  readonly code: ErrorCode;
  constructor(message: string, code: ErrorCode = 'E_NATIVE', options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    brand(this, new.target.name);
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this === EcgLdmError) return typeof value === 'object' && value !== null && BRAND in value;
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }
}

/**
 * A subclass of a built-in error (TypeError, RangeError) that is also an EcgLdmError:
 * it carries `code` and the brand `EcgLdmError`'s `instanceof` looks for.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function builtinSubclass<Base extends new (...args: any[]) => Error>(base: Base, code: ErrorCode) {
  return class extends base implements Branded {
    readonly code: ErrorCode = code;
    // A mixin's constructor must take `...args: any[]`; the first is the message.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    constructor(...args: any[]) {
      super(args[0] as string);
      brand(this, new.target.name);
    }
  };
}

/** An argument has the wrong type (`E_ARG_TYPE`). Also a `TypeError`. */
export class ArgumentTypeError extends builtinSubclass(TypeError, 'E_ARG_TYPE') {}

/** An argument is out of its valid range or set (`E_ARG_RANGE`). Also a `RangeError`. */
export class ArgumentRangeError extends builtinSubclass(RangeError, 'E_ARG_RANGE') {}

/** An array or tensor has the wrong shape or is empty (`E_SHAPE`). Also a `RangeError`. */
export class ShapeError extends builtinSubclass(RangeError, 'E_SHAPE') {}

/** An array has the wrong element type (`E_DTYPE`). Also a `TypeError`. */
export class DTypeError extends builtinSubclass(TypeError, 'E_DTYPE') {}

/** Input or a computed value holds NaN or Infinity (`E_NONFINITE`). */
export class NonFiniteError extends EcgLdmError {
  constructor(message: string) {
    super(message, 'E_NONFINITE');
  }
}

/** The requested device is absent or unusable, e.g. CUDA without CUDA (`E_DEVICE`). */
export class DeviceError extends EcgLdmError {
  constructor(message: string) {
    super(message, 'E_DEVICE');
  }
}

/** A native object was used after `dispose()` (`E_DISPOSED`). */
export class DisposedError extends EcgLdmError {
  constructor(message: string) {
    super(message, 'E_DISPOSED');
  }
}

/** A job was stopped through its AbortSignal (`E_CANCELLED`). */
export class CancelledError extends EcgLdmError {
  constructor(message = 'the operation was cancelled') {
    super(message, 'E_CANCELLED');
  }
}

/** A native object is already running a job and cannot start another (`E_BUSY`). */
export class BusyError extends EcgLdmError {
  constructor(message: string) {
    super(message, 'E_BUSY');
  }
}

/** LibTorch raised an error the library did not anticipate (`E_TORCH`). */
export class TorchError extends EcgLdmError {
  constructor(message: string) {
    super(message, 'E_TORCH');
  }
}

/** Where in a file a format problem was found. */
export interface FileLocation {
  file?: string;
  line?: number;
  field?: string;
  offset?: number;
}

function locate(where: FileLocation): string {
  const parts: string[] = [];
  if (where.file !== undefined) parts.push(where.file);
  if (where.line !== undefined) parts.push(`line ${where.line}`);
  if (where.offset !== undefined) parts.push(`byte ${where.offset}`);
  if (where.field !== undefined) parts.push(`field ${where.field}`);
  return parts.join(', ');
}

/** A file is malformed, truncated or inconsistent (`E_FORMAT`); names the file and place. */
export class FormatError extends EcgLdmError {
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly field: string | undefined;
  readonly offset: number | undefined;
  constructor(message: string, where: FileLocation = {}, code: ErrorCode = 'E_FORMAT') {
    const at = locate(where);
    super(at ? `${at}: ${message}` : message, code);
    this.file = where.file;
    this.line = where.line;
    this.field = where.field;
    this.offset = where.offset;
  }
}

/** A stored checksum does not match the data (`E_CHECKSUM`). */
export class ChecksumError extends FormatError {
  constructor(message: string, where: FileLocation = {}) {
    super(message, where, 'E_CHECKSUM');
  }
}

/** A configuration failed schema validation (`E_CONFIG`); `issues` lists each problem. */
export class ConfigError extends EcgLdmError {
  readonly issues: readonly string[];
  constructor(message: string, issues: readonly string[] = []) {
    super(issues.length ? `${message}:\n  - ${issues.join('\n  - ')}` : message, 'E_CONFIG');
    this.issues = issues;
  }
}

/** A file could not be read or written (`E_IO`). */
export class IoError extends EcgLdmError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'E_IO', options);
  }
}

/** A data split is invalid, e.g. a patient in two sets (`E_SPLIT`). */
export class SplitError extends EcgLdmError {
  constructor(message: string) {
    super(message, 'E_SPLIT');
  }
}

/** Training could not go on, e.g. the loss became NaN (`E_TRAINING`). */
export class TrainingError extends EcgLdmError {
  constructor(message: string) {
    super(message, 'E_TRAINING');
  }
}

/** The native addon could not be loaded (`E_LOAD`). */
export class LoadError extends EcgLdmError {
  constructor(message: string) {
    super(message, 'E_LOAD');
  }
}

/** Error classes by code, handed to the native addon so C++ can throw them. */
export const ERROR_CLASSES: Readonly<Record<string, new (message: string) => Error>> = {
  E_NATIVE: EcgLdmError,
  E_ARG_TYPE: ArgumentTypeError,
  E_ARG_RANGE: ArgumentRangeError,
  E_SHAPE: ShapeError,
  E_DTYPE: DTypeError,
  E_NONFINITE: NonFiniteError,
  E_DEVICE: DeviceError,
  E_DISPOSED: DisposedError,
  E_CANCELLED: CancelledError,
  E_BUSY: BusyError,
  E_TORCH: TorchError,
  E_FORMAT: FormatError,
  E_CHECKSUM: ChecksumError,
  E_CONFIG: ConfigError,
  E_IO: IoError,
  E_SPLIT: SplitError,
  E_TRAINING: TrainingError,
};
