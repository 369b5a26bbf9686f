import { Logger } from "effect"

/** Replace the default logger with one that keeps each message's text in `lines`. */
export const recordLogs = (lines: Array<string>) =>
  Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ message }) => {
      lines.push(Array.isArray(message) ? message.map(String).join(" ") : String(message))
    })
  )
