import type { Command } from 'commander';
import { info } from '../info';

/** `ecg-ldm info [--json]`: versions, LibTorch, CUDA, threads, BLAS. */
export function registerInfoCommand(program: Command): void {
  program
    .command('info')
    .description('print versions, the LibTorch in use, CUDA availability, threads and BLAS')
    .option('--json', 'print JSON', false)
    .action((opts: { json: boolean }) => {
      const i = info();
      if (opts.json) {
        process.stdout.write(JSON.stringify(i, null, 2) + '\n');
        return;
      }
      const lines = [
        `ecg-ldm     ${i.version} (node ${i.node})`,
        `addon       ${i.addon.path}${i.addon.prebuilt ? ' (prebuilt)' : ''}`,
        `LibTorch    ${i.torch.version}`,
        `CUDA        ${i.cuda.available ? `${i.cuda.deviceCount} device(s)` : i.cuda.compiled ? 'compiled, no device' : 'not compiled'}`,
        `threads     ${i.threads} intra-op, ${i.interopThreads} inter-op`,
        `BLAS        ${i.blas.compiled}; loaded: ${i.blas.loaded.filter((l) => /blas|mkl|lapack/i.test(l)).join(', ') || '(inside libtorch_cpu)'}`,
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}
