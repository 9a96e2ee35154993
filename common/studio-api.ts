// The StudioApi contract: the one description of what the console can ask of the studio core and
// what it hears back. Split into common/studio-api/*:
//   names.ts    THE const lists of method and event names (no dependencies)
//   channels.ts IPC channel names (prefix `studio:`) and window.studio keys (no dependencies)
//   inputs.ts   zod schemas of every method input (sources, encoder, server profile, settings…)
//   methods.ts  the method record (name → input schema), output types
//   events.ts   StudioEvents (payload per event)
//   state.ts    the StudioState snapshot and its views
//   wire.ts     result envelope, web bridge messages, PCM format
//   validate.ts input parsing into ValidationError naming the field
//   api.ts      StudioApi (throws) and StudioWindowApi (`window.studio`, envelopes)
//   client.ts   the one typed proxy: a transport (IPC, web bridge, in process) → StudioApi
export * from './studio-api/names';
export * from './studio-api/channels';
export * from './studio-api/inputs';
export * from './studio-api/methods';
export * from './studio-api/events';
export * from './studio-api/state';
export * from './studio-api/wire';
export * from './studio-api/validate';
export * from './studio-api/api';
export * from './studio-api/error-schema';
export * from './studio-api/client';
