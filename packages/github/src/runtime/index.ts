/** onnxruntime-node for the actions that score a model: one loader, found as setup-node finds Node. */
export * from './action-loader.ts';
export * from './loader.ts';
export * from './npm-config.ts';
export * from './pin.ts';
export * from './tool-cache.ts';
