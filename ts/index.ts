/**
 * ecg-ldm public API.
 * @module
 */
export * from './errors';
export { info, setThreads } from './info';
export type { CpuCacheInfo, EcgLdmInfo, LinkedLibTorch } from './info';
export * from './data/wfdb-header';
export * from './data/wfdb-signal';
export * from './data/wfdb-annotation';
export * from './data/wfdb-multi-segment';
export * from './data/wfdb-annotation-writer';
export * from './data/npy';
export * from './data/npz';
export * from './data/zip';
export * from './data/csv';
export * from './data/resample';
export * from './data/segment';
export * from './data/split';
export * from './data/label-map';
export * from './data/adapters/types';
export * from './data/adapters/ptbxl';
export * from './data/adapters/ludb';
export * from './data/adapters/afpdb';
export * from './data/adapters/generic';
export * from './data/prepare';
export * from './evaluate/metrics';
export * from './evaluate/calibration';
export * from './evaluate/bootstrap';
export * from './evaluate/compare';
export * from './evaluate/real-vs-synthetic';
export * from './report/ecg-grid';
export * from './classify/random-forest';
export * from './classify/features';
export * from './data/default-data';
export * as wavelet from './wavelet';
export * from './preprocess/normalize';
export * from './preprocess/edge-smoothing';
export * from './preprocess/pipeline';
export * from './data/download';
export * from './data/segment-table';
export * from './classify/classifier';
export * from './classify/prediction-input';
export * from './classify/predict-records';
export * from './generate/index';
export * from './study/index';
