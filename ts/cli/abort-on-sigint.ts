/**
 * Ctrl-C for long CLI commands: it aborts the command's native work at a step boundary
 * (which writes a checkpoint where one is configured) instead of killing the process.
 * @module
 */

/**
 * Runs `work` with an AbortSignal that the next SIGINT aborts; the SIGINT listener is
 * removed when `work` settles, so a later Ctrl-C behaves as usual.
 * @example
 * await abortOnSigint((signal) => Generator.train(config, data, { signal }));
 */
export async function abortOnSigint<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    return await work(controller.signal);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
