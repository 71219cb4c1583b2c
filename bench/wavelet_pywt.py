#!/usr/bin/env python3
"""PyWavelets side of bench/wavelet.js: the seed denoise recipe on the same segments.

usage: wavelet_pywt.py RAW_FILE DTYPE SEGMENTS LENGTH REPEATS
Reads SEGMENTS x LENGTH samples (float32 or float64, little-endian, row-major), runs the
recipe on every segment REPEATS times and prints one JSON line:
{"seconds": [...], "cpuSeconds": [...]} (wall-clock and process CPU time per repeat).
"""
import json
import sys
import time
import warnings

import numpy as np
import pywt


def denoise(x, wavelet='sym8', level=8):
    # The seed's recipe (see native/wavelet/denoise.h): universal threshold from cD1 with
    # N = len(cD1), cD1 and cD2 zeroed, soft threshold on the rest incl. the approximation.
    coeffs = pywt.wavedec(x, wavelet, level=level)
    sigma = np.median(np.abs(coeffs[-1])) / 0.6745
    threshold = sigma * np.sqrt(2 * np.log(len(coeffs[-1])))
    coeffs[-1] = np.zeros_like(coeffs[-1])
    coeffs[-2] = np.zeros_like(coeffs[-2])
    for i in range(len(coeffs) - 2):
        coeffs[i] = pywt.threshold(coeffs[i], threshold, mode='soft')
    return pywt.waverec(coeffs, wavelet)[: len(x)]


def main():
    path, dtype, segments, length, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    data = np.fromfile(path, dtype=np.dtype(dtype).newbyteorder('<')).reshape(segments, length)
    warnings.simplefilter('ignore')  # level 8 > max level 7 warns every call
    seconds, cpu_seconds = [], []
    for _ in range(repeats):
        start, cpu_start = time.perf_counter(), time.process_time()
        out = np.empty_like(data)
        for i in range(segments):
            out[i] = denoise(data[i])
        seconds.append(time.perf_counter() - start)
        cpu_seconds.append(time.process_time() - cpu_start)
    print(json.dumps({'seconds': seconds, 'cpuSeconds': cpu_seconds, 'checksum': float(np.abs(out).sum())}))


if __name__ == '__main__':
    main()
