/**
 * NumPy `.npy` format (versions 1.0, 2.0 and 3.0): little-endian numeric and bool
 * arrays in C order. Fortran order, big-endian and structured dtypes are rejected
 * with a clear error rather than read wrongly.
 * @module
 */
import { FormatError, ShapeError } from '../errors';

/** Element types read and written (numpy `descr` without the byte-order mark). */
export type NpyDType = 'f4' | 'f8' | 'i1' | 'i2' | 'i4' | 'i8' | 'u1' | 'u2' | 'u4' | 'u8' | 'b1';

/** Typed array holding an NPY array's elements; `b1` (bool) is a Uint8Array of 0/1. */
export type NpyData = Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | BigInt64Array
  | Uint8Array | Uint16Array | Uint32Array | BigUint64Array;

/** An n-dimensional array as stored in an `.npy` file (C order). */
export interface NpyArray {
  dtype: NpyDType;
  shape: number[];
  data: NpyData;
}

type TypedCtor = { new (n: number): NpyData; new (b: ArrayBufferLike, off: number, n: number): NpyData; BYTES_PER_ELEMENT: number };

const CTORS: Readonly<Record<NpyDType, TypedCtor>> = {
  f4: Float32Array, f8: Float64Array, i1: Int8Array, i2: Int16Array, i4: Int32Array, i8: BigInt64Array,
  u1: Uint8Array, u2: Uint16Array, u4: Uint32Array, u8: BigUint64Array, b1: Uint8Array,
} as unknown as Record<NpyDType, TypedCtor>;

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

/**
 * Number of elements of a shape (1 for a scalar).
 * @example
 * shapeSize([4, 2048, 1]); // 8192
 */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * The dtype of a typed array, as stored (Uint8Array maps to u1).
 * @throws {FormatError} for a typed array with no NPY dtype (e.g. Uint8ClampedArray)
 * @example
 * dtypeOf(new Float32Array(1)); // 'f4'
 */
export function dtypeOf(data: NpyData): NpyDType {
  for (const [k, ctor] of Object.entries(CTORS) as [NpyDType, TypedCtor][]) if (k !== 'b1' && data instanceof ctor) return k;
  throw new FormatError(`unsupported typed array ${(data as object).constructor.name}`);
}

/**
 * Parses the header of an NPY file.
 * @returns dtype, shape, and the byte offset where the data starts
 * @throws {FormatError} bad magic, unknown version, truncated header, Fortran order,
 *   big-endian or unsupported dtype
 * @example
 * const { dtype, shape, dataOffset } = parseNpyHeader(bytes, 'data.npy');
 */
export function parseNpyHeader(bytes: Uint8Array, file = 'array.npy'): { dtype: NpyDType; shape: number[]; dataOffset: number } {
  if (bytes.length < 10 || !MAGIC.equals(Buffer.from(bytes.buffer, bytes.byteOffset, 6))) {
    throw new FormatError('not an NPY file (bad magic string)', { file, offset: 0 });
  }
  const major = bytes[6]!;
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = bytes[8]! | (bytes[9]! << 8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new FormatError('truncated NPY header', { file, offset: bytes.length });
    headerLen = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
    start = 12;
  } else {
    throw new FormatError(`unsupported NPY version ${major}.${bytes[7]}`, { file, offset: 6, field: 'version' });
  }
  if (start + headerLen > bytes.length) throw new FormatError(`truncated NPY header: needs ${headerLen} bytes`, { file, offset: bytes.length });
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + start, headerLen).toString(major === 3 ? 'utf8' : 'latin1');
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text);
  if (!descr) throw new FormatError(`NPY header has no simple 'descr' (structured dtypes are not supported): ${text.trim()}`, { file, offset: start, field: 'descr' });
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text);
  if (!fortran) throw new FormatError("NPY header has no 'fortran_order'", { file, offset: start, field: 'fortran_order' });
  if (fortran[1] === 'True') throw new FormatError('Fortran-order arrays are not supported; save with np.ascontiguousarray', { file, offset: start, field: 'fortran_order' });
  const shapeMatch = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text);
  if (!shapeMatch) throw new FormatError("NPY header has no 'shape'", { file, offset: start, field: 'shape' });
  const shape = shapeMatch[1]!.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => {
    if (!/^\d+L?$/.test(s)) throw new FormatError(`bad dimension "${s}" in NPY shape`, { file, offset: start, field: 'shape' });
    return Number.parseInt(s, 10);
  });
  const d = descr[1]!;
  const order = d[0]!;
  const kind = d.slice(1) as NpyDType;
  if (order === '>' && kind !== 'u1' && kind !== 'i1' && kind !== 'b1') {
    throw new FormatError(`big-endian dtype "${d}" is not supported; convert with arr.astype('<${kind}')`, { file, offset: start, field: 'descr' });
  }
  if (!(order === '<' || order === '|' || order === '=' || order === '>') || !(kind in CTORS)) {
    throw new FormatError(`unsupported NPY dtype "${d}" (supported: ${Object.keys(CTORS).join(', ')})`, { file, offset: start, field: 'descr' });
  }
  return { dtype: kind, shape, dataOffset: start + headerLen };
}

