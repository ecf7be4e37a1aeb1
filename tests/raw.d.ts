// Vite's `?raw` imports: a file's text, as the tests read committed files (.dev.vars.example).
declare module "*?raw" {
  const text: string;
  export default text;
}
