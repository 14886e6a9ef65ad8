// ESLint flat config: typescript-eslint's recommended rules on lib/, test/, bench/, scripts/.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "results/", ".venv/", "build/", "**/*.ipynb"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-properties": ["error", { object: "Math", property: "random", message: "Pass a seeded generator (lib/stats/rng) instead." }],
    },
  },
  {
    files: ["**/*.cjs", "**/*.js", "**/*.mjs"],
    languageOptions: { globals: { require: "readonly", module: "writable", process: "readonly", __dirname: "readonly", __filename: "readonly", console: "readonly" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
