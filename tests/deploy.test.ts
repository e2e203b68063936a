// Several instances behind a real load balancer: nginx (Debian's package) with the shipped
// deploy/nginx.conf in front of three production servers on one PostgreSQL. Through nginx the
// dashboard answers, and 200 feed clients follow 500 changes written through the balancer while
// one instance is stopped (SIGTERM) and another crashes (SIGKILL): every client ends with every
// event exactly once, in commit order.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { debianProgram } from "../scripts/debian-package";
import { MAX_IMPORT_BYTES } from "../lib/imports/csv";
import { MAX_BULK_BODY_BYTES } from "../lib/products/validation";
import { freePort, temporaryDataDir } from "../scripts/embedded-postgres";
import { apiClient } from "./support/api";
import { eventually } from "./support/eventually";
import { followFeed, type Follower } from "./support/sse";
import { startStack, type Server, type Stack } from "../scripts/stack";

const root = path.join(import.meta.dirname, "..");
const FEED = "/api/v1/stream/product-updates";

let stack: Stack;
let instances: Server[];
let nginx: ChildProcess;
let nginxLog = "";
let dir: string;
let base: string;
const followers: Follower[] = [];

/** deploy/nginx.conf as shipped, with the instances' and nginx's own addresses put in. */
function siteConfig(ports: number[], listenPort: number) {
  const shipped = fs.readFileSync(path.join(root, "deploy", "nginx.conf"), "utf8");
  let next = 0;
  const site = shipped
    .replace(/server 127\.0\.0\.1:\d+/g, () => `server 127.0.0.1:${ports[next++]}`)
    .replace("listen 80;", `listen 127.0.0.1:${listenPort};`);
  assert.equal(next, ports.length, "deploy/nginx.conf lists three instances");
  return site;
}

