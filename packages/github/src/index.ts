export * from './action.ts';
export * from './evaluate-inputs.ts';
export * from './runtime-install.ts';
export * from './summary.ts';
export * from './context.ts';
export * from './job-summary.ts';
export * from './octokit.ts';
export * from './sticky-comment.ts';
