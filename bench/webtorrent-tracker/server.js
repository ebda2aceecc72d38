// The JavaScript WebTorrent tracker (npm bittorrent-tracker), as the peer server of
// SwarmBench --peer webtorrent. WebSocket only, on 127.0.0.1, no stats page.
//
//   node --expose-gc server.js [port]      (port 0 or none: any free port)
//
// Prints "READY <port>" once listening. Reads commands on stdin, one a line:
//   HEAP -> "HEAP <bytes>"  V8 heap used after a full GC (needs --expose-gc; -1 without)
//   STOP -> closes the tracker and exits (so does the end of stdin)
import { createInterface } from 'node:readline'
import Server from 'bittorrent-tracker/server'

const port = Number(process.argv[2] || 0)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`bad port "${process.argv[2]}": give 0..65535`)
  process.exit(2)
}

const server = new Server({ http: false, udp: false, ws: true, stats: false })
let warnings = 0
server.on('error', err => console.error(`tracker error: ${err.message}`))
server.on('warning', err => {
  // bad client data is only a warning for the tracker; show the first few
  if (++warnings <= 5) console.error(`tracker warning: ${err.message}`)
})

server.listen(port, '127.0.0.1', () => {
  console.log(`READY ${server.ws.address().port}`)
})

let stopping = false
function stop () {
  if (stopping) return
  stopping = true
  console.error(`tracker stopping (${warnings} warnings)`)
  server.close(() => process.exit(0))
  setTimeout(() => process.exit(0), 5000).unref()
}

const commands = createInterface({ input: process.stdin })
commands.on('line', line => {
  const command = line.trim()
  if (command === 'HEAP') {
    if (typeof global.gc === 'function') {
      global.gc()
      global.gc()
      console.log(`HEAP ${process.memoryUsage().heapUsed}`)
    } else {
      console.log('HEAP -1')
    }
  } else if (command === 'STOP') {
    stop()
  } else if (command !== '') {
    console.error(`unknown command "${command}": HEAP or STOP`)
  }
})
commands.on('close', stop)
