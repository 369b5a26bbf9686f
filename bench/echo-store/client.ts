/**
 * Benchmark child for echo-store: the HTTP client, in a process of its own
 * so the server's CPU per request is the server's alone and the client does
 * not queue on the server's event loop. On each "round" it requests the
 * given paths one after another over one keep-alive connection and answers
 * with each request's latency, the points it read and its own CPU time.
 */
import * as http from "node:http"

export type EchoClientCommand = { readonly type: "round"; readonly url: string; readonly paths: ReadonlyArray<string> }

export type EchoClientMessage = {
  readonly type: "round"
  readonly latenciesMs: ReadonlyArray<number>
  readonly points: number
  readonly failures: number
  readonly cpuMs: number
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })

const get = (url: string): Promise<{ readonly status: number; readonly body: Buffer }> =>
  new Promise((resolve, reject) => {
    http.get(url, { agent }, (response) => {
      const chunks: Array<Buffer> = []
      response.on("data", (chunk: Buffer) => chunks.push(chunk))
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }))
      response.on("error", reject)
    }).on("error", reject)
  })

process.on("message", async (command: EchoClientCommand) => {
  const latenciesMs: Array<number> = []
  let points = 0
  let failures = 0
  const cpu = process.cpuUsage()
  for (const path of command.paths) {
    const began = performance.now()
    const { body, status } = await get(`${command.url}${path}`)
    latenciesMs.push(performance.now() - began)
    if (status === 200) points += (JSON.parse(body.toString()) as { timestamp: Array<string> }).timestamp.length
    else failures++
  }
  const used = process.cpuUsage(cpu)
  process.send?.(
    {
      type: "round",
      latenciesMs,
      points,
      failures,
      cpuMs: (used.user + used.system) / 1000
    } satisfies EchoClientMessage
  )
})
