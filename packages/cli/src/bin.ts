import { main } from './main.ts';

// A reader that goes away early (`modelgate evaluate … | head`) closes the pipe: stop writing to
// it quietly, as other command-line tools do, instead of dying on an unhandled EPIPE. The work
// itself (an --out file, a registry write) still finishes.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

// The entry point of the bundled CLI: wire the process to main() and exit with its code.
const code = await main(process.argv.slice(2), {
  stdout: (text) => {
    if (!process.stdout.destroyed) process.stdout.write(text);
  },
  stderr: (text) => {
    if (!process.stderr.destroyed) process.stderr.write(text);
  },
  cwd: process.cwd(),
  env: process.env,
});
process.exitCode = code;
