// Linting catches, for every future change, what review misses: above all a
// regular expression that backtracks super-linearly (one crafted upload can
// stall the worker), which eslint-plugin-regexp proves from the pattern itself.
import js from "@eslint/js";
import regexp from "eslint-plugin-regexp";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      ".wrangler/",
      "dist/",
      ".e2e/",
      "src/worker-configuration.d.ts",
      "bench/results/",
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  regexp.configs["flat/recommended"],
  {
    rules: {
      "regexp/no-super-linear-backtracking": ["error", { report: "potential" }],
      "regexp/no-super-linear-move": "error",
      // Refusing control characters is what several patterns exist for.
      "no-control-regex": "off",
      // Style only: an explicit [a-zA-Z0-9_] mirrors the standard a pattern quotes.
      "regexp/prefer-w": "off",
      "regexp/prefer-d": "off",
      "regexp/use-ignore-case": "off",
      "regexp/control-character-escape": "off",
      "regexp/no-unused-capturing-group": "off",
      // `let x = default; try { x = … }` is how a value survives a catch.
      "no-useless-assignment": "off",
      // `_name` marks a value that is destructured or passed on but not read.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
    },
  },
  {
    // Static assets run in the operator's browser, as plain scripts.
    files: ["public/**/*.js"],
    languageOptions: {
      sourceType: "script",
      globals: Object.fromEntries(
        [
          "AbortSignal",
          "Blob",
          "URL",
          "console",
          "document",
          "fetch",
          "sessionStorage",
          "setTimeout",
          "window",
        ].map((name) => [name, "readonly"]),
      ),
    },
  },
  {
    // Node scripts (CI summary, dev server, benchmarks) run outside the worker.
    files: ["**/*.mjs", "scripts/**", "e2e/**", ".ci/**"],
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        URL: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        Buffer: "readonly",
        performance: "readonly",
        TextEncoder: "readonly",
        TextDecoder: "readonly",
        ReadableStream: "readonly",
        fetch: "readonly",
      },
    },
  },
);
