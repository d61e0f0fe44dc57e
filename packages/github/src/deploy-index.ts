/** The deploy action's GitHub side: its inputs, the Deployments API, and the job summary. */
export * from './deploy-deployments.ts';
export * from './deploy-inputs.ts';
export * from './deploy-summary.ts';
