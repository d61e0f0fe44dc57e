import { main } from './main.ts';

// The entry point of the bundled CLI: wire the process to main() and exit with its code.
const code = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  env: process.env,
});
process.exitCode = code;
