/**
 * The generator area: configuration schemas, the {@link Generator} class and
 * {@link generate} (checkpoint -> NPZ).
 * @module
 */
export * from './config';
export * from './generator';
export * from './generate';
export * from './cpu-recipe';
