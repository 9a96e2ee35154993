// js-yaml ships no types; it comes with electron-builder (which reads electron-builder.yml with it),
// and the packaging test reads the same file the same way.
declare module 'js-yaml' {
  export function load(text: string): unknown;
  const yaml: { load: typeof load };
  export default yaml;
}
