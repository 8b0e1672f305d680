import { describe, expect, it } from "vitest";
import type { Customer } from "../../src/avepoint/types.js";
import { selectCustomers, shardOf, stableHash } from "../../src/collect/select.js";
import { series, value } from "../helpers/exposition.js";
import { testExporter, testSimulator } from "../helpers/exporter.js";

const customer = (id: string, name: string): Customer => ({
  id,
  name,
  country: "",
  managementMode: null,
  jobStatus: null,
});
const all = (include: string[] = [], exclude: string[] = []) =>
  selectCustomers({ include, exclude, shardIndex: 0, shardTotal: 1 });

describe("customer selection", () => {
  it("hashes stably (FNV-1a) and case-insensitively for shards", () => {
    expect(stableHash("")).toBe(0x811c9dc5);
    expect(stableHash("a")).toBe(0xe40c292c);
    expect(shardOf("ABCDEF", 7)).toBe(shardOf("abcdef", 7));
  });

  it.each<[string, string[], string[], string[]]>([
    ["everybody by default", [], [], ["1", "2", "3"]],
    ["by ID", ["2"], [], ["2"]],
    ["by name glob", ["Contoso*"], [], ["1", "3"]],
    ["by ? glob, case-insensitive", ["fabrikam ?nc"], [], ["2"]],
    ["excluding by name", [], ["*Ltd"], ["1", "2"]],
    ["including and excluding", ["Contoso*"], ["3"], ["1"]],
  ])("selects %s", (_name, include, exclude, ids) => {
    const s = all(include, exclude);
    const customers = [
      customer("1", "Contoso Inc"),
      customer("2", "Fabrikam Inc"),
      customer("3", "Contoso Ltd"),
    ];
    expect(customers.filter(s.accept).map((c) => c.id)).toEqual(ids);
  });

  it("reports include patterns that matched nothing", () => {
    const s = all(["Contoso*", "Nobody*"]);
    s.accept(customer("1", "Contoso"));
    expect(s.takeUnmatched()).toEqual(["Nobody*"]);
  });
});

describe("shards and filters against the simulator", () => {
  it("N shards cover every customer exactly once", async () => {
    const simulator = await testSimulator({ customers: 150, profilesPerCustomer: 1 });
    const total = 4;
    const seen: string[][] = [];
    for (let index = 0; index < total; index++) {
      const exporter = await testExporter(simulator, [`--shard.index=${index}`, `--shard.total=${total}`]);
      const { samples } = await exporter.scrape();
      seen.push(series(samples, "avepoint_customer_info").map((s) => s.labels.customer_id!));
    }
    const union = seen.flat();
    expect(new Set(union).size).toBe(union.length);
    expect(new Set(union)).toEqual(new Set(simulator.customers().map((c) => c.id)));
    for (const shard of seen) expect(shard.length).toBeGreaterThan(15);
  });

  it("a pattern that matches nothing gives a warning, not a crash", async () => {
    const simulator = await testSimulator({ customers: 5, profilesPerCustomer: 1 });
    const exporter = await testExporter(simulator, ["--collect.customers=No such customer*"]);
    const { status, samples } = await exporter.scrape();
    expect(status).toBe(200);
    expect(value(samples, "avepoint_up")).toBe(1);
    expect(series(samples, "avepoint_customer_info")).toHaveLength(0);
    expect(
      exporter.logs.some((l) => l.includes("matched no customer") && l.includes("No such customer*")),
    ).toBe(true);
  });

  it("collects only the selected customers, and asks nothing about the others", async () => {
    const simulator = await testSimulator({ customers: 12, profilesPerCustomer: 2 });
    const plain = simulator.customers().filter((c) => /^[\w .'-]+$/.test(c.organization));
    const [a, b] = plain;
    const exporter = await testExporter(simulator, [`--collect.customers=${a!.id},${b!.organization}`]);
    simulator.resetStats();
    const { samples } = await exporter.scrape();
    expect(
      series(samples, "avepoint_customer_info")
        .map((s) => s.labels.customer_id)
        .sort(),
    ).toEqual([a!.id, b!.id].sort());
    expect(simulator.stats().apiRequests).toBe(1 + 2);
  });
});
