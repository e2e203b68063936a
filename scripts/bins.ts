// The CLIs the scripts run, resolved from node_modules (no PATH or npx needed).
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
const packageDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));

export const nextBin = path.join(packageDir("next"), "dist", "bin", "next");
export const prismaBin = path.join(packageDir("prisma"), "build", "index.js");
