// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const noAxios = { name: "axios", message: "only src/avepoint talks HTTP to AvePoint" };
const noSimulator = {
  group: ["**/simulator/**", "avepoint-simulator", "avepoint-simulator/*"],
  message: "the product must not import the simulator package",
};

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
        patterns: [
          ...forbidden.map((name) => ({
            group: [`**/${name}/*`],
            message: `src/${from} must not import from src/${name} (layering, see conventions)`,
          })),
          noSimulator,
        ],
      },
    ],
  },
});

export default tseslint.config(
  {
    ignores: [
      "dist/**",
      "simulator/dist/**",
      "node_modules/**",
      "bench/results/**",
      "coverage/**",
      ".tmp/**",
    ],
  },
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
  layer("config", ["avepoint", "collect", "metrics", "server", "web-config", "healthcheck", "state"]),
  layer("avepoint", ["collect", "metrics", "server", "web-config", "healthcheck"], true),
  layer("collect", ["metrics", "server", "web-config", "healthcheck"]),
  layer("state", ["metrics", "server", "web-config", "healthcheck"]),
  layer("metrics", ["server", "web-config", "healthcheck"]),
  layer("server", ["healthcheck"]),
  // The exporter-toolkit web config reads only settings and errors; the health check stands apart.
  layer("web-config", ["avepoint", "collect", "metrics", "server", "state", "healthcheck"]),
  layer("healthcheck", ["avepoint", "collect", "metrics", "server", "state"]),
  // The product and the simulator are two packages: neither imports the other.
  { files: ["src/*.ts"], rules: { "no-restricted-imports": ["error", { patterns: [noSimulator] }] } },
  // Tests, benchmarks and the demo use the simulator as a package, by its name and its exports.
  {
    files: ["test/**/*.ts", "bench/**/*.ts", "demo/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/simulator/src/**", "**/simulator/dist/**"],
              message: 'import "avepoint-simulator": the simulator is a package, used by its name',
            },
          ],
        },
      ],
    },
  },
  {
    files: ["simulator/src/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [noAxios],
          patterns: [
            { group: ["../../src/**", "**/../src/**"], message: "the simulator must not import the product" },
          ],
        },
      ],
    },
  },
);
