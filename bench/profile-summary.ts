// Where the server's CPU time goes: sums the self time of a V8 .cpuprofile by source area.
//   BENCH_CPU_PROFILE=/tmp/prof BENCH_SIZES=5000 BENCH_TARGETS=nextjs npm run bench
//   npx tsx bench/profile-summary.ts /tmp/prof/*.cpuprofile
import fs from "node:fs";

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[] };

function area(url: string, name: string) {
  if (!url) return name.startsWith("(") ? name : "(native)";
  if (url.startsWith("node:internal/webstreams")) return "node: web streams";
  if (url.startsWith("node:internal/streams")) return "node: streams";
  if (url.startsWith("node:")) return `node: ${url.slice(5).split("/").slice(0, 2).join("/")}`;
  if (url.includes("/next/dist/compiled/")) return "next: compiled deps";
  if (url.includes("/next/dist/server/")) return `next: server/${url.split("/next/dist/server/")[1].split("/")[0]}`;
  if (url.includes("/next/dist/")) return "next: other";
  if (url.includes(".next/server/chunks")) return "app bundle (StockPulse + bundled deps)";
  if (url.includes("node_modules/pg")) return "pg";
  return url
    .replace(/^file:\/\//, "")
    .split("/")
    .slice(-2)
    .join("/");
}

for (const file of process.argv.slice(2)) {
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfByArea = new Map<string, number>();
  const selfByFunction = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)!;
    const micros = profile.timeDeltas[i] ?? 0;
    total += micros;
    const { url, functionName, lineNumber } = node.callFrame;
    const key = area(url, functionName);
    selfByArea.set(key, (selfByArea.get(key) ?? 0) + micros);
    const fn = `${functionName || "(anonymous)"} ${url.split("/").slice(-1)[0]}:${lineNumber + 1}`;
    selfByFunction.set(fn, (selfByFunction.get(fn) ?? 0) + micros);
  });
  const top = (map: Map<string, number>, n: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([key, micros]) => `  ${((100 * micros) / total).toFixed(1).padStart(5)}%  ${key}`)
      .join("\n");
  console.log(
    `${file}: ${(total / 1e6).toFixed(1)} s sampled\nby area:\n${top(selfByArea, 15)}\ntop functions:\n${top(selfByFunction, 25)}\n`,
  );
}