before(async () => {
  const binary = debianProgram("/usr/sbin/nginx", "nginx");
  assert.ok(binary, "these tests need nginx: `apt-get install nginx` (run as root, they install it)");
  stack = await startStack({ env: { TRUSTED_PROXY_COUNT: "1", SSE_HEARTBEAT_MS: "1000" } });
  instances = await Promise.all([0, 1, 2].map(() => stack.startServer()));
  dir = temporaryDataDir("stockpulse-nginx-");
  const port = await freePort();
  fs.writeFileSync(
    path.join(dir, "site.conf"),
    siteConfig(
      instances.map((instance) => instance.port),
      port,
    ),
  );
  // Everything nginx writes stays in the temporary directory; its workers run as root here
  // because only root may enter that directory.
  fs.writeFileSync(
    path.join(dir, "nginx.conf"),
    `daemon off;
user root;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/site.conf;
}
`,
  );
  nginx = spawn(binary, ["-p", dir, "-c", path.join(dir, "nginx.conf"), "-e", path.join(dir, "error.log")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  nginx.stderr!.on("data", (chunk) => (nginxLog += chunk));
  base = `http://127.0.0.1:${port}`;
  await eventually(async () => {
    assert.equal(nginx.exitCode, null, `nginx exited: ${nginxLog}`);
    return fetch(`${base}/api/health`).then(
      (response) => response.ok,
      () => false,
    );
  }, "nginx to answer");
});

after(async () => {
  followers.forEach((follower) => follower.stop());
  nginx?.kill("SIGQUIT");
  await stack?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test("through nginx the dashboard answers, with the security headers", async () => {
  const response = await fetch(`${base}/`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-security-policy") ?? "", /script-src/);
  // The request's id is nginx's $request_id, which the instances (TRUSTED_PROXY_COUNT=1) keep.
  assert.match(response.headers.get("x-request-id") ?? "", /^[0-9a-f]{32}$/);
  assert.match(await response.text(), /AeroPress coffee maker/);
});

test("through nginx a body up to the API's limits reaches the API, and past them the answer is JSON 413", async () => {
  const post = async (route: string, body: string, contentType: string) => {
    const response = await fetch(`${base}${route}`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.adminToken}`, "content-type": contentType },
      body,
    });
    assert.match(response.headers.get("content-type") ?? "", /^application\/json/, `${route}: ${response.status}`);
    const { error } = (await response.json()) as { error?: { code: string; requestId: string } };
    // nginx's own 413 too: the request's id in the body and the header alike.
    if (error) assert.equal(error.requestId, response.headers.get("x-request-id"), `${route}: ${error.code}`);
    return { status: response.status, code: error?.code };
  };
  // JSON of exactly `bytes` bytes that the bulk schema refuses (an unknown key): the API read it.
  const json = (bytes: number) => {
    const shell = '{"items":[],"padding":""}';
    return shell.replace('""', `"${"x".repeat(bytes - shell.length)}"`);
  };
  const events = await stack.db.productEvent.count();
  for (const route of ["/api/v1/stock-adjustments", "/api/v1/stocktakes"]) {
    assert.deepEqual(await post(route, json(MAX_BULK_BODY_BYTES), "application/json"), {
      status: 400,
      code: "VALIDATION_FAILED",
    });
    assert.deepEqual(await post(route, json(MAX_BULK_BODY_BYTES + 1), "application/json"), {
      status: 413,
      code: "BODY_TOO_LARGE",
    });
  }
  // A file of exactly the import limit: one row with a long ignored column, previewed.
  const csv = (bytes: number) => {
    const head = "sku,count,note\nNO-SUCH-SKU,1,";
    return head + "x".repeat(bytes - head.length - 1) + "\n";
  };
  assert.equal((await post("/api/v1/imports/preview?kind=stocktake", csv(MAX_IMPORT_BYTES), "text/csv")).status, 200);
  assert.deepEqual(await post("/api/v1/imports/preview?kind=stocktake", csv(MAX_IMPORT_BYTES + 1), "text/csv"), {
    status: 413,
    code: "IMPORT_TOO_LARGE",
  });
  // Far past every limit: nginx's own refusal, in the API's error shape.
  assert.deepEqual(await post("/api/v1/stock-adjustments", json(8 * 1024 * 1024), "application/json"), {
    status: 413,
    code: "BODY_TOO_LARGE",
  });
  assert.equal(await stack.db.productEvent.count(), events, "nothing changed");
});

test("200 feed clients through nginx get every change once, in order, while one instance stops and another crashes", async () => {
  const api = apiClient(base, stack.adminToken);
  // Stock enough that no write can be refused: a +1 cut by the crash (502, never applied) would
  // otherwise let the next -1 hit zero on a product that starts out of stock (409).
  for (let writer = 0; writer < 10; writer++) assert.equal((await api.patch(1 + writer, { stock: 1000 })).status, 200);
  const from = (await api.products()).body.lastEventId as string;
  for (let i = 0; i < 200; i++) followers.push(followFeed(`${base}${FEED}?lastEventId=${from}`));
  const openStreams = async () => {
    let total = 0;
    for (const instance of instances)
      total += (await (await fetch(`${instance.baseUrl}/api/health`)).json()).openStreams;
    return total;
  };
  await eventually(async () => (await openStreams()) >= 200, "200 streams spread over the instances");
  const spread = await Promise.all(
    instances.map(async (instance) => (await (await fetch(`${instance.baseUrl}/api/health`)).json()).openStreams),
  );
  assert.ok(
    spread.every((count) => count > 0),
    `every instance holds streams: ${spread}`,
  );

  // 500 changes from 10 writers through the balancer; after 150, one instance gets SIGTERM and
  // another is killed outright.
  let written = 0;
  const statuses = new Map<number, number>();
  const faults = (async () => {
    await eventually(async () => written >= 150, "150 writes");
    await Promise.all([instances[0].stop(), instances[1].crash()]);
  })();
  await Promise.all(
    Array.from({ length: 10 }, async (_, writer) => {
      for (let i = 0; i < 50; i++) {
        // nginx answers a cut write with its own HTML 502: read the status only.
        const { status } = await fetch(`${base}/api/v1/products/${1 + writer}/stock-adjustments`, {
          method: "POST",
          headers: { authorization: `Bearer ${stack.adminToken}`, "content-type": "application/json" },
          body: JSON.stringify({ delta: i % 2 ? -1 : 1 }),
        });
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        written++;
      }
    }),
  );
  await faults;
  // A write cut by the crash may fail at nginx (502); none may fail in our code.
  assert.deepEqual(
    [...statuses.keys()].filter((status) => status !== 200 && status !== 502),
    [],
    `statuses: ${JSON.stringify([...statuses])}`,
  );

  const committed = (
    await stack.db.productEvent.findMany({ where: { id: { gt: BigInt(from) } }, orderBy: { id: "asc" } })
  ).map((event) => event.id.toString());
  assert.ok(committed.length >= 450, `${committed.length} changes committed`);
  for (const follower of followers) {
    await follower.waitFor(() => follower.events.length >= committed.length, `${committed.length} events`);
  }
  for (const follower of followers) {
    assert.deepEqual(
      follower.events.map((event) => event.eventId),
      committed,
    );
  }
  assert.ok(
    followers.every((follower) => follower.connections >= 1),
    "every client connected",
  );
  assert.ok(
    followers.some((follower) => follower.connections >= 2),
    "clients of the stopped instances reconnected",
  );
});
