// @ts-check
// The API page: reads the hub's own OpenAPI document and lays it out, one
// section per group, one entry per endpoint with its parameters and answers.
// Nothing is fetched from anywhere but this server.

/**
 * The parts of an OpenAPI 3.1 document this page reads.
 * @typedef {{ $ref?: string, type?: string | string[], enum?: unknown[], pattern?: string, description?: string,
 *   properties?: Record<string, Schema>, required?: string[], items?: Schema, anyOf?: Schema[],
 *   additionalProperties?: boolean | Schema }} Schema
 * @typedef {{ name: string, in: string, required?: boolean, description?: string, schema?: Schema }} Parameter
 * @typedef {{ description?: string, content?: Record<string, { schema?: Schema }> }} Response
 * @typedef {{ tags?: string[], summary?: string, description?: string, operationId?: string,
 *   parameters?: Parameter[], responses?: Record<string, Response> }} Operation
 * @typedef {{ info: { title: string, version: string, description?: string },
 *   tags?: Array<{ name: string, description?: string }>,
 *   paths: Record<string, Record<string, Operation>>,
 *   components?: { schemas?: Record<string, Schema> } }} OpenApiDocument
 */

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {{ className?: string, text?: string, id?: string, href?: string }} [props]
 * @param {Array<Node | string>} [children]
 * @returns {HTMLElementTagNameMap[K]}
 */
const el = (tag, props = {}, children = []) => {
  const node = document.createElement(tag)
  if (props.className !== undefined) node.className = props.className
  if (props.id !== undefined) node.id = props.id
  if (props.text !== undefined) node.textContent = props.text
  if (props.href !== undefined && node instanceof HTMLAnchorElement) node.href = props.href
  node.append(...children)
  return node
}

/** @param {string} id */
const byId = (id) => {
  const element = document.getElementById(id)
  if (element === null) throw new Error(`API page: #${id} is missing`)
  return element
}

/** @param {string} ref */
const refName = (ref) => ref.slice(ref.lastIndexOf("/") + 1)

/**
 * A schema as a short TypeScript-like text; components by name, expanded once.
 * @param {Schema | undefined} schema
 * @param {Record<string, Schema>} components
 * @param {string} indent
 * @param {Set<string>} seen
 * @returns {string}
 */
const schemaText = (schema, components, indent = "", seen = new Set()) => {
  if (schema === undefined) return "unknown"
  if (schema.$ref !== undefined) {
    const name = refName(schema.$ref)
    const target = components[name]
    if (target === undefined || seen.has(name)) return name
    return schemaText(target, components, indent, new Set([...seen, name]))
  }
  if (schema.anyOf !== undefined) return schema.anyOf.map((s) => schemaText(s, components, indent, seen)).join(" | ")
  if (schema.enum !== undefined) return schema.enum.map((v) => JSON.stringify(v)).join(" | ")
  if (schema.type === "array") return `Array<${schemaText(schema.items, components, indent, seen)}>`
  if (schema.type === "object" || schema.properties !== undefined) {
    const inner = `${indent}  `
    const lines = Object.entries(schema.properties ?? {}).map(([key, value]) => {
      const optional = schema.required?.includes(key) ? "" : "?"
      const note = value.description === undefined ? "" : `  // ${value.description}`
      return `${inner}${key}${optional}: ${schemaText(value, components, inner, seen)}${note}`
    })
    if (typeof schema.additionalProperties === "object") {
      lines.push(`${inner}[key: string]: ${schemaText(schema.additionalProperties, components, inner, seen)}`)
    }
    return lines.length === 0 ? "{}" : `{\n${lines.join("\n")}\n${indent}}`
  }
  const type = Array.isArray(schema.type) ? schema.type.join(" | ") : schema.type ?? "unknown"
  return schema.pattern === undefined ? type : `${type} /${schema.pattern}/`
}

/**
 * @param {Parameter[]} parameters
 * @param {Record<string, Schema>} components
 */
const parameterTable = (parameters, components) =>
  el("table", {}, [
    el("thead", {}, [el("tr", {}, ["Parameter", "In", "Type", "Meaning"].map((h) => el("th", { text: h })))]),
    el(
      "tbody",
      {},
      parameters.map((p) =>
        el("tr", {}, [
          el("td", {}, [
            el("code", { text: p.name }),
            ...(p.required ? [" ", el("span", { className: "required", text: "required" })] : [])
          ]),
          el("td", { text: p.in }),
          el("td", {}, [el("code", { text: schemaText(p.schema, components) })]),
          el("td", { text: p.description ?? "" })
        ])
      )
    )
  ])

/**
 * @param {Record<string, Response>} responses
 * @param {Record<string, Schema>} components
 */
const responseList = (responses, components) =>
  el(
    "div",
    { className: "responses" },
    Object.entries(responses).map(([status, response]) =>
      el("div", { className: "response" }, [
        el("h4", { text: `${status} · ${response.description ?? ""}` }),
        ...Object.entries(response.content ?? {}).map(([type, media]) =>
          el("div", {}, [
            el("p", {}, [el("code", { text: type })]),
            el("pre", { text: schemaText(media.schema, components) })
          ])
        )
      ])
    )
  )

/**
 * @param {string} path
 * @param {string} method
 * @param {Operation} operation
 * @param {Record<string, Schema>} components
 */
const endpoint = (path, method, operation, components) =>
  el("article", { className: "endpoint", id: operation.operationId ?? `${method} ${path}` }, [
    el("h3", {}, [el("span", { className: "method", text: method }), path]),
    ...(operation.summary === undefined ? [] : [el("p", { text: operation.summary })]),
    ...(operation.description === undefined ? [] : [el("p", { className: "summary", text: operation.description })]),
    ...(operation.parameters?.length ? [parameterTable(operation.parameters, components)] : []),
    responseList(operation.responses ?? {}, components)
  ])

/** @param {OpenApiDocument} doc */
const render = (doc) => {
  const components = doc.components?.schemas ?? {}
  /** @type {Map<string, HTMLElement>} */
  const groups = new Map()
  const main = byId("api")
  const toc = el("ul")
  for (const tag of doc.tags ?? []) {
    const section = el("section", { className: "group", id: `group-${tag.name}` }, [el("h2", { text: tag.name })])
    if (tag.description !== undefined) section.append(el("p", { className: "summary", text: tag.description }))
    groups.set(tag.name, section)
    main.append(section)
  }
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const tag = operation.tags?.[0] ?? "other"
      let section = groups.get(tag)
      if (section === undefined) {
        section = el("section", { className: "group" }, [el("h2", { text: tag })])
        groups.set(tag, section)
        main.append(section)
      }
      const entry = endpoint(path, method, operation, components)
      section.append(entry)
      toc.append(
        el("li", {}, [el("a", { href: `#${entry.id}` }, [el("span", { className: "method", text: method }), path])])
      )
    }
  }
  byId("toc").append(toc)
  byId("title").textContent = `${doc.info.title} ${doc.info.version}`
  byId("summary").textContent = doc.info.description ?? ""
  main.setAttribute("aria-busy", "false")
}

fetch("/openapi.json")
  .then((response) => {
    if (!response.ok) throw new Error(`/openapi.json answered ${response.status}`)
    return response.json()
  })
  .then(render, (/** @type {unknown} */ error) => {
    const summary = byId("summary")
    summary.className = "summary error"
    summary.textContent = `The API document could not be read: ${
      error instanceof Error ? error.message : String(error)
    }`
  })
