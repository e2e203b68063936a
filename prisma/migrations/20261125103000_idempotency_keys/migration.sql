-- Idempotent writes: the answer to each completed request that carried an Idempotency-Key,
-- kept for 24 hours so a retry, on any instance, gets it again instead of applying twice.
-- (No semicolons or apostrophes in these comments: the migration runner splits the script.)
-- CreateTable
CREATE TABLE "IdempotencyKey" (
    "scope" VARCHAR(300) NOT NULL,
    "key" VARCHAR(255) NOT NULL,
    "requestHash" CHAR(64) NOT NULL,
    "status" INTEGER NOT NULL,
    "body" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "IdempotencyKey_pkey" PRIMARY KEY ("scope","key")
);

-- CreateIndex
CREATE INDEX "IdempotencyKey_expiresAt_idx" ON "IdempotencyKey"("expiresAt");
