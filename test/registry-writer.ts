// A test writer of the filesystem registry, as its own process.
// Usage: node --import tsx test/registry-writer.ts ROOT MODEL EVALUATION VERDICT [STEP]
// Without STEP it registers versions in a loop until it is killed: the random-kill test SIGKILLs
// it at a random moment, most likely in the middle of a register. With STEP (after-blob,
// after-claim, mid-record, after-record) it registers once, moving 'production', and SIGKILLs
// itself when the register reaches that step, through the registry's fault port: SIGKILL gives
// it no chance to clean up, exactly like a runner that is shut down mid-step.
import {
  createFsRegistry,
  type RegisterStep,
  readEvaluationRecord,
  readVerdictRecord,
} from '@modelgate/core';

const [root, modelPath, evaluationPath, verdictPath, crashAt] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  RegisterStep | undefined,
];
const faults = {
  at(step: RegisterStep) {
    if (step === crashAt) process.kill(process.pid, 'SIGKILL');
  },
};
const registry = createFsRegistry(root, crashAt === undefined ? {} : { faults });
const evaluation = await readEvaluationRecord(evaluationPath, 'writer');
const verdict = await readVerdictRecord(verdictPath);
const register = () =>
  registry.register({
    name: 'cancer',
    modelPath,
    evaluation,
    verdict,
    lineage: {},
    alias: 'production',
    requirePassed: true,
  });
if (crashAt !== undefined) {
  await register();
  process.stderr.write(`registered without reaching ${crashAt}\n`);
  process.exit(1);
}
process.stdout.write('ready\n');
for (;;) {
  const version = await register();
  process.stdout.write(`registered ${version.version}\n`);
}
