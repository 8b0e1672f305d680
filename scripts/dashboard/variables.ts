/**
 * The dashboard's customer and profile variables: their values are IDs (what panels filter on, safe
 * for any name), their display text is the name. Every panel about customers or profiles filters
 * with CUSTOMER and PROFILE.
 */
import { METRICS } from "../../src/metrics/names.js";
import { queryVariable } from "./grafana.js";

/** Matchers every customer or profile query carries; Grafana fills in the selected IDs, regex-escaped. */
export const CUSTOMER = 'customer_id=~"$customer"';
export const PROFILE = 'profile_id=~"$profile"';

/**
 * `base` (one series per `id`, with a `name` label) where a name that several IDs share becomes
 * "name · id", so that namesakes stay apart in the picker too.
 */
export const uniqueNames = (base: string, id: string, name: string): string => {
  const shared = `(count by (${name}) (${base}) > 1)`;
  return (
    `label_join(${base} and on (${name}) ${shared}, "${name}", " · ", "${name}", "${id}")` +
    ` or (${base} unless on (${name}) ${shared})`
  );
};

/**
 * Grafana's text of a series with exactly the labels `id` and `name` (sorted, as Prometheus returns
 * them): the value is the ID, the text the rest up to the closing `"}` before value and timestamp,
 * whatever it holds (quotes, newlines). An ID with a `"` does not match: Grafana's default formatting
 * would not escape it in a query, so it is left out of the list (it is still part of "All").
 */
const optionRegex = (id: string, name: string): string =>
  `/^\\{${id}="(?<value>[^"]*)",${name}="(?<text>[\\s\\S]*)"\\} \\S+ \\S+$/`;

export const customerVariable = () =>
  queryVariable({
    name: "customer",
    label: "Customer",
    description:
      "Customers by name (avepoint_customer_info); the value is the customer ID, so every name works and namesakes (shown with their ID) stay apart.",
    query: uniqueNames(
      `max by (customer_id, customer_name) (${METRICS.customerInfo.name})`,
      "customer_id",
      "customer_name",
    ),
    regex: optionRegex("customer_id", "customer_name"),
  });

export const profileVariable = () =>
  queryVariable({
    name: "profile",
    label: "Profile",
    description:
      'Scan profiles of the selected customers as "customer / profile" (avepoint_scan_profile_info); the value is the profile ID.',
    query: uniqueNames(
      `max by (profile_id, profile_text) (label_join(max by (customer_id, customer_name, profile_id, profile_name) (${METRICS.profileInfo.name}{${CUSTOMER}}), "profile_text", " / ", "customer_name", "profile_name"))`,
      "profile_id",
      "profile_text",
    ),
    regex: optionRegex("profile_id", "profile_text"),
  });
