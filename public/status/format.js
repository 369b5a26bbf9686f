// @ts-check
// How the page writes numbers, ages and times.

export const dash = "—"

/** @param {number | null | undefined} n */
export const formatCount = (n) => (n === undefined || n === null ? dash : Number(n).toLocaleString("en"))

/** @param {number | undefined} ms */
export const formatAge = (ms) => {
  if (ms === undefined) return dash
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
}

/** @param {number} ms */
export const utcClock = (ms) => new Date(ms).toISOString().slice(11, 19)

/** @param {number} ms */
export const utcMinutes = (ms) => new Date(ms).toISOString().slice(11, 16)

/**
 * A custom property of the page's style sheet (colours follow the theme).
 * @param {string} name
 */
export const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim()

/**
 * An element the page's HTML must hold.
 * @template {HTMLElement} T
 * @param {string} id
 * @param {new (...args: any[]) => T} type
 * @returns {T}
 */
export const byId = (id, type) => {
  const element = document.getElementById(id)
  if (!(element instanceof type)) throw new Error(`status page: #${id} is missing or not a ${type.name}`)
  return element
}