/**
 * Parses a whole NPY file held in memory. The returned array is a view on `bytes`
 * when alignment allows, else a copy.
 * @param bytes - file contents
 * @param file - file name for error messages
 * @throws {FormatError} see {@link parseNpyHeader}; also when the data is shorter than the shape needs
 * @example
 * const { shape, data } = parseNpy(fs.readFileSync('x.npy'));
 */
export function parseNpy(bytes: Uint8Array, file = 'array.npy'): NpyArray {
  const { dtype, shape, dataOffset } = parseNpyHeader(bytes, file);
  const ctor = CTORS[dtype];
  const n = shapeSize(shape);
  const byteLength = n * ctor.BYTES_PER_ELEMENT;
  if (dataOffset + byteLength > bytes.length) {
    throw new FormatError(`truncated NPY data: shape (${shape.join(', ')}) needs ${byteLength} bytes, ${bytes.length - dataOffset} present`, { file, offset: bytes.length });
  }
  const abs = bytes.byteOffset + dataOffset;
  let data: NpyData;
  if (abs % ctor.BYTES_PER_ELEMENT === 0) {
    data = new ctor(bytes.buffer, abs, n);
  } else {
    data = new ctor(n);
    new Uint8Array(data.buffer).set(bytes.subarray(dataOffset, dataOffset + byteLength));
  }
  return { dtype, shape, data };
}

/**
 * Builds an NPY header (version 1.0, or 2.0 when the header exceeds 65,535 bytes),
 * padded so the data starts at a multiple of 64 bytes.
 * @param dtype - element type
 * @param shape - C-order shape
 * @example
 * fs.writeSync(fd, encodeNpyHeader('f4', [10, 2048, 1]));
 */
export function encodeNpyHeader(dtype: NpyDType, shape: readonly number[]): Buffer {
  const order = dtype === 'u1' || dtype === 'i1' || dtype === 'b1' ? '|' : '<';
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${order}${dtype}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  for (const [major, prefix] of [[1, 10], [2, 12]] as const) {
    const total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
    const headerLen = total - prefix;
    if (major === 1 && headerLen > 0xffff) continue;
    const buf = Buffer.alloc(total, 0x20);
    MAGIC.copy(buf, 0);
    buf[6] = major;
    buf[7] = 0;
    if (major === 1) buf.writeUInt16LE(headerLen, 8);
    else buf.writeUInt32LE(headerLen, 8);
    buf.write(dict, prefix, 'latin1');
    buf[total - 1] = 0x0a;
    return buf;
  }
  throw new ShapeError('NPY header too large');
}

/**
 * Serialises an array as an NPY file.
 * @param array - dtype, shape and data; `data.length` must equal the shape's size
 * @throws {ShapeError} when the data length does not match the shape
 * @example
 * fs.writeFileSync('x.npy', encodeNpy({ dtype: 'f4', shape: [2, 3], data: new Float32Array(6) }));
 */
export function encodeNpy(array: NpyArray): Buffer {
  const n = shapeSize(array.shape);
  if (array.data.length !== n) throw new ShapeError(`data has ${array.data.length} elements but shape (${array.shape.join(', ')}) needs ${n}`);
  const header = encodeNpyHeader(array.dtype, array.shape);
  return Buffer.concat([header, Buffer.from(array.data.buffer, array.data.byteOffset, array.data.byteLength)]);
}
