-- A delivery in flight is marked by a lease on its subscription, not by a transaction held open
-- while the endpoint answers: no lock, connection or write waits on the network. Until this
-- time no other pass (on any instance) delivers the subscription, and the lease of a crashed
-- instance lapses by itself.
ALTER TABLE "WebhookSubscription" ADD COLUMN "deliveringUntil" TIMESTAMPTZ(3);
