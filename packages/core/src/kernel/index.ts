// The kernel: what every step and every adapter shares. It imports no step and no library of
// the package (data, metrics, stats, gates, registry, report), only itself and node.
export * from './async.ts';
export * from './errors.ts';
export * from './format.ts';
export * from './fs.ts';
export * from './markdown.ts';
export * from './options.ts';
export * from './ports.ts';
export * from './process/liveness.ts';
export * from './process/run-command.ts';
export * from './process/signals.ts';
export * from './records/evaluation.ts';
export * from './records/read.ts';
export * from './records/verdict.ts';
export * from './step.ts';
export * from './version.ts';
export * from './wasm.ts';
