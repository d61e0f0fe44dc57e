export * from './present.ts';
export * from './run.ts';
export * from './settings.ts';
