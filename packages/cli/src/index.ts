export { main, HELP } from './main.ts';
export type { Io } from './io.ts';
export { ExitCode } from './io.ts';
