export * from './messages';
export * from './signal-client';
