/** AvePoint environments and commercial regions: one table, both URLs. */

export const ENVIRONMENTS = {
  commercial: {
    tokenUrl: "https://identity.avepointonlineservices.com/connect/token",
    apiUrl: "https://graph.avepointonlineservices.com",
  },
  gov: {
    tokenUrl: "https://identity-gov.avepointonlineservices.com/connect/token",
    apiUrl: "https://graph-gov.avepointonlineservices.com",
  },
  aos2: {
    tokenUrl: "https://identity-aos2.avepointonlineservices.com/connect/token",
    apiUrl: "https://graph-aos2.avepointonlineservices.com",
  },
  fedramp: {
    tokenUrl: "https://identity.online15.net/connect/token",
    apiUrl: "https://graphusgovapi.online15.net",
  },
} as const;

/** Commercial data centers; each has its own API host, the token URL stays the commercial one. */
export const COMMERCIAL_REGIONS = [
  "au",
  "sg",
  "ca",
  "ne",
  "we",
  "fr",
  "de",
  "jp",
  "kr",
  "ch",
  "uk",
  "us",
  "uae",
  "za",
  "qa",
  "gcp-au",
  "gcp-jp",
  "gcp-us",
  "gcp-we",
  "gcp-kr",
] as const;

export const regionApiUrl = (region: string): string => `https://graph-${region}.avepointonlineservices.com`;
