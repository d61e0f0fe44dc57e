import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as core from '@actions/core';
import { actionInput, evaluate, evaluateSettingsFrom, writeJsonAtomic } from '@modelgate/core';
import {
  actionLogger,
  evaluationSummary,
  installingRuntimeLoader,
  readEvaluateInputs,
  runAction,
} from '@modelgate/github';

await runAction(async () => {
  const { raw, out } = await readEvaluateInputs();
  const settings = evaluateSettingsFrom(raw, actionInput);
  const distDir = dirname(fileURLToPath(import.meta.url));
  const runtime = installingRuntimeLoader(distDir, settings.provider, actionLogger);

  const { record } = await core.group('Evaluate', () => evaluate({ ...settings, runtime }, actionLogger));

  await writeJsonAtomic(out, record);
  await core.summary.addRaw(evaluationSummary(record)).write();
  const metrics = Object.fromEntries(Object.entries(record.metrics).map(([name, m]) => [name, m.value]));
  core.setOutput('evaluation', out);
  core.setOutput('metrics', JSON.stringify(metrics));
});
