/**
 * A mistake in the command line (missing argument, bad value). runCli turns it into exit 2 with
 * a one-line reason and the command's usage, never a stack trace.
 */
export class UsageError extends Error {}
