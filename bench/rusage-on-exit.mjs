// Preloaded by bench/batch.ts (`node --import`): when the process exits, writes its CPU time (all
// threads) and peak RSS as JSON to the file named by MODELDOCK_BENCH_RUSAGE, so the benchmark can
// measure the real CLI without changing it.
import { writeFileSync } from 'node:fs';

const target = process.env.MODELDOCK_BENCH_RUSAGE;
if (target) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(
      target,
      JSON.stringify({
        cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
        maxRssKb: usage.maxRSS,
      }),
    );
  });
}
