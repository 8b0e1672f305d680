/** The health endpoints: open to any client, never rate limited, never behind a password check. */
export const OPEN_PATHS: ReadonlySet<string> = new Set(["/-/healthy", "/-/ready"]);

/** Whether a request target (path and query) is one of the health endpoints. */
export const isOpenPath = (url: string | undefined): boolean => {
  if (url === undefined) return false;
  const query = url.indexOf("?");
  return OPEN_PATHS.has(query < 0 ? url : url.slice(0, query));
};
