-- Webhook subscriptions: each one follows the event log from its own cursor (the last event id
-- its endpoint acknowledged), so delivery is ordered, resumable and replayable.
CREATE TABLE "WebhookSubscription" (
    "id" SERIAL NOT NULL,
    "url" VARCHAR(2048) NOT NULL,
    "kinds" VARCHAR(16) NOT NULL,
    "productIds" INTEGER[] NOT NULL DEFAULT '{}',
    "secret" VARCHAR(100) NOT NULL,
    "cursor" BIGINT NOT NULL,
    "status" VARCHAR(16) NOT NULL DEFAULT 'active',
    "pausedReason" VARCHAR(500),
    "failureCount" INTEGER NOT NULL DEFAULT 0,
    "failingSince" TIMESTAMPTZ(3),
    "nextAttemptAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastError" VARCHAR(500),
    "createdBy" VARCHAR(200) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookSubscription_pkey" PRIMARY KEY ("id")
);

-- One attempt to deliver (or a test event): the delivery log of the admin page, bounded per
-- subscription by the deliverer.
CREATE TABLE "WebhookDelivery" (
    "id" BIGSERIAL NOT NULL,
    "subscriptionId" INTEGER NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "test" BOOLEAN NOT NULL DEFAULT false,
    "firstEventId" BIGINT,
    "lastEventId" BIGINT,
    "eventCount" INTEGER NOT NULL,
    "statusCode" INTEGER,
    "error" VARCHAR(500),
    "latencyMs" INTEGER NOT NULL,
    "responseExcerpt" VARCHAR(200),

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "WebhookSubscription_status_nextAttemptAt_idx" ON "WebhookSubscription"("status", "nextAttemptAt");

CREATE INDEX "WebhookDelivery_subscriptionId_id_idx" ON "WebhookDelivery"("subscriptionId", "id");

ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_subscriptionId_fkey" FOREIGN KEY ("subscriptionId") REFERENCES "WebhookSubscription"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written (Prisma does not manage CHECK constraints).
ALTER TABLE "WebhookSubscription" ADD CONSTRAINT "WebhookSubscription_kinds_check" CHECK (kinds IN ('all', 'threshold'));
ALTER TABLE "WebhookSubscription" ADD CONSTRAINT "WebhookSubscription_status_check" CHECK (status IN ('active', 'paused'));
