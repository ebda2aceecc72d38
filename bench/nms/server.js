// node-media-server 4 as the peer of RelayBench --peer nms: http-flv on HTTP_PORT, fed over RTMP
// on RTMP_PORT by ffmpeg. Loopback only, no admin console, no auth, no recording; logging at
// "warn" so that per-session debug lines do not cost it CPU the relay does not spend either.
//
//   node server.js RTMP_PORT HTTP_PORT DATA_DIR
"use strict";
const NodeMediaServer = require("node-media-server");
const logger = require("node-media-server/src/core/logger.js");

const [rtmpPort, httpPort, dataDir] = process.argv.slice(2);
if (!rtmpPort || !httpPort || !dataDir) {
  console.error("usage: node server.js RTMP_PORT HTTP_PORT DATA_DIR");
  process.exit(2);
}
const config = {
  bind: "127.0.0.1",
  rtmp: { port: Number(rtmpPort) },
  http: { port: Number(httpPort) },
  store: { path: dataDir },
  auth: { play: false, publish: false, secret: "bench" },
  webadmin: { enable: false },
  notify: { url: "" },
};
const nms = new NodeMediaServer(config, dataDir + "/config.json");
logger.level = "warn";
nms.run();
console.log(`nms-bench ready rtmp ${rtmpPort} http ${httpPort}`);
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    nms.stop().finally(() => process.exit(0));
  });
}
