import type { Command } from 'commander';
import { info } from '../info';

/** `ecg-ldm info [--json]`: versions, LibTorch, CUDA, threads, BLAS, the CPU block cache. */
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
        `LibTorch    ${i.torch.version} from ${i.torch.libDir ?? '(no .libtorch/lib link)'}${i.torch.source ? ` (${i.torch.source})` : ''}` +
          (i.torch.builtAgainst ? `; this prebuild was built against ${i.torch.builtAgainst.version}` : ''),
        `CUDA        ${i.cuda.available ? `${i.cuda.deviceCount} device(s)` : i.cuda.compiled ? 'compiled, no device' : 'not compiled'}`,
        `threads     ${i.threads} intra-op, ${i.interopThreads} inter-op`,
        `BLAS        ${i.blas.compiled}; loaded: ${i.blas.loaded.filter((l) => /blas|mkl|lapack/i.test(l)).join(', ') || '(inside libtorch_cpu)'}`,
        `CPU cache   ${i.cpuCache.limitBytes > 0 ? `up to ${(i.cpuCache.limitBytes / 2 ** 20).toFixed(0)} MiB of freed blocks kept during native jobs` : 'off'} (ECG_LDM_CPU_CACHE_MB)`,
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}
