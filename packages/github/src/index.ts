export * from './action.ts';
export * from './evaluate-inputs.ts';
export * from './runtime-install.ts';
export * from './summary.ts';
