/**
 * The augmentation-ratio study ({@link runAugmentationStudy}): its config, inputs and
 * refusals, synthetic draws, the grid, scoring, summary, results file and report.
 * @module
 */
export * from './config';
export * from './patients';
export * from './inputs';
export * from './synthetic-draw';
export * from './training-set';
export * from './plan';
export * from './models';
export * from './scoring';
export * from './summary';
export * from './results-store';
export * from './plots';
export * from './report';
export * from './run';
