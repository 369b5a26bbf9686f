// Lint: TypeScript's recommended rules, plus the house's layering. Each wing
// may import only the wings below it:
//   dmap, compression → domain, geo → streams → layers → archive, http → actors → simulate → cli → main
// layers/ never imports actors/, archive/ or http/; archive/ and http/ do not import each other; nothing in src/
// reads test/ or bench/. Cycles are errors.
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript"
import importX from "eslint-plugin-import-x"
import tseslint from "typescript-eslint"

const ORDER = [
  ["dmap", "compression"],
  ["domain", "geo"],
  ["streams"],
  ["layers"],
  ["archive", "http"],
  ["actors"],
  ["simulate"],
  ["cli"],
  ["main.ts"]
]

const wingPath = (wing) => `./src/${wing}`

/** One zone per (wing, wing above it): the lower one may not import the higher one. */
const layeringZones = ORDER.flatMap((level, index) =>
  level.map((wing) => ({
    target: wingPath(wing),
    from: [
      ...ORDER.slice(index + 1).flat().map(wingPath),
      "./test",
      "./bench"
    ],
    message: `${wing} sits below what it imports here; see docs/architecture.md (layering).`
  }))
)

const siblingZones = [
  { target: "./src/archive", from: "./src/http", message: "archive and http are siblings; share through layers/." },
  { target: "./src/http", from: "./src/archive", message: "archive and http are siblings; share through layers/." }
]

const barrelPackages = [
  "effect",
  "@effect/cli",
  "@effect/experimental",
  "@effect/platform",
  "@effect/platform-node",
  "@effect/sql",
  "@effect/sql-pg",
  "@effect/sql-sqlite-node"
]

export default tseslint.config(
  { ignores: ["dist/**", ".bench-build/**", "node_modules/**", "coverage/**", "test/fixtures/**"] },
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    plugins: { "import-x": importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      "import-x/resolver-next": [createTypeScriptImportResolver({ project: "./tsconfig.json" })]
    },
    rules: {
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      "import-x/no-restricted-paths": ["error", { zones: [...layeringZones, ...siblingZones] }],
      "import-x/no-self-import": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // Effect's generators and Schema classes use these shapes on purpose.
      "@typescript-eslint/no-empty-object-type": "off",
      "@typescript-eslint/no-namespace": "off"
    }
  },
  {
    // Every command pays for the modules it loads before it prints a byte. A
    // package barrel (`import { Effect } from "effect"`) drags the whole
    // package into the bundle's shared chunk (esbuild keeps the namespace
    // re-exports), so the product imports each module by its own path.
    files: ["src/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        paths: barrelPackages.map((name) => ({
          name,
          message: `import the module itself (\`import * as Schema from "${name}/Schema"\`), not the barrel`
        }))
      }]
    }
  }
)
