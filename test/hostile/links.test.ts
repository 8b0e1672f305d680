/**
 * Next links that would carry the bearer token elsewhere. A link is resolved with URL semantics
 * against the request URL and followed only on the API's own origin without credentials; a second
 * listener (another port on 127.0.0.1) proves that nothing, and no token, reaches anywhere else.
 */
import { describe, expect, it } from "vitest";
import { series } from "../helpers/exposition.js";
import {
  errorsOf,
  expectSurvived,
  hostileExporter,
  parseErrors,
  scrapeOf,
  settle,
  successOf,
} from "./harness.js";
import {
  sendJson,
  startBystander,
  startUpstream,
  type HostileUpstream,
  type SeenRequest,
} from "./upstream.js";
import { customerRow, modernFleet, modernProfileRow, modernProfilesOf } from "./wire.js";

const GOOD = ["good-1", "good-2", "good-3"];
const BAD = "bad-1";
const ALL = [...GOOD, BAD];
const ARGS = ["--avepoint.api-flavor=modern", "--collect.min-interval=10m", "--avepoint.max-retries=0"];

interface Ports {
  /** The API's own port. */
  readonly api: number;
  /** The listener that must never be reached. */
  readonly other: number;
}

const lowered = (req: SeenRequest): string[] => req.segments.map((s) => s.toLowerCase());
const isPage2 = (req: SeenRequest): boolean => req.query.get("page") === "2";

/** Nothing at all reached the second listener, let alone a token. */
const expectUntouched = (bystander: HostileUpstream): void => {
  expect(bystander.requests.filter((r) => r.authorization !== undefined)).toEqual([]);
  expect(bystander.requests.map((r) => r.target)).toEqual([]);
};

describe("next links on one customer's profile list (modern)", () => {
  const profilesPath = `/partner/customers/${BAD}/scanProfiles`;
  const cases: readonly { name: string; link: (p: Ports) => string; follow: boolean }[] = [
    { name: "relative, no leading slash", link: () => "scanProfiles?page=2", follow: true },
    {
      name: "relative, starting with a digit (glued to the base URL it would change the port)",
      link: () => "1/scanProfiles?page=2",
      follow: true,
    },
    { name: "relative, leading slash", link: () => `${profilesPath}?page=2`, follow: true },
    {
      name: "relative, starting with @host:port (glued to the base URL it would change the host)",
      link: (p) => `@127.0.0.1:${p.other}${profilesPath}?page=2`,
      follow: true,
    },
    {
      name: "absolute, same origin",
      link: (p) => `http://127.0.0.1:${p.api}${profilesPath}?page=2`,
      follow: true,
    },
    {
      name: "absolute, other port",
      link: (p) => `http://127.0.0.1:${p.other}${profilesPath}?page=2`,
      follow: false,
    },
    {
      name: "absolute, other host name for the same address and port",
      link: (p) => `http://localhost:${p.api}${profilesPath}?page=2`,
      follow: false,
    },
    {
      name: "scheme-relative, other port",
      link: (p) => `//127.0.0.1:${p.other}${profilesPath}?page=2`,
      follow: false,
    },
    {
      name: "backslashes, other port",
      link: (p) => `\\\\127.0.0.1:${p.other}${profilesPath}?page=2`,
      follow: false,
    },
    {
      name: "absolute, other scheme",
      link: (p) => `https://127.0.0.1:${p.api}${profilesPath}?page=2`,
      follow: false,
    },
    {
      name: "userinfo, same origin",
      link: (p) => `http://user:pass@127.0.0.1:${p.api}${profilesPath}?page=2`,
      follow: false,
    },
    {
      name: "userinfo, other port",
      link: (p) => `http://user:pass@127.0.0.1:${p.other}${profilesPath}?page=2`,
      follow: false,
    },
  ];

  it.each(cases)("$name", async ({ link, follow }) => {
    const bystander = await startBystander();
    let ports: Ports = { api: 0, other: bystander.port };
    const upstream = await startUpstream(
      modernFleet({
        customers: () => ALL.map(customerRow),
        override: (req, res) => {
          const s = lowered(req);
          // Page 2 of BAD's profiles, wherever below the customer a relative link resolved to.
          if (s[0] === "partner" && s[1] === "customers" && req.segments[2] === BAD && isPage2(req)) {
            sendJson(res, 200, { value: [modernProfileRow(`${BAD}-p3`)] });
            return true;
          }
          if (modernProfilesOf(req) !== BAD) return false;
          sendJson(res, 200, {
            value: [modernProfileRow(`${BAD}-p1`), modernProfileRow(`${BAD}-p2`)],
            "@odata.nextLink": link(ports),
          });
          return true;
        },
      }),
    );
    ports = { api: upstream.port, other: bystander.port };
    const exporter = await hostileExporter(upstream, ARGS);
    const scrape = await settle(scrapeOf(exporter), ALL);
    expectUntouched(bystander);
    if (follow) {
      await expectSurvived(exporter, upstream, scrape, ALL);
      expect(series(scrape.samples, "avepoint_scan_profile_info", { customer_id: BAD })).toHaveLength(3);
      expect(upstream.apiRequests().filter(isPage2)).toHaveLength(1);
    } else {
      await expectSurvived(exporter, upstream, scrape, GOOD);
      expect(successOf(scrape.samples, BAD)).toBe(0);
      expect(errorsOf(scrape.samples, BAD, "unsafe_link")).toBeGreaterThanOrEqual(1);
      expect(parseErrors(scrape.samples, "unsafe_link")).toBeGreaterThanOrEqual(1);
      expect(upstream.apiRequests().filter(isPage2)).toEqual([]);
    }
  });
});

describe("next links on the customer list (modern)", () => {
  const MORE = ["more-1", "more-2"];

  const start = async (link: (p: Ports) => string) => {
    const bystander = await startBystander();
    let ports: Ports = { api: 0, other: bystander.port };
    const upstream = await startUpstream(
      modernFleet({
        customers: () => GOOD.map(customerRow),
        override: (req, res) => {
          const s = lowered(req);
          const isCustomerList = s.length >= 2 && s.at(-2) === "partner" && s.at(-1) === "customers";
          if (!isCustomerList) return false;
          if (isPage2(req)) sendJson(res, 200, { value: MORE.map(customerRow) });
          else sendJson(res, 200, { value: GOOD.map(customerRow), "@odata.nextLink": link(ports) });
          return true;
        },
      }),
    );
    ports = { api: upstream.port, other: bystander.port };
    return { bystander, upstream, exporter: await hostileExporter(upstream, ARGS) };
  };

  it("`1/partner/customers?page=2` is resolved against the request URL and stays on the API origin", async () => {
    const { bystander, upstream, exporter } = await start(() => "1/partner/customers?page=2");
    const scrape = await settle(scrapeOf(exporter), [...GOOD, ...MORE]);
    expectUntouched(bystander);
    await expectSurvived(exporter, upstream, scrape, [...GOOD, ...MORE]);
  });

  it("a link to another port is refused: no request there, the first page's customers still collected", async () => {
    const { bystander, upstream, exporter } = await start(
      (p) => `http://127.0.0.1:${p.other}/partner/customers?page=2`,
    );
    const scrape = await settle(scrapeOf(exporter), GOOD);
    expectUntouched(bystander);
    await expectSurvived(exporter, upstream, scrape, GOOD);
    for (const id of MORE) expect(successOf(scrape.samples, id)).toBeUndefined();
    expect(parseErrors(scrape.samples, "unsafe_link")).toBeGreaterThanOrEqual(1);
    expect(upstream.apiRequests().filter(isPage2)).toEqual([]);
  });
});
