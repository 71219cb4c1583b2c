/**
 * The arrays a WFDB read returns: physical units as float32 or float64, or the digital
 * ADC values, each signal at its own rate or brought to the frame rate (averaging the
 * samples of a frame) or to the highest rate (repeating samples), as wfdb-python's
 * `smooth_frames` does for the frame rate.
 * @module
 */
import type { WfdbSignalSpec } from './wfdb-header';
import { WFDB_DIGITAL_INVALID, wfdbInvalidSample } from './wfdb-samples';

/** An array of returned samples: physical (float32 or float64) or digital (int32). */
export type WfdbSampleArray = Float32Array | Float64Array | Int32Array;

/**
 * The rate each signal is returned at, for records with more than one sample per frame:
 * 'native' (default): each signal at its own rate, `samplesPerFrame` samples per frame;
 * 'frame': one sample per frame, the mean of the frame's samples (invalid if any is);
 * 'highest': the highest samples-per-frame of the returned signals, each sample repeated.
 */
export type WfdbRate = 'native' | 'frame' | 'highest';

/** What the returned arrays hold. */
export interface WfdbOutputForm {
  /** Physical units `(sample - baseline) / gain` (true) or ADC values (false). */
  physical: boolean;
  /** Element type of physical output. */
  dtype: 'float32' | 'float64';
}

/** A zero-filled array of `length` samples of the output type. */
export function allocateWfdbOutput(form: WfdbOutputForm, length: number): WfdbSampleArray {
  if (!form.physical) return new Int32Array(length);
  return form.dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
}

/** Marks `[start, end)` of `out` as invalid (no data): NaN, or {@link WFDB_DIGITAL_INVALID}. */
export function fillWfdbNoData(out: WfdbSampleArray, start: number, end: number): void {
  out.fill(out instanceof Int32Array ? WFDB_DIGITAL_INVALID : Number.NaN, start, end);
}

/** Samples per frame of one returned signal under `rate`, given the highest of the record. */
export function outputSamplesPerFrame(rate: WfdbRate, samplesPerFrame: number, highest: number): number {
  return rate === 'native' ? samplesPerFrame : rate === 'frame' ? 1 : highest;
}

/**
 * Converts one signal's samples (at its own rate) into `out` from `outStart` on, at
 * `outSpf` samples per frame.
 * @param raw - ADC values, `samplesPerFrame` per frame; the format's invalid value and
 *   {@link WFDB_DIGITAL_INVALID} mark invalid samples
 */
export function writeWfdbSignal(raw: Int32Array, spec: WfdbSignalSpec, outSpf: number, out: WfdbSampleArray, outStart: number): void {
  const spf = spec.samplesPerFrame;
  const frames = raw.length / spf;
  const invalid = wfdbInvalidSample(spec.format); // NaN (format 8) matches no sample
  const { baseline, gain } = spec;
  const digital = out instanceof Int32Array;
  // Division (not multiplication by 1/gain) so values equal (sample - baseline) / gain exactly.
  const level = (v: number): number =>
    v === invalid || v === WFDB_DIGITAL_INVALID ? (digital ? WFDB_DIGITAL_INVALID : NaN) : digital ? v : (v - baseline) / gain;
  if (outSpf === spf && !digital) {
    // The common case, kept free of calls: bulk reads spend their time here.
    for (let i = 0, o = outStart; i < raw.length; i++, o++) {
      const v = raw[i]!;
      out[o] = v === invalid || v === WFDB_DIGITAL_INVALID ? NaN : (v - baseline) / gain;
    }
  } else if (outSpf === spf) {
    for (let i = 0, o = outStart; i < raw.length; i++, o++) out[o] = level(raw[i]!);
  } else if (outSpf === 1) {
    for (let f = 0; f < frames; f++) {
      let sum = 0;
      let bad = false;
      for (let j = 0, i = f * spf; j < spf; j++, i++) {
        const v = raw[i]!;
        if (v === invalid || v === WFDB_DIGITAL_INVALID) bad = true;
        sum += v;
      }
      const mean = sum / spf;
      out[outStart + f] = bad ? (digital ? WFDB_DIGITAL_INVALID : NaN) : digital ? Math.round(mean) : (mean - baseline) / gain;
    }
  } else {
    // Sample-and-hold: output sample j of a frame repeats input sample floor(j * spf / outSpf).
    for (let f = 0; f < frames; f++) {
      for (let j = 0; j < outSpf; j++) out[outStart + f * outSpf + j] = level(raw[f * spf + Math.floor((j * spf) / outSpf)]!);
    }
  }
}
