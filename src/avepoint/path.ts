/** Path segments built from IDs the upstream sent: always encoded, never a dot segment. */
import { ParseError } from "../errors.js";

/** `.`, `..` and their percent-encoded spellings: URL parsers resolve all of them. */
export const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/**
 * One path segment for `id`.
 * @throws ParseError for an empty ID or a dot segment (it would leave its place in the path).
 */
export const segment = (id: string, endpoint: string): string => {
  if (id === "" || DOT_SEGMENT.test(id))
    throw new ParseError(`ID ${JSON.stringify(id)} cannot be a path segment`, endpoint);
  return encodeURIComponent(id);
};
