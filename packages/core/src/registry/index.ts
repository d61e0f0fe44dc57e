export * from './baseline.ts';
export * from './fs.ts';
export * from './lineage.ts';
export * from './names.ts';
export * from './open.ts';
export * from './prepare.ts';
export * from './types.ts';
export * from './verdict-file.ts';
