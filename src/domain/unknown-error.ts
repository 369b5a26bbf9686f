/**
 * The two questions asked of a value caught from a library or the OS: what
 * does it say, and is it this system error? One answer each for the codebase.
 */

/** The message of an Error, else the value as text. */
export const describeUnknown = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** Whether `error` is a Node system error with this code (`ENOENT`, `EEXIST`, ...). */
export const isErrno = (error: unknown, code: string): boolean =>
  (error as NodeJS.ErrnoException | null | undefined)?.code === code
