// The floor of the proxy bench: the least a Node process can do to forward a BOX connection on
// loopback — one upstream connection per BOX connection, bytes piped both ways, no framing, no
// classification, no state. Started by bench-proxy.mjs; prints `listening pipe 127.0.0.1:PORT`.
// Usage: node scripts/bench-pipe-proxy.mjs UPSTREAM_PORT (upstream on 127.0.0.1 only)
import net from 'node:net'

const port = Number(process.argv[2])
if (!Number.isInteger(port) || port <= 0) {
  console.error('bench-pipe-proxy: UPSTREAM_PORT needed')
  process.exit(1)
}
const server = net.createServer({ noDelay: true }, (box) => {
  const upstream = net.connect({ host: '127.0.0.1', port, noDelay: true })
  box.pipe(upstream)
  upstream.pipe(box)
  box.on('error', () => upstream.destroy())
  upstream.on('error', () => box.destroy())
  box.on('close', () => upstream.destroy())
  upstream.on('close', () => box.destroy())
})
server.listen(0, '127.0.0.1', () =>
  process.stderr.write(`listening pipe 127.0.0.1:${server.address().port}\n`),
)
process.on('SIGTERM', () => process.exit(0))
