// The StudioApi contract: the one description of what the console can ask of the studio core and
// what it hears back. Split into common/studio-api/*:
//   inputs.ts   zod schemas of every method input (sources, encoder, server profile, settings…)
//   methods.ts  the method record (name → input schema), STUDIO_METHODS, output types
//   events.ts   StudioEvents and STUDIO_EVENTS
//   state.ts    the StudioState snapshot and its views
//   wire.ts     IPC channels (prefix `studio:`), result envelope, web bridge messages, PCM format
//   validate.ts input parsing into ValidationError naming the field
//   api.ts      StudioApi (throws) and StudioWindowApi (`window.studio`, envelopes)
export * from './studio-api/inputs';
export * from './studio-api/methods';
export * from './studio-api/events';
export * from './studio-api/state';
export * from './studio-api/wire';
export * from './studio-api/validate';
export * from './studio-api/api';
export * from './studio-api/error-schema';
