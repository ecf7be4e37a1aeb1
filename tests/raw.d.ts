// Vite's `?raw` imports: a file's text, as the tests read committed files (.dev.vars.example).
declare module "*?raw" {
  const text: string;
  export default text;
}

// Vite's import.meta.glob, as the tests use it: every matching file's text, read at build time.
interface ImportMeta {
  glob(
    pattern: string,
    options: { query: "?raw"; import: "default"; eager: true },
  ): Record<string, string>;
}
