/**
 * Waiting on events, not on durations: a test states what it waits for, and the test's own timeout
 * (not a sleep of a guessed length) bounds the wait, so a busy machine makes it slower, never wrong.
 */

/** Resolves once `condition` holds, looking again every `everyMs` milliseconds. */
export const waitFor = async (condition: () => boolean | Promise<boolean>, everyMs = 2): Promise<void> => {
  while (!(await condition())) await new Promise((r) => setTimeout(r, everyMs));
};
