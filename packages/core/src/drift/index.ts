/**
 * Data and prediction drift: reading the server's request logs, comparing two tables column by
 * column (stats/drift), the `modelgate/drift@1` record and its report.
 */
export * from './analyze.ts';
export * from './logs.ts';
export * from './pairs.ts';
export * from './record.ts';
export * from './report.ts';
