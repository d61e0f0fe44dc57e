export type { Io } from './io.ts';
export { ExitCode } from './io.ts';
export { HELP, main } from './main.ts';
