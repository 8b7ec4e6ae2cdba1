/** `pnpm bench`: every benchmark, one table, JSON under bench/results/. Filled in by the benchmark issue. */
console.log('No benchmarks yet.');
