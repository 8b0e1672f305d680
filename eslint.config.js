// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const noAxios = { name: "axios", message: "only src/avepoint talks HTTP to AvePoint" };

/**
 * Layering: server → metrics → collect → avepoint → config/errors, never back.
 * @param {string} from
 * @param {string[]} forbidden
 * @param {boolean} axiosAllowed
 */
const layer = (from, forbidden, axiosAllowed = false) => ({
  files: [`src/${from}/**/*.ts`],
  rules: {
    "no-restricted-imports": [
      "error",
      {
        paths: axiosAllowed ? [] : [noAxios],
        patterns: forbidden.map((name) => ({
          group: [`**/${name}/*`],
          message: `src/${from} must not import from src/${name} (layering, see conventions)`,
        })),
      },
    ],
  },
});

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "bench/results/**", "coverage/**", ".tmp/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
    },
  },
  layer("config", ["avepoint", "collect", "metrics", "server", "simulator"]),
  layer("avepoint", ["collect", "metrics", "server", "simulator"], true),
  layer("collect", ["metrics", "server", "simulator"]),
  layer("metrics", ["server", "simulator"]),
  layer("server", ["simulator"]),
  layer("simulator", ["avepoint", "collect", "metrics", "server", "config"]),
);
