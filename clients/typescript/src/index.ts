// @stockpulse/client: typed calls for every route of the StockPulse API and a live subscription.
import { StockPulseClient, type ClientOptions } from "./client.js";
import { subscribe, type SubscribeOptions, type Subscription } from "./subscribe.js";

export { StockPulseClient, StockPulseError, type ClientOptions, type WriteOptions } from "./client.js";
export type { SubscribeOptions, Subscription, SubscriptionStatus } from "./subscribe.js";
export type * from "./types.js";

export type StockPulse = StockPulseClient & {
  /** Loads the snapshot, then follows the feed from it; see SubscribeOptions. */
  subscribe: (options: SubscribeOptions) => Subscription;
};

/** A client for the StockPulse at `options.baseUrl`. */
export function createClient(options: ClientOptions): StockPulse {
  const client = new StockPulseClient(options) as StockPulse;
  client.subscribe = (subscribeOptions) => subscribe(client, subscribeOptions);
  return client;
}
