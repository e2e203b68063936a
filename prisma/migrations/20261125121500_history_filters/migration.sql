-- The audit trail is kept forever by default and filtered by person, reason and kind, newest
-- first (GET /api/v1/events, the activity page, the CSV export). Each filter has an index that
-- ends in the event id, so a page is a short backward index scan from the cursor however large
-- the history grows. The product filter uses ProductEvent_productId_id_idx and dates use
-- ProductEvent_createdAt_idx, both from the first migration.
-- (No semicolons or apostrophes in these comments: the migration runner splits the script.)
-- CreateIndex
CREATE INDEX "ProductEvent_actor_id_idx" ON "ProductEvent"("actor", "id");

-- CreateIndex
CREATE INDEX "ProductEvent_reason_id_idx" ON "ProductEvent"("reason", "id");

-- CreateIndex
CREATE INDEX "ProductEvent_kind_id_idx" ON "ProductEvent"("kind", "id");
