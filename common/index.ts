export * from './errors';
export * from './md5';
export * from './session-id';
export * from './stream-code';
export * from './mix-param';
export * from './signing';
export * from './urls';
export * from './presets';
