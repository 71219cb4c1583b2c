// Reads the float32 tensors of a safetensors file (8-byte little-endian header length,
// JSON header, raw data), so tests can compare weights without Python.
import * as fs from 'node:fs';

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** Every F32 tensor of `file`, by name (other dtypes and `__metadata__` are skipped). */
export function readF32Tensors(file: string): Map<string, Float32Array> {
  const blob = fs.readFileSync(file);
  const headerLength = Number(blob.readBigUInt64LE(0));
  const header = JSON.parse(blob.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, HeaderEntry>;
  const dataStart = 8 + headerLength;
  const tensors = new Map<string, Float32Array>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__' || entry.dtype !== 'F32') continue;
    const [begin, end] = entry.data_offsets;
    // A copy: the data need not be 4-byte aligned within the file.
    const bytes = blob.subarray(dataStart + begin, dataStart + end);
    tensors.set(name, new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
  }
  return tensors;
}
