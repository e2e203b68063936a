-- The history filters by reason in any case (GET /api/v1/events?reason=Sale finds the events
-- recorded as sale): the filter compares lower(reason), so its index is on lower(reason), still
-- ending in the event id, so a filtered page stays a short backward index scan from the cursor.
-- The index on the reason as written served only the exact filter it replaces.
-- The person filter needs no new index: it first finds the people whose name matches (a loose
-- scan of ProductEvent_actor_id_idx, one probe per person) and then reads their events by
-- that same index.
-- (No semicolons or apostrophes in these comments: the migration runner splits the script.)
DROP INDEX "ProductEvent_reason_id_idx";

CREATE INDEX "ProductEvent_reason_lower_id_idx" ON "ProductEvent" (lower("reason"), "id");
